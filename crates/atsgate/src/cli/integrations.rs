//! `atsgate integrations create|list|permissions`.

use std::collections::BTreeMap;

use atsgate::actions::admin::{self, NewIntegration};
use clap::Subcommand;
use serde_json::json;

use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum IntegrationsCommand {
    /// Connect an ATS. Credentials are encrypted at rest.
    Create {
        #[arg(long, default_value = "default")]
        workspace: String,
        /// Tool id, e.g. greenhouse.
        #[arg(long)]
        tool: String,
        /// The ATS API base URL (default: the vendor's public URL).
        #[arg(long)]
        base_url: Option<String>,
        /// The ATS OAuth/token base URL where the vendor has one (default: the vendor's).
        #[arg(long)]
        auth_url: Option<String>,
        /// NAME=VALUE, repeatable (greenhouse: client_id, client_secret, user_id).
        #[arg(long = "credential", value_parser = parse_pair)]
        credentials: Vec<(String, String)>,
        /// Shown as end_user.organization_name.
        #[arg(long)]
        organization_name: Option<String>,
        #[arg(long)]
        creator_email: Option<String>,
        #[arg(long)]
        origin_id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List integrations.
    List {
        #[arg(long)]
        workspace: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change the scope config: add_attachments, read_attachments, read_candidates, read_applications.
    Permissions {
        id: String,
        #[arg(long)]
        enable: Vec<String>,
        #[arg(long)]
        disable: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_pair(raw: &str) -> Result<(String, String), String> {
    raw.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("expected NAME=VALUE, got {raw:?}"))
}

pub async fn run(global: &GlobalArgs, command: IntegrationsCommand) -> anyhow::Result<()> {
    let app = super::open(global.load()?).await?;
    match command {
        IntegrationsCommand::Create {
            workspace,
            tool,
            base_url,
            auth_url,
            credentials,
            organization_name,
            creator_email,
            origin_id,
            json,
        } => {
            let credentials: BTreeMap<String, String> = credentials.into_iter().collect();
            let integration = admin::create_integration(
                &app,
                NewIntegration {
                    workspace,
                    tool,
                    base_url,
                    auth_url,
                    credentials,
                    organization_name,
                    creator_email,
                    origin_id,
                },
            )
            .await?;
            if json {
                super::print_json(&json!({"id": integration.id}));
            } else {
                println!(
                    "integration {} created; write actions are off until `atsgate integrations permissions {} --enable add_attachments`",
                    integration.id, integration.id
                );
            }
        }
        IntegrationsCommand::List { workspace, json } => {
            let workspace_id = match workspace {
                Some(name) => Some(app.store.get_or_create_workspace(&name).await?.id),
                None => None,
            };
            let integrations = app.store.list_integrations(workspace_id.as_deref()).await?;
            if json {
                let items: Vec<_> = integrations
                    .iter()
                    .map(|i| {
                        json!({
                            "id": i.id, "tool": i.tool, "workspace_id": i.workspace_id, "base_url": i.base_url,
                            "permissions": i.permissions, "created_at": i.created_at,
                            "last_sync_finished_at": i.last_sync_finished_at, "last_sync_error": i.last_sync_error,
                        })
                    })
                    .collect();
                super::print_json(&json!({ "integrations": items }));
            } else {
                for i in integrations {
                    println!(
                        "{}  {}  permissions: {}",
                        i.id,
                        i.base_url.as_deref().unwrap_or("(vendor default)"),
                        i.permissions.join(",")
                    );
                }
            }
        }
        IntegrationsCommand::Permissions { id, enable, disable, json } => {
            let permissions = admin::change_permissions(&app, &id, &enable, &disable).await?;
            if json {
                super::print_json(&json!({"id": id, "permissions": permissions}));
            } else {
                println!("{id}: {}", permissions.join(", "));
            }
        }
    }
    app.shutdown().await;
    Ok(())
}
