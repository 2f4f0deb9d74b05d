//! The binary's commands: one JSON object on stdout with `--json`, shared database via
//! `--data-dir`, and `emulate` announcing itself on its first line.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use serde_json::Value;

fn atsgate(data_dir: &std::path::Path, args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_atsgate"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("ATSGATE_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "atsgate {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.lines().count(), 1, "exactly one line on stdout: {stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not one JSON object ({e}): {stdout}"))
}

#[test]
fn keys_and_integrations_share_one_database() {
    let dir = tempfile::tempdir().unwrap();
    let key = atsgate(dir.path(), &["keys", "create", "--workspace", "acme", "--json"]);
    assert!(key["key"].as_str().unwrap().starts_with("atsg_"));
    let integration = atsgate(
        dir.path(),
        &[
            "integrations",
            "create",
            "--workspace",
            "acme",
            "--tool",
            "greenhouse",
            "--base-url",
            "http://127.0.0.1:9",
            "--credential",
            "client_id=a",
            "--credential",
            "client_secret=b",
            "--credential",
            "user_id=1",
            "--json",
        ],
    );
    let id = integration["id"].as_str().unwrap();
    let (tool, suffix) = id.split_once(':').unwrap();
    assert_eq!(tool, "greenhouse");
    assert!(atsgate::ids::is_valid_id(suffix), "{id}");

    let listed = atsgate(dir.path(), &["integrations", "list", "--json"]);
    let item = &listed["integrations"][0];
    assert_eq!(item["id"], id);
    assert!(!item["permissions"].as_array().unwrap().contains(&Value::from("add_attachments")));
    let changed = atsgate(dir.path(), &["integrations", "permissions", id, "--enable", "add_attachments", "--json"]);
    assert!(changed["permissions"].as_array().unwrap().contains(&Value::from("add_attachments")));
    let changed = atsgate(dir.path(), &["integrations", "permissions", id, "--disable", "add_attachments", "--json"]);
    assert!(!changed["permissions"].as_array().unwrap().contains(&Value::from("add_attachments")));

    let keys = atsgate(dir.path(), &["keys", "list", "--json"]);
    assert_eq!(keys["keys"][0]["id"], key["id"]);
    assert!(!keys.to_string().contains(key["key"].as_str().unwrap()), "a listed key never shows the key itself");
    let revoked = atsgate(dir.path(), &["keys", "revoke", key["id"].as_str().unwrap(), "--json"]);
    assert_eq!(revoked["revoked"], true);
    let logs = atsgate(dir.path(), &["logs", "list", "--json"]);
    assert!(logs["logs"].is_array());
}

#[test]
fn emulate_prints_its_address_first() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atsgate"))
        .args(["emulate", "greenhouse", "--listen", "127.0.0.1:0", "--json", "--seed-candidates", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let info: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(info["tool"], "greenhouse");
    assert!(info["base_url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert!(info["credentials"]["client_id"].is_string());
}

#[test]
fn config_default_is_commented_toml() {
    let output = Command::new(env!("CARGO_BIN_EXE_atsgate")).args(["config", "default"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("max_attachment_bytes = 52428800"));
    assert!(text.parse::<toml::Table>().is_ok());
}

// Multi-threaded: the emulator must keep serving while the CLI runs as a blocking child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_rotate_reencrypts_every_credential() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let emulator = atsgate_emulators::start("greenhouse", listener, Default::default()).await.unwrap();
    let mut args: Vec<String> = ["integrations", "create", "--tool", "greenhouse", "--base-url", &emulator.base_url]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(["--auth-url".to_string(), emulator.auth_url.clone().unwrap()]);
    for (k, v) in &emulator.credentials {
        args.extend(["--credential".to_string(), format!("{k}={v}")]);
    }
    args.push("--json".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let id = atsgate(dir.path(), &refs)["id"].as_str().unwrap().to_string();
    let old_key = std::fs::read_to_string(dir.path().join("master.key")).unwrap();

    let rotated = atsgate(dir.path(), &["secrets", "rotate", "--json"]);
    assert_eq!(rotated["rotated"], 1);
    assert_eq!(rotated["key_file_updated"], true);
    assert!(rotated["master_key"].is_null(), "a file-held key is not printed");
    let new_key = std::fs::read_to_string(dir.path().join("master.key")).unwrap();
    assert_ne!(old_key, new_key);

    // The integration still works under the new key: a sync authenticates with the ATS.
    let synced = atsgate(dir.path(), &["sync", "--integration", &id, "--json"]);
    assert_eq!(synced["results"][0]["ok"], true, "{synced}");
}

#[test]
fn readme_support_matrix_is_the_generated_one() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme.find("<!-- support-matrix:start -->").expect("README has the support-matrix markers");
    let end = readme.find("<!-- support-matrix:end -->").unwrap();
    let section = readme[start..end].trim_start_matches("<!-- support-matrix:start -->").trim();
    let generated = atsgate::connectors::support_matrix_markdown(atsgate::Config::default().max_attachment_bytes);
    assert_eq!(section, generated.trim(), "regenerate with `atsgate tools --markdown`");
}

/// Runs the demo with debug logging, uploads through it, and checks that nothing secret reached
/// the log output: no API key, no `Authorization` value, no file content.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_keys_credentials_or_file_contents() {
    let dir = tempfile::tempdir().unwrap();
    let stderr_path = dir.path().join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_atsgate"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["demo", "--listen", "127.0.0.1:0", "--json", "--seed-candidates", "3"])
        .env("ATSGATE_LOG", "debug")
        .env_remove("ATSGATE_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let demo: Value = serde_json::from_str(&line).unwrap();
    let client = reqwest::Client::new();
    let secret_text = "PATIENT-ZERO-CONFIDENTIAL-CV";
    let data = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(secret_text)
    };
    for integration in demo["integrations"].as_array().unwrap() {
        let response = client
            .post(format!("{}/v1/ats/applications/{}/attachments", demo["gateway_url"].as_str().unwrap(), integration["application_id"].as_str().unwrap()))
            .bearer_auth(demo["api_key"].as_str().unwrap())
            .header("X-Integration-Id", integration["integration_id"].as_str().unwrap())
            .json(&serde_json::json!({"attachment": {"name": "cv.txt", "type": "CV", "content_type": "text/plain", "data": data}}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success() || response.status() == 400, "{}", response.status());
    }
    // The printed single-use link signs the operator in to the dashboard, once.
    let link = demo["sign_in_link"].as_str().expect("the demo prints a sign-in link");
    let token = link.split_once("token=").unwrap().1.to_string();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(client.get(link).send().await.unwrap().status(), 200);
    let sign_in = no_redirects
        .post(format!("{}/dashboard/signin/link", demo["gateway_url"].as_str().unwrap()))
        .header("sec-fetch-site", "same-origin")
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), 303);
    assert!(sign_in.headers()["set-cookie"].to_str().unwrap().starts_with("atsgate_session="));
    let _ = child.kill();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(logs.contains("request"), "debug logging was on and captured");
    let key = demo["api_key"].as_str().unwrap();
    for needle in [key, &key[5..], secret_text, &data, "Bearer ", "client_secret", &token] {
        assert!(!logs.contains(needle), "{needle:?} appeared in the log output");
    }
}

#[test]
fn users_are_created_listed_linked_reset_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let operator = atsgate(dir.path(), &["users", "create", "--email", "Ops@Example.com", "--admin", "--json"]);
    assert_eq!((operator["email"].as_str(), operator["operator"].as_bool()), (Some("ops@example.com"), Some(true)));
    let password = operator["password"].as_str().unwrap().to_string();
    assert!(password.len() >= 12, "a generated password is shown once");
    let mut child = Command::new(env!("CARGO_BIN_EXE_atsgate"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["users", "create", "--email", "ann@acme.test", "--workspace", "acme", "--password-stdin", "--json"])
        .env_remove("ATSGATE_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"a long enough password\n").unwrap();
    let member: Value = serde_json::from_slice(&child.wait_with_output().unwrap().stdout).unwrap();
    assert!(member["password"].is_null(), "a given password is not echoed");
    assert!(member["workspace_id"].is_string());

    let users = atsgate(dir.path(), &["users", "list", "--json"]);
    let users = users["users"].as_array().unwrap();
    assert_eq!(users.len(), 2);
    let listed = serde_json::to_string(users).unwrap();
    assert!(!listed.contains("argon2") && !listed.contains(&password), "never the password or its hash");

    let link = atsgate(dir.path(), &["users", "link", "--email", "ann@acme.test", "--json"]);
    assert!(link["sign_in_link"].as_str().unwrap().contains("/dashboard/signin/link?token="));
    let reset = atsgate(dir.path(), &["users", "reset-password", "ann@acme.test", "--json"]);
    assert!(reset["password"].as_str().is_some_and(|p| p.len() >= 12));
    atsgate(dir.path(), &["users", "disable", "ann@acme.test", "--json"]);
    let users = atsgate(dir.path(), &["users", "list", "--json"]);
    let ann = users["users"].as_array().unwrap().iter().find(|u| u["email"] == "ann@acme.test").unwrap().clone();
    assert!(ann["disabled_at"].is_string());

    let neither = Command::new(env!("CARGO_BIN_EXE_atsgate"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["users", "create", "--email", "x@y.test"])
        .output()
        .unwrap();
    assert!(!neither.status.success(), "a user is a member of a workspace or an operator");
}
