//! View helpers: the layout every signed-in page shares, and how times, durations and sizes
//! read on a page.

use super::{
    super::extract::AppState,
    page::{PageError, PageResult},
};
use crate::actions::accounts::Viewer;

/// What the page frame shows: who is signed in, the workspace in view, the navigation.
pub struct Layout {
    pub email: String,
    pub csrf: String,
    pub operator: bool,
    pub nav: &'static str,
    /// The workspace in view (`""`: all workspaces, operators only).
    pub workspace_id: String,
    pub workspace_name: String,
    /// (id, name) of every workspace, for an operator's switcher.
    pub workspaces: Vec<(String, String)>,
    /// Shown once at the top of the page (e.g. "Sync started").
    pub notice: Option<String>,
}

pub async fn layout(app: &AppState, viewer: &Viewer, nav: &'static str) -> PageResult<Layout> {
    let current = viewer.current_workspace().map(str::to_string);
    let (workspaces, workspace_name) = if viewer.is_operator() {
        let all: Vec<(String, String)> =
            app.store.list_workspaces().await?.into_iter().map(|w| (w.id, w.name)).collect();
        let name = match &current {
            Some(id) => all.iter().find(|(wid, _)| wid == id).map(|(_, n)| n.clone()).unwrap_or_default(),
            None => "All workspaces".into(),
        };
        (all, name)
    } else {
        let id = current.clone().ok_or(PageError::NotFound)?;
        let name = app.store.get_workspace(&id).await?.map(|w| w.name).unwrap_or_default();
        (Vec::new(), name)
    };
    Ok(Layout {
        email: viewer.user.email.clone(),
        csrf: viewer.session.csrf_token.clone(),
        operator: viewer.is_operator(),
        nav,
        workspace_id: current.unwrap_or_default(),
        workspace_name,
        workspaces,
        notice: None,
    })
}

/// `2026-03-01T10:04:05.123Z` → `2026-03-01 10:04:05 UTC`.
pub fn when(ts: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(ts) {
        Ok(t) => t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Err(_) => ts.to_string(),
    }
}

pub fn when_opt(ts: Option<&str>) -> String {
    ts.map_or_else(|| "—".to_string(), when)
}

/// "3 min ago", for at-a-glance lists; the exact time goes in a title attribute.
pub fn ago(ts: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(ts) else { return ts.to_string() };
    let secs = (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds().max(0);
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

pub fn duration(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

pub fn bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= 1024 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// A status code's badge colour class.
pub fn status_class(status: u16) -> &'static str {
    match status {
        0..=399 => "ok",
        400..=499 => "warn",
        _ => "bad",
    }
}
