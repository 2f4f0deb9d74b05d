//! The interaction log: the list (newest first, cursor pages, filters in the URL, exact lookup)
//! and the page of one call — the page every `log_url` opens — with its upstream timeline and
//! a "copy as curl" whose key and file data are placeholders.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use serde::Deserialize;

use super::{
    super::extract::AppState,
    integrations::tool_label,
    page::{encode, render, PageError, PagePath, PageQuery, PageResult, Session},
    view::{ago, duration, layout, status_class, when, Layout},
};
use crate::{
    actions::logs,
    error::ErrorCode,
    ids,
    store::{InteractionLog, LogFilter, Outcome, ENDPOINTS},
};

/// Integration id → "Tool · organisation", for the integrations in view.
pub async fn integration_names(app: &AppState, workspace: Option<&str>) -> PageResult<HashMap<String, String>> {
    Ok(app
        .store
        .list_integrations(workspace)
        .await?
        .into_iter()
        .map(|i| (i.id.clone(), format!("{} · {}", tool_label(&i.tool), i.organization_name)))
        .collect())
}

/// A row of a log list.
pub struct LogRow {
    pub id: String,
    pub time: String,
    pub ago: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub status_class: &'static str,
    pub code: String,
    pub integration: String,
    pub took: String,
    pub warnings: Vec<String>,
    pub replayed: bool,
}

impl LogRow {
    pub fn new(log: &InteractionLog, names: &HashMap<String, String>) -> LogRow {
        LogRow {
            id: log.id.clone(),
            time: when(&log.created_at),
            ago: ago(&log.created_at),
            method: log.method.clone(),
            path: log.path.clone(),
            status: log.status,
            status_class: status_class(log.status),
            code: log.code.clone().unwrap_or_default(),
            integration: log
                .integration_id
                .as_ref()
                .map(|id| names.get(id).cloned().unwrap_or_else(|| id.clone()))
                .unwrap_or_default(),
            took: duration(log.duration_ms),
            warnings: log.warnings.clone(),
            replayed: log.replayed,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct LogsQuery {
    #[serde(default)]
    integration: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    warnings: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: String,
    #[serde(default)]
    q: String,
}

impl LogsQuery {
    /// The filters as a query string (without the cursor), for links that keep them.
    fn filters(&self) -> String {
        [
            ("integration", &self.integration),
            ("outcome", &self.outcome),
            ("code", &self.code),
            ("endpoint", &self.endpoint),
            ("warnings", &self.warnings),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }

    fn is_filtered(&self) -> bool {
        !self.filters().is_empty()
    }
}

/// A `datetime-local` value (`2026-03-01T10:04`, taken as UTC) as a stored timestamp.
fn parse_local(value: &str) -> PageResult<Option<String>> {
    if value.is_empty() {
        return Ok(None);
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]
        .iter()
        .find_map(|format| {
            chrono::NaiveDateTime::parse_from_str(value, format)
                .ok()
                .or_else(|| chrono::NaiveDate::parse_from_str(value, format).ok()?.and_hms_opt(0, 0, 0))
        })
        .map(|t| Some(ids::format_ts(t.and_utc())))
        .ok_or_else(|| PageError::BadRequest(format!("{value:?} is not a date and time like 2026-03-01T10:00")))
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "dashboard/logs.html")]
struct ListPage {
    layout: Layout,
    query: LogsQuery,
    rows: Vec<LogRow>,
    lookup: bool,
    filtered: bool,
    next_url: Option<String>,
    first_url: Option<String>,
    integrations: Vec<Choice>,
    outcomes: Vec<Choice>,
    codes: Vec<String>,
    endpoints: Vec<String>,
    retention_days: u32,
    oldest: String,
}

pub async fn list(
    State(app): State<AppState>,
    Session(viewer): Session,
    PageQuery(query): PageQuery<LogsQuery>,
) -> PageResult {
    let layout = layout(&app, &viewer, "logs").await?;
    let workspace = viewer.current_workspace();
    let names = integration_names(&app, workspace).await?;
    let (entries, next) = if !query.q.trim().is_empty() {
        (logs::lookup(&app, &viewer, workspace, &query.q).await?, None)
    } else {
        let nonempty = |v: &String| Some(v.clone()).filter(|v| !v.is_empty());
        let outcome = match query.outcome.as_str() {
            "" => None,
            other => Some(Outcome::parse(other).ok_or_else(|| PageError::BadRequest("unknown outcome".into()))?),
        };
        let before = query.before.split_once('~').map(|(at, id)| (at.to_string(), id.to_string()));
        let filter = LogFilter {
            workspace_id: workspace.map(str::to_string),
            integration_id: nonempty(&query.integration),
            outcome,
            code: nonempty(&query.code),
            endpoint: nonempty(&query.endpoint),
            has_warnings: !query.warnings.is_empty(),
            errors_only: false,
            from: parse_local(&query.from)?,
            to: parse_local(&query.to)?,
            before,
            limit: logs::PAGE_SIZE,
        };
        let page = logs::page(&app, &viewer, filter).await?;
        (page.entries, page.next)
    };
    let filters = query.filters();
    let join = if filters.is_empty() { String::new() } else { format!("{filters}&") };
    let mut integrations: Vec<Choice> =
        names.iter().map(|(id, label)| Choice { value: id.clone(), label: label.clone() }).collect();
    integrations.sort_by(|a, b| a.label.cmp(&b.label));
    let oldest = logs::oldest(&app, workspace).await?;
    render(&ListPage {
        rows: entries.iter().map(|e| LogRow::new(e, &names)).collect(),
        lookup: !query.q.trim().is_empty(),
        filtered: query.is_filtered(),
        next_url: next.map(|(at, id)| format!("/dashboard/logs?{join}before={}", encode(&format!("{at}~{id}")))),
        first_url: (!query.before.is_empty()).then(|| format!("/dashboard/logs?{filters}")),
        integrations,
        outcomes: Outcome::ALL.iter().map(|o| Choice { value: o.as_str().into(), label: o.label().into() }).collect(),
        codes: ErrorCode::ALL.iter().map(|c| c.as_str().to_string()).collect(),
        endpoints: ENDPOINTS.iter().map(|e| e.to_string()).collect(),
        retention_days: app.config.log_retention_days,
        oldest: oldest.as_deref().map_or_else(|| "no entries yet".into(), when),
        layout,
        query,
    })
}

pub struct UpstreamRow {
    pub method: String,
    pub path: String,
    pub status: String,
    pub status_class: &'static str,
    pub took: String,
    /// Bar width in percent of the slowest call, in steps of 10.
    pub width: u32,
    pub attempt: u32,
    pub purpose: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "dashboard/log.html")]
struct DetailPage {
    layout: Layout,
    id: String,
    time: String,
    method: String,
    path: String,
    query: String,
    status: u16,
    status_class: &'static str,
    outcome: &'static str,
    code: String,
    title: String,
    message: String,
    warnings: Vec<String>,
    took: String,
    integration_id: String,
    integration: String,
    workspace: String,
    key: String,
    idempotency_key: String,
    replayed: bool,
    upstream: Vec<UpstreamRow>,
    curl: String,
}

/// Single-quoted for a POSIX shell.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The call as a curl command, with the key and any file data left as placeholders (the log
/// never has them).
fn curl(public_url: &str, log: &InteractionLog) -> String {
    let mut url = format!("{public_url}{}", log.path);
    if let Some(query) = &log.query {
        url.push('?');
        url.push_str(query);
    }
    let mut lines = vec![format!("curl -X {} {}", log.method, shell_quote(&url))];
    lines.push("  -H \"Authorization: Bearer $ATSGATE_API_KEY\"".into());
    if let Some(id) = &log.integration_id {
        lines.push(format!("  -H {}", shell_quote(&format!("X-Integration-Id: {id}"))));
    }
    if let Some(key) = &log.idempotency_key {
        lines.push(format!("  -H {}", shell_quote(&format!("Idempotency-Key: {key}"))));
    }
    if log.method == "POST" && log.path.ends_with("/attachments") {
        lines.push("  -H 'Content-Type: application/json'".into());
        lines.push(
            "  -d '{\"attachment\":{\"name\":\"FILE_NAME.pdf\",\"type\":\"CV\",\"content_type\":\"application/pdf\",\"data\":\"'\"$(base64 -w0 FILE_NAME.pdf)\"'\"}}'"
                .into(),
        );
    }
    lines.join(" \\\n")
}

pub async fn detail(State(app): State<AppState>, Session(viewer): Session, PagePath(id): PagePath) -> PageResult {
    let log = logs::entry(&app, &viewer, &id).await?.ok_or(PageError::NotFound)?;
    let layout = layout(&app, &viewer, "logs").await?;
    let names = integration_names(&app, None).await?;
    let slowest = log.upstream.iter().map(|u| u.duration_ms).fold(0.0_f64, f64::max).max(0.001);
    let code = log.code.clone().unwrap_or_default();
    let title = ErrorCode::ALL.iter().find(|c| c.as_str() == code).map_or("", |c| c.title()).to_string();
    let workspace = match &log.workspace_id {
        Some(id) => app.store.get_workspace(id).await?.map(|w| w.name).unwrap_or_default(),
        None => String::new(),
    };
    render(&DetailPage {
        layout,
        id: log.id.clone(),
        time: when(&log.created_at),
        method: log.method.clone(),
        path: log.path.clone(),
        query: log.query.clone().unwrap_or_default(),
        status: log.status,
        status_class: status_class(log.status),
        outcome: log.outcome().label(),
        title,
        message: log.message.clone().unwrap_or_default(),
        warnings: log.warnings.clone(),
        took: duration(log.duration_ms),
        integration: log.integration_id.as_ref().and_then(|i| names.get(i).cloned()).unwrap_or_default(),
        integration_id: log.integration_id.clone().unwrap_or_default(),
        workspace,
        key: match (&log.key_name, &log.key_prefix) {
            (Some(name), Some(prefix)) => format!("{name} ({prefix}…)"),
            (None, Some(prefix)) => format!("{prefix}…"),
            _ => String::new(),
        },
        idempotency_key: log.idempotency_key.clone().unwrap_or_default(),
        replayed: log.replayed,
        upstream: log
            .upstream
            .iter()
            .map(|u| UpstreamRow {
                method: u.method.clone(),
                path: u.path.clone(),
                status: u.status.map_or_else(|| "—".into(), |s| s.to_string()),
                status_class: u.status.map_or("bad", status_class),
                took: duration(u.duration_ms),
                width: (((u.duration_ms / slowest) * 10.0).ceil().clamp(1.0, 10.0) as u32) * 10,
                attempt: u.attempt,
                purpose: u.purpose.clone().unwrap_or_default(),
                error: u.error.clone().unwrap_or_default(),
            })
            .collect(),
        curl: curl(&app.public_url, &log),
        code,
    })
}
