//! `atsgate keys create|list|revoke`.

use clap::Subcommand;
use serde_json::json;

use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create an API key; it is shown once.
    Create {
        #[arg(long, default_value = "default")]
        workspace: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List keys (never the keys themselves).
    List {
        #[arg(long)]
        workspace: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key by id; takes effect at once.
    Revoke {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(global: &GlobalArgs, command: KeysCommand) -> anyhow::Result<()> {
    let app = super::open(global.load()?).await?;
    match command {
        KeysCommand::Create { workspace, name, json } => {
            let created = atsgate::actions::admin::create_key(&app, &workspace, name).await?;
            if json {
                super::print_json(
                    &json!({"id": created.record.id, "key": created.key, "workspace_id": created.record.workspace_id}),
                );
            } else {
                println!(
                    "API key {} (workspace {workspace}):\n{}\nStore it now: it is not shown again.",
                    created.record.id, created.key
                );
            }
        }
        KeysCommand::List { workspace, json } => {
            let workspace_id = match workspace {
                Some(name) => Some(app.store.get_or_create_workspace(&name).await?.id),
                None => None,
            };
            let keys = app.store.list_api_keys(workspace_id.as_deref()).await?;
            if json {
                super::print_json(&json!({ "keys": keys }));
            } else {
                for key in keys {
                    let state = key.revoked_at.as_deref().map_or("active".to_string(), |at| format!("revoked {at}"));
                    println!(
                        "{}  {}…  workspace {}  {}  {state}",
                        key.id, key.prefix, key.workspace_id, key.created_at
                    );
                }
            }
        }
        KeysCommand::Revoke { id, json } => {
            let revoked = atsgate::actions::admin::revoke_key(&app, &id).await?;
            if !revoked {
                anyhow::bail!("no active key with id {id}");
            }
            if json {
                super::print_json(&json!({"id": id, "revoked": true}));
            } else {
                println!("revoked {id}");
            }
        }
    }
    app.shutdown().await;
    Ok(())
}
