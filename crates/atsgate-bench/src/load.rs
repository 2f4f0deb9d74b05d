//! The load generator: `concurrency` tasks send the same pre-built request until a deadline or a
//! request cap, recording each latency in an HDR histogram, while the CPU time of the gateway,
//! the emulator and this process is read before and after.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use hdrhistogram::Histogram;
use reqwest::header::HeaderMap;

use crate::procfs;

/// One pre-built request: the body is shared, so every send costs the client the same.
pub struct Request {
    pub url: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Stop at the deadline or after `max_requests` sends, whichever comes first.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub concurrency: usize,
    pub duration: Duration,
    pub max_requests: Option<u64>,
}

/// Latencies in microseconds, 1 µs .. 10 min, three significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

/// What one or more phases of one path measured.
#[derive(Clone)]
pub struct Totals {
    pub ok: u64,
    pub failed: u64,
    pub statuses: BTreeMap<String, u64>,
    pub elapsed: Duration,
    /// Latencies of successful requests.
    pub latency_us: Histogram<u64>,
    pub gateway_ticks: u64,
    pub emulator_ticks: u64,
    pub client_ticks: u64,
    /// The kernel-time part of the two servers' ticks.
    pub gateway_sys_ticks: u64,
    pub emulator_sys_ticks: u64,
    pub gateway_faults: u64,
    pub emulator_faults: u64,
    pub phases: u32,
}

impl Default for Totals {
    fn default() -> Self {
        Totals {
            ok: 0,
            failed: 0,
            statuses: BTreeMap::new(),
            elapsed: Duration::ZERO,
            latency_us: new_histogram(),
            gateway_ticks: 0,
            emulator_ticks: 0,
            client_ticks: 0,
            gateway_sys_ticks: 0,
            emulator_sys_ticks: 0,
            gateway_faults: 0,
            emulator_faults: 0,
            phases: 0,
        }
    }
}

impl Totals {
    pub fn add(&mut self, other: &Totals) {
        self.ok += other.ok;
        self.failed += other.failed;
        for (status, n) in &other.statuses {
            *self.statuses.entry(status.clone()).or_default() += n;
        }
        self.elapsed += other.elapsed;
        self.latency_us.add(&other.latency_us).expect("same histogram bounds");
        self.gateway_ticks += other.gateway_ticks;
        self.emulator_ticks += other.emulator_ticks;
        self.client_ticks += other.client_ticks;
        self.gateway_sys_ticks += other.gateway_sys_ticks;
        self.emulator_sys_ticks += other.emulator_sys_ticks;
        self.gateway_faults += other.gateway_faults;
        self.emulator_faults += other.emulator_faults;
        self.phases += other.phases;
    }

    pub fn per_sec(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn quantile_ms(&self, q: f64) -> f64 {
        self.latency_us.value_at_quantile(q) as f64 / 1000.0
    }

    fn cpu_ms_per_request(&self, ticks: u64) -> f64 {
        let done = (self.ok + self.failed).max(1);
        ticks as f64 * 1000.0 / procfs::clock_ticks_per_sec() as f64 / done as f64
    }

    pub fn gateway_cpu_ms(&self) -> f64 {
        self.cpu_ms_per_request(self.gateway_ticks)
    }

    pub fn emulator_cpu_ms(&self) -> f64 {
        self.cpu_ms_per_request(self.emulator_ticks)
    }

    pub fn client_cpu_ms(&self) -> f64 {
        self.cpu_ms_per_request(self.client_ticks)
    }

    pub fn gateway_sys_ms(&self) -> f64 {
        self.cpu_ms_per_request(self.gateway_sys_ticks)
    }

    pub fn emulator_sys_ms(&self) -> f64 {
        self.cpu_ms_per_request(self.emulator_sys_ticks)
    }

    pub fn gateway_faults_per_request(&self) -> f64 {
        self.gateway_faults as f64 / (self.ok + self.failed).max(1) as f64
    }

    pub fn emulator_faults_per_request(&self) -> f64 {
        self.emulator_faults as f64 / (self.ok + self.failed).max(1) as f64
    }
}

/// Sends `request` under `limits`; no CPU accounting (see [`measure`]).
pub async fn run(client: &reqwest::Client, request: Arc<Request>, limits: Limits) -> Totals {
    let started = Instant::now();
    let deadline = started + limits.duration;
    let issued = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(limits.concurrency);
    for _ in 0..limits.concurrency.max(1) {
        let (client, request, issued) = (client.clone(), request.clone(), issued.clone());
        workers.push(tokio::spawn(async move {
            let mut totals = Totals::default();
            loop {
                if Instant::now() >= deadline {
                    break;
                }
                if let Some(max) = limits.max_requests {
                    if issued.fetch_add(1, Ordering::Relaxed) >= max {
                        break;
                    }
                }
                let sent = Instant::now();
                let outcome = client
                    .post(&request.url)
                    .headers(request.headers.clone())
                    .body(request.body.clone())
                    .timeout(Duration::from_secs(300))
                    .send()
                    .await;
                // Read the whole answer so the connection goes back to the pool.
                let status = match outcome {
                    Ok(response) => {
                        let status = response.status();
                        match response.bytes().await {
                            Ok(_) => status.as_u16().to_string(),
                            Err(_) => "body-error".to_string(),
                        }
                    }
                    Err(err) if err.is_timeout() => "timeout".to_string(),
                    Err(_) => "connection-error".to_string(),
                };
                let micros = sent.elapsed().as_micros().max(1) as u64;
                if status.starts_with('2') {
                    totals.ok += 1;
                    let _ = totals.latency_us.record(micros);
                } else {
                    totals.failed += 1;
                }
                *totals.statuses.entry(status).or_default() += 1;
            }
            totals
        }));
    }
    let mut totals = Totals::default();
    for worker in workers {
        if let Ok(part) = worker.await {
            totals.add(&part);
        }
    }
    totals.elapsed = started.elapsed();
    totals.phases = 1;
    totals
}

/// [`run`] with the CPU time of the gateway, the emulator and this process read around it.
pub async fn measure(
    client: &reqwest::Client,
    request: Arc<Request>,
    limits: Limits,
    gateway_pid: u32,
    emulator_pid: u32,
) -> anyhow::Result<Totals> {
    let before = (procfs::cpu(gateway_pid)?, procfs::cpu(emulator_pid)?, procfs::own_cpu()?);
    let mut totals = run(client, request, limits).await;
    let after = (procfs::cpu(gateway_pid)?, procfs::cpu(emulator_pid)?, procfs::own_cpu()?);
    totals.gateway_ticks = after.0.ticks - before.0.ticks;
    totals.emulator_ticks = after.1.ticks - before.1.ticks;
    totals.client_ticks = after.2.ticks - before.2.ticks;
    totals.gateway_sys_ticks = after.0.sys_ticks - before.0.sys_ticks;
    totals.emulator_sys_ticks = after.1.sys_ticks - before.1.sys_ticks;
    totals.gateway_faults = after.0.minor_faults - before.0.minor_faults;
    totals.emulator_faults = after.1.minor_faults - before.1.minor_faults;
    Ok(totals)
}
