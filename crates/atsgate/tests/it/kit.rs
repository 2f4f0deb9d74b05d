//! The connector kit against a small vendor of its own, for the auth kinds no emulated vendor
//! uses yet: a session login that names the API's URL (Bullhorn's shape) and is renewed when the
//! vendor expires it, and credentials that never leave the API's own origin.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use async_trait::async_trait;
use atsgate::{
    connectors::{
        kit::{
            auth::{Caller, Issued, TokenSource},
            Auth, Call, IssuedAuth, Placement, PlainErrors, VendorClient,
        },
        ConnectorError, FailureKind,
    },
    upstream::{Upstream, UpstreamPolicy},
};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

#[derive(Default)]
struct Vendor {
    base_url: Mutex<String>,
    logins: AtomicUsize,
    /// The live session: (token, path prefix number).
    session: Mutex<Option<(String, usize)>>,
    /// When set, every session is refused (a revoked integration).
    refuse_all: std::sync::atomic::AtomicBool,
    /// Authorization headers seen on `/elsewhere`.
    elsewhere_auth: Mutex<Vec<Option<String>>>,
}

async fn login(State(vendor): State<Arc<Vendor>>) -> Json<Value> {
    let n = vendor.logins.fetch_add(1, Ordering::SeqCst) + 1;
    let token = format!("session-{n}");
    *vendor.session.lock().unwrap() = Some((token.clone(), n));
    let base = vendor.base_url.lock().unwrap().clone();
    Json(json!({"BhRestToken": token, "restUrl": format!("{base}/rest-services/{n}/")}))
}

async fn entity(
    State(vendor): State<Arc<Vendor>>,
    Path(n): Path<usize>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let given = headers.get("BhRestToken").and_then(|v| v.to_str().ok()).map(str::to_string);
    let live = vendor.session.lock().unwrap().clone();
    let valid =
        !vendor.refuse_all.load(Ordering::SeqCst) && live.is_some_and(|(token, m)| Some(token) == given && m == n);
    if valid {
        (StatusCode::OK, Json(json!({"data": {"id": 7, "session": n}})))
    } else {
        (StatusCode::UNAUTHORIZED, Json(json!({"errorMessage": "Bad 'BhRestToken' or timed-out."})))
    }
}

async fn elsewhere(State(vendor): State<Arc<Vendor>>, headers: HeaderMap) -> Json<Value> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    vendor.elsewhere_auth.lock().unwrap().push(auth);
    Json(json!({}))
}

async fn serve(vendor: Arc<Vendor>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new()
        .route("/login", post(login))
        .route("/rest-services/{n}/entity", get(entity))
        .route("/elsewhere", get(elsewhere))
        .with_state(vendor);
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

fn upstream() -> Arc<Upstream> {
    let policy =
        UpstreamPolicy { timeout: Duration::from_secs(10), max_retries: 0, max_retry_after: Duration::from_secs(1) };
    Arc::new(Upstream::new(policy).unwrap())
}

/// The vendor-specific half of a session login: what to post and how to read the answer.
struct SessionLogin {
    login_url: String,
}

#[async_trait]
impl TokenSource for SessionLogin {
    async fn issue(&self, caller: &Caller<'_>, _subject: &str) -> Result<Issued, ConnectorError> {
        let response = caller.send(reqwest::Method::POST, &self.login_url, |r| r).await?;
        let answer: Value = response.json().await.map_err(|e| ConnectorError::unreadable(caller.vendor, "login", e))?;
        Ok(Issued {
            token: answer["BhRestToken"].as_str().unwrap_or_default().to_string(),
            lifetime: None,
            base_url: answer["restUrl"].as_str().map(str::to_string),
        })
    }
}

#[tokio::test]
async fn a_session_login_names_the_api_and_is_renewed_once_when_it_expires() {
    let vendor = Arc::new(Vendor::default());
    let base = serve(vendor.clone()).await;
    *vendor.base_url.lock().unwrap() = base.clone();
    let auth = IssuedAuth::new(
        SessionLogin { login_url: format!("{base}/login") },
        Placement::Header(reqwest::header::HeaderName::from_static("bhresttoken")),
    );
    // The configured base URL is only where the login lives; calls go to the session's restUrl.
    let client = VendorClient::new("Acme", &format!("{base}/nowhere"), Auth::issued(auth), &PlainErrors, upstream());

    let first: Value = client.get("entity", "entity").await.unwrap();
    assert_eq!(first["data"]["session"], 1, "the call went to the session's own URL");
    let again: Value = client.get("entity", "entity").await.unwrap();
    assert_eq!(again["data"]["session"], 1);
    assert_eq!(vendor.logins.load(Ordering::SeqCst), 1, "the session is reused");

    // The vendor times the session out: the next call is refused once, logs in again and succeeds.
    *vendor.session.lock().unwrap() = None;
    let renewed: Value = client.get("entity", "entity").await.unwrap();
    assert_eq!(renewed["data"]["session"], 2);
    assert_eq!(vendor.logins.load(Ordering::SeqCst), 2);

    // A vendor that refuses every session: one renewal, then the failure is reported as such.
    vendor.refuse_all.store(true, Ordering::SeqCst);
    let err = client.get::<Value>("entity", "entity").await.unwrap_err();
    let failure = err.vendor_error().expect("a vendor failure");
    assert_eq!((failure.kind, failure.status), (FailureKind::Unauthorized, 401));
    assert!(failure.message.contains("timed-out"), "{failure:?}");
    assert_eq!(vendor.logins.load(Ordering::SeqCst), 3, "renewed once, not in a loop");
}

#[tokio::test]
async fn credentials_never_leave_the_apis_origin() {
    let api = Arc::new(Vendor::default());
    let other = Arc::new(Vendor::default());
    let api_url = serve(api.clone()).await;
    let other_url = serve(other.clone()).await;
    let client = VendorClient::new("Acme", &api_url, Auth::Bearer("secret-key".into()), &PlainErrors, upstream());

    client.send(Call::get(&format!("{api_url}/elsewhere"))).await.unwrap();
    client.send(Call::get(&format!("{other_url}/elsewhere"))).await.unwrap();
    client.send(Call::get("/elsewhere").unauthenticated()).await.unwrap();
    assert_eq!(*api.elsewhere_auth.lock().unwrap(), vec![Some("Bearer secret-key".to_string()), None]);
    assert_eq!(*other.elsewhere_auth.lock().unwrap(), vec![None], "another host gets no key");
}
