//! `atsgate demo`: everything a newcomer needs to try the API at once — an emulator of every
//! supported ATS with seeded data, a workspace, a key, one integration per ATS with every
//! permission, a first sync, and ready-to-paste curls. Uses its own database under
//! `<data_dir>/demo`, recreated on every run.

use std::{collections::BTreeMap, net::SocketAddr, sync::Arc, time::Duration};

use atsgate::{
    actions::{accounts, admin, listing, permissions},
    App,
};
use atsgate_emulators::{EmulatorOptions, RunningEmulator};
use clap::Args;
use serde_json::{json, Value};

use crate::GlobalArgs;

/// The operator account `demo` creates; it signs in with the printed single-use link.
const DEMO_OPERATOR: &str = "operator@demo.local";

#[derive(Args)]
pub struct DemoArgs {
    /// Address the gateway listens on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seeded candidates in each emulated ATS.
    #[arg(long, default_value_t = 25)]
    seed_candidates: usize,
    /// Print one JSON object (key, integration ids, ids, URLs) instead of the walkthrough.
    #[arg(long)]
    json: bool,
}

/// One emulated ATS wired to the gateway.
struct DemoIntegration {
    emulator: RunningEmulator,
    integration_id: String,
    application_id: String,
    candidate_id: String,
    applications: u64,
}

async fn connect(app: &App, emulator: RunningEmulator) -> anyhow::Result<DemoIntegration> {
    let integration = admin::create_integration(
        app,
        admin::NewIntegration {
            workspace: "demo".into(),
            tool: emulator.tool.into(),
            base_url: Some(emulator.base_url.clone()),
            auth_url: emulator.auth_url.clone(),
            credentials: emulator.credentials.clone().into_iter().collect::<BTreeMap<_, _>>(),
            organization_name: Some("Demo Corp".into()),
            creator_email: None,
            origin_id: None,
        },
    )
    .await?;
    let all: Vec<String> = permissions::ALL.iter().map(|p| p.to_string()).collect();
    admin::change_permissions(app, &integration.id, &all, &[]).await?;
    let integration = app.store.get_integration(&integration.id).await?.expect("just created");
    let counts = atsgate::sync::run(app, &integration).await?;
    let first =
        listing::list(app, &integration, listing::Model::Applications, &[("page_size".into(), "1".into())]).await?;
    let application: Value = serde_json::from_str(first.results.first().map(|r| r.get()).unwrap_or("{}"))?;
    Ok(DemoIntegration {
        emulator,
        integration_id: integration.id,
        application_id: application["id"].as_str().unwrap_or_default().to_string(),
        candidate_id: application["candidate_id"].as_str().unwrap_or_default().to_string(),
        applications: counts.applications,
    })
}

pub async fn run(global: &GlobalArgs, args: DemoArgs) -> anyhow::Result<()> {
    let mut config = global.load()?;
    config.data_dir = config.data_dir.join("demo");
    if config.database_url.is_none() && config.data_dir.exists() {
        std::fs::remove_dir_all(&config.data_dir)?; // a fresh demo every run
    }
    config.listen = args.listen;
    config.allow_private_data_urls = true;
    super::init_tracing(&config);

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e} (pass --listen 127.0.0.1:PORT)", args.listen))?;
    let gateway_url = format!("http://{}", listener.local_addr()?);
    config.public_url = Some(gateway_url.clone());
    let app: Arc<App> = super::open(config).await?;
    let key = admin::create_key(&app, "demo", Some("demo".into())).await?;
    let operator =
        accounts::NewUser { email: DEMO_OPERATOR.into(), workspace: None, password: accounts::generate_password() };
    accounts::create_user(&app, operator).await?;
    let sign_in_link = accounts::sign_in_link(&app, DEMO_OPERATOR, Duration::from_secs(24 * 3600)).await?;

    let mut integrations = Vec::new();
    for tool in atsgate_emulators::TOOLS {
        let emulator = atsgate_emulators::start(
            tool,
            tokio::net::TcpListener::bind("127.0.0.1:0").await?,
            EmulatorOptions { seed_candidates: args.seed_candidates, ..Default::default() },
        )
        .await?;
        integrations.push(connect(&app, emulator).await?);
    }

    if args.json {
        let first = &integrations[0];
        let all: Vec<Value> = integrations
            .iter()
            .map(|i| {
                json!({"tool": i.emulator.tool, "integration_id": i.integration_id, "application_id": i.application_id,
                       "candidate_id": i.candidate_id, "emulator_url": i.emulator.base_url})
            })
            .collect();
        super::print_json(&json!({
            "gateway_url": gateway_url, "api_key": key.key, "sign_in_link": sign_in_link, "integration_id": first.integration_id,
            "application_id": first.application_id, "candidate_id": first.candidate_id,
            "emulator_url": first.emulator.base_url, "data_dir": app.config.data_dir, "integrations": all,
        }));
    } else {
        print_walkthrough(
            &gateway_url,
            &key.key,
            &sign_in_link,
            &integrations,
            &app.config.data_dir.display().to_string(),
        );
    }
    let served = atsgate::http::serve(app, listener, super::shutdown_signal()).await;
    for integration in integrations {
        integration.emulator.shutdown().await;
    }
    served
}

fn print_walkthrough(
    gateway_url: &str,
    api_key: &str,
    sign_in_link: &str,
    integrations: &[DemoIntegration],
    data_dir: &str,
) {
    let first = &integrations[0];
    println!("\natsgate demo — gateway {gateway_url}\n\nAPI key: {api_key}");
    println!("Dashboard: {sign_in_link}\n           (single-use sign-in link for the operator {DEMO_OPERATOR})\n");
    println!("{:<18} {:<40} {:<26} {:>5}  emulator", "tool", "integration id", "application id", "apps");
    for i in integrations {
        println!(
            "{:<18} {:<40} {:<26} {:>5}  {}",
            i.emulator.tool, i.integration_id, i.application_id, i.applications, i.emulator.base_url
        );
    }
    println!(
        r#"
Upload a CV to a {tool} application (swap the integration and application ids for any row above):

curl -s -X POST {gateway_url}/v1/ats/applications/{application_id}/attachments \
  -H 'Authorization: Bearer {api_key}' \
  -H 'X-Integration-Id: {integration_id}' \
  -H 'Content-Type: application/json' \
  -d '{{"attachment":{{"name":"Frank Doe CV.txt","type":"CV","content_type":"text/plain","data":"SGkgdGhlcmUsIEtvbWJvIGlzIGN1cnJlbnRseSBoaXJpbmcgZW5naW5lZXJzIHRoYXQgbG92ZSB0byB3b3JrIG9uIGRldmVsb3BlciBwcm9kdWN0cy4="}}}}'

See what the ATS received:   curl -s {emulator}/_emulator/files
List applications:           curl -s {gateway_url}/v1/ats/applications -H 'Authorization: Bearer {api_key}' -H 'X-Integration-Id: {integration_id}'
Kombo SDK:                   Kombo(api_key="{api_key}", integration_id="{integration_id}", server_url="{gateway_url}/v1")
Interaction log:             {gateway_url}/dashboard/logs  (or: atsgate --data-dir {data_dir} logs list)

Serving until Ctrl-C.
"#,
        tool = first.emulator.tool,
        application_id = first.application_id,
        integration_id = first.integration_id,
        emulator = first.emulator.base_url,
    );
}
