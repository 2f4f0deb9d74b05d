//! Telling whether an upload whose answer was lost reached the ATS.
//!
//! A timeout or a connection lost after sending leaves the outcome unknown: the ATS may have
//! stored the file or not. Before the first attempt the gateway lists the target's files and
//! keeps the ones that share the upload's name (the *baseline*); after an ambiguous failure it
//! lists them again. The file arrived when exactly one same-named file appeared that was not
//! there before, and the count of same-named files grew by exactly one (which also catches
//! vendors whose listed ids are not stable), with the same size where the ATS lists sizes.
//! Nothing appeared: absent, and retrying is safe. Anything else cannot be told apart from
//! someone else's file: the outcome is unknown, and the caller is told so instead of "success".
//!
//! This rests on no clock (ATS timestamps are not compared with ours) and on no file name
//! alone. The gateway runs uploads with the same name to the same target one at a time
//! (`UploadLocks`), so its own concurrent uploads cannot be mistaken for each other.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{
    connectors::{AttachTarget, RemoteAttachment},
    error::Result,
};

/// The same-named files on the target before the first attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// The target, as `application:<remote id>` or `candidate:<remote id>`.
    pub target: String,
    pub file_name: String,
    /// Listed ids of the same-named files; `None` when the target could not be listed, in which
    /// case a lost answer can never be resolved.
    pub same_named: Option<Vec<String>>,
    /// An earlier run already waited for the ATS to settle and found nothing.
    #[serde(default)]
    pub settled_absent: bool,
}

impl Baseline {
    pub fn new(target: &AttachTarget, file_name: &str, listed: Option<&[RemoteAttachment]>) -> Self {
        Baseline {
            target: target_key(target),
            file_name: file_name.to_string(),
            same_named: listed
                .map(|files| files.iter().filter(|f| f.file_name == file_name).map(|f| f.remote_id.clone()).collect()),
            settled_absent: false,
        }
    }

    /// Whether this baseline was taken for this very upload.
    pub fn is_for(&self, target: &AttachTarget, file_name: &str) -> bool {
        self.target == target_key(target) && self.file_name == file_name
    }
}

fn target_key(target: &AttachTarget) -> String {
    match target {
        AttachTarget::Application { remote_id, .. } => format!("application:{remote_id}"),
        AttachTarget::Candidate { remote_id } => format!("candidate:{remote_id}"),
    }
}

/// What a listing after an ambiguous failure says about the upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Arrived,
    Absent,
    /// Why the listing cannot tell.
    Unknown(String),
}

/// Compares the listing after the attempt with the baseline.
pub fn judge(baseline: &Baseline, after: &[RemoteAttachment], size: u64) -> Verdict {
    let name = &baseline.file_name;
    let named: Vec<&RemoteAttachment> = after.iter().filter(|f| &f.file_name == name).collect();
    let Some(before) = &baseline.same_named else {
        // No file of that name at all is still proof of absence.
        return if named.is_empty() {
            Verdict::Absent
        } else {
            Verdict::Unknown(format!(
                "the target's files could not be listed before the upload, so a file named {name:?} cannot be told apart"
            ))
        };
    };
    let new: Vec<&RemoteAttachment> = named.iter().copied().filter(|f| !before.contains(&f.remote_id)).collect();
    let grown = named.len() as i64 - before.len() as i64;
    match (new.as_slice(), grown) {
        ([], 0) => Verdict::Absent,
        ([file], 1) => match file.size {
            Some(listed) if listed != size => Verdict::Unknown(format!(
                "a new file named {name:?} appeared, but with {listed} bytes instead of {size}"
            )),
            _ => Verdict::Arrived,
        },
        _ => Verdict::Unknown(format!(
            "the files named {name:?} changed in a way this upload alone does not explain ({} new, {grown:+} in all)",
            new.len()
        )),
    }
}

/// Where an upload records its baseline before the first attempt, and finds the baseline an
/// earlier run of the same request left (an `Idempotency-Key` retry after a crash, a lost
/// client or an unknown outcome).
#[async_trait]
pub trait UploadJournal: Send + Sync {
    /// The baseline an earlier run of this request recorded, whose outcome is unknown.
    fn prior(&self) -> Option<Baseline>;
    /// Records the baseline durably, before the attempt it is for.
    async fn record(&self, baseline: &Baseline) -> Result<()>;
}

/// For requests without an `Idempotency-Key`: nothing outlives the request.
pub struct NoJournal;

#[async_trait]
impl UploadJournal for NoJournal {
    fn prior(&self) -> Option<Baseline> {
        None
    }

    async fn record(&self, _: &Baseline) -> Result<()> {
        Ok(())
    }
}

/// One async lock per (integration, target, file name), held for a whole upload, so that two
/// uploads of same-named files to one target never overlap and cannot be mistaken for each
/// other when their answers are lost. Entries disappear with their last holder.
#[derive(Default)]
pub struct UploadLocks {
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
}

impl UploadLocks {
    pub async fn lock(&self, integration_id: &str, target: &AttachTarget, file_name: &str) -> UploadLock {
        let key = format!("{integration_id}\u{0}{}\u{0}{file_name}", target_key(target));
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            locks.retain(|_, weak| weak.strong_count() > 0);
            match locks.get(&key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    locks.insert(key, Arc::downgrade(&lock));
                    lock
                }
            }
        };
        UploadLock(lock.lock_owned().await)
    }
}

/// Held while one upload runs.
pub struct UploadLock(#[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::AttachmentType;

    fn file(id: &str, name: &str, size: Option<u64>) -> RemoteAttachment {
        RemoteAttachment {
            remote_id: id.into(),
            application_remote_id: None,
            candidate_remote_id: Some("c1".into()),
            file_name: name.into(),
            kind: AttachmentType::Cv,
            content_type: None,
            size,
            remote_created_at: None,
            remote_updated_at: None,
            download_ref: String::new(),
        }
    }

    fn baseline(files: &[RemoteAttachment]) -> Baseline {
        Baseline::new(&AttachTarget::Candidate { remote_id: "c1".into() }, "CV.pdf", Some(files))
    }

    #[test]
    fn an_older_same_named_file_is_not_this_upload() {
        let older = file("1", "CV.pdf", None);
        let base = baseline(std::slice::from_ref(&older));
        assert_eq!(judge(&base, std::slice::from_ref(&older), 10), Verdict::Absent);
        assert_eq!(judge(&base, &[older, file("2", "CV.pdf", None)], 10), Verdict::Arrived);
    }

    #[test]
    fn files_with_other_names_do_not_count() {
        let base = baseline(&[file("1", "other.pdf", None)]);
        assert_eq!(judge(&base, &[file("1", "other.pdf", None), file("2", "x.pdf", None)], 10), Verdict::Absent);
    }

    #[test]
    fn a_new_file_of_another_size_is_not_this_upload() {
        let base = baseline(&[]);
        assert!(matches!(judge(&base, &[file("2", "CV.pdf", Some(11))], 10), Verdict::Unknown(_)));
        assert_eq!(judge(&base, &[file("2", "CV.pdf", Some(10))], 10), Verdict::Arrived);
    }

    #[test]
    fn two_new_same_named_files_cannot_be_told_apart() {
        let base = baseline(&[]);
        let after = [file("2", "CV.pdf", None), file("3", "CV.pdf", None)];
        assert!(matches!(judge(&base, &after, 10), Verdict::Unknown(_)));
    }

    #[test]
    fn ids_that_move_between_listings_are_caught_by_the_count() {
        // A vendor whose ids are positions: the old file's id changed, nothing was added.
        let base = baseline(&[file("c1:0", "CV.pdf", None)]);
        assert!(matches!(judge(&base, &[file("c1:1", "CV.pdf", None)], 10), Verdict::Unknown(_)));
        // One replaced by another while we uploaded: not explained by this upload alone.
        let after = [file("9", "CV.pdf", None)];
        assert!(matches!(judge(&baseline(&[file("1", "CV.pdf", None)]), &after, 10), Verdict::Unknown(_)));
    }

    #[test]
    fn without_a_baseline_only_absence_can_be_concluded() {
        let base = Baseline::new(&AttachTarget::Candidate { remote_id: "c1".into() }, "CV.pdf", None);
        assert!(matches!(judge(&base, &[file("2", "CV.pdf", None)], 10), Verdict::Unknown(_)));
        assert_eq!(judge(&base, &[file("2", "other.pdf", None)], 10), Verdict::Absent, "no file of that name at all");
    }
}
