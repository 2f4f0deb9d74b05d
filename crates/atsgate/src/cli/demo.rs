//! `atsgate demo`: everything a newcomer needs to try the API at once — an emulated Greenhouse
//! with seeded data, a workspace, a key, an integration with every permission, a first sync,
//! and a ready-to-paste curl. Uses its own database under `<data_dir>/demo`, recreated per run.

use std::{collections::BTreeMap, net::SocketAddr};

use atsgate::actions::{admin, listing, permissions};
use atsgate_emulators::EmulatorOptions;
use clap::Args;
use serde_json::json;

use crate::GlobalArgs;

#[derive(Args)]
pub struct DemoArgs {
    /// Address the gateway listens on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seeded candidates in the emulated ATS.
    #[arg(long, default_value_t = 25)]
    seed_candidates: usize,
    /// Print one JSON object (key, integration id, ids, URLs) instead of the walkthrough.
    #[arg(long)]
    json: bool,
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

    let emulator_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let emulator = atsgate_emulators::start(
        "greenhouse",
        emulator_listener,
        EmulatorOptions { seed_candidates: args.seed_candidates, ..Default::default() },
    )
    .await?;

    let app = super::open(config).await?;
    let key = admin::create_key(&app, "demo", Some("demo".into())).await?;
    let integration = admin::create_integration(
        &app,
        admin::NewIntegration {
            workspace: "demo".into(),
            tool: "greenhouse".into(),
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
    admin::change_permissions(&app, &integration.id, &all, &[]).await?;
    let integration = app.store.get_integration(&integration.id).await?.expect("just created");
    let counts = atsgate::sync::run(&app, &integration).await?;
    let first =
        listing::list(&app, &integration, listing::Model::Applications, &[("page_size".into(), "1".into())]).await?;
    let application: serde_json::Value = serde_json::from_str(first.results.first().expect("seeded data").get())?;
    let application_id = application["id"].as_str().unwrap_or_default().to_string();
    let candidate_id = application["candidate_id"].as_str().unwrap_or_default().to_string();

    if args.json {
        super::print_json(&json!({
            "gateway_url": gateway_url, "api_key": key.key, "integration_id": integration.id,
            "application_id": application_id, "candidate_id": candidate_id,
            "emulator_url": emulator.base_url, "data_dir": app.config.data_dir,
        }));
    } else {
        let data_dir = app.config.data_dir.display();
        println!(
            r#"
atsgate demo — gateway {gateway_url}, emulated Greenhouse {emulator}
synced {jobs} jobs, {candidates} candidates, {applications} applications

API key:         {api_key}
Integration id:  {integration_id}
Application id:  {application_id}
Candidate id:    {candidate_id}

Upload a CV to the application:

curl -s -X POST {gateway_url}/v1/ats/applications/{application_id}/attachments \
  -H 'Authorization: Bearer {api_key}' \
  -H 'X-Integration-Id: {integration_id}' \
  -H 'Content-Type: application/json' \
  -d '{{"attachment":{{"name":"Frank Doe CV.txt","type":"CV","content_type":"text/plain","data":"SGkgdGhlcmUsIEtvbWJvIGlzIGN1cnJlbnRseSBoaXJpbmcgZW5naW5lZXJzIHRoYXQgbG92ZSB0byB3b3JrIG9uIGRldmVsb3BlciBwcm9kdWN0cy4="}}}}'

See what the ATS received:   curl -s {emulator}/_emulator/files
List applications:           curl -s {gateway_url}/v1/ats/applications -H 'Authorization: Bearer {api_key}' -H 'X-Integration-Id: {integration_id}'
Kombo SDK:                   Kombo(api_key="{api_key}", integration_id="{integration_id}", server_url="{gateway_url}/v1")
Interaction log:             atsgate --data-dir {data_dir} logs list

Serving until Ctrl-C.
"#,
            emulator = emulator.base_url,
            jobs = counts.jobs,
            candidates = counts.candidates,
            applications = counts.applications,
            api_key = key.key,
            integration_id = integration.id,
        );
    }
    let served = atsgate::http::serve(app, listener, super::shutdown_signal()).await;
    emulator.shutdown().await;
    served
}
