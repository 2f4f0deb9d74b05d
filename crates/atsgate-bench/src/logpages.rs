//! The interaction-log pages under a large log: fills the store with `entries` log entries by
//! bulk SQL (SQLite and PostgreSQL), starts `atsgate serve` on it, signs a workspace member in
//! and times the dashboard's first log page, a filtered page (one integration + "has
//! warnings") and a log-entry page. The times are loopback round trips with keep-alive, so
//! they are server time plus well under a millisecond.

use std::time::Instant;

use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::{procs::Launcher, progress};

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Integrations the entries are spread over.
const INTEGRATIONS: u64 = 10;
/// Requests timed per page.
const SAMPLES: usize = 60;

/// p50 and p99 in milliseconds of each page, for one backend.
#[derive(Debug, Clone)]
pub struct PageTimes {
    pub backend: &'static str,
    pub entries: u64,
    pub fill_secs: f64,
    pub first_page: (f64, f64),
    pub filtered_page: (f64, f64),
    pub detail_page: (f64, f64),
}

/// The entries, one statement: every 20th an ATS error, every 50th with a warning, two seconds
/// apart going back from now (inside the default 30-day retention for a million).
fn fill_sql(backend: &str, workspace_id: &str, entries: u64) -> String {
    let columns = "id, workspace_id, integration_id, method, path, status, code, message, warnings, upstream, \
                   duration_ms, created_at, endpoint, outcome, has_warnings, key_id, key_name, key_prefix";
    let upstream = r#"[{"method":"POST","path":"/v1/applications/1/attachments","status":200,"duration_ms":40.0,"error":null,"attempt":0}]"#;
    let warning = r#"["Teamtailor does not support attachments on applications, so the file was added to the application's candidate instead."]"#;
    let last = entries - 1;
    match backend {
        "sqlite" => format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
             INSERT INTO interaction_logs ({columns})
             SELECT printf('L%023d', i), '{workspace_id}', 'greenhouse:int' || (i % {INTEGRATIONS}), 'POST',
               '/v1/ats/applications/A' || i || '/attachments',
               CASE WHEN i % 20 = 0 THEN 503 ELSE 200 END,
               CASE WHEN i % 20 = 0 THEN 'REMOTE.SERVICE_UNAVAILABLE' END,
               CASE WHEN i % 20 = 0 THEN 'Greenhouse is unavailable (HTTP 503)' END,
               CASE WHEN i % 50 = 0 THEN '{warning}' ELSE '[]' END, '{upstream}', 55.5,
               strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%d seconds', i * 2)),
               '/v1/ats/applications/{{application_id}}/attachments',
               CASE WHEN i % 20 = 0 THEN 'ats_error' ELSE 'success' END,
               CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END, 'key1', 'backend', 'atsg_12345'
             FROM n",
            warning = warning.replace('\'', "''"),
        ),
        _ => format!(
            "INSERT INTO interaction_logs ({columns})
             SELECT 'L' || lpad(i::text, 23, '0'), '{workspace_id}', 'greenhouse:int' || (i % {INTEGRATIONS}), 'POST',
               '/v1/ats/applications/A' || i || '/attachments',
               CASE WHEN i % 20 = 0 THEN 503 ELSE 200 END,
               CASE WHEN i % 20 = 0 THEN 'REMOTE.SERVICE_UNAVAILABLE' END,
               CASE WHEN i % 20 = 0 THEN 'Greenhouse is unavailable (HTTP 503)' END,
               CASE WHEN i % 50 = 0 THEN '{warning}' ELSE '[]' END, '{upstream}', 55.5,
               to_char((now() AT TIME ZONE 'UTC') - make_interval(secs => i * 2), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
               '/v1/ats/applications/{{application_id}}/attachments',
               CASE WHEN i % 20 = 0 THEN 'ats_error' ELSE 'success' END,
               CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END, 'key1', 'backend', 'atsg_12345'
             FROM generate_series(0, {last}) AS i",
            warning = warning.replace('\'', "''"),
        ),
    }
}

async fn fill(database_url: &str, backend: &str, workspace_id: &str, entries: u64) -> anyhow::Result<f64> {
    let started = Instant::now();
    let sql = fill_sql(backend, workspace_id, entries);
    if backend == "sqlite" {
        let mut conn = sqlx::SqliteConnection::connect(database_url).await?;
        sqlx::query(&sql).execute(&mut conn).await.context("filling the SQLite log")?;
        sqlx::query("ANALYZE").execute(&mut conn).await?;
        conn.close().await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(database_url).await?;
        sqlx::query(&sql).execute(&mut conn).await.context("filling the PostgreSQL log")?;
        sqlx::query("ANALYZE interaction_logs").execute(&mut conn).await?;
        conn.close().await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The session cookie of a signed-in dashboard user.
async fn sign_in(base: &str, email: &str, password: &str) -> anyhow::Result<String> {
    // The cookie comes with the redirect, so do not follow it.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build()?;
    let response = client
        .post(format!("{base}/dashboard/signin"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email), ("password", password)])
        .send()
        .await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .context("no session cookie after sign-in")?;
    Ok(cookie.split(';').next().unwrap_or_default().to_string())
}

async fn time_page(client: &reqwest::Client, cookie: &str, urls: &[String]) -> anyhow::Result<(f64, f64)> {
    let mut histogram = Histogram::<u64>::new(3)?;
    for (n, url) in urls.iter().cycle().take(SAMPLES + 5).enumerate() {
        let started = Instant::now();
        let response = client.get(url).header("cookie", cookie).send().await?;
        let status = response.status();
        let body = response.text().await?;
        let micros = started.elapsed().as_micros() as u64;
        if status != 200 || !body.contains("</html>") {
            bail!("{url} answered {status}");
        }
        if n >= 5 {
            histogram.record(micros.max(1))?; // the first five warm the caches
        }
    }
    Ok((histogram.value_at_quantile(0.5) as f64 / 1000.0, histogram.value_at_quantile(0.99) as f64 / 1000.0))
}

async fn one_backend(
    launcher: &Launcher,
    client: &reqwest::Client,
    backend: &'static str,
    entries: u64,
) -> anyhow::Result<PageTimes> {
    let data_dir = tempfile::Builder::new().prefix(&format!("atsgate-logpages-{backend}-")).tempdir()?;
    let (database_url, drop_db) = if backend == "sqlite" {
        (format!("sqlite://{}", data_dir.path().join("atsgate.db").display()), None)
    } else {
        let name = format!("atsgate_bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(PG_ADMIN_URL).await.context("PostgreSQL on 127.0.0.1:5432")?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin).await?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        (format!("postgres://postgres@127.0.0.1:5432/{name}"), Some(name))
    };
    let result = async {
        let db = ["--database-url", database_url.as_str()];
        let cli = |args: &[&str]| launcher.cli(data_dir.path(), &[&db[..], args].concat());
        let key = cli(&["keys", "create", "--workspace", "bench", "--json"])?;
        let workspace_id = key["workspace_id"].as_str().context("workspace id")?.to_string();
        let user = cli(&["users", "create", "--email", "bench@example.test", "--workspace", "bench", "--json"])?;
        let password = user["password"].as_str().context("generated password")?.to_string();
        progress(&format!("log pages ({backend}): inserting {entries} log entries"));
        let fill_secs = fill(&database_url, backend, &workspace_id, entries).await?;
        progress(&format!("log pages ({backend}): filled in {fill_secs:.1} s; timing pages"));
        let mut gateway_launcher = launcher.clone();
        gateway_launcher.gateway_env.push(("ATSGATE_DATABASE_URL".into(), database_url.clone()));
        let (_gateway, base) =
            gateway_launcher.gateway(&format!("logpages-{backend}"), data_dir.path(), client).await?;
        let cookie = sign_in(&base, "bench@example.test", &password).await?;
        let first = time_page(client, &cookie, &[format!("{base}/dashboard/logs")]).await?;
        let filtered: Vec<String> = (0..INTEGRATIONS)
            .map(|n| format!("{base}/dashboard/logs?integration=greenhouse%3Aint{n}&warnings=1"))
            .collect();
        let filtered = time_page(client, &cookie, &filtered).await?;
        let details: Vec<String> = (0..SAMPLES as u64)
            .map(|n| format!("{base}/dashboard/logs/L{:023}", n * (entries / SAMPLES as u64)))
            .collect();
        let detail = time_page(client, &cookie, &details).await?;
        Ok(PageTimes { backend, entries, fill_secs, first_page: first, filtered_page: filtered, detail_page: detail })
    }
    .await;
    if let Some(name) = drop_db {
        let mut admin = sqlx::PgConnection::connect(PG_ADMIN_URL).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await?;
    }
    result
}

/// Runs the figure for each backend named in `backends` ("sqlite", "postgres").
pub async fn run(
    launcher: &Launcher,
    client: &reqwest::Client,
    backends: &[String],
    entries: u64,
) -> anyhow::Result<Vec<PageTimes>> {
    let mut all = Vec::new();
    for backend in backends {
        let backend: &'static str = match backend.as_str() {
            "sqlite" => "sqlite",
            "postgres" => "postgres",
            other => bail!("unknown backend {other:?}; use sqlite or postgres"),
        };
        all.push(one_backend(launcher, client, backend, entries).await?);
    }
    Ok(all)
}

pub fn table(times: &[PageTimes]) -> String {
    let mut out =
        String::from("Dashboard log pages (server time over loopback, p50 / p99 ms; targets: list ≤ 50, entry ≤ 10)\n");
    out.push_str(&format!(
        "{:<10} {:>10} {:>9} {:>16} {:>26} {:>16}\n",
        "backend", "entries", "fill s", "first page", "integration + warnings", "log entry"
    ));
    for t in times {
        let pair = |(p50, p99): (f64, f64)| format!("{p50:.1} / {p99:.1}");
        out.push_str(&format!(
            "{:<10} {:>10} {:>9.1} {:>16} {:>26} {:>16}\n",
            t.backend,
            t.entries,
            t.fill_secs,
            pair(t.first_page),
            pair(t.filtered_page),
            pair(t.detail_page)
        ));
    }
    out
}

pub fn to_json(times: &[PageTimes]) -> Value {
    Value::Array(
        times
            .iter()
            .map(|t| {
                json!({"backend": t.backend, "entries": t.entries, "fill_secs": t.fill_secs,
                    "first_page_p50_ms": t.first_page.0, "first_page_p99_ms": t.first_page.1,
                    "filtered_page_p50_ms": t.filtered_page.0, "filtered_page_p99_ms": t.filtered_page.1,
                    "detail_page_p50_ms": t.detail_page.0, "detail_page_p99_ms": t.detail_page.1})
            })
            .collect(),
    )
}
