//! List endpoints: cursor pagination, filters and object shapes.

use reqwest::StatusCode;
use serde_json::Value;

use super::harness::*;

#[tokio::test]
async fn pagination_follows_link_cursors() {
    let h = Harness::start(small()).await;
    let token = h.token().await;

    let mut url = h.url("/v3/candidates?per_page=10");
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let response = h.http.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["x-ratelimit-limit"], "500");
        let next = next_link(&response);
        let page: Vec<Value> = response.json().await.unwrap();
        pages += 1;
        ids.extend(page.iter().map(|c| c["id"].as_u64().unwrap()));
        match next {
            Some(next) => {
                assert!(next.starts_with(&h.url("/v3/candidates?cursor=")), "{next}");
                url = next;
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids.len(), 25);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending ids");

    // The cursor must travel alone; bad cursors and page sizes are 422.
    let first = h.get(&token, "/v3/candidates?per_page=10").await;
    let cursor_url = next_link(&first).unwrap();
    let mixed = h.http.get(format!("{cursor_url}&per_page=5")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(mixed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = mixed.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "cursor");
    for bad in ["/v3/candidates?cursor=garbage", "/v3/candidates?per_page=0", "/v3/candidates?per_page=501"] {
        assert_eq!(h.get(&token, bad).await.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    // Filters survive in the cursor: one candidate's applications, one per page.
    let candidate: Value =
        h.get(&token, "/v3/candidates?per_page=1").await.json::<Vec<Value>>().await.unwrap()[0].clone();
    let expected = candidate["application_ids"].as_array().unwrap().len();
    let mut url = h.url(&format!("/v3/applications?per_page=1&candidate_id={}", candidate["id"]));
    let mut seen = 0;
    loop {
        let response = h.http.get(&url).bearer_auth(&token).send().await.unwrap();
        let next = next_link(&response);
        let page: Vec<Value> = response.json().await.unwrap();
        assert!(page.iter().all(|a| a["candidate_id"] == candidate["id"]));
        seen += page.len();
        match next {
            Some(next) => url = next,
            None => break,
        }
    }
    assert_eq!(seen, expected);

    let future: Vec<Value> =
        h.get(&token, "/v3/candidates?updated_at[gte]=2999-01-01T00:00:00Z").await.json().await.unwrap();
    assert!(future.is_empty());
    let jobs: Vec<Value> = h.get(&token, "/v3/jobs").await.json().await.unwrap();
    assert_eq!(jobs[0]["id"], 30001);
    assert!(jobs[0]["created_at"].as_str().unwrap().ends_with('Z'));
    let users: Vec<Value> = h.get(&token, "/v3/users").await.json().await.unwrap();
    assert_eq!(users.len(), 3);
}
