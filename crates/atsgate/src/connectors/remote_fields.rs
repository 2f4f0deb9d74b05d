//! `remote_fields`, declared by the connectors. Each connector that takes remote fields
//! declares its part once ([`RemoteFields`]): the key under `remote_fields`, each field's path,
//! JSON type, endpoints, meaning and description, and a parser that turns the values into the
//! connector's own private options type ([`ToolOptions`]). Request validation, the OpenAPI
//! document and the conformance suite all read these declarations.
//!
//! Kombo's schema leaves `remote_fields` open (no `additionalProperties: false` anywhere), so
//! validation only holds an integration's own tool to its declared fields; everything else is
//! ignored with a warning.

use std::{any::Any, fmt, sync::Arc};

use serde_json::Value;

/// Which "add attachment" endpoint a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Application,
    Candidate,
}

/// Where a field is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoints {
    Both,
    ApplicationOnly,
}

impl Endpoints {
    pub fn accepts(self, endpoint: Endpoint) -> bool {
        self == Endpoints::Both || endpoint == Endpoint::Application
    }
}

/// The JSON type a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Boolean,
    /// A string, one of these.
    Enum(&'static [&'static str]),
}

/// What a field does, in unified terms (so checks can be written once for every tool).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// The vendor user recorded as having made the upload.
    ActingUser,
    /// The vendor's file type or category, instead of the one mapped from the Kombo type.
    DocumentCategory,
    /// Anything else.
    Behaviour,
}

/// One declared field.
#[derive(Debug)]
pub struct RemoteField {
    /// Keys below the tool's key, e.g. `["post_headers", "On-Behalf-Of"]`.
    pub path: &'static [&'static str],
    pub json_type: JsonType,
    /// Kombo's schema allows `null` (which always means "not given").
    pub nullable: bool,
    pub endpoints: Endpoints,
    pub meaning: Meaning,
    pub description: &'static str,
}

/// A connector's part of `remote_fields`.
pub struct RemoteFields {
    /// The key under `remote_fields` (Kombo's name for the tool, e.g. `oracle`).
    pub key: &'static str,
    pub fields: &'static [RemoteField],
    /// Turns the given values (already checked against the declared types and endpoints) into
    /// the connector's options; a value the vendor cannot use is an error naming the field.
    pub parse: fn(&Given<'_>) -> Result<Parsed, FieldError>,
}

impl RemoteFields {
    /// The full name of a field, as callers write it: `remote_fields.greenhouse.post_headers.On-Behalf-Of`.
    pub fn name(&self, path: &[&str]) -> String {
        let mut name = format!("remote_fields.{}", self.key);
        for key in path {
            name.push('.');
            name.push_str(key);
        }
        name
    }
}

impl fmt::Debug for RemoteFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteFields").field("key", &self.key).field("fields", &self.fields).finish()
    }
}

/// The values an integration's own tool was given, by declared field.
pub struct Given<'a> {
    pub fields: &'static RemoteFields,
    pub values: Vec<(&'static RemoteField, &'a Value)>,
}

impl Given<'_> {
    fn value(&self, path: &[&str]) -> Option<&Value> {
        self.values.iter().find(|(field, _)| field.path == path).map(|(_, value)| *value)
    }

    pub fn str(&self, path: &[&str]) -> Option<&str> {
        self.value(path).and_then(Value::as_str)
    }

    pub fn bool(&self, path: &[&str]) -> Option<bool> {
        self.value(path).and_then(Value::as_bool)
    }

    /// An error naming the field.
    pub fn error(&self, path: &[&str], problem: impl Into<String>) -> FieldError {
        FieldError { field: self.fields.name(path), problem: problem.into() }
    }
}

/// What a connector made of its fields.
#[derive(Debug, Default)]
pub struct Parsed {
    pub options: ToolOptions,
    /// What was ignored and why, for the answer's `warnings`.
    pub notes: Vec<String>,
}

/// A value that cannot be used; `field` is its full name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {problem}")]
pub struct FieldError {
    pub field: String,
    pub problem: String,
}

/// A connector's parsed options, opaque to everyone else.
#[derive(Clone, Default)]
pub struct ToolOptions(Option<Arc<dyn Any + Send + Sync>>);

impl ToolOptions {
    pub fn new<T: Any + Send + Sync>(options: T) -> Self {
        ToolOptions(Some(Arc::new(options)))
    }

    /// The options, when they are the connector's type `T` (none were given otherwise).
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.0.as_deref().and_then(|options| options.downcast_ref())
    }
}

impl fmt::Debug for ToolOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() { "ToolOptions(..)" } else { "ToolOptions(none)" })
    }
}

/// A non-blank value without control characters, trimmed; `None` for a blank one.
pub fn user_id(given: &Given<'_>, path: &[&str]) -> Result<Option<String>, FieldError> {
    let Some(value) = given.str(path) else { return Ok(None) };
    if value.chars().any(char::is_control) {
        return Err(given.error(path, "must not contain control characters"));
    }
    Ok(Some(value.trim().to_string()).filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Mine(u8);

    #[test]
    fn options_are_read_back_only_as_their_own_type() {
        let options = ToolOptions::new(Mine(7));
        assert_eq!(options.get::<Mine>(), Some(&Mine(7)));
        assert_eq!(options.get::<String>(), None);
        assert_eq!(ToolOptions::default().get::<Mine>(), None);
    }
}
