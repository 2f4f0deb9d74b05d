//! `atsgate serve`.

use std::{net::SocketAddr, time::Duration};

use clap::Args;

use crate::GlobalArgs;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Public base URL of this gateway (for log_url).
    #[arg(long)]
    public_url: Option<String>,
}

pub async fn run(global: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    let config = super::load_config(&global.overrides(args.listen, args.public_url))?;
    super::init_tracing(&config);
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let app = super::open(config).await?;
    if app.config.sync_interval_secs > 0 {
        atsgate::sync::scheduler::spawn_periodic(app.clone(), Duration::from_secs(app.config.sync_interval_secs));
    }
    atsgate::actions::logs::spawn_retention(app.clone(), atsgate::actions::logs::PRUNE_EVERY);
    tracing::info!(address = %listener.local_addr()?, "atsgate listening");
    atsgate::http::serve(app, listener, super::shutdown_signal()).await
}
