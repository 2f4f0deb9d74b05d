//! `atsgate logs list|show`: the interaction log.

use clap::Subcommand;
use serde_json::json;

use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum LogsCommand {
    /// Most recent calls first.
    List {
        #[arg(long)]
        workspace: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// One call with its upstream calls.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(global: &GlobalArgs, command: LogsCommand) -> anyhow::Result<()> {
    let app = super::open(global.load()?).await?;
    match command {
        LogsCommand::List { workspace, limit, json } => {
            let workspace_id = match workspace {
                Some(name) => Some(app.store.get_or_create_workspace(&name).await?.id),
                None => None,
            };
            let logs = app.store.list_logs(workspace_id.as_deref(), limit).await?;
            if json {
                super::print_json(&json!({ "logs": logs }));
            } else {
                for log in logs {
                    println!(
                        "{}  {}  {} {}  {}  {}  {:.1} ms",
                        log.id,
                        log.created_at,
                        log.method,
                        log.path,
                        log.status,
                        log.code.as_deref().unwrap_or("-"),
                        log.duration_ms
                    );
                }
            }
        }
        LogsCommand::Show { id, json } => {
            let log = app.store.get_log(&id).await?.ok_or_else(|| anyhow::anyhow!("no log entry {id}"))?;
            if json {
                super::print_json(&json!({ "log": log }));
            } else {
                println!("{}", serde_json::to_string_pretty(&log)?);
            }
        }
    }
    app.shutdown().await;
    Ok(())
}
