//! Token endpoint, bearer checks, scopes and the rate limiter.

use atsgate_emulators::EmulatorOptions;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::harness::*;

#[tokio::test]
async fn token_flow_and_unauthorized_answers() {
    let h = Harness::start(small()).await;
    let creds = h.emu.credentials.clone();
    assert_eq!(h.emu.auth_url, Some(format!("{}/auth", h.emu.base_url)));
    assert_eq!(h.emu.other_user_ids.len(), 2);
    assert_eq!(h.emu.info_json()["tool"], "greenhouse");

    let ok = h.token_for(&creds, &creds["user_id"]).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(content_type(&ok), "application/json;charset=utf-8");
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(h.get(token, "/v3/jobs").await.status(), StatusCode::OK);

    let other_sub = h.token_for(&creds, &h.emu.other_user_ids[0]).await;
    assert_eq!(other_sub.status(), StatusCode::OK);

    let mut wrong = creds.clone();
    wrong.insert("client_secret".into(), "nope".into());
    let denied = h.token_for(&wrong, &creds["user_id"]).await;
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(denied.json::<Value>().await.unwrap(), json!({"error": "invalid_client"}));

    let anonymous = h
        .http
        .post(format!("{}/token", h.emu.auth_url.as_deref().unwrap()))
        .form(&[("grant_type", "client_credentials"), ("sub", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let grant = h
        .http
        .post(format!("{}/token", h.emu.auth_url.as_deref().unwrap()))
        .basic_auth(&creds["client_id"], Some(&creds["client_secret"]))
        .form(&[("grant_type", "password"), ("sub", creds["user_id"].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), StatusCode::BAD_REQUEST);
    assert_eq!(grant.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");

    for sub in ["", "999"] {
        let bad_sub = h.token_for(&creds, sub).await;
        assert_eq!(bad_sub.status(), StatusCode::BAD_REQUEST);
        assert_eq!(bad_sub.json::<Value>().await.unwrap()["error"], "invalid_grant");
    }

    let no_token = h.http.get(h.url("/v3/candidates")).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(content_type(&no_token), "application/json;charset=utf-8");
    assert_eq!(no_token.json::<Value>().await.unwrap(), json!({"message": "Unauthorized"}));
    assert_eq!(h.get("bogus", "/v3/candidates").await.status(), StatusCode::UNAUTHORIZED);

    // A zero TTL makes every token expired on arrival: no sleeping needed.
    let expiring = Harness::start(EmulatorOptions { token_ttl_secs: 0, ..small() }).await;
    let stale = expiring.token().await;
    assert_eq!(expiring.get(&stale, "/v3/jobs").await.status(), StatusCode::UNAUTHORIZED);

    let requests = h.control("/_emulator/requests").await;
    assert!(requests.as_array().unwrap().iter().any(|r| r["path"] == "/auth/token" && r["status"] == 401));
    h.emu.shutdown().await;
}

#[tokio::test]
async fn readonly_client_cannot_upload() {
    let h = Harness::start(small()).await;
    let creds = h.emu.readonly_credentials.clone();
    let body: Value = h.token_for(&creds, &creds["user_id"]).await.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    let application = h.first_application(token).await;
    assert!(application["id"].is_u64(), "reads are allowed");
    let denied = h.upload(token, &upload_body(&application["id"], "cv.pdf", "resume", b"x")).await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        denied.json::<Value>().await.unwrap(),
        json!({"message": "Forbidden: missing scope harvest:attachments:create"})
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let h = Harness::start(EmulatorOptions { rate_limit_per_window: 3, ..small() }).await;
    let token = h.token().await;
    for remaining in ["2", "1", "0"] {
        let ok = h.get(&token, "/v3/jobs").await;
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()["x-ratelimit-limit"], "3");
        assert_eq!(ok.headers()["x-ratelimit-remaining"], remaining);
    }
    let limited = h.get(&token, "/v3/jobs").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry));
    assert!(limited.headers().contains_key("x-ratelimit-reset"));
    assert_eq!(limited.json::<Value>().await.unwrap(), json!({"message": "Too Many Requests"}));
}

#[tokio::test]
async fn expired_tokens_are_refused_until_a_new_one_is_fetched() {
    let h = Harness::start(small()).await;
    let token = h.token().await;
    assert_eq!(h.get(&token, "/v3/jobs").await.status(), StatusCode::OK);

    let answer: Value = h.http.post(h.url("/_emulator/expire-tokens")).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer, json!({"expired": 1, "static_credentials": false}));
    let refused = h.get(&token, "/v3/jobs").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "the expired token no longer works");

    let renewed = h.token().await;
    assert_ne!(renewed, token);
    assert_eq!(h.get(&renewed, "/v3/jobs").await.status(), StatusCode::OK, "a new token works");
}
