//! Reading attachments on demand (spec §2): list the files from the ATS, and hand out for each a
//! signed, expiring `data_url` served by atsgate that streams the file from the ATS.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use crate::{
    app::App,
    connectors::{AttachTarget, FileStream, RemoteAttachment},
    error::{Error, Result},
    ids::stable_id,
    store::Integration,
    sync::normalize_ts,
};

/// How long a `data_url` stays valid.
const URL_LIFETIME_SECS: i64 = 3600;

#[derive(Debug, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub remote_id: String,
    /// `CV`, `COVER_LETTER` or `OTHER`.
    #[serde(rename = "type")]
    pub kind: String,
    pub data_url: String,
    pub file_name: String,
    pub content_type: String,
    pub remote_created_at: Option<String>,
    pub remote_updated_at: Option<String>,
    /// Only on the candidate endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
}

/// What a signed download URL carries.
#[derive(Serialize, Deserialize)]
struct Grant {
    /// Integration id.
    i: String,
    /// The connector's download reference.
    r: String,
    /// File name and content type to answer with.
    n: String,
    c: String,
    /// Expiry, unix seconds.
    e: i64,
}

fn sign(app: &App, payload: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&app.master_key.derive("attachment-download-urls")).expect("any key length");
    mac.update(payload.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn data_url(app: &App, integration: &Integration, file: &RemoteAttachment, content_type: &str) -> Result<String> {
    let grant = Grant {
        i: integration.id.clone(),
        r: file.download_ref.clone(),
        n: file.file_name.clone(),
        c: content_type.to_string(),
        e: chrono::Utc::now().timestamp() + URL_LIFETIME_SECS,
    };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&grant).map_err(Error::internal)?);
    Ok(format!("{}/attachments/{payload}.{}", app.public_url, sign(app, &payload)))
}

pub async fn list_for_application(
    app: &App,
    integration: &Integration,
    application_id: &str,
) -> Result<Vec<Attachment>> {
    let application = super::live_application(app, integration, application_id).await?;
    let connector = app.connector(integration).await?;
    let target = if connector.capabilities().attach_to_application {
        AttachTarget::Application {
            remote_id: application.remote_id,
            candidate_remote_id: application.candidate_remote_id,
        }
    } else {
        // The ATS keeps files on the candidate: read them there (spec §2).
        let remote_id = application
            .candidate_remote_id
            .ok_or_else(|| Error::NotFound("The application has no candidate".into()))?;
        AttachTarget::Candidate { remote_id }
    };
    let files = connector.list_attachments(&target).await?;
    files.iter().map(|f| to_unified(app, integration, f, false)).collect()
}

pub async fn list_for_candidate(app: &App, integration: &Integration, candidate_id: &str) -> Result<Vec<Attachment>> {
    let candidate = super::live_candidate(app, integration, candidate_id).await?;
    let connector = app.connector(integration).await?;
    let files = connector.list_attachments(&AttachTarget::Candidate { remote_id: candidate.remote_id.clone() }).await?;
    files
        .iter()
        .map(|f| {
            let mut unified = to_unified(app, integration, f, true)?;
            unified.candidate_id = Some(
                f.candidate_remote_id
                    .as_deref()
                    .map_or(candidate.id.clone(), |r| stable_id(&integration.id, "candidate", r)),
            );
            Ok(unified)
        })
        .collect()
}

fn to_unified(app: &App, integration: &Integration, file: &RemoteAttachment, with_ids: bool) -> Result<Attachment> {
    let content_type = file.content_type.clone().unwrap_or_else(|| "application/octet-stream".into());
    Ok(Attachment {
        id: stable_id(&integration.id, "attachment", &file.remote_id),
        remote_id: file.remote_id.clone(),
        kind: file.kind.as_str().to_string(),
        data_url: data_url(app, integration, file, &content_type)?,
        file_name: file.file_name.clone(),
        remote_created_at: normalize_ts(file.remote_created_at.as_deref()),
        remote_updated_at: normalize_ts(file.remote_updated_at.as_deref()),
        content_type,
        application_id: with_ids
            .then(|| file.application_remote_id.as_deref().map(|r| stable_id(&integration.id, "application", r))),
        candidate_id: None,
    })
}

/// A verified download: which integration, and the file's name and type.
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub stream: FileStream,
}

/// Streams the file behind a signed `data_url` token from the ATS.
pub async fn download(app: &App, token: &str) -> Result<Download> {
    let invalid = || Error::NotFound("This download link is invalid or has expired".into());
    let (payload, signature) = token.split_once('.').ok_or_else(invalid)?;
    let expected = sign(app, payload);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), signature.as_bytes())) {
        return Err(invalid());
    }
    let raw = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
    let grant: Grant = serde_json::from_slice(&raw).map_err(|_| invalid())?;
    if grant.e < chrono::Utc::now().timestamp() {
        return Err(invalid());
    }
    let integration = app.store.get_integration(&grant.i).await?.ok_or_else(invalid)?;
    let connector = app.connector(&integration).await?;
    let stream = connector.download_attachment(&grant.r).await?;
    let content_type = stream.content_type.clone().unwrap_or(grant.c);
    Ok(Download { file_name: grant.n, content_type, stream })
}
