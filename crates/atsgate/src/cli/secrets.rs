//! `atsgate secrets rotate`: re-encrypts every ATS credential under a new master key.

use atsgate::{actions::admin, crypto::MasterKey};
use clap::Subcommand;
use serde_json::json;

use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum SecretsCommand {
    /// Re-encrypt all credentials under a new master key (generated unless --new-key is given).
    /// With a key file in the data dir, the file is replaced; with `master_key` from config or
    /// ATSGATE_MASTER_KEY, the new key is printed and must replace the old one there.
    Rotate {
        /// Base64 of 32 random bytes.
        #[arg(long)]
        new_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(global: &GlobalArgs, command: SecretsCommand) -> anyhow::Result<()> {
    let SecretsCommand::Rotate { new_key, json } = command;
    let config = global.load()?;
    let key_in_file = config.master_key.is_none();
    let data_dir = config.data_dir.clone();
    let app = super::open(config).await?;
    let new_key = match new_key {
        Some(text) => MasterKey::from_base64(&text)?,
        None => MasterKey::generate(),
    };
    let rotated = admin::rotate_master_key(&app, &new_key).await?;
    if key_in_file {
        new_key.store_in(&data_dir)?;
    }
    app.shutdown().await;
    let printed_key = (!key_in_file).then(|| new_key.to_base64());
    if json {
        super::print_json(&json!({"rotated": rotated, "key_file_updated": key_in_file, "master_key": printed_key}));
    } else {
        println!("re-encrypted the credentials of {rotated} integrations");
        match printed_key {
            Some(key) => println!("new master key (set it as master_key / ATSGATE_MASTER_KEY now):\n{key}"),
            None => println!("new master key written to {}", data_dir.join("master.key").display()),
        }
    }
    Ok(())
}
