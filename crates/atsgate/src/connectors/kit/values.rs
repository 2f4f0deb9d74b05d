//! Small readers for what vendors send and need: ids as text, path segments, names, file names
//! from URLs, and the integration's credentials.

use std::collections::BTreeMap;

/// Vendor ids arrive as JSON numbers or strings; keep their text either way.
pub fn id_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The path segment form of a remote id (ids look URL-safe, but never trust that).
pub fn segment(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// "Jane van Dyke" → ("Jane", "van Dyke"), for vendors that keep one name string and whose
/// convention is a single first name.
pub fn split_first_space(name: Option<String>) -> (Option<String>, Option<String>) {
    let Some(name) = name else { return (None, None) };
    match name.trim().split_once(' ') {
        Some((first, last)) => (Some(first.to_string()), Some(last.trim().to_string())),
        None => (Some(name.trim().to_string()), None),
    }
}

/// The percent-decoded last path segment of a file URL, for vendors that name files only by URL.
pub fn url_file_name(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.path_segments()?.next_back().map(str::to_string))
        .map(|segment| percent_encoding::percent_decode_str(&segment).decode_utf8_lossy().into_owned())
        .filter(|name| !name.is_empty())
}

/// A required, non-blank credential (trimmed); the error names the tool and the missing key.
pub fn credential(credentials: &BTreeMap<String, String>, tool: &str, key: &str) -> anyhow::Result<String> {
    credentials
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("{tool} integration needs the credential {key:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_names_and_file_names() {
        assert_eq!(id_text(&serde_json::json!(42)), "42");
        assert_eq!(id_text(&serde_json::json!("a-1")), "a-1");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
        assert_eq!(split_first_space(Some(" Jane van Dyke ".into())), (Some("Jane".into()), Some("van Dyke".into())));
        assert_eq!(url_file_name("https://s.io/x/My%20CV.pdf?sig=1").as_deref(), Some("My CV.pdf"));
        assert_eq!(url_file_name("https://s.io/"), None);
    }

    #[test]
    fn credentials_must_be_present_and_not_blank() {
        let credentials = BTreeMap::from([("a".to_string(), " k ".to_string()), ("b".to_string(), "  ".to_string())]);
        assert_eq!(credential(&credentials, "acme", "a").unwrap(), "k");
        let err = credential(&credentials, "acme", "b").unwrap_err().to_string();
        assert_eq!(err, "acme integration needs the credential \"b\"");
    }
}
