//! OAuth 2.0 token sources: the client-credentials grant (RFC 6749 §4.4) and the assertion
//! grants, SAML 2.0 bearer (RFC 7522) and JWT bearer (RFC 7523). Token endpoint failures use
//! OAuth's own error body (`{"error", "error_description"}`, RFC 6749 §5.2), read here once.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;

use super::{
    auth::{Caller, Issued, TokenSource},
    dialect::{check, ErrorDialect, Said},
};
use crate::connectors::error::{ConnectorError, FailureKind};

/// Lifetime assumed when a token answer has no `expires_in`.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// RFC 6749 §5.2 errors. `invalid_grant` means the grant's own parameters (the acting user, the
/// assertion) were refused; every other 400/401 means the client's credentials were.
pub struct OAuthErrors {
    /// Said with `invalid_grant`, e.g. which field names the refused user.
    pub invalid_grant_advice: Option<&'static str>,
}

impl ErrorDialect for OAuthErrors {
    fn read(&self, body: &str) -> Said {
        match serde_json::from_str::<OAuthErrorBody>(body) {
            Ok(OAuthErrorBody { error: Some(code), error_description }) => {
                Said::new(Some(code), error_description.unwrap_or_default())
            }
            _ => Said::text(body),
        }
    }

    fn kind(&self, status: u16, said: &Said) -> Option<FailureKind> {
        match (status, said.code.as_deref()) {
            (400, Some("invalid_grant")) => Some(FailureKind::RejectedInput),
            (400 | 401, _) => Some(FailureKind::Unauthorized),
            _ => None,
        }
    }

    fn advice(&self, kind: FailureKind) -> Option<&'static str> {
        (kind == FailureKind::RejectedInput).then_some(self.invalid_grant_advice).flatten()
    }
}

/// How a client proves itself at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic `client_id:client_secret` (RFC 6749 §2.3.1, preferred).
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Form,
}

/// Posts a token request and reads the answer.
async fn request_token(
    caller: &Caller<'_>,
    url: &str,
    form: &[(String, String)],
    basic: Option<(&str, &str)>,
    errors: &OAuthErrors,
    default_lifetime: Duration,
) -> Result<Issued, ConnectorError> {
    let response = caller
        .send(Method::POST, url, |r| {
            let r = match basic {
                Some((id, secret)) => r.basic_auth(id, Some(secret)),
                None => r,
            };
            r.form(form)
        })
        .await?;
    let response = check(response, caller.vendor, errors).await?;
    let body = response.bytes().await.map_err(|e| ConnectorError::unreadable(caller.vendor, "token answer", e))?;
    let answer: TokenAnswer =
        serde_json::from_slice(&body).map_err(|e| ConnectorError::unreadable(caller.vendor, "token answer", e))?;
    Ok(Issued {
        token: answer.access_token,
        lifetime: Some(answer.expires_in.map_or(default_lifetime, Duration::from_secs)),
        base_url: None,
    })
}

/// The client-credentials grant.
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub client_auth: ClientAuth,
    pub scope: Option<String>,
    /// The form field naming the acting user, for vendors whose tokens act as one (`sub`).
    pub subject_field: Option<&'static str>,
    /// More form fields the vendor wants.
    pub extra: Vec<(String, String)>,
    pub default_lifetime: Duration,
    pub errors: OAuthErrors,
}

impl ClientCredentials {
    pub fn new(token_url: String, client_id: String, client_secret: String) -> Self {
        ClientCredentials {
            token_url,
            client_id,
            client_secret,
            client_auth: ClientAuth::Basic,
            scope: None,
            subject_field: None,
            extra: Vec::new(),
            default_lifetime: DEFAULT_LIFETIME,
            errors: OAuthErrors { invalid_grant_advice: None },
        }
    }
}

#[async_trait]
impl TokenSource for ClientCredentials {
    async fn issue(&self, caller: &Caller<'_>, subject: &str) -> Result<Issued, ConnectorError> {
        let mut form = vec![("grant_type".to_string(), "client_credentials".to_string())];
        if let Some(field) = self.subject_field {
            form.push((field.to_string(), subject.to_string()));
        }
        if let Some(scope) = &self.scope {
            form.push(("scope".into(), scope.clone()));
        }
        if self.client_auth == ClientAuth::Form {
            form.push(("client_id".into(), self.client_id.clone()));
            form.push(("client_secret".into(), self.client_secret.clone()));
        }
        form.extend(self.extra.iter().cloned());
        let basic =
            (self.client_auth == ClientAuth::Basic).then_some((self.client_id.as_str(), self.client_secret.as_str()));
        request_token(caller, &self.token_url, &form, basic, &self.errors, self.default_lifetime).await
    }
}

/// Which assertion grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionKind {
    /// RFC 7522 (SAP SuccessFactors).
    Saml2Bearer,
    /// RFC 7523.
    JwtBearer,
}

impl AssertionKind {
    fn grant_type(self) -> &'static str {
        match self {
            AssertionKind::Saml2Bearer => "urn:ietf:params:oauth:grant-type:saml2-bearer",
            AssertionKind::JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        }
    }
}

/// Where an assertion comes from: signed by the vendor's identity provider on request, or
/// given with the integration.
#[async_trait]
pub trait AssertionSource: Send + Sync {
    async fn assertion(&self, caller: &Caller<'_>, subject: &str) -> Result<String, ConnectorError>;
}

/// An assertion configured with the integration (signed elsewhere).
pub struct GivenAssertion(pub String);

#[async_trait]
impl AssertionSource for GivenAssertion {
    async fn assertion(&self, _caller: &Caller<'_>, _subject: &str) -> Result<String, ConnectorError> {
        Ok(self.0.clone())
    }
}

/// An assertion an identity-provider endpoint signs on a form POST and returns as the body
/// (SuccessFactors' `/oauth/idp`).
pub struct FetchedAssertion {
    pub url: String,
    pub form: Vec<(String, String)>,
    /// The form field naming the acting user.
    pub subject_field: Option<&'static str>,
}

#[async_trait]
impl AssertionSource for FetchedAssertion {
    async fn assertion(&self, caller: &Caller<'_>, subject: &str) -> Result<String, ConnectorError> {
        let mut form = self.form.clone();
        if let Some(field) = self.subject_field {
            form.push((field.to_string(), subject.to_string()));
        }
        let response = caller.send(Method::POST, &self.url, |r| r.form(&form)).await?;
        let errors = OAuthErrors { invalid_grant_advice: None };
        let response = check(response, caller.vendor, &errors).await?;
        let text = response.text().await.map_err(|e| ConnectorError::unreadable(caller.vendor, "assertion", e))?;
        Ok(text.trim().to_string())
    }
}

/// The SAML 2.0 or JWT bearer grant.
pub struct AssertionGrant {
    pub token_url: String,
    pub kind: AssertionKind,
    pub assertion: Box<dyn AssertionSource>,
    /// Form fields the vendor wants beside the assertion (`client_id`, `company_id`).
    pub extra: Vec<(String, String)>,
    pub default_lifetime: Duration,
    pub errors: OAuthErrors,
}

#[async_trait]
impl TokenSource for AssertionGrant {
    async fn issue(&self, caller: &Caller<'_>, subject: &str) -> Result<Issued, ConnectorError> {
        let assertion = self.assertion.assertion(caller, subject).await?;
        let mut form =
            vec![("grant_type".to_string(), self.kind.grant_type().to_string()), ("assertion".to_string(), assertion)];
        form.extend(self.extra.iter().cloned());
        request_token(caller, &self.token_url, &form, None, &self.errors, self.default_lifetime).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::kit::dialect::classify;

    #[test]
    fn token_endpoint_errors_tell_a_refused_grant_from_refused_credentials() {
        let errors = OAuthErrors { invalid_grant_advice: Some("check the acting user") };
        let classify = |status, body: &str| classify("Acme", &errors, status, None, errors.read(body));
        let grant = classify(400, r#"{"error":"invalid_grant","error_description":"sub 9 is not a user"}"#);
        assert_eq!(grant.kind, FailureKind::RejectedInput);
        assert_eq!((grant.code.as_deref(), grant.message.as_str()), (Some("invalid_grant"), "sub 9 is not a user"));
        assert!(grant.to_string().contains("check the acting user"));
        assert_eq!(classify(401, r#"{"error":"invalid_client"}"#).kind, FailureKind::Unauthorized);
        assert_eq!(classify(400, r#"{"error":"unsupported_grant_type"}"#).kind, FailureKind::Unauthorized);
        assert_eq!(classify(503, "down").kind, FailureKind::Unavailable);
    }

    #[test]
    fn assertion_grants_use_the_registered_grant_types() {
        assert_eq!(AssertionKind::Saml2Bearer.grant_type(), "urn:ietf:params:oauth:grant-type:saml2-bearer");
        assert_eq!(AssertionKind::JwtBearer.grant_type(), "urn:ietf:params:oauth:grant-type:jwt-bearer");
    }
}
