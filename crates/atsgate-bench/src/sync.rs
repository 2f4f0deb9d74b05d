//! Sync throughput: `atsgate sync` against an emulator seeded with ~100 000 applications, timed
//! as a whole process, compared with this harness paging the emulator's applications directly
//! (`per_page=500`, following `Link: rel="next"`): one process paging sequentially either way.
//! The direct read runs before and after the sync; their mean is the baseline.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use serde::Serialize;
use serde_json::Value;

use crate::{
    procfs,
    procs::{log_tail, Launcher},
    stack::{provision, EmulatorInfo},
};

/// One direct read of a list endpoint.
#[derive(Serialize, Clone, Debug)]
pub struct DirectRead {
    pub resource: String,
    pub records: u64,
    pub pages: u64,
    pub seconds: f64,
    pub per_sec: f64,
}

#[derive(Serialize, Clone, Debug)]
pub struct SyncResult {
    pub seed_candidates: usize,
    pub applications: u64,
    pub candidates: u64,
    pub jobs: u64,
    pub direct_applications_before: DirectRead,
    pub direct_applications_after: DirectRead,
    pub direct_candidates: DirectRead,
    pub direct_jobs: DirectRead,
    /// Mean of the two direct application reads.
    pub direct_applications_per_sec: f64,
    pub sync_seconds: f64,
    pub sync_applications_per_sec: f64,
    pub ratio: f64,
    /// CPU of the `atsgate sync` process, sampled every 50 ms (the last < 50 ms may be missed).
    pub sync_cpu_seconds: f64,
    /// Peak resident memory of the `atsgate sync` process (sampled `VmHWM`).
    pub sync_peak_rss_bytes: u64,
    /// CPU the emulator spent serving the sync.
    pub emulator_cpu_seconds_during_sync: f64,
    pub sync_counts: Value,
}

/// The URL in a `Link: <url>; rel="next"` header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find(|part| part.contains("rel=\"next\"")).and_then(|part| {
        let start = part.find('<')? + 1;
        let end = part.find('>')?;
        Some(part[start..end].to_string())
    })
}

async fn read_all(
    client: &reqwest::Client,
    info: &EmulatorInfo,
    token: &str,
    resource: &str,
) -> anyhow::Result<DirectRead> {
    let started = Instant::now();
    let mut url = Some(format!("{}/v3/{resource}?per_page=500", info.base_url));
    let (mut records, mut pages) = (0u64, 0u64);
    while let Some(current) = url.take() {
        let response = client.get(&current).bearer_auth(token).timeout(Duration::from_secs(60)).send().await?;
        let response = response.error_for_status().with_context(|| format!("GET {current}"))?;
        url = response.headers().get(reqwest::header::LINK).and_then(|v| v.to_str().ok()).and_then(next_link);
        let body = response.bytes().await?;
        let items: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&body)?;
        records += items.len() as u64;
        pages += 1;
        if pages > 10_000 {
            bail!("more than 10 000 pages of {resource}: pagination does not end");
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(DirectRead { resource: resource.into(), records, pages, seconds, per_sec: records as f64 / seconds })
}

pub async fn run(launcher: &Launcher, client: &reqwest::Client, seed_candidates: usize) -> anyhow::Result<SyncResult> {
    crate::progress(&format!("sync: starting an emulator seeded with {seed_candidates} candidates"));
    let (emulator, info) = launcher.emulator("sync-emulator", seed_candidates)?;
    let info = EmulatorInfo::from_json(&info)?;
    let data_dir = tempfile::Builder::new().prefix("sync-data-").tempdir_in(&launcher.log_dir)?;
    let (_key, integration_id) = provision(launcher, data_dir.path(), &info)?;
    let token = info.token(client).await?;

    let direct_jobs = read_all(client, &info, &token, "jobs").await?;
    let direct_candidates = read_all(client, &info, &token, "candidates").await?;
    let before = read_all(client, &info, &token, "applications").await?;
    crate::progress(&format!(
        "sync: direct read of {} applications in {:.2}s ({:.0}/s)",
        before.records, before.seconds, before.per_sec
    ));

    let emulator_before = procfs::cpu(emulator.pid)?;
    let started = Instant::now();
    let (mut sync, out_path) =
        launcher.spawn_cli("sync", data_dir.path(), &["sync", "--integration", &integration_id, "--json"])?;
    let (mut cpu_ticks, mut peak_rss) = (0u64, 0u64);
    let status = loop {
        if let Some(status) = sync.try_finished()? {
            break status;
        }
        if let Ok(sample) = procfs::cpu(sync.pid) {
            cpu_ticks = cpu_ticks.max(sample.ticks);
        }
        if let Ok(memory) = procfs::memory(sync.pid) {
            peak_rss = peak_rss.max(memory.hwm);
        }
        if started.elapsed() > Duration::from_secs(1800) {
            bail!("atsgate sync ran for more than 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let sync_seconds = started.elapsed().as_secs_f64();
    let emulator_after = procfs::cpu(emulator.pid)?;
    if !status.success() {
        bail!("atsgate sync failed ({status}); log tail:\n{}", log_tail(&sync.log));
    }
    let output = std::fs::read_to_string(&out_path)?;
    let last = output.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
    let parsed: Value = serde_json::from_str(last).with_context(|| format!("sync output {last:?}"))?;
    let counts = parsed["results"][0]["counts"].clone();
    let synced = counts["applications"].as_u64().ok_or_else(|| anyhow!("sync output without counts: {parsed}"))?;

    let after = read_all(client, &info, &token, "applications").await?;
    let direct_per_sec = (before.per_sec + after.per_sec) / 2.0;
    let sync_per_sec = synced as f64 / sync_seconds;
    crate::progress(&format!("sync: {synced} applications in {sync_seconds:.2}s ({sync_per_sec:.0}/s)"));
    drop(emulator);
    Ok(SyncResult {
        seed_candidates,
        applications: before.records,
        candidates: direct_candidates.records,
        jobs: direct_jobs.records,
        direct_applications_per_sec: direct_per_sec,
        direct_applications_before: before,
        direct_applications_after: after,
        direct_candidates,
        direct_jobs,
        sync_seconds,
        sync_applications_per_sec: sync_per_sec,
        ratio: sync_per_sec / direct_per_sec,
        sync_cpu_seconds: cpu_ticks as f64 / procfs::clock_ticks_per_sec() as f64,
        sync_peak_rss_bytes: peak_rss,
        emulator_cpu_seconds_during_sync: emulator_after.seconds() - emulator_before.seconds(),
        sync_counts: counts,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_header() {
        let header = r#"<http://127.0.0.1:1/v3/applications?cursor=abc>; rel="next""#;
        assert_eq!(super::next_link(header).as_deref(), Some("http://127.0.0.1:1/v3/applications?cursor=abc"));
        assert_eq!(super::next_link(r#"<http://x/>; rel="prev""#), None);
    }
}
