//! `atsgate-bench`: starts a Greenhouse emulator and an atsgate gateway as separate processes and
//! sends the same upload directly to the emulator and through the gateway, alternately; then
//! reports throughput, latency, CPU per upload of each process, gateway memory with large files
//! and sync throughput, as a table and (with `--json`) one JSON object on the last stdout line.
//!
//! Not a test: run `cargo run --release -p atsgate-bench -- --quick` (under a minute) or without
//! `--quick` for the full run. Every process it starts listens on 127.0.0.1 and is stopped when
//! the harness ends, and bounded by `timeout` should the harness itself be killed.

mod load;
mod logpages;
mod memory;
mod procfs;
mod procs;
mod report;
mod stack;
mod sync;
mod uploads;

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::json;

use procs::Launcher;
use report::Results;
use uploads::{Bench, Payload, Plan};

#[derive(Parser, Debug)]
#[command(name = "atsgate-bench", about = "Gateway vs direct upload benchmark for atsgate")]
struct Args {
    /// Short run (under a minute): shorter phases, a 10 000-application sync.
    #[arg(long)]
    quick: bool,
    /// Also print one JSON object with every figure as the last stdout line.
    #[arg(long)]
    json: bool,
    /// Concurrent uploads in the throughput comparison.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Measured seconds per path in the throughput comparison (split over the rounds); the
    /// concurrency-1 comparison gets half. Default 20 (quick: 3).
    #[arg(long)]
    duration_secs: Option<f64>,
    /// Alternating rounds (direct, gateway / gateway, direct …). Default 4 (quick: 2).
    #[arg(long)]
    rounds: Option<u32>,
    /// File size for the throughput and latency comparisons, in KiB.
    #[arg(long, default_value_t = 100)]
    file_kb: usize,
    /// The atsgate binary (default: next to this one, else $CARGO_TARGET_DIR/release/atsgate,
    /// built with `cargo build --release -p atsgate` when missing).
    #[arg(long)]
    atsgate: Option<PathBuf>,
    /// Skip the sync measurement.
    #[arg(long)]
    skip_sync: bool,
    /// Skip the large-file measurements.
    #[arg(long)]
    skip_large: bool,
    /// Size of the large file, in MiB.
    #[arg(long, default_value_t = 25)]
    large_mb: usize,
    /// Concurrency of the large-file throughput comparison.
    #[arg(long, default_value_t = 2)]
    large_concurrency: usize,
    /// Large uploads per path per round. Default 12 (quick: 4).
    #[arg(long)]
    large_uploads: Option<u64>,
    /// Large uploads sent at once in the memory-budget check.
    #[arg(long, default_value_t = 16)]
    concurrent_large: usize,
    /// Candidates seeded for the sync (1–3 applications each). Default 50 000 (≈100 000
    /// applications; quick: 5 000 ≈ 10 000).
    #[arg(long)]
    sync_candidates: Option<usize>,
    /// The gateway's memory budget in MiB for the concurrent large-upload target. Default: the
    /// gateway's `inflight_body_budget_bytes` (from --gateway-env, else `atsgate config default`).
    #[arg(long)]
    memory_budget_mb: Option<u64>,
    /// KEY=VALUE environment for the gateway process (repeatable), e.g.
    /// ATSGATE_INFLIGHT_BODY_BUDGET_BYTES=268435456. The harness already sets
    /// ATSGATE_RATE_LIMIT_PER_MINUTE=1000000000 (the per-key rate limit is not what is measured).
    #[arg(long = "gateway-env", value_parser = parse_pair)]
    gateway_env: Vec<(String, String)>,
    /// Run the gateway under this command, for profiling, e.g.
    /// "valgrind --tool=callgrind --callgrind-out-file=/tmp/gw.%p.out" (split on spaces).
    #[arg(long)]
    gateway_prefix: Option<String>,
    /// File bytes one emulator may hold (it keeps every upload) before a fresh one is started.
    #[arg(long, default_value_t = 3072)]
    emulator_budget_mb: u64,
    /// Only measure the dashboard's log pages with a large log (`--log-entries`, default one
    /// million), on each of `--log-backends`.
    #[arg(long)]
    log_pages: bool,
    #[arg(long, default_value_t = 1_000_000)]
    log_entries: u64,
    /// Comma-separated: sqlite, postgres.
    #[arg(long, default_value = "sqlite,postgres", value_delimiter = ',')]
    log_backends: Vec<String>,
    /// Hard limit on the whole run. Default 1800 s (quick: 120 s).
    #[arg(long)]
    max_runtime_secs: Option<u64>,
}

fn parse_pair(raw: &str) -> Result<(String, String), String> {
    raw.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).ok_or_else(|| format!("expected KEY=VALUE: {raw}"))
}

/// Progress lines go to stderr so stdout stays the report.
pub fn progress(message: &str) {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = START.get_or_init(Instant::now);
    eprintln!("[{:>6.1}s] {message}", start.elapsed().as_secs_f64());
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    progress(&format!(
        "atsgate-bench starting (load average {})",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    ));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let limit = Duration::from_secs(args.max_runtime_secs.unwrap_or(if args.quick { 120 } else { 1800 }));
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = tokio::time::timeout(limit, run(&args, limit)) => {
                result.unwrap_or_else(|_| Err(anyhow::anyhow!("the run took longer than {limit:?} (--max-runtime-secs)")))
            }
            _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
        }
    });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args, limit: Duration) -> anyhow::Result<()> {
    let atsgate = locate_atsgate(args.atsgate.clone())?;
    progress(&format!("using {}", atsgate.display()));
    let work_dir = tempfile::Builder::new().prefix("atsgate-bench-").tempdir()?;
    let launcher = Launcher {
        atsgate,
        max_life: limit + Duration::from_secs(60),
        log_dir: work_dir.path().to_path_buf(),
        gateway_env: gateway_env(&args.gateway_env),
        gateway_prefix: args
            .gateway_prefix
            .as_deref()
            .map(|p| p.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    };
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(1024).tcp_nodelay(true).no_proxy().no_gzip().build()?;
    if args.log_pages {
        let times = logpages::run(&launcher, &client, &args.log_backends, args.log_entries).await?;
        println!("{}", logpages::table(&times));
        if args.json {
            println!("{}", json!({ "log_pages": logpages::to_json(&times) }));
        }
        return Ok(());
    }
    let quick = args.quick;
    let duration = args.duration_secs.unwrap_or(if quick { 3.0 } else { 20.0 });
    let rounds = args.rounds.unwrap_or(if quick { 2 } else { 4 }).max(1);
    let sync_candidates = args.sync_candidates.unwrap_or(if quick { 5_000 } else { 50_000 });
    let mut bench = Bench {
        launcher: launcher.clone(),
        client: client.clone(),
        stack: None,
        budget_bytes: args.emulator_budget_mb * 1024 * 1024,
        stacks_started: 0,
    };
    let (budget, budget_source) = memory_budget(args, &launcher.atsgate);
    let mut results = Results { memory_budget_bytes: budget, ..Default::default() };

    let small = Payload::new(args.file_kb * 1024);
    let per_phase = |total: f64| Duration::from_secs_f64((total / f64::from(rounds)).max(0.2));
    let warmup = (args.concurrency as u64 * 4).max(16);
    progress(&format!("throughput: {} KiB at concurrency {}", args.file_kb, args.concurrency));
    let plan = Plan { concurrency: args.concurrency, rounds, phase: per_phase(duration), max_per_phase: None, warmup };
    results.throughput = Some(uploads::compare(&mut bench, &small, plan, "throughput").await?);
    progress("latency at concurrency 1");
    let plan = Plan { concurrency: 1, rounds, phase: per_phase(duration / 2.0), max_per_phase: None, warmup: 16 };
    results.latency_c1 = Some(uploads::compare(&mut bench, &small, plan, "c1").await?);

    if !args.skip_large {
        let large = Payload::new(args.large_mb * 1024 * 1024);
        let tiny = Payload::new(1024);
        let per_round = args.large_uploads.unwrap_or(if quick { 4 } else { 12 });
        progress(&format!("large uploads: {} MiB at concurrency {}", args.large_mb, args.large_concurrency));
        let plan = Plan {
            concurrency: args.large_concurrency,
            rounds: if quick { 2 } else { 3 },
            phase: Duration::from_secs(120),
            max_per_phase: Some(per_round),
            warmup: args.large_concurrency as u64,
        };
        results.large = Some(uploads::compare(&mut bench, &large, plan, "large").await?);
        progress("gateway memory: one large file");
        results.single_file = Some(memory::single_file(&mut bench, &large, &tiny).await?);
        progress(&format!("gateway memory: {} concurrent large files", args.concurrent_large));
        results.concurrent = Some(memory::concurrent(&mut bench, &large, &tiny, args.concurrent_large).await?);
    }
    // Free the upload stack's memory and CPU before the sync.
    bench.stack = None;

    if !args.skip_sync {
        results.sync = Some(sync::run(&launcher, &client, sync_candidates).await?);
    }

    let context = json!({
        "mode": if quick { "quick" } else { "full" },
        "machine": machine(),
        "clock_ticks_per_sec": procfs::clock_ticks_per_sec(),
        "clock_ticks_source": "getconf CLK_TCK (fallback 100)",
        "file_kb": args.file_kb,
        "concurrency": args.concurrency,
        "duration_secs_per_path": duration,
        "rounds": rounds,
        "sync_seed_candidates": if args.skip_sync { None } else { Some(sync_candidates) },
        "stacks_started": bench.stacks_started,
        "gateway_env": launcher.gateway_env.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
        "memory_budget_source": budget_source,
        "attachment_type": "OTHER (gateway) / other (direct)",
        "note": if quick { "quick mode: short phases and a ~10 000-application sync; figures are indicative" } else { "full mode" },
    });
    println!(
        "atsgate-bench, {} mode{}; {} CPUs ({}); load average at the end {}",
        context["mode"].as_str().unwrap_or_default(),
        if quick { " (short phases, ~10 000-application sync: indicative figures)" } else { "" },
        context["machine"]["nproc"],
        context["machine"]["cpu_model"].as_str().unwrap_or("unknown CPU"),
        context["machine"]["loadavg_at_end"].as_str().unwrap_or_default(),
    );
    print!("{}", report::table(&results));
    if args.json {
        println!("{}", serde_json::to_string(&report::to_json(&results, context))?);
    }
    Ok(())
}

/// The gateway's environment: a rate limit high enough never to be what is measured, then the
/// user's `--gateway-env` (later entries win).
fn gateway_env(extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut env = vec![("ATSGATE_RATE_LIMIT_PER_MINUTE".to_string(), "1000000000".to_string())];
    env.extend(extra.iter().cloned());
    env
}

const BUDGET_KEY: &str = "inflight_body_budget_bytes";

/// The budget the concurrent large uploads are judged against, and where it came from.
fn memory_budget(args: &Args, atsgate: &Path) -> (Option<u64>, String) {
    if let Some(mb) = args.memory_budget_mb {
        return (Some(mb * 1024 * 1024), "--memory-budget-mb".into());
    }
    let env_key = format!("ATSGATE_{}", BUDGET_KEY.to_ascii_uppercase());
    if let Some((_, value)) = args.gateway_env.iter().rev().find(|(k, _)| *k == env_key) {
        return (value.trim().parse().ok(), format!("--gateway-env {env_key}"));
    }
    let defaults = Command::new("timeout").arg("30").arg(atsgate).args(["config", "default"]).output();
    let text = defaults.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    let found = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == BUDGET_KEY)
        .and_then(|(_, v)| v.trim().parse().ok());
    match found {
        Some(bytes) => (Some(bytes), format!("`atsgate config default` {BUDGET_KEY}")),
        None => (None, "none configured".into()),
    }
}

/// nproc and the CPU model, for the record.
fn machine() -> serde_json::Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string());
    json!({
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu_model": model,
        // Other work on a shared machine skews every figure; this says how busy it was.
        "loadavg_at_end": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    })
}

/// `--atsgate`, else the `atsgate` next to this binary, else `$CARGO_TARGET_DIR/release/atsgate`
/// (or the workspace's `target/`), building it when missing.
fn locate_atsgate(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        if !path.is_file() {
            bail!("--atsgate {} does not exist", path.display());
        }
        // Children run in a scratch directory, so a relative path would not resolve there.
        return Ok(path.canonicalize()?);
    }
    if let Some(sibling) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|d| d.join("atsgate"))) {
        if sibling.is_file() {
            return Ok(sibling);
        }
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from);
    let path = target_dir.join("release/atsgate");
    if !path.is_file() {
        progress("building the release atsgate binary (cargo build --release -p atsgate)");
        let status = Command::new("timeout")
            .args(["1800", "cargo", "build", "--release", "-p", "atsgate"])
            .current_dir(&workspace)
            .status()
            .context("running cargo build")?;
        if !status.success() || !path.is_file() {
            bail!("could not build {} ({status})", path.display());
        }
    }
    Ok(path)
}
