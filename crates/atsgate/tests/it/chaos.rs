//! The chaos test: many concurrent uploads against an ATS that rate-limits, fails, stalls and
//! drops connections after storing. Afterwards every 200 matches exactly one file in the ATS,
//! every error matches none, and an answer that says the outcome is unknown matches at most
//! one: zero duplicates, zero losses, zero files stored behind an error.

use futures::StreamExt;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::json;

use crate::helpers::{sample_body, Options, TestApp};

const UPLOADS: usize = 200;
const CONCURRENCY: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_file_lost_or_duplicated_under_upstream_faults() {
    let app = TestApp::spawn_with(Options {
        upstream_max_retries: 3,
        configure: |c| {
            c.upstream_timeout_secs = 1;
            c.upstream_max_retry_after_secs = 1;
        },
        ..Options::default()
    })
    .await;
    let id = app.first_application().await["id"].as_str().unwrap().to_string();
    let path = format!("/v1/ats/applications/{id}/attachments");

    let mut rng = StdRng::seed_from_u64(7);
    let rules: Vec<_> = (0..90)
        .map(|_| match rng.gen_range(0..5) {
            0 => json!({"status": 429, "retry_after_s": 1, "times": 1, "path_prefix": "/v3/attachments"}),
            1 => json!({"status": 503, "times": 1, "path_prefix": "/v3/attachments"}),
            2 => json!({"delay_ms": 1500, "times": 1, "path_prefix": "/v3/attachments"}),
            3 => json!({"delay_ms": 200, "times": 1, "path_prefix": "/v3/attachments"}),
            _ => json!({"reset_after_store": true, "times": 1, "path_prefix": "/v3/attachments"}),
        })
        .collect();
    app.add_faults(json!(rules)).await;

    let results: Vec<(usize, u16, bool)> = futures::stream::iter(0..UPLOADS)
        .map(|i| {
            let body =
                sample_body("OTHER", &format!("chaos-{i}.txt"), format!("chaos payload {i}").as_bytes(), "text/plain");
            let request = app.request(reqwest::Method::POST, &path).json(&body);
            async move {
                let Ok(response) = request.send().await else { return (i, 0, false) };
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                (i, status, text.contains("outcome of the upload is unknown"))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;

    let files = app.emulator_files().await;
    let count = |i: usize| files.iter().filter(|f| f["filename"] == format!("chaos-{i}.txt").as_str()).count();
    let (mut ok, mut errors, mut unknown, mut duplicates, mut lost, mut phantom) = (0, 0, 0, 0, 0, 0);
    for (i, status, outcome_unknown) in &results {
        match (*status == 200, *outcome_unknown, count(*i)) {
            (_, _, n) if n > 1 => duplicates += 1,
            (true, _, 1) => ok += 1,
            (true, _, _) => lost += 1,
            (false, true, _) => unknown += 1,
            (false, false, 0) => errors += 1,
            (false, false, _) => phantom += 1,
        }
    }
    println!(
        "chaos: {UPLOADS} uploads at concurrency {CONCURRENCY}: {ok} succeeded with exactly one file, {errors} failed with no file, \
         {unknown} answered 'outcome unknown' (at most one file), {duplicates} duplicated, {lost} lost, {phantom} stored despite an error"
    );
    assert_eq!(results.len(), UPLOADS);
    assert_eq!((duplicates, lost, phantom), (0, 0, 0));
    assert!(ok > UPLOADS / 2, "most uploads get through the faults ({ok})");
}
