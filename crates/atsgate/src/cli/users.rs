//! `atsgate users create|list|disable|reset-password|link`: dashboard accounts.

use std::{io::BufRead, time::Duration};

use atsgate::actions::accounts::{self, NewUser};
use clap::Subcommand;
use serde_json::json;

use crate::GlobalArgs;

/// How long a link printed by `users link` works.
const LINK_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create a dashboard user: a member of one workspace (--workspace) or an operator who sees
    /// every workspace (--admin). Without --password-stdin a password is generated and shown once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, conflicts_with = "admin", required_unless_present = "admin")]
        workspace: Option<String>,
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// List dashboard users (never their passwords).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a user; their sessions end at once.
    Disable {
        email: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a new password (generated unless --password-stdin); the user's sessions end.
    ResetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Print a single-use sign-in link for a user, valid 24 hours.
    Link {
        #[arg(long)]
        email: String,
        #[arg(long)]
        json: bool,
    },
}

/// The password from stdin, or a generated one (and whether it was generated).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
    } else {
        Ok((accounts::generate_password(), true))
    }
}

pub async fn run(global: &GlobalArgs, command: UsersCommand) -> anyhow::Result<()> {
    let app = super::open(global.load()?).await?;
    match command {
        UsersCommand::Create { email, workspace, admin, password_stdin, json } => {
            let (password, generated) = password(password_stdin)?;
            let workspace = if admin { None } else { workspace };
            let user = accounts::create_user(
                &app,
                NewUser { email, workspace: workspace.clone(), password: password.clone() },
            )
            .await?;
            let shown = generated.then_some(password);
            if json {
                super::print_json(&json!({"id": user.id, "email": user.email, "workspace_id": user.workspace_id,
                    "operator": user.workspace_id.is_none(), "password": shown}));
            } else {
                let role = workspace.map_or("operator (every workspace)".to_string(), |w| format!("member of {w}"));
                println!("dashboard user {} created: {role}", user.email);
                if let Some(password) = shown {
                    println!("password: {password}\nStore it now: it is not shown again.");
                }
                println!("sign in at {}/dashboard", app.public_url);
            }
        }
        UsersCommand::List { json } => {
            let users = accounts::list_users(&app).await?;
            if json {
                super::print_json(&json!({ "users": users }));
            } else {
                for user in users {
                    let role =
                        user.workspace_id.as_deref().map_or("operator".to_string(), |w| format!("workspace {w}"));
                    let state = user.disabled_at.as_deref().map_or("active".to_string(), |at| format!("disabled {at}"));
                    println!("{}  {}  {role}  {state}", user.id, user.email);
                }
            }
        }
        UsersCommand::Disable { email, json } => {
            let user = accounts::disable_user(&app, &email).await?;
            if json {
                super::print_json(&json!({"id": user.id, "email": user.email, "disabled": true}));
            } else {
                println!("disabled {}; their sessions have ended", user.email);
            }
        }
        UsersCommand::ResetPassword { email, password_stdin, json } => {
            let (password, generated) = password(password_stdin)?;
            let user = accounts::reset_password(&app, &email, &password).await?;
            let shown = generated.then_some(password);
            if json {
                super::print_json(&json!({"id": user.id, "email": user.email, "password": shown}));
            } else {
                println!("new password set for {}; their sessions have ended", user.email);
                if let Some(password) = shown {
                    println!("password: {password}\nStore it now: it is not shown again.");
                }
            }
        }
        UsersCommand::Link { email, json } => {
            let link = accounts::sign_in_link(&app, &email, LINK_TTL).await?;
            if json {
                super::print_json(&json!({"email": email, "sign_in_link": link}));
            } else {
                println!("{link}\nWorks once, for 24 hours.");
            }
        }
    }
    app.shutdown().await;
    Ok(())
}
