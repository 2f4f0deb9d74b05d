//! RFC 8288 `Link` header parsing, for vendors that paginate with `rel="next"`.

/// The URL of the `rel="next"` link, if any.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        is_next.then(|| target.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn finds_next_among_several_links() {
        let h = r#"<https://h.io/v3/jobs?cursor=abc>; rel="next", <https://h.io/v3/jobs?page=9>; rel="last""#;
        assert_eq!(next_link(h).as_deref(), Some("https://h.io/v3/jobs?cursor=abc"));
        assert_eq!(next_link(r#"<https://h.io/x>; rel="last""#), None);
    }
}
