//! `GET /ats/applications` and `GET /ats/candidates` (spec §3): query parsing (every datetime
//! form the SDKs send), cursor pagination over the synced store, and the page document.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::value::RawValue;

use crate::{
    app::App,
    error::{Error, Result},
    ids::format_ts,
    store::{Integration, ListQuery, ListedRow},
};

pub const DEFAULT_PAGE_SIZE: u32 = 100;
pub const MAX_PAGE_SIZE: u32 = 250;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Applications,
    Candidates,
}

const COMMON: &[&str] =
    &["cursor", "page_size", "updated_after", "include_deleted", "ignore_unsupported_filters", "ids", "remote_ids"];
const APPLICATION_ONLY: &[&str] =
    &["outcomes", "outcome", "job_ids", "job_remote_ids", "current_stage_ids", "remote_created_after"];
const CANDIDATE_ONLY: &[&str] = &["email", "job_ids", "first_name", "last_name"];

/// One page: `results` are the stored documents completed with `changed_at`/`remote_deleted_at`.
pub struct ListPage {
    pub next: Option<String>,
    pub results: Vec<Box<RawValue>>,
}

/// Accepts `2024-01-02`, `…T03:04:05`, fractional seconds, `Z` or an offset (spec §3).
pub fn parse_datetime(name: &str, raw: &str) -> Result<String> {
    let raw = raw.trim();
    let parsed = chrono::DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(raw.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        });
    parsed
        .map(format_ts)
        .ok_or_else(|| Error::input(format!("{name} must be a date-time like 2024-01-02T03:04:05Z, got {raw:?}")))
}

fn parse_bool(name: &str, raw: &str) -> Result<bool> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::input(format!("{name} must be \"true\" or \"false\", got {raw:?}"))),
    }
}

fn parse_list(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn encode_cursor(last_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{last_id}"))
}

fn decode_cursor(cursor: &str) -> Result<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| text.strip_prefix("v1:").map(str::to_string))
        .ok_or_else(|| Error::input("cursor is not a value returned in data.next"))
}

/// Builds the store query from the raw query pairs.
pub fn parse_query(model: Model, pairs: &[(String, String)]) -> Result<ListQuery> {
    let mut query = ListQuery { page_size: DEFAULT_PAGE_SIZE, ..Default::default() };
    let specific = match model {
        Model::Applications => APPLICATION_ONLY,
        Model::Candidates => CANDIDATE_ONLY,
    };
    for (name, value) in pairs {
        let name = name.as_str();
        if !COMMON.contains(&name) && !specific.contains(&name) {
            continue; // unknown parameters are ignored, as the SDKs may add new ones
        }
        match name {
            "cursor" => query.after_id = Some(decode_cursor(value)?),
            "page_size" => {
                let size: u32 =
                    value.parse().map_err(|_| Error::input(format!("page_size must be an integer, got {value:?}")))?;
                if !(1..=MAX_PAGE_SIZE).contains(&size) {
                    return Err(Error::input(format!("page_size must be between 1 and {MAX_PAGE_SIZE}, got {size}")));
                }
                query.page_size = size;
            }
            "updated_after" => query.updated_after = Some(parse_datetime(name, value)?),
            "remote_created_after" => query.remote_created_after = Some(parse_datetime(name, value)?),
            "include_deleted" => query.include_deleted = parse_bool(name, value)?,
            "ignore_unsupported_filters" => {
                parse_bool(name, value)?;
            }
            "ids" => query.ids = parse_list(value),
            "remote_ids" => query.remote_ids = parse_list(value),
            "outcomes" | "outcome" => {
                let outcomes = parse_list(value);
                if let Some(bad) = outcomes.iter().find(|o| !["PENDING", "HIRED", "DECLINED"].contains(&o.as_str())) {
                    return Err(Error::input(format!("{name} accepts PENDING, HIRED, DECLINED; got {bad:?}")));
                }
                query.outcomes.extend(outcomes);
            }
            "job_ids" => query.job_ids = parse_list(value),
            "job_remote_ids" => query.job_remote_ids = parse_list(value),
            "current_stage_ids" => query.current_stage_ids = parse_list(value),
            "email" => query.email = Some(value.trim().to_string()),
            "first_name" => query.first_name = Some(value.trim().to_string()),
            "last_name" => query.last_name = Some(value.trim().to_string()),
            _ => {}
        }
    }
    Ok(query)
}

/// `{…stored doc…, "changed_at": …, "remote_deleted_at": …}` without re-parsing the document.
fn complete(row: ListedRow) -> Result<Box<RawValue>> {
    let doc = row.data.trim_end();
    let Some(body) = doc.strip_suffix('}') else {
        return Err(Error::internal(anyhow::anyhow!("stored document {} is not a JSON object", row.id)));
    };
    let deleted = match &row.remote_deleted_at {
        Some(ts) => format!("\"{ts}\""),
        None => "null".into(),
    };
    let text = format!("{body},\"changed_at\":\"{}\",\"remote_deleted_at\":{deleted}}}", row.changed_at);
    RawValue::from_string(text).map_err(Error::internal)
}

pub async fn list(app: &App, integration: &Integration, model: Model, pairs: &[(String, String)]) -> Result<ListPage> {
    let mut query = parse_query(model, pairs)?;
    let page_size = query.page_size as usize;
    query.page_size += 1; // one extra row tells whether another page exists
    let mut rows = match model {
        Model::Applications => app.store.list_applications(&integration.id, &query).await?,
        Model::Candidates => app.store.list_candidates(&integration.id, &query).await?,
    };
    let next = if rows.len() > page_size {
        rows.truncate(page_size);
        rows.last().map(|r| encode_cursor(&r.id))
    } else {
        None
    };
    let results = rows.into_iter().map(complete).collect::<Result<_>>()?;
    Ok(ListPage { next, results })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sdk_datetime_form_parses() {
        for (raw, expected) in [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z"),
            ("2024-01-02T03:04:05.123000", "2024-01-02T03:04:05.123Z"),
            ("2024-01-02T03:04:05+02:00", "2024-01-02T01:04:05.000Z"),
            ("2024-01-02T03:04:05.000Z", "2024-01-02T03:04:05.000Z"),
            ("2024-01-02T03:04:05", "2024-01-02T03:04:05.000Z"),
            ("2024-01-02", "2024-01-02T00:00:00.000Z"),
        ] {
            assert_eq!(parse_datetime("updated_after", raw).unwrap(), expected, "{raw}");
        }
        assert!(parse_datetime("updated_after", "yesterday").is_err());
    }

    #[test]
    fn cursor_roundtrip_and_garbage() {
        assert_eq!(decode_cursor(&encode_cursor("abc")).unwrap(), "abc");
        assert!(decode_cursor("!!!").is_err());
    }
}
