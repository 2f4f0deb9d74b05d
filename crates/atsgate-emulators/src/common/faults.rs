//! Switchable faults: rules that make the next matching requests misbehave.
//!
//! Tests post rules to `/_emulator/faults`; the edge middleware
//! ([`super::edge`]) consumes one matching rule per request. A rule can
//! answer with an arbitrary status (429/503 with an optional `Retry-After`),
//! delay the answer, store the request's effect and then reset the TCP
//! connection, or store it and hold the answer back for a while (so a test
//! can act between the store and the answer, e.g. kill the client). Rules are matched in the order they were added, so a test can
//! script a sequence such as "503 once, then 429 twice".

use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

/// One parsed rule, as posted by a test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// Answer with this status instead of running the handler.
    pub status: Option<u16>,
    /// `Retry-After` seconds sent with `status`.
    pub retry_after_s: Option<u64>,
    /// Wait this long before doing anything else.
    pub delay: Option<Duration>,
    /// Run the handler (so the upload is stored), then reset the connection.
    pub reset_after_store: bool,
    /// Run the handler, then wait this long before answering.
    pub hold_after_store: Option<Duration>,
    /// Only requests whose path starts with this.
    pub path_prefix: Option<String>,
    /// Only requests whose path contains this.
    pub path_contains: Option<String>,
    /// Only requests with this method (case-insensitive).
    pub method: Option<String>,
    /// How many more requests this rule applies to.
    pub times: u32,
}

/// What the edge middleware must do for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultAction {
    pub status: Option<u16>,
    pub retry_after_s: Option<u64>,
    pub delay: Option<Duration>,
    pub reset_after_store: bool,
    pub hold_after_store: Option<Duration>,
}

/// The wire form of a rule; unknown keys are rejected so a typo in a test
/// (`"retry_after": 1`) fails loudly instead of silently doing nothing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleWire {
    status: Option<u16>,
    retry_after_s: Option<u64>,
    delay_ms: Option<u64>,
    #[serde(default)]
    reset_after_store: bool,
    hold_after_store_ms: Option<u64>,
    #[serde(default)]
    clear: bool,
    path_prefix: Option<String>,
    path_contains: Option<String>,
    method: Option<String>,
    times: Option<u32>,
}

/// A posted item: either "clear everything" or a rule to add.
#[derive(Debug, PartialEq, Eq)]
pub enum FaultCommand {
    Clear,
    Add(FaultRule),
}

/// Parses the body of `POST /_emulator/faults`: one rule object or an array.
pub fn parse_commands(body: &[u8]) -> Result<Vec<FaultCommand>, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let wire: RuleWire = serde_json::from_value(item).map_err(|e| format!("rule {index}: {e}"))?;
            to_command(wire).map_err(|e| format!("rule {index}: {e}"))
        })
        .collect()
}

fn to_command(wire: RuleWire) -> Result<FaultCommand, String> {
    if wire.clear {
        return Ok(FaultCommand::Clear);
    }
    if wire.status.is_none() && wire.delay_ms.is_none() && !wire.reset_after_store && wire.hold_after_store_ms.is_none()
    {
        return Err("a rule needs status, delay_ms, reset_after_store, hold_after_store_ms or clear".into());
    }
    if let Some(status) = wire.status {
        if !(400..=599).contains(&status) {
            return Err(format!("status {status} is not an error status (400..=599)"));
        }
        if wire.reset_after_store || wire.hold_after_store_ms.is_some() {
            return Err("status cannot be combined with reset_after_store or hold_after_store_ms".into());
        }
    } else if wire.retry_after_s.is_some() {
        return Err("retry_after_s only makes sense with status".into());
    }
    let times = wire.times.unwrap_or(1);
    if times == 0 {
        return Err("times must be at least 1".into());
    }
    Ok(FaultCommand::Add(FaultRule {
        status: wire.status,
        retry_after_s: wire.retry_after_s,
        delay: wire.delay_ms.map(Duration::from_millis),
        reset_after_store: wire.reset_after_store,
        hold_after_store: wire.hold_after_store_ms.map(Duration::from_millis),
        path_prefix: wire.path_prefix,
        path_contains: wire.path_contains,
        method: wire.method,
        times,
    }))
}

/// The active rules of one emulator.
#[derive(Default)]
pub struct FaultSet {
    rules: Mutex<Vec<FaultRule>>,
}

impl FaultSet {
    /// Applies posted commands in order; returns how many rules remain.
    pub fn apply(&self, commands: Vec<FaultCommand>) -> usize {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        for command in commands {
            match command {
                FaultCommand::Clear => rules.clear(),
                FaultCommand::Add(rule) => rules.push(rule),
            }
        }
        rules.len()
    }

    /// Number of rules that still have uses left.
    pub fn active(&self) -> usize {
        self.rules.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Consumes one use of the first rule matching this request, if any.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultAction> {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let index = rules.iter().position(|rule| {
            rule.path_prefix.as_deref().is_none_or(|prefix| path.starts_with(prefix))
                && rule.path_contains.as_deref().is_none_or(|part| path.contains(part))
                && rule.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let rule = &mut rules[index];
        let action = FaultAction {
            status: rule.status,
            retry_after_s: rule.retry_after_s,
            delay: rule.delay,
            reset_after_store: rule.reset_after_store,
            hold_after_store: rule.hold_after_store,
        };
        rule.times -= 1;
        if rule.times == 0 {
            rules.remove(index);
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_rule_and_array() {
        let one = parse_commands(br#"{"status":503}"#).unwrap();
        assert_eq!(one.len(), 1);
        let many = parse_commands(br#"[{"clear":true},{"delay_ms":5,"times":2,"method":"post"}]"#).unwrap();
        assert_eq!(many[0], FaultCommand::Clear);
        let FaultCommand::Add(rule) = &many[1] else { panic!("expected a rule") };
        assert_eq!(rule.times, 2);
        assert_eq!(rule.delay, Some(Duration::from_millis(5)));
    }

    #[test]
    fn rejects_meaningless_rules() {
        assert!(parse_commands(br#"{"times":2}"#).is_err());
        assert!(parse_commands(br#"{"status":200}"#).is_err());
        assert!(parse_commands(br#"{"status":503,"reset_after_store":true}"#).is_err());
        assert!(parse_commands(br#"{"status":503,"retry_after":1}"#).is_err());
        assert!(parse_commands(br#"{"status":503,"times":0}"#).is_err());
        assert!(parse_commands(br#"{"status":503,"hold_after_store_ms":5}"#).is_err());
    }

    #[test]
    fn rules_match_in_order_and_run_out() {
        let set = FaultSet::default();
        let commands = parse_commands(
            br#"[{"status":503,"path_prefix":"/v3/attachments","method":"POST"},{"status":429,"times":2}]"#,
        )
        .unwrap();
        assert_eq!(set.apply(commands), 2);
        assert_eq!(set.take("GET", "/v3/jobs").unwrap().status, Some(429));
        assert_eq!(set.take("POST", "/v3/attachments").unwrap().status, Some(503));
        assert_eq!(set.take("POST", "/v3/attachments").unwrap().status, Some(429));
        assert_eq!(set.take("GET", "/v3/jobs"), None);
        assert_eq!(set.active(), 0);
        set.apply(parse_commands(br#"{"hold_after_store_ms":5,"path_contains":"/files"}"#).unwrap());
        assert_eq!(set.take("POST", "/v1/opportunities/7/notes"), None);
        assert_eq!(
            set.take("POST", "/v1/opportunities/7/files").unwrap().hold_after_store,
            Some(Duration::from_millis(5))
        );
    }
}
