//! Turns the measurements into the human table and the one-line JSON object, and judges the
//! issue's targets.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::{
    load::Totals,
    memory::{Concurrent, SingleFile},
    sync::SyncResult,
    uploads::Comparison,
};

/// Everything one run measured; `None` where a scenario was skipped.
#[derive(Default)]
pub struct Results {
    pub throughput: Option<Comparison>,
    pub latency_c1: Option<Comparison>,
    pub large: Option<Comparison>,
    pub single_file: Option<SingleFile>,
    pub concurrent: Option<Concurrent>,
    pub sync: Option<SyncResult>,
    /// `--memory-budget-mb`, the gateway's configured budget if any.
    pub memory_budget_bytes: Option<u64>,
}

const MIB: f64 = 1024.0 * 1024.0;
/// A 429 slower than this is not "fast".
pub const FAST_429_MS: f64 = 200.0;

fn totals_json(t: &Totals) -> Value {
    json!({
        "uploads": t.ok,
        "failed": t.failed,
        "statuses": t.statuses,
        "phases": t.phases,
        "seconds": t.elapsed.as_secs_f64(),
        "requests_per_sec": t.per_sec(),
        "p50_ms": t.quantile_ms(0.5),
        "p99_ms": t.quantile_ms(0.99),
        "mean_ms": t.latency_us.mean() / 1000.0,
        "max_ms": t.latency_us.max() as f64 / 1000.0,
        "gateway_cpu_ms_per_upload": t.gateway_cpu_ms(),
        "emulator_cpu_ms_per_upload": t.emulator_cpu_ms(),
        "client_cpu_ms_per_upload": t.client_cpu_ms(),
        "gateway_kernel_cpu_ms_per_upload": t.gateway_sys_ms(),
        "emulator_kernel_cpu_ms_per_upload": t.emulator_sys_ms(),
        "gateway_page_faults_per_upload": t.gateway_faults_per_request(),
        "emulator_page_faults_per_upload": t.emulator_faults_per_request(),
    })
}

/// Gateway CPU per upload in the gateway phases ÷ emulator CPU per upload in the direct phases.
pub fn cpu_ratio(c: &Comparison) -> f64 {
    c.gateway.gateway_cpu_ms() / c.direct.emulator_cpu_ms()
}

pub fn added_p50_ms(c: &Comparison) -> f64 {
    c.gateway.quantile_ms(0.5) - c.direct.quantile_ms(0.5)
}

fn comparison_json(c: &Comparison) -> Value {
    json!({
        "file_bytes": c.file_bytes,
        "direct_body_bytes": c.direct_body_bytes,
        "gateway_body_bytes": c.gateway_body_bytes,
        "concurrency": c.plan.concurrency,
        "rounds": c.plan.rounds,
        "phase_seconds": c.plan.phase.as_secs_f64(),
        "max_uploads_per_phase": c.plan.max_per_phase,
        "direct": totals_json(&c.direct),
        "gateway": totals_json(&c.gateway),
        "throughput_ratio_gateway_over_direct": c.gateway.per_sec() / c.direct.per_sec(),
        "p50_ratio_gateway_over_direct": c.gateway.quantile_ms(0.5) / c.direct.quantile_ms(0.5),
        "p99_ratio_gateway_over_direct": c.gateway.quantile_ms(0.99) / c.direct.quantile_ms(0.99),
        "added_p50_ms": added_p50_ms(c),
        "cpu_ratio_gateway_over_emulator": cpu_ratio(c),
    })
}

fn comparison_table(out: &mut String, title: &str, c: &Comparison) {
    let (d, g) = (&c.direct, &c.gateway);
    let plan = &c.plan;
    let run = match plan.max_per_phase {
        Some(n) => format!("{} rounds × up to {n} uploads per path", plan.rounds),
        None => format!("{} rounds × {:.1} s per path", plan.rounds, plan.phase.as_secs_f64()),
    };
    let _ = writeln!(
        out,
        "\n== {title}: {} file, concurrency {}, {run} ==",
        human_bytes(c.file_bytes as f64),
        plan.concurrency
    );
    let _ = writeln!(out, "{:<34} {:>12} {:>12} {:>12}", "", "direct", "gateway", "gw/direct");
    let row = |out: &mut String, name: &str, a: f64, b: f64, prec: usize| {
        let _ = writeln!(out, "{name:<34} {a:>12.prec$} {b:>12.prec$} {:>12.2}", b / a);
    };
    row(out, "uploads/s", d.per_sec(), g.per_sec(), 1);
    row(out, "p50 latency (ms)", d.quantile_ms(0.5), g.quantile_ms(0.5), 3);
    row(out, "p99 latency (ms)", d.quantile_ms(0.99), g.quantile_ms(0.99), 3);
    let _ = writeln!(
        out,
        "{:<34} {:>12} {:>12}",
        "uploads ok / failed",
        format!("{}/{}", d.ok, d.failed),
        format!("{}/{}", g.ok, g.failed)
    );
    // The gateway idles during direct phases; its figure there shows the background noise.
    let _ = writeln!(
        out,
        "{:<34} {:>12.3} {:>12.3}",
        "gateway CPU per upload (ms)",
        d.gateway_cpu_ms(),
        g.gateway_cpu_ms()
    );
    let _ = writeln!(
        out,
        "{:<34} {:>12.3} {:>12.3}",
        "emulator CPU per upload (ms)",
        d.emulator_cpu_ms(),
        g.emulator_cpu_ms()
    );
    let _ = writeln!(
        out,
        "{:<34} {:>12} {:>12}",
        "  of which kernel, gw / emu (ms)",
        format!("{:.3}/{:.3}", d.gateway_sys_ms(), d.emulator_sys_ms()),
        format!("{:.3}/{:.3}", g.gateway_sys_ms(), g.emulator_sys_ms())
    );
    let _ = writeln!(
        out,
        "{:<34} {:>12} {:>12}",
        "  page faults per upload, gw / emu",
        format!("{:.0}/{:.0}", d.gateway_faults_per_request(), d.emulator_faults_per_request()),
        format!("{:.0}/{:.0}", g.gateway_faults_per_request(), g.emulator_faults_per_request())
    );
    let _ = writeln!(
        out,
        "{:<34} {:>12.3} {:>12.3}",
        "client (harness) CPU per upload (ms)",
        d.client_cpu_ms(),
        g.client_cpu_ms()
    );
    let _ = writeln!(out, "{:<34} {:>12.3}", "gateway CPU ÷ emulator CPU", cpu_ratio(c));
    let _ = writeln!(out, "{:<34} {:>12.3}", "added p50 latency (ms)", added_p50_ms(c));
}

fn human_bytes(bytes: f64) -> String {
    if bytes >= MIB {
        format!("{:.1} MiB", bytes / MIB)
    } else {
        format!("{:.0} KiB", bytes / 1024.0)
    }
}

/// One of the targets.
struct Target {
    key: &'static str,
    figure: String,
    target: String,
    measured: Option<f64>,
    met: bool,
    detail: String,
}

fn targets(r: &Results) -> Vec<Target> {
    let mut out = Vec::new();
    let skipped = |key, figure: &str, target: &str| Target {
        key,
        figure: figure.into(),
        target: target.into(),
        measured: None,
        met: false,
        detail: "skipped".into(),
    };
    match &r.throughput {
        Some(c) => out.push(Target {
            key: "gateway_cpu_ratio",
            figure: format!(
                "gateway CPU per {} upload ÷ emulator CPU per upload (concurrency {})",
                human_bytes(c.file_bytes as f64),
                c.plan.concurrency
            ),
            target: "<= 1.3".into(),
            measured: Some(cpu_ratio(c)),
            met: cpu_ratio(c) <= 1.3,
            detail: format!("{:.3} ms vs {:.3} ms", c.gateway.gateway_cpu_ms(), c.direct.emulator_cpu_ms()),
        }),
        None => out.push(skipped("gateway_cpu_ratio", "gateway CPU per upload ÷ emulator CPU per upload", "<= 1.3")),
    }
    if let Some(c) = &r.latency_c1 {
        out.push(Target {
            key: "added_median_latency_ms",
            figure: format!("added median latency at concurrency 1, {} file (ms)", human_bytes(c.file_bytes as f64)),
            target: "<= 0.3".into(),
            measured: Some(added_p50_ms(c)),
            met: added_p50_ms(c) <= 0.3,
            detail: format!("p50 {:.3} ms vs {:.3} ms", c.gateway.quantile_ms(0.5), c.direct.quantile_ms(0.5)),
        });
    }
    match &r.single_file {
        Some(s) => out.push(Target {
            key: "rss_growth_per_body_byte",
            figure: format!(
                "gateway peak RSS growth for one {} file ÷ request body size",
                human_bytes(s.file_bytes as f64)
            ),
            target: "<= 1.2".into(),
            measured: Some(s.growth_per_body_byte),
            met: s.growth_per_body_byte <= 1.2 && s.status == "200",
            detail: format!(
                "VmHWM +{} for a {} body (status {})",
                human_bytes(s.growth_bytes as f64),
                human_bytes(s.body_bytes as f64),
                s.status
            ),
        }),
        None => out.push(skipped("rss_growth_per_body_byte", "gateway peak RSS growth ÷ request body size", "<= 1.2")),
    }
    match &r.concurrent {
        Some(c) => {
            let count = |s: &str| c.by_status.get(s).map_or(0, |l| l.count);
            let others: u64 =
                c.by_status.iter().filter(|(s, _)| *s != "200" && *s != "429").map(|(_, l)| l.count).sum();
            let slow_429 = c.by_status.get("429").is_some_and(|l| l.max_ms > FAST_429_MS);
            let under = r.memory_budget_bytes.is_some_and(|b| c.peak_rss_bytes <= b);
            let budget = r.memory_budget_bytes.map_or("none configured".to_string(), |b| human_bytes(b as f64));
            out.push(Target {
                key: "concurrent_large_under_budget",
                figure: format!(
                    "{} concurrent {} uploads: peak gateway RSS (MiB)",
                    c.uploads,
                    human_bytes(c.file_bytes as f64)
                ),
                target: format!("< budget ({budget}); excess gets 429 within {FAST_429_MS} ms"),
                measured: Some(c.peak_rss_bytes as f64 / MIB),
                met: under && others == 0 && !slow_429,
                detail: format!(
                    "{}×200, {}×429, {others}× other; {:?}",
                    count("200"),
                    count("429"),
                    c.by_status.keys().collect::<Vec<_>>()
                ),
            });
        }
        None => out.push(skipped(
            "concurrent_large_under_budget",
            "concurrent large uploads under the memory budget",
            "< budget",
        )),
    }
    match &r.large {
        Some(c) => {
            let ratio = c.gateway.per_sec() / c.direct.per_sec();
            out.push(Target {
                key: "large_throughput_ratio",
                figure: format!(
                    "{} upload throughput, gateway ÷ direct (concurrency {})",
                    human_bytes(c.file_bytes as f64),
                    c.plan.concurrency
                ),
                target: ">= 0.8".into(),
                measured: Some(ratio),
                met: ratio >= 0.8,
                detail: format!("{:.2}/s vs {:.2}/s", c.gateway.per_sec(), c.direct.per_sec()),
            });
        }
        None => out.push(skipped("large_throughput_ratio", "large-file throughput, gateway ÷ direct", ">= 0.8")),
    }
    match &r.sync {
        Some(s) => out.push(Target {
            key: "sync_throughput_ratio",
            figure: format!("sync applications/s ÷ direct pagination applications/s ({} applications)", s.applications),
            target: ">= 0.9".into(),
            measured: Some(s.ratio),
            met: s.ratio >= 0.9,
            detail: format!("{:.0}/s vs {:.0}/s", s.sync_applications_per_sec, s.direct_applications_per_sec),
        }),
        None => out.push(skipped("sync_throughput_ratio", "sync throughput ÷ direct pagination throughput", ">= 0.9")),
    }
    out
}

/// The human-readable report.
pub fn table(r: &Results) -> String {
    let mut out = String::new();
    if let Some(c) = &r.throughput {
        comparison_table(&mut out, "Uploads", c);
    }
    if let Some(c) = &r.latency_c1 {
        comparison_table(&mut out, "Latency at concurrency 1", c);
    }
    if let Some(c) = &r.large {
        comparison_table(&mut out, "Large uploads", c);
    }
    if let Some(s) = &r.single_file {
        let _ = writeln!(out, "\n== Gateway memory, one {} file (fresh gateway) ==", human_bytes(s.file_bytes as f64));
        let _ = writeln!(out, "{:<34} {:>12}", "request body", human_bytes(s.body_bytes as f64));
        let _ = writeln!(
            out,
            "{:<34} {:>12}",
            "VmHWM before / after",
            format!("{} / {}", human_bytes(s.hwm_before_bytes as f64), human_bytes(s.hwm_after_bytes as f64))
        );
        let _ = writeln!(out, "{:<34} {:>12}", "growth", human_bytes(s.growth_bytes as f64));
        let _ = writeln!(out, "{:<34} {:>12.2}", "growth ÷ body size", s.growth_per_body_byte);
        let _ = writeln!(out, "{:<34} {:>12.2}", "growth ÷ file size", s.growth_per_file_byte);
        let _ = writeln!(out, "{:<34} {:>12}", "status, latency", format!("{} in {:.0} ms", s.status, s.latency_ms));
    }
    if let Some(c) = &r.concurrent {
        let _ = writeln!(
            out,
            "\n== Gateway memory, {} concurrent {} uploads ==",
            c.uploads,
            human_bytes(c.file_bytes as f64)
        );
        let _ = writeln!(out, "{:<34} {:>12}", "VmRSS before", human_bytes(c.rss_before_bytes as f64));
        let _ = writeln!(out, "{:<34} {:>12}", "peak VmRSS (20 ms samples)", human_bytes(c.peak_rss_bytes as f64));
        let _ = writeln!(
            out,
            "{:<34} {:>12.2}",
            "peak growth ÷ total body bytes",
            (c.peak_rss_bytes.saturating_sub(c.rss_before_bytes)) as f64 / (c.body_bytes * c.uploads) as f64
        );
        let _ = writeln!(out, "{:<34} {:>12.0}", "wall time (ms)", c.wall_ms);
        for (status, l) in &c.by_status {
            let _ = writeln!(
                out,
                "{:<34} {:>12}",
                format!("status {status}"),
                format!("{}× {:.0}/{:.0}/{:.0} ms (min/median/max)", l.count, l.min_ms, l.median_ms, l.max_ms)
            );
        }
    }
    if let Some(s) = &r.sync {
        let _ = writeln!(
            out,
            "\n== Sync: {} applications, {} candidates, {} jobs ==",
            s.applications, s.candidates, s.jobs
        );
        let _ = writeln!(out, "{:<34} {:>12.0}", "direct paging, applications/s", s.direct_applications_per_sec);
        let _ = writeln!(
            out,
            "{:<34} {:>12}",
            "  (before / after sync)",
            format!("{:.0} / {:.0}", s.direct_applications_before.per_sec, s.direct_applications_after.per_sec)
        );
        let _ = writeln!(
            out,
            "{:<34} {:>12.2}",
            "direct read of all three lists (s)",
            s.direct_jobs.seconds + s.direct_candidates.seconds + s.direct_applications_before.seconds
        );
        let _ = writeln!(out, "{:<34} {:>12.2}", "atsgate sync wall time (s)", s.sync_seconds);
        let _ = writeln!(out, "{:<34} {:>12.0}", "sync, applications/s", s.sync_applications_per_sec);
        let _ = writeln!(out, "{:<34} {:>12.3}", "sync ÷ direct", s.ratio);
        let _ = writeln!(out, "{:<34} {:>12.2}", "sync process CPU (s)", s.sync_cpu_seconds);
        let _ = writeln!(out, "{:<34} {:>12.2}", "emulator CPU during sync (s)", s.emulator_cpu_seconds_during_sync);
        let _ = writeln!(out, "{:<34} {:>12}", "sync process peak RSS", human_bytes(s.sync_peak_rss_bytes as f64));
    }
    let _ = writeln!(out, "\n== Targets ==");
    for t in targets(r) {
        let measured = t.measured.map_or("-".to_string(), |m| format!("{m:.3}"));
        let verdict = if t.detail == "skipped" {
            "SKIPPED"
        } else if t.met {
            "met"
        } else {
            "MISSED"
        };
        let _ = writeln!(
            out,
            "{verdict:<8} {:<70} target {:<12} measured {measured:>9}  ({})",
            t.figure, t.target, t.detail
        );
    }
    out
}

/// The JSON object (printed as the last stdout line with `--json`).
pub fn to_json(r: &Results, context: Value) -> Value {
    let targets: serde_json::Map<String, Value> = targets(r)
        .into_iter()
        .map(|t| {
            let value = json!({
                "figure": t.figure,
                "target": t.target,
                "measured": t.measured,
                "met": t.met,
                "skipped": t.detail == "skipped",
                "detail": t.detail,
            });
            (t.key.to_string(), value)
        })
        .collect();
    json!({
        "run": context,
        "uploads": r.throughput.as_ref().map(comparison_json),
        "latency_c1": r.latency_c1.as_ref().map(comparison_json),
        "large_uploads": r.large.as_ref().map(comparison_json),
        "single_large_file_memory": r.single_file,
        "concurrent_large_uploads": r.concurrent,
        "memory_budget_bytes": r.memory_budget_bytes,
        "sync": r.sync,
        "targets": targets,
    })
}
