//! Walking vendor lists. A [`Pager`] guards one list: a clear error when the vendor hands back
//! the cursor it was just given (which would read the same page forever), and a page cap.
//!
//! The sync asks a connector for one page at a time and passes back the `next` it got. That
//! `next` is the vendor's own continuation, unchanged, so whoever drives the walk sees every
//! cursor as the vendor sent it (the sync engine remembers them all and stops on any repeat and
//! at its own cap); [`Pager::page`] itself catches the vendor repeating the cursor it was just
//! given. Walks inside one call (a candidate's files) use [`Pager::all`], which remembers every
//! cursor and stops at the page cap.
//!
//! How each vendor style finds its next token: offset/limit ([`offset_next`]), page number
//! ([`page_number_next`]), a next cursor or next URL in the body (read by the connector), the
//! `Link: rel="next"` header ([`link_next`]), OData's `__next` ([`ODataPage`]), and "search
//! returns ids, then fetch each" ([`fetch_each`]).

use std::collections::HashSet;

use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;

use crate::connectors::{error::PaginationError, ConnectorError, Page};

/// Pages one list may have, by default: far beyond any real account, low enough to end a loop.
pub const MAX_PAGES: u32 = 100_000;

/// Guards one vendor list.
#[derive(Debug, Clone, Copy)]
pub struct Pager {
    pub vendor: &'static str,
    pub list: &'static str,
    pub max_pages: u32,
}

impl Pager {
    pub const fn new(vendor: &'static str, list: &'static str) -> Pager {
        Pager { vendor, list, max_pages: MAX_PAGES }
    }

    pub const fn max_pages(self, max_pages: u32) -> Pager {
        Pager { max_pages, ..self }
    }

    fn repeated(&self, token: &str) -> ConnectorError {
        PaginationError::RepeatedCursor {
            vendor: self.vendor,
            list: self.list,
            cursor: token.chars().take(100).collect(),
        }
        .into()
    }

    /// One page for the sync: `fetch` gets the cursor (`None` first) and answers the page's
    /// items and the vendor's next cursor, which must differ from the one it was given.
    pub async fn page<T, F, Fut>(&self, cursor: Option<&str>, fetch: F) -> Result<Page<T>, ConnectorError>
    where
        F: FnOnce(Option<String>) -> Fut,
        Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ConnectorError>>,
    {
        let (items, next) = fetch(cursor.map(str::to_string)).await?;
        if let Some(next) = &next {
            if cursor == Some(next.as_str()) {
                return Err(self.repeated(next));
            }
        }
        Ok(Page { items, next })
    }

    /// Every page, within one call; any token seen before ends the walk with an error.
    pub async fn all<T, F, Fut>(&self, mut fetch: F) -> Result<Vec<T>, ConnectorError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>), ConnectorError>>,
    {
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        let mut token = None;
        for _ in 0..self.max_pages {
            let (items, next) = fetch(token.take()).await?;
            found.extend(items);
            match next {
                None => return Ok(found),
                Some(next) if !seen.insert(next.clone()) => return Err(self.repeated(&next)),
                Some(next) => token = Some(next),
            }
        }
        Err(PaginationError::PageCap { vendor: self.vendor, list: self.list, max_pages: self.max_pages }.into())
    }

    /// An offset cursor as a number.
    pub fn offset(&self, cursor: Option<&str>) -> Result<u64, ConnectorError> {
        match cursor {
            None => Ok(0),
            Some(c) => c.parse().map_err(|_| {
                PaginationError::BadCursor {
                    vendor: self.vendor,
                    list: self.list,
                    cursor: c.chars().take(100).collect(),
                }
                .into()
            }),
        }
    }
}

/// Offset/limit lists: the next offset when there may be more. `more` is the vendor's own flag
/// (`hasMore`) where it sends one; otherwise a full page means there may be another.
pub fn offset_next(offset: u64, served: usize, limit: u64, more: Option<bool>) -> Option<String> {
    if served == 0 {
        return None;
    }
    let more = more.unwrap_or(served as u64 >= limit);
    more.then(|| (offset + served as u64).to_string())
}

/// Page-number lists (1-based): the next page number when there may be more. `total_pages`
/// where the vendor says it; otherwise a full page means there may be another.
pub fn page_number_next(page: u64, served: usize, per_page: u64, total_pages: Option<u64>) -> Option<String> {
    let more = match total_pages {
        Some(total) => page < total,
        None => served > 0 && served as u64 >= per_page,
    };
    more.then(|| (page + 1).to_string())
}

/// The URL of RFC 8288's `rel="next"` link in a `Link` header.
pub fn link_next(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let header = headers.get(reqwest::header::LINK)?.to_str().ok()?;
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

/// An OData page: v2's `{"d": {"results": [...], "__next": url}}`, or v4's
/// `{"value": [...], "@odata.nextLink": url}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ODataPage<T> {
    V2 {
        d: ODataV2<T>,
    },
    V4 {
        value: Vec<T>,
        #[serde(rename = "@odata.nextLink")]
        next_link: Option<String>,
    },
}

#[derive(Debug, Deserialize)]
pub struct ODataV2<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    #[serde(rename = "__next")]
    pub next: Option<String>,
}

impl<T> ODataPage<T> {
    /// The items and the next page's URL.
    pub fn into_parts(self) -> (Vec<T>, Option<String>) {
        match self {
            ODataPage::V2 { d } => (d.results, d.next),
            ODataPage::V4 { value, next_link } => (value, next_link),
        }
    }
}

/// "Search returns ids, then fetch each": fetches up to `concurrency` records at once, in the
/// ids' order; a record gone since the search (`Ok(None)`) is left out.
pub async fn fetch_each<T, F, Fut>(ids: Vec<String>, concurrency: usize, fetch: F) -> Result<Vec<T>, ConnectorError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, ConnectorError>>,
{
    let found: Vec<Option<T>> =
        futures::stream::iter(ids).map(fetch).buffered(concurrency.max(1)).try_collect().await?;
    Ok(found.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGER: Pager = Pager::new("Acme", "candidates");

    /// Drives `page` the way the sync does, stopping (as the sync engine does) on a cursor it
    /// has seen; answers the cursors it was handed.
    async fn sync_walk(
        pager: Pager,
        vendor_next: impl Fn(Option<&str>) -> Option<String>,
    ) -> Result<Vec<String>, ConnectorError> {
        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        loop {
            let page = pager
                .page(cursor.as_deref(), |token| {
                    let next = vendor_next(token.as_deref());
                    async move { Ok((vec![()], next)) }
                })
                .await?;
            match page.next {
                Some(next) if seen.contains(&next) => return Ok(seen),
                Some(next) => {
                    seen.push(next.clone());
                    cursor = Some(next);
                }
                None => return Ok(seen),
            }
        }
    }

    #[tokio::test]
    async fn a_list_ends_when_the_vendor_has_no_next() {
        let cursors = sync_walk(PAGER, |token| match token {
            None => Some("b".into()),
            Some("b") => Some("c".into()),
            _ => None,
        })
        .await
        .unwrap();
        assert_eq!(cursors, ["b", "c"], "the vendor's cursors, unchanged");
    }

    #[tokio::test]
    async fn the_vendor_repeating_its_cursor_fails_with_a_clear_error() {
        let err = sync_walk(PAGER, |_| Some("again".into())).await.unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Pagination(PaginationError::RepeatedCursor { cursor, .. }) if cursor == "again"),
            "{err}"
        );
        assert!(err.to_string().contains("Acme repeated the cursor \"again\" while listing candidates"), "{err}");
    }

    #[tokio::test]
    async fn a_longer_cycle_shows_as_a_repeated_cursor_to_the_driver() {
        let cursors = sync_walk(PAGER, |token| Some(if token == Some("a") { "b" } else { "a" }.into())).await.unwrap();
        assert_eq!(cursors, ["a", "b"], "the driver saw `a` come back and stopped");
    }

    #[tokio::test]
    async fn a_walk_within_one_call_catches_any_cycle() {
        let cycle = |token: Option<String>| async move {
            let next = match token.as_deref() {
                None => "a",
                Some("a") => "b",
                Some("b") => "c",
                _ => "a",
            };
            Ok((vec![1], Some(next.to_string())))
        };
        let err = PAGER.all(cycle).await.unwrap_err();
        assert!(
            matches!(err, ConnectorError::Pagination(PaginationError::RepeatedCursor { ref cursor, .. }) if cursor == "a"),
            "{err}"
        );
        let finite = |token: Option<String>| async move {
            Ok(match token {
                None => (vec![1, 2], Some("x".to_string())),
                Some(_) => (vec![3], None),
            })
        };
        assert_eq!(PAGER.all(finite).await.unwrap(), vec![1, 2, 3]);
        let endless = |token: Option<String>| async move {
            let n: u32 = token.map_or(0, |t| t.parse().unwrap());
            Ok((vec![n], Some((n + 1).to_string())))
        };
        let capped = PAGER.max_pages(5).all(endless).await.unwrap_err();
        assert!(matches!(capped, ConnectorError::Pagination(PaginationError::PageCap { .. })), "{capped}");
    }

    #[test]
    fn offsets_must_be_numbers() {
        assert!(matches!(
            PAGER.offset(Some("12a")),
            Err(ConnectorError::Pagination(PaginationError::BadCursor { .. }))
        ));
        assert_eq!(PAGER.offset(Some("12")).unwrap(), 12);
        assert_eq!(PAGER.offset(None).unwrap(), 0);
    }

    #[test]
    fn offset_and_page_number_styles() {
        assert_eq!(offset_next(0, 100, 100, None).as_deref(), Some("100"));
        assert_eq!(offset_next(100, 40, 100, None), None);
        assert_eq!(offset_next(0, 40, 500, Some(true)).as_deref(), Some("40"), "the vendor's flag wins");
        assert_eq!(offset_next(0, 0, 100, Some(true)), None, "an empty page ends the list");
        assert_eq!(page_number_next(1, 50, 50, None).as_deref(), Some("2"));
        assert_eq!(page_number_next(3, 50, 50, Some(3)), None);
        assert_eq!(page_number_next(2, 10, 50, Some(3)).as_deref(), Some("3"));
    }

    #[test]
    fn link_headers_give_the_next_url() {
        let mut headers = reqwest::header::HeaderMap::new();
        let value = r#"<https://h.io/v3/jobs?cursor=abc>; rel="next", <https://h.io/v3/jobs?page=9>; rel="last""#;
        headers.insert(reqwest::header::LINK, value.parse().unwrap());
        assert_eq!(link_next(&headers).as_deref(), Some("https://h.io/v3/jobs?cursor=abc"));
        headers.insert(reqwest::header::LINK, r#"<https://h.io/x>; rel="last""#.parse().unwrap());
        assert_eq!(link_next(&headers), None);
    }

    #[test]
    fn odata_pages_of_both_versions() {
        let v2: ODataPage<u32> =
            serde_json::from_str(r#"{"d":{"results":[1,2],"__next":"https://sf/odata/v2/Candidate?$skiptoken=2"}}"#)
                .unwrap();
        assert_eq!(v2.into_parts(), (vec![1, 2], Some("https://sf/odata/v2/Candidate?$skiptoken=2".into())));
        let last: ODataPage<u32> = serde_json::from_str(r#"{"d":{"results":[3]}}"#).unwrap();
        assert_eq!(last.into_parts(), (vec![3], None));
        let v4: ODataPage<u32> = serde_json::from_str(r#"{"value":[4],"@odata.nextLink":"n"}"#).unwrap();
        assert_eq!(v4.into_parts(), (vec![4], Some("n".into())));
    }

    #[tokio::test]
    async fn search_then_fetch_keeps_order_and_skips_vanished_records() {
        let ids = (1..=6).map(|i| i.to_string()).collect();
        let found = fetch_each(ids, 3, |id| async move {
            let n: u32 = id.parse().unwrap();
            if n.is_multiple_of(2) {
                tokio::task::yield_now().await;
            }
            Ok((n != 4).then_some(n * 10))
        })
        .await
        .unwrap();
        assert_eq!(found, vec![10, 20, 30, 50, 60]);
    }
}
