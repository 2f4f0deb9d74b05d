//! `atsgate sync [--integration ID]`: runs syncs to completion.

use clap::Args;
use serde_json::json;

use crate::GlobalArgs;

#[derive(Args)]
pub struct SyncArgs {
    /// Only this integration (default: all).
    #[arg(long)]
    integration: Option<String>,
    #[arg(long)]
    json: bool,
}

pub async fn run(global: &GlobalArgs, args: SyncArgs) -> anyhow::Result<()> {
    let config = global.load()?;
    super::init_tracing(&config);
    let app = super::open(config).await?;
    let integrations = match &args.integration {
        Some(id) => vec![app.store.get_integration(id).await?.ok_or_else(|| anyhow::anyhow!("no integration {id}"))?],
        None => app.store.list_integrations(None).await?,
    };
    let mut results = Vec::new();
    let mut failed = 0;
    for integration in &integrations {
        match atsgate::sync::run(&app, integration).await {
            Ok(counts) => {
                if !args.json {
                    println!(
                        "{}: {} jobs, {} candidates, {} applications ({} changed, {} deleted)",
                        integration.id,
                        counts.jobs,
                        counts.candidates,
                        counts.applications,
                        counts.changed,
                        counts.deleted
                    );
                }
                results.push(json!({"integration_id": integration.id, "ok": true, "counts": counts}));
            }
            Err(err) => {
                failed += 1;
                if !args.json {
                    println!("{}: failed: {err}", integration.id);
                }
                results.push(json!({"integration_id": integration.id, "ok": false, "code": err.code().as_str(), "error": err.to_string()}));
            }
        }
    }
    if args.json {
        super::print_json(&json!({ "results": results }));
    }
    app.shutdown().await;
    if failed > 0 {
        anyhow::bail!("{failed} of {} syncs failed", integrations.len());
    }
    Ok(())
}
