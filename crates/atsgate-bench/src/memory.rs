//! Gateway memory with large files: the peak-RSS growth for one upload in a fresh gateway, and
//! what happens to RSS (and to the answers) when many large uploads arrive at once.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use serde::Serialize;

use crate::{
    load::{self, Limits},
    procfs,
    uploads::{Bench, Payload},
};

/// One large file through a freshly started gateway.
#[derive(Serialize, Clone, Debug)]
pub struct SingleFile {
    pub file_bytes: usize,
    pub body_bytes: usize,
    pub hwm_before_bytes: u64,
    pub hwm_after_bytes: u64,
    pub growth_bytes: u64,
    /// growth ÷ request body size (the figure).
    pub growth_per_body_byte: f64,
    pub growth_per_file_byte: f64,
    pub status: String,
    pub latency_ms: f64,
}

/// A fresh gateway (on the current stack, which has room for `bytes` more) warmed up with a few
/// tiny uploads; returns its pid.
async fn fresh_gateway(bench: &mut Bench, tiny: &Payload, bytes: u64, label: &str) -> anyhow::Result<u32> {
    let launcher = bench.launcher.clone();
    let client = bench.client.clone();
    let stack = bench.stack_with_room(bytes).await?;
    stack.restart_gateway(&launcher, &client, label).await?;
    let warm = Arc::new(tiny.gateway(stack));
    let done =
        load::run(&client, warm, Limits { concurrency: 1, duration: Duration::from_secs(30), max_requests: Some(3) })
            .await;
    anyhow::ensure!(done.ok == 3, "warm-up uploads failed: {:?}", done.statuses);
    Ok(stack.gateway.pid)
}

pub async fn single_file(bench: &mut Bench, large: &Payload, tiny: &Payload) -> anyhow::Result<SingleFile> {
    let pid = fresh_gateway(bench, tiny, large.file_bytes as u64 + 3 * tiny.file_bytes as u64, "rss-single").await?;
    let stack = bench.stack.as_mut().expect("started");
    let request = Arc::new(large.gateway(stack));
    let body_bytes = request.body.len();
    let before = procfs::memory(pid)?;
    let limits = Limits { concurrency: 1, duration: Duration::from_secs(300), max_requests: Some(1) };
    let totals = load::run(&bench.client, request, limits).await;
    let after = procfs::memory(pid)?;
    stack.stored_bytes += totals.ok * large.file_bytes as u64;
    let growth = after.hwm.saturating_sub(before.hwm);
    Ok(SingleFile {
        file_bytes: large.file_bytes,
        body_bytes,
        hwm_before_bytes: before.hwm,
        hwm_after_bytes: after.hwm,
        growth_bytes: growth,
        growth_per_body_byte: growth as f64 / body_bytes as f64,
        growth_per_file_byte: growth as f64 / large.file_bytes as f64,
        status: totals.statuses.keys().next().cloned().unwrap_or_default(),
        latency_ms: totals.elapsed.as_secs_f64() * 1000.0,
    })
}

/// Latencies of the answers with one status.
#[derive(Serialize, Clone, Debug, Default)]
pub struct StatusLatency {
    pub count: u64,
    pub min_ms: f64,
    pub median_ms: f64,
    pub max_ms: f64,
}

/// `uploads` large files sent at the same instant through a fresh gateway.
#[derive(Serialize, Clone, Debug)]
pub struct Concurrent {
    pub uploads: usize,
    pub file_bytes: usize,
    pub body_bytes: usize,
    pub rss_before_bytes: u64,
    /// Highest `VmRSS` seen, sampled every 20 ms.
    pub peak_rss_bytes: u64,
    pub hwm_after_bytes: u64,
    pub samples: u64,
    pub wall_ms: f64,
    pub by_status: BTreeMap<String, StatusLatency>,
}

pub async fn concurrent(
    bench: &mut Bench,
    large: &Payload,
    tiny: &Payload,
    uploads: usize,
) -> anyhow::Result<Concurrent> {
    let need = uploads as u64 * large.file_bytes as u64 + 3 * tiny.file_bytes as u64;
    let pid = fresh_gateway(bench, tiny, need, "rss-concurrent").await?;
    let stack = bench.stack.as_mut().expect("started");
    let request = Arc::new(large.gateway(stack));
    let before = procfs::memory(pid)?;

    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(before.rss));
    let samples = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (stop, peak, samples) = (stop.clone(), peak.clone(), samples.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Ok(memory) = procfs::memory(pid) {
                    peak.fetch_max(memory.rss, Ordering::Relaxed);
                    samples.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    let barrier = Arc::new(tokio::sync::Barrier::new(uploads));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..uploads {
        let (client, request, barrier) = (bench.client.clone(), request.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let sent = Instant::now();
            let outcome = client
                .post(&request.url)
                .headers(request.headers.clone())
                .body(request.body.clone())
                .timeout(Duration::from_secs(300))
                .send()
                .await;
            let status = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16().to_string();
                    let _ = response.bytes().await;
                    status
                }
                Err(err) if err.is_timeout() => "timeout".into(),
                Err(_) => "connection-error".into(),
            };
            (status, sent.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let mut answers: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for task in tasks {
        let (status, ms) = task.await?;
        answers.entry(status).or_default().push(ms);
    }
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let after = procfs::memory(pid)?;
    let ok = answers.get("200").map_or(0, Vec::len) as u64;
    stack.stored_bytes += ok * large.file_bytes as u64;

    let by_status = answers
        .into_iter()
        .map(|(status, mut ms)| {
            ms.sort_by(f64::total_cmp);
            let latency = StatusLatency {
                count: ms.len() as u64,
                min_ms: ms[0],
                median_ms: ms[ms.len() / 2],
                max_ms: ms[ms.len() - 1],
            };
            (status, latency)
        })
        .collect();
    Ok(Concurrent {
        uploads,
        file_bytes: large.file_bytes,
        body_bytes: request.body.len(),
        rss_before_bytes: before.rss,
        peak_rss_bytes: peak.load(Ordering::Relaxed).max(after.rss),
        hwm_after_bytes: after.hwm,
        samples: samples.load(Ordering::Relaxed),
        wall_ms,
        by_status,
    })
}
