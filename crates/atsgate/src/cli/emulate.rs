//! `atsgate emulate TOOL`: a vendor API emulator as its own process (demo, benchmarks).

use std::net::SocketAddr;

use atsgate_emulators::EmulatorOptions;
use clap::Args;

#[derive(Args)]
pub struct EmulateArgs {
    /// Tool id, e.g. greenhouse.
    tool: String,
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Deterministic seeded candidates (each with 1–3 applications).
    #[arg(long, default_value_t = 20)]
    seed_candidates: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Requests allowed per rate-limit window per client.
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Print `{"tool","base_url",…}` as the first stdout line.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: EmulateArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let mut options = EmulatorOptions { seed_candidates: args.seed_candidates, seed: args.seed, ..Default::default() };
    if let Some(limit) = args.rate_limit {
        options.rate_limit_per_window = limit;
    }
    let emulator = atsgate_emulators::start(&args.tool, listener, options).await?;
    if args.json {
        super::print_json(&emulator.info_json());
    } else {
        println!("{} emulator at {}", emulator.tool, emulator.base_url);
        println!("{}", serde_json::to_string_pretty(&emulator.info_json())?);
    }
    super::shutdown_signal().await;
    emulator.shutdown().await;
    Ok(())
}
