//! Emulator of the Oracle Recruiting Cloud REST resources atsgate uses
//! (Oracle Fusion HCM, `/hcmRestApi/resources/11.13.18.05`).
//!
//! Documentation the behaviour follows (facts only, nothing copied):
//! - https://docs.oracle.com/en/cloud/saas/human-resources/farws/api-recruiting-candidates-attachments-candidates.html
//! - https://docs.oracle.com/en/cloud/saas/human-resources/24b/farws/api-job-applications-attachments.html
//! - https://docs.oracle.com/en/cloud/saas/human-resources/farws/op-recruitingcandidates-candidatenumber-child-attachments-post.html
//! - /work/shared/spec/ats-apis.md §10 (Basic auth, base64 `FileContents`
//!   LOB read back at `…/enclosure/FileContents`, `CategoryName` values,
//!   ADF `limit`/`offset` + `hasMore`)
//!
//! Routes (under the API path): `recruitingJobRequisitions`,
//! `recruitingCandidates[/{CandidateNumber}[/child/attachments[/{id}[/enclosure/FileContents]]]]`,
//! `recruitingUIJobApplications[/{SubmissionId}[/child/{Attachments|InternalAttachments}[/{id}[/enclosure/FileContents]]]]`;
//! plus `/_emulator/*` (see `common::control`).
//!
//! UNCERTAIN points and the emulator's choice: attachment attribute names
//! (the Fusion attachment resource's `DatatypeCode`, `CategoryName`,
//! `FileName`/`UploadedFileName`, `Title` ≤ 80, `UploadedFileContentType`,
//! `FileContents`); any category is accepted on both application children;
//! the list attributes of requisitions, candidates and applications; the
//! rate limit (not researched: the shared fixed window, 429 + `Retry-After`).
//! Candidate and application files are separate stores, as Kombo's
//! `multi_post_to_all_current_applications` suggests. A file's
//! `actor_user_id` is its `CreatedBy`, the integration user.

mod api;
mod control;
mod model;
mod seed;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::Rng;
use serde_json::json;

use crate::common::control::router as control_router;
use crate::common::edge::{self, set_retry_after, Edge};
use crate::common::http;
use crate::common::ratelimit::FixedWindowLimiter;
use crate::{Built, EmulatorOptions};
use model::{Application, Attachment, Candidate, Requisition};

pub const API_PATH: &str = "/hcmRestApi/resources/11.13.18.05";
/// Base64 in JSON: room for ~100 MB files.
const BODY_LIMIT: usize = 150 * 1024 * 1024;
const ERROR_CONTENT_TYPE: &str = "application/vnd.oracle.adf.error+json";

pub struct Data {
    pub requisitions: BTreeMap<String, Requisition>,
    pub candidates: BTreeMap<u64, Candidate>,
    pub applications: BTreeMap<u64, Application>,
    pub attachments: BTreeMap<u64, Attachment>,
    pub next_attachment_id: u64,
}

/// A Fusion user able to call the REST API.
pub struct User {
    pub username: String,
    pub password: String,
    /// Holds the privilege to manage candidate and application attachments.
    pub can_upload: bool,
}

pub struct Oracle {
    data: RwLock<Data>,
    users: Vec<User>,
    limiter: FixedWindowLimiter,
    /// `{base_url}{API_PATH}`
    api_url: String,
}

impl Oracle {
    fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The ADF error body (REST framework version 4+).
pub fn error(status: StatusCode, detail: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = json!({
        "type": "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
        "title": title,
        "status": status.as_u16().to_string(),
        "detail": detail,
        "o:errorDetails": [{ "detail": detail, "o:errorCode": format!("{}", status.as_u16()) }],
    });
    let mut response = http::json(status, &body);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ERROR_CONTENT_TYPE));
    response
}

fn fault(status: StatusCode, retry_after_s: Option<u64>) -> Response {
    let mut response = error(status, status.canonical_reason().unwrap_or("Error"));
    if let Some(secs) = retry_after_s {
        set_retry_after(&mut response, secs);
    }
    response
}

/// Who is calling; put in the request extensions.
#[derive(Clone, Debug)]
pub struct Caller {
    pub username: String,
    pub can_upload: bool,
}

/// HTTP Basic authentication and the rate limit, in front of every API route.
async fn guard(State(orc): State<Arc<Oracle>>, mut request: Request, next: Next) -> Response {
    let credentials = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok());
    let user = credentials.as_deref().and_then(|c| c.split_once(':')).and_then(|(name, password)| {
        orc.users.iter().find(|u| u.username.eq_ignore_ascii_case(name) && u.password == password)
    });
    let Some(user) = user else {
        // Fusion answers a failed Basic login with an empty 401 and a challenge.
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"fusion\""));
        return response;
    };
    let decision = orc.limiter.check(&user.username);
    if !decision.allowed {
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
        set_retry_after(&mut response, decision.retry_after_secs);
        return response;
    }
    request.extensions_mut().insert(Caller { username: user.username.clone(), can_upload: user.can_upload });
    next.run(request).await
}

fn random_secret() -> String {
    let mut rng = rand::thread_rng();
    (0..16).map(|_| format!("{:02x}", rng.gen::<u8>())).collect()
}

/// The calls an upload makes, in order (the gateway's connector makes the same ones).
pub(crate) const UPLOAD_STEPS: &[crate::UploadStep] = &[crate::UploadStep::stores("POST", "/child/")];

pub async fn build(base_url: String, options: &EmulatorOptions) -> anyhow::Result<Built> {
    let (count, seed) = (options.seed_candidates, options.seed);
    let seeded = tokio::task::spawn_blocking(move || seed::build(count, seed, chrono::Utc::now())).await?;
    let user = |name: &str, can_upload| User { username: name.to_owned(), password: random_secret(), can_upload };
    let users = vec![
        user("HCM_INTEGRATION", true),
        user("HCM_READONLY", false),
        user("RECRUITER.ONE", true),
        user("RECRUITER.TWO", true),
    ];
    let credentials_of = |u: &User| {
        BTreeMap::from([("username".to_owned(), u.username.clone()), ("password".to_owned(), u.password.clone())])
    };
    let (credentials, readonly_credentials) = (credentials_of(&users[0]), credentials_of(&users[1]));
    let other_user_ids = users[2..].iter().map(|u| u.username.clone()).collect();

    let orc = Arc::new(Oracle {
        data: RwLock::new(Data {
            requisitions: seeded.requisitions,
            candidates: seeded.candidates,
            applications: seeded.applications,
            attachments: BTreeMap::new(),
            next_attachment_id: 300_200_000_001,
        }),
        users,
        limiter: FixedWindowLimiter::from_options(options),
        api_url: format!("{base_url}{API_PATH}"),
    });

    let (edge, log, faults) = Edge::fresh(fault);

    let api = Router::new()
        .route("/recruitingJobRequisitions", get(api::requisitions))
        .route("/recruitingCandidates", get(api::candidates))
        .route("/recruitingCandidates/{number}", get(api::candidate))
        .route(
            "/recruitingCandidates/{number}/child/attachments",
            get(api::candidate_attachments).post(api::upload_to_candidate),
        )
        .route("/recruitingCandidates/{number}/child/attachments/{id}", get(api::candidate_attachment))
        .route("/recruitingCandidates/{number}/child/attachments/{id}/enclosure/FileContents", get(api::candidate_file))
        .route("/recruitingUIJobApplications", get(api::applications))
        .route("/recruitingUIJobApplications/{sid}", get(api::application))
        .route(
            "/recruitingUIJobApplications/{sid}/child/{child}",
            get(api::application_attachments).post(api::upload_to_application),
        )
        .route("/recruitingUIJobApplications/{sid}/child/{child}/{id}", get(api::application_attachment))
        .route(
            "/recruitingUIJobApplications/{sid}/child/{child}/{id}/enclosure/FileContents",
            get(api::application_file),
        )
        .route_layer(from_fn_with_state(orc.clone(), guard))
        .with_state(orc.clone());
    // The edge wraps the nested router so it logs and matches the full path.
    let vendor_api = Router::new().nest(API_PATH, api).layer(from_fn_with_state(edge, edge::middleware));

    let router = Router::new()
        .merge(vendor_api)
        .merge(control_router(Arc::new(control::Control(orc)), log, faults))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "The requested resource does not exist") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT));

    Ok(Built { router, auth_url: None, credentials, readonly_credentials, other_user_ids, upload_steps: UPLOAD_STEPS })
}
