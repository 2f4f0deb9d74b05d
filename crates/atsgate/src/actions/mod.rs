//! Actions: the domain operations behind the API and the CLI. No HTTP or SQL types here; they
//! work on `App` services, store rows and connector calls.

pub mod admin;
pub mod attachment_input;
pub mod attachments;
pub mod listing;
pub mod permissions;
pub mod reading;
pub mod restrictions;

/// A message for the caller that does not stop the action (spec: `warnings[].message`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub message: String,
}

impl Warning {
    pub fn new(message: impl Into<String>) -> Self {
        Warning { message: message.into() }
    }
}
