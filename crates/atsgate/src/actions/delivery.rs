//! Delivering one file to the ATS exactly once, or saying plainly that it could not.
//!
//! The gateway lists the target's files before the first attempt (the baseline, recorded in the
//! request's journal so a later run of the same `Idempotency-Key` can use it). An attempt whose
//! answer is lost (timeout, connection lost after sending) is followed by a look at the ATS
//! (see `verification`): the file arrived → success; absent → try again; anything else → the
//! caller is told the outcome is unknown, never "success".

use std::time::Duration;

use crate::{
    app::App,
    connectors::{Connector, ConnectorError, FailureKind, RemoteAttachment, UploadRequest},
    error::{Error, Result},
    interaction,
};

use super::verification::{judge, Baseline, UploadJournal, Verdict};

/// How the interaction log names the listings made for delivery.
const BASELINE: &str = "baseline listing";
const SETTLE_CHECK: &str = "settle check";

/// How long the check for an uploaded file may keep retrying, in multiples of the settle time.
const CHECK_BUDGET_FACTOR: u32 = 5;

/// Longest wait for an ATS to finish a request we stopped waiting for, before checking for the file.
const MAX_SETTLE: Duration = Duration::from_secs(10);

/// Uploads `request` once, checking the ATS after every lost answer and before re-running a
/// request whose earlier run's outcome is unknown.
pub async fn deliver(
    app: &App,
    connector: &dyn Connector,
    request: &UploadRequest<'_>,
    journal: &dyn UploadJournal,
) -> Result<()> {
    // An ATS may still be working on a request we gave up on: give it as long again as we
    // waited (capped) before deciding the file is not there.
    let settle = Duration::from_secs(app.config.upstream_timeout_secs).min(MAX_SETTLE);
    let checker = Checker { connector, request, settle };
    let mut baseline = match journal.prior().filter(|b| b.is_for(&request.target, request.file_name)) {
        Some(prior) => {
            // An earlier run of this very request may have stored the file: look before uploading.
            tracing::info!("an earlier attempt of this request has an unknown outcome; checking the ATS first");
            match checker.settled_verdict(&prior).await? {
                Verdict::Arrived => return Ok(()),
                Verdict::Unknown(why) => return Err(unknown(&format!("an earlier attempt was cut short and {why}"))),
                Verdict::Absent => prior,
            }
        }
        None => {
            // A lost answer is worth another try here; a refusal is not (see below).
            let listed = checker.list(ConnectorError::is_ambiguous);
            let listed = match interaction::for_purpose(BASELINE, listed).await {
                Ok(files) => Some(files),
                // The ATS is refusing calls now: nothing was sent, so say so and let the caller retry.
                Err(err) if refuses_calls(&err) => return Err(err.into()),
                // Otherwise (e.g. credentials that may upload but not read) upload anyway: without
                // a baseline a lost answer is only resolved when no file of that name exists.
                Err(err) => {
                    tracing::warn!(error = %err.detailed(), "could not list the target's files before uploading");
                    None
                }
            };
            Baseline::new(&request.target, request.file_name, listed.as_deref())
        }
    };
    journal.record(&baseline).await?;
    let mut attempts = 0;
    loop {
        match connector.add_attachment(request).await {
            Ok(_) => return Ok(()),
            Err(err) if err.is_ambiguous() => {
                let message = err.detailed();
                tracing::warn!(%message, "ambiguous upload failure; checking the ATS before retrying");
                match checker.settled_verdict(&baseline).await? {
                    Verdict::Arrived => return Ok(()),
                    Verdict::Unknown(why) => return Err(unknown(&format!("{message}; {why}"))),
                    Verdict::Absent => {}
                }
                // Checked after the ATS had time to settle: a later run need not wait again.
                baseline.settled_absent = true;
                journal.record(&baseline).await?;
                if attempts >= app.config.upstream_max_retries {
                    return Err(Error::RemoteUnavailable {
                        message: format!("{message}; the file is not in the ATS, so retrying is safe"),
                        retry_after: None,
                    });
                }
                attempts += 1;
            }
            Err(other) => return Err(other.into()),
        }
    }
}

fn unknown(why: &str) -> Error {
    Error::RemoteUnavailable {
        message: format!(
            "The outcome of the upload is unknown: {why}. Check the ATS before uploading again, or retry \
             with the same Idempotency-Key (the gateway then checks first)"
        ),
        retry_after: None,
    }
}

struct Checker<'a, 'r> {
    connector: &'a dyn Connector,
    request: &'a UploadRequest<'r>,
    settle: Duration,
}

impl Checker<'_, '_> {
    /// Looks now and, when nothing is there yet and no earlier run already waited, once more
    /// after the ATS had `settle` to finish.
    async fn settled_verdict(&self, baseline: &Baseline) -> Result<Verdict> {
        let verdict = self.verdict(baseline).await?;
        if verdict != Verdict::Absent || baseline.settled_absent {
            return Ok(verdict);
        }
        tokio::time::sleep(self.settle).await;
        self.verdict(baseline).await
    }

    async fn verdict(&self, baseline: &Baseline) -> Result<Verdict> {
        match interaction::for_purpose(SETTLE_CHECK, self.list(transient)).await {
            Ok(files) => Ok(judge(baseline, &files, self.request.content.len())),
            Err(err) => Err(unknown(&format!("the ATS did not answer and could not be checked ({})", err.detailed()))),
        }
    }

    /// The target's files. Listing is always safe to repeat, so it keeps trying for a while
    /// after failures `retry_if` accepts: giving up leaves the caller not knowing whether the
    /// file arrived.
    async fn list(&self, retry_if: fn(&ConnectorError) -> bool) -> Result<Vec<RemoteAttachment>, ConnectorError> {
        let deadline = tokio::time::Instant::now() + self.settle * CHECK_BUDGET_FACTOR;
        let mut failures = 0u32;
        loop {
            match self.connector.list_attachments(&self.request.target).await {
                Ok(files) => return Ok(files),
                Err(err) if tokio::time::Instant::now() >= deadline || !retry_if(&err) => return Err(err),
                Err(_) => {
                    failures += 1;
                    tokio::time::sleep(Duration::from_millis(100u64 << failures.min(4))).await;
                }
            }
        }
    }
}

/// Failures a moment later may not repeat (as opposed to bad credentials or a missing record).
fn transient(err: &ConnectorError) -> bool {
    err.is_ambiguous()
        || err.vendor_error().is_some_and(|e| matches!(e.kind, FailureKind::RateLimited | FailureKind::Unavailable))
}

/// The ATS is not taking calls from this integration now (rate limit, outage, credentials).
fn refuses_calls(err: &ConnectorError) -> bool {
    matches!(err, ConnectorError::Transport { .. })
        || err.vendor_error().is_some_and(|e| {
            matches!(e.kind, FailureKind::RateLimited | FailureKind::Unavailable | FailureKind::Unauthorized)
        })
}
