//! Teamtailor's JSON:API documents (https://jsonapi.org/format/) as the API sends them.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

/// A JSON:API document whose primary data is `T`.
#[derive(Deserialize)]
pub struct Document<T> {
    pub data: T,
    #[serde(default)]
    pub included: Vec<Resource>,
    #[serde(default)]
    pub links: Links,
}

#[derive(Deserialize, Default)]
pub struct Links {
    pub next: Option<String>,
}

/// A JSON:API resource object; attributes are read by their dasherized names.
#[derive(Deserialize)]
pub struct Resource {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub relationships: Map<String, Value>,
}

impl Resource {
    pub fn text(&self, name: &str) -> Option<String> {
        match self.attributes.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The id linked by a to-one relationship (present when the relationship was included).
    pub fn related_id(&self, name: &str) -> Option<String> {
        let id = self.relationships.get(name)?.get("data")?.get("id")?;
        match id {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Included resources by (type, id).
pub fn index(included: &[Resource]) -> HashMap<(&str, &str), &Resource> {
    included.iter().map(|r| ((r.kind.as_str(), r.id.as_str()), r)).collect()
}

#[derive(Deserialize)]
pub struct ErrorDocument {
    #[serde(default)]
    pub errors: Vec<ErrorObject>,
}

#[derive(Deserialize)]
pub struct ErrorObject {
    pub title: Option<String>,
    pub detail: Option<String>,
    pub source: Option<ErrorSource>,
}

#[derive(Deserialize)]
pub struct ErrorSource {
    pub pointer: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn linkage_is_read_from_relationships() {
        let r: Resource = serde_json::from_value(json!({"id":"7","type":"job-applications",
            "relationships":{"job":{"data":{"type":"jobs","id":"3"}},"stage":{"links":{}}}}))
        .unwrap();
        assert_eq!(r.related_id("job").as_deref(), Some("3"));
        assert_eq!(r.related_id("stage"), None);
    }
}
