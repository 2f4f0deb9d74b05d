//! `atsgate tools`: the supported ATS and what each can do, from the connectors' capabilities.

use atsgate::connectors::{self, AttachmentType};
use clap::Args;
use serde_json::json;

#[derive(Args)]
pub struct ToolsArgs {
    #[arg(long)]
    json: bool,
    /// Print the README's support matrix (Markdown).
    #[arg(long)]
    markdown: bool,
}

pub fn run(args: ToolsArgs) -> anyhow::Result<()> {
    let limit = atsgate::Config::default().max_attachment_bytes;
    if args.markdown {
        print!("{}", connectors::support_matrix_markdown(limit));
        return Ok(());
    }
    let tools: Vec<_> = connectors::REGISTRY
        .iter()
        .map(|entry| {
            let caps = entry.capabilities;
            json!({
                "id": caps.tool, "label": caps.label,
                "attach_to_application": caps.attach_to_application, "attach_to_candidate": caps.attach_to_candidate,
                "types": AttachmentType::ALL.iter().map(|k| (k.as_str(), caps.vendor_type(*k))).collect::<std::collections::BTreeMap<_, _>>(),
                "max_file_size_bytes": caps.max_file_size_bytes, "accepted_mime_types": caps.accepted_mime_types,
                "required_credentials": entry.required_credentials,
            })
        })
        .collect();
    if args.json {
        super::print_json(&json!({ "tools": tools }));
    } else {
        for entry in connectors::REGISTRY {
            println!(
                "{:<18} {:<28} credentials: {}",
                entry.capabilities.tool,
                entry.capabilities.label,
                entry.required_credentials.join(", ")
            );
        }
    }
    Ok(())
}
