//! The in-memory Recruitee company: offers (jobs), candidates with their
//! placements (applications), and received attachments / CVs.
//!
//! Ids are integers in Recruitee's style. Candidates are kept in id order;
//! the list endpoint sorts them newest first (`sort=by_date`, the default).

use std::collections::BTreeMap;

use axum::body::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use crate::common::control::ControlError;

pub type Id = u64;
pub type Millis = i64;

const DAY_MS: i64 = 86_400_000;
const FIRST_OFFER_ID: Id = 1_500_001;
const FIRST_CANDIDATE_ID: Id = 40_000_001;
const FIRST_PLACEMENT_ID: Id = 90_000_001;
const FIRST_STAGE_ID: Id = 300_001;
pub const FIRST_ATTACHMENT_ID: Id = 70_000_001;
pub const FIRST_USER_ID: Id = 210_001;

const FIRST_NAMES: &[&str] =
    &["Anna", "Bas", "Chloé", "Daan", "Eva", "Finn", "Iris", "Jan", "Lotte", "Milan", "Noor", "Sem", "Tess", "Zoë"];
const LAST_NAMES: &[&str] =
    &["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters", "Hendriks"];
const OFFER_TITLES: &[&str] =
    &["Backend Developer", "Frontend Developer", "Sales Manager", "HR Business Partner", "Data Analyst"];
const STAGES: &[&str] = &["Applied", "Phone screen", "Interview", "Offer", "Hired"];
const SOURCES: &[&str] = &["Careers site", "LinkedIn", "Indeed", "Referral"];
const TAGS: &[&str] = &["Talent pool", "Remote", "Senior"];
const DISQUALIFY_REASONS: &[&str] = &["Not qualified", "Withdrew", "Salary expectations"];

pub fn iso(millis: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn now_millis() -> Millis {
    Utc::now().timestamp_millis()
}

pub struct Offer {
    pub id: Id,
    pub title: String,
    pub status: &'static str,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Clone)]
pub struct Placement {
    pub id: Id,
    pub offer_id: Id,
    pub stage: usize,
    pub disqualified_at: Option<Millis>,
    pub disqualify_reason: Option<&'static str>,
    pub hired_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Clone)]
pub struct Candidate {
    pub id: Id,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub placements: Vec<Placement>,
    /// Stored-file index of the current CV.
    pub cv: Option<usize>,
}

/// A received file; `kind` is `attachment` or `cv` (as it is now).
pub struct StoredFile {
    pub id: Id,
    pub candidate_id: Id,
    pub filename: String,
    pub content_type: String,
    pub kind: &'static str,
    pub created_at: Millis,
    pub actor_user_id: Id,
    pub sha256: String,
    pub bytes: Bytes,
}

pub struct Store {
    pub offers: BTreeMap<Id, Offer>,
    pub candidates: BTreeMap<Id, Candidate>,
    pub files: Vec<StoredFile>,
    next_file_id: Id,
}

pub fn seed(count: usize, seed: u64, now: Millis) -> Store {
    let mut rng = StdRng::seed_from_u64(seed);
    let offer_count = (count / 10).clamp(3, 500) as u64;
    let offers: BTreeMap<Id, Offer> = (0..offer_count)
        .map(|n| {
            let created = now - rng.gen_range(30..400) * DAY_MS;
            let offer = Offer {
                id: FIRST_OFFER_ID + n,
                title: format!(
                    "{} {}",
                    OFFER_TITLES[n as usize % OFFER_TITLES.len()],
                    n / OFFER_TITLES.len() as u64 + 1
                ),
                status: if n % 6 == 5 { "closed" } else { "published" },
                created_at: created,
                updated_at: created + rng.gen_range(0..DAY_MS * 10),
            };
            (offer.id, offer)
        })
        .collect();
    let mut candidates = BTreeMap::new();
    let mut placement_id = FIRST_PLACEMENT_ID;
    for n in 0..count as u64 {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        let created = now - rng.gen_range(1..365) * DAY_MS - rng.gen_range(0..DAY_MS);
        let placements = (0..rng.gen_range(1..=3))
            .map(|_| {
                let p_created = created + rng.gen_range(0..DAY_MS);
                let updated = p_created + rng.gen_range(0..DAY_MS * 3);
                let outcome = rng.gen_range(0..10);
                let placement = Placement {
                    id: placement_id,
                    offer_id: FIRST_OFFER_ID + rng.gen_range(0..offer_count),
                    stage: rng.gen_range(0..STAGES.len() - 1),
                    disqualified_at: (outcome >= 7).then_some(updated),
                    disqualify_reason: (outcome >= 7)
                        .then(|| DISQUALIFY_REASONS[rng.gen_range(0..DISQUALIFY_REASONS.len())]),
                    hired_at: (outcome == 0).then_some(updated),
                    created_at: p_created,
                    updated_at: updated,
                };
                placement_id += 1;
                placement
            })
            .collect();
        let candidate = Candidate {
            id: FIRST_CANDIDATE_ID + n,
            name: format!("{first} {last}"),
            emails: vec![format!("{}.{}{n}@example.nl", first.to_lowercase(), last.to_lowercase().replace(' ', ""))],
            phones: if n % 3 == 0 { Vec::new() } else { vec![format!("+31 6 {:08}", n % 100_000_000)] },
            sources: vec![SOURCES[rng.gen_range(0..SOURCES.len())].to_owned()],
            tags: if n % 5 == 0 { vec![TAGS[rng.gen_range(0..TAGS.len())].to_owned()] } else { Vec::new() },
            created_at: created,
            updated_at: created + rng.gen_range(0..DAY_MS),
            placements,
            cv: None,
        };
        candidates.insert(candidate.id, candidate);
    }
    Store { offers, candidates, files: Vec::new(), next_file_id: FIRST_ATTACHMENT_ID }
}

impl Store {
    pub fn offer_json(o: &Offer) -> Value {
        json!({
            "id": o.id, "title": o.title, "status": o.status, "kind": "job",
            "created_at": iso(o.created_at), "updated_at": iso(o.updated_at),
        })
    }

    /// The candidate object; `cv_url` is the signed download link of the CV, if any.
    pub fn candidate_json(c: &Candidate, cv_url: Option<String>) -> Value {
        let placements: Vec<Value> = c
            .placements
            .iter()
            .map(|p| {
                json!({
                    "id": p.id, "candidate_id": c.id, "offer_id": p.offer_id,
                    "stage_id": FIRST_STAGE_ID + p.stage as Id, "stage_name": STAGES[p.stage],
                    "disqualified_at": p.disqualified_at.map(iso), "disqualify_reason": p.disqualify_reason,
                    "hired_at": p.hired_at.map(iso),
                    "created_at": iso(p.created_at), "updated_at": iso(p.updated_at),
                })
            })
            .collect();
        json!({
            "id": c.id, "name": c.name, "emails": c.emails, "phones": c.phones, "sources": c.sources,
            "tags": c.tags, "created_at": iso(c.created_at), "updated_at": iso(c.updated_at),
            "placements": placements, "cv_original_url": cv_url.clone(), "cv_url": cv_url,
        })
    }

    pub fn add_file(&mut self, mut file: StoredFile) -> &StoredFile {
        file.id = self.next_file_id;
        self.next_file_id += 1;
        self.files.push(file);
        &self.files[self.files.len() - 1]
    }

    /// Promotes an attachment of the candidate to CV: the CV gets a new id; a previous CV is
    /// demoted to a plain attachment. Returns false if the attachment is not the candidate's.
    pub fn set_as_cv(&mut self, candidate_id: Id, attachment_id: Id) -> bool {
        let Some(index) = self
            .files
            .iter()
            .position(|f| f.id == attachment_id && f.candidate_id == candidate_id && f.kind == "attachment")
        else {
            return false;
        };
        let Some(candidate) = self.candidates.get_mut(&candidate_id) else { return false };
        if let Some(previous) = candidate.cv.replace(index) {
            self.files[previous].kind = "attachment";
        }
        candidate.updated_at = now_millis().max(candidate.updated_at);
        self.files[index].kind = "cv";
        self.files[index].id = self.next_file_id;
        self.next_file_id += 1;
        true
    }

    pub fn delete_candidate(&mut self, id: Id) -> Option<Vec<Id>> {
        let candidate = self.candidates.remove(&id)?;
        Some(candidate.placements.iter().map(|p| p.id).collect())
    }

    pub fn patch_candidate(&mut self, id: Id, patch: &Map<String, Value>) -> Result<&Candidate, ControlError> {
        let mut updated = self.candidates.get(&id).ok_or(ControlError::NotFound)?.clone();
        let strings = |v: &Value| -> Option<Vec<String>> {
            v.as_array()?.iter().map(|s| s.as_str().map(str::to_owned)).collect()
        };
        for (key, value) in patch {
            let bad = || ControlError::Invalid(format!("{key} has the wrong type"));
            match key.as_str() {
                "name" => updated.name = value.as_str().filter(|s| !s.trim().is_empty()).ok_or_else(bad)?.to_owned(),
                "emails" => updated.emails = strings(value).ok_or_else(bad)?,
                "phones" => updated.phones = strings(value).ok_or_else(bad)?,
                "tags" => updated.tags = strings(value).ok_or_else(bad)?,
                _ => return Err(ControlError::Invalid(format!("{key} is not an editable candidate field"))),
            }
        }
        updated.updated_at = now_millis().max(updated.updated_at + 1);
        self.candidates.insert(id, updated);
        self.candidates.get(&id).ok_or(ControlError::NotFound)
    }
}
