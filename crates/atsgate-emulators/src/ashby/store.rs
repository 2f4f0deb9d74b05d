//! The in-memory Ashby organisation: deterministic seed data, the files
//! received, and the JSON views that need more than one record.
//!
//! Records live in `BTreeMap`s keyed by sequence number (list order) with an
//! id → sequence index beside them. The store never hashes or decodes while
//! locked: uploads arrive already hashed.

use std::collections::{BTreeMap, HashMap};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use super::model::{iso, uuid, Application, Candidate, Contact, Job, Millis, Stage, StoredFile};
use crate::common::control::ControlError;

const DAY_MS: i64 = 86_400_000;
const KIND_JOB: u64 = 1;
const KIND_CANDIDATE: u64 = 2;
const KIND_APPLICATION: u64 = 3;
const KIND_STAGE: u64 = 4;
const KIND_USER: u64 = 5;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Arjun", "Beatriz", "Chen", "Chloe", "Daniel", "Elena", "Emeka", "Fatima", "Felix",
    "Grace", "Hana", "Hugo", "Ines", "Jonas", "Kai", "Kenji", "Lara", "Lina", "Maya", "Mateo", "Nadia", "Noah", "Omar",
    "Priya", "Rosa", "Sami", "Sofia", "Theo", "Uma", "Wen", "Yara", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Abbott", "Adeyemi", "Alvarez", "Bauer", "Costa", "Dubois", "Eriksson", "Garcia", "Haddad", "Jensen", "Kim",
    "Kowalski", "Larsen", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Santos", "Singh", "Tanaka",
    "Weber", "Wong", "Zhang",
];
const COMPANIES: &[&str] = &["Acme Corp", "Globex", "Initech", "Hooli", "Umbrella Labs", "Soylent", "Cyberdyne"];
const POSITIONS: &[&str] =
    &["Software Engineer", "Data Scientist", "Product Manager", "Designer", "Recruiter", "Account Executive"];
const TAGS: &[&str] = &["Referral", "Silver Medalist", "Remote", "Relocation", "Campus"];
const JOB_TITLES: &[&str] = &[
    "Backend Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Product Designer",
    "Engineering Manager",
    "Account Executive",
    "Customer Success Manager",
    "Product Manager",
];
const STAGES: &[&str] = &["Application Review", "Recruiter Screen", "Technical Interview", "Onsite", "Offer"];
const SOURCES: &[&str] = &["Applied", "LinkedIn", "Referral", "Sourced", "Job Board"];
const ARCHIVE_REASONS: &[&str] = &["Not a fit", "Withdrew", "Position filled"];

pub struct Store {
    pub jobs: BTreeMap<u64, Job>,
    pub candidates: BTreeMap<u64, Candidate>,
    pub applications: BTreeMap<u64, Application>,
    candidate_seq: HashMap<String, u64>,
    application_seq: HashMap<String, u64>,
    job_seq: HashMap<String, u64>,
    /// Every file received, arrival order.
    pub files: Vec<StoredFile>,
    pub users: Vec<String>,
}

/// Seeds `count` candidates with 1–3 applications each.
pub fn seed(count: usize, seed: u64, now: Millis) -> Store {
    let mut rng = StdRng::seed_from_u64(seed);
    let job_count = (count / 10).clamp(3, 500) as u64;
    let mut jobs = BTreeMap::new();
    let mut job_seq = HashMap::new();
    for n in 0..job_count {
        let created = now - rng.gen_range(30..400) * DAY_MS;
        let job = Job {
            id: uuid(seed, KIND_JOB, n),
            title: format!("{} {}", JOB_TITLES[(n as usize) % JOB_TITLES.len()], n / JOB_TITLES.len() as u64 + 1),
            status: if n % 7 == 6 { "Closed" } else { "Open" },
            created_at: created,
            updated_at: created + rng.gen_range(0..DAY_MS * 20),
        };
        job_seq.insert(job.id.clone(), n);
        jobs.insert(n, job);
    }
    let stages: Vec<Stage> = STAGES
        .iter()
        .enumerate()
        .map(|(i, title)| Stage { id: uuid(seed, KIND_STAGE, i as u64), title, order: i as i64 })
        .collect();

    let mut candidates = BTreeMap::new();
    let mut applications = BTreeMap::new();
    let mut candidate_seq = HashMap::with_capacity(count);
    let mut application_seq = HashMap::with_capacity(count * 2);
    let mut next_app = 0u64;
    for n in 0..count as u64 {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        let created = now - rng.gen_range(1..365) * DAY_MS - rng.gen_range(0..DAY_MS);
        let id = uuid(seed, KIND_CANDIDATE, n);
        let mut candidate = Candidate {
            id: id.clone(),
            name: format!("{first} {last}"),
            email: Contact {
                value: format!("{}.{}{n}@example.com", first.to_lowercase(), last.to_lowercase()),
                kind: "Personal",
            },
            phone: (n % 3 != 0).then(|| Contact { value: format!("+1 555 {:07}", n % 10_000_000), kind: "Mobile" }),
            company: (n % 4 != 0).then(|| COMPANIES[rng.gen_range(0..COMPANIES.len())].to_owned()),
            position: (n % 5 != 0).then(|| POSITIONS[rng.gen_range(0..POSITIONS.len())].to_owned()),
            tags: if n % 6 == 0 { vec![TAGS[rng.gen_range(0..TAGS.len())].to_owned()] } else { Vec::new() },
            created_at: created,
            updated_at: created + rng.gen_range(0..DAY_MS),
            application_ids: Vec::new(),
            file_ids: Vec::new(),
            resume_file_id: None,
        };
        for _ in 0..rng.gen_range(1..=3) {
            let stage = stages[rng.gen_range(0..stages.len())].clone();
            let status = match rng.gen_range(0..10) {
                0..=5 => "Active",
                6..=7 => "Archived",
                8 => "Hired",
                _ => "Lead",
            };
            let app_created = created + rng.gen_range(0..DAY_MS);
            let updated = app_created + rng.gen_range(0..DAY_MS * 3);
            let application = Application {
                id: uuid(seed, KIND_APPLICATION, next_app),
                candidate_id: id.clone(),
                job_id: jobs[&rng.gen_range(0..job_count)].id.clone(),
                status,
                stage,
                source: SOURCES[rng.gen_range(0..SOURCES.len())],
                archive_reason: (status == "Archived")
                    .then(|| ARCHIVE_REASONS[rng.gen_range(0..ARCHIVE_REASONS.len())]),
                created_at: app_created,
                updated_at: updated,
                archived_at: (status == "Archived").then_some(updated),
            };
            candidate.application_ids.push(application.id.clone());
            application_seq.insert(application.id.clone(), next_app);
            applications.insert(next_app, application);
            next_app += 1;
        }
        candidate_seq.insert(id, n);
        candidates.insert(n, candidate);
    }
    let users = (0..3).map(|n| uuid(seed, KIND_USER, n)).collect();
    Store { jobs, candidates, applications, candidate_seq, application_seq, job_seq, files: Vec::new(), users }
}

impl Store {
    pub fn candidate(&self, id: &str) -> Option<&Candidate> {
        self.candidates.get(self.candidate_seq.get(id)?)
    }

    pub fn application(&self, id: &str) -> Option<&Application> {
        self.applications.get(self.application_seq.get(id)?)
    }

    pub fn file(&self, id: &str) -> Option<&StoredFile> {
        self.files.iter().find(|f| f.id == id)
    }

    /// Attaches a received file to its candidate (a resume also becomes the current resume).
    /// Returns `None` if the candidate disappeared meanwhile.
    pub fn attach(&mut self, file: StoredFile) -> Option<&Candidate> {
        let seq = *self.candidate_seq.get(&file.candidate_id)?;
        let candidate = self.candidates.get_mut(&seq)?;
        candidate.file_ids.push(file.id.clone());
        if file.kind == "resume" {
            candidate.resume_file_id = Some(file.id.clone());
        }
        candidate.updated_at = candidate.updated_at.max(super::model::now_millis());
        self.files.push(file);
        self.candidates.get(&seq)
    }

    /// The `candidate.info` / `candidate.list` object.
    pub fn candidate_json(&self, c: &Candidate) -> Value {
        let contact = |c: &Contact| json!({ "value": c.value, "type": c.kind, "isPrimary": true });
        let files: Vec<Value> = c.file_ids.iter().filter_map(|id| self.file(id)).map(StoredFile::handle_json).collect();
        let resume = c.resume_file_id.as_deref().and_then(|id| self.file(id)).map(StoredFile::handle_json);
        json!({
            "id": c.id,
            "createdAt": iso(c.created_at),
            "updatedAt": iso(c.updated_at),
            "name": c.name,
            "primaryEmailAddress": contact(&c.email),
            "emailAddresses": [contact(&c.email)],
            "primaryPhoneNumber": c.phone.as_ref().map(contact),
            "phoneNumbers": c.phone.iter().map(contact).collect::<Vec<_>>(),
            "socialLinks": [],
            "tags": c.tags.iter().map(|t| json!({ "id": t.to_lowercase().replace(' ', "-"), "title": t, "isArchived": false })).collect::<Vec<_>>(),
            "position": c.position,
            "company": c.company,
            "applicationIds": c.application_ids,
            "resumeFileHandle": resume,
            "fileHandles": files,
            "customFields": [],
            "profileUrl": format!("https://app.ashbyhq.com/candidates/{}", c.id),
        })
    }

    /// The `application.info` / `application.list` object.
    pub fn application_json(&self, a: &Application) -> Value {
        let candidate = self.candidate(&a.candidate_id);
        let job = self.job_seq.get(&a.job_id).and_then(|s| self.jobs.get(s));
        json!({
            "id": a.id,
            "createdAt": iso(a.created_at),
            "updatedAt": iso(a.updated_at),
            "status": a.status,
            "customFields": [],
            "candidate": { "id": a.candidate_id, "name": candidate.map(|c| c.name.as_str()) },
            "currentInterviewStage": {
                "id": a.stage.id, "title": a.stage.title, "type": "Active", "orderInInterviewPlan": a.stage.order,
            },
            "source": { "id": a.source.to_lowercase().replace(' ', "-"), "title": a.source, "isArchived": false },
            "archiveReason": a.archive_reason.map(|r| json!({ "id": r.to_lowercase().replace(' ', "-"), "text": r, "reasonType": "RejectedByOrg", "isArchived": false })),
            "archivedAt": a.archived_at.map(iso),
            "job": { "id": a.job_id, "title": job.map(|j| j.title.as_str()) },
        })
    }

    /// Removes a candidate and its applications; received files are kept as evidence.
    pub fn delete_candidate(&mut self, id: &str) -> Option<Vec<String>> {
        let seq = self.candidate_seq.remove(id)?;
        let candidate = self.candidates.remove(&seq)?;
        for application_id in &candidate.application_ids {
            if let Some(s) = self.application_seq.remove(application_id) {
                self.applications.remove(&s);
            }
        }
        Some(candidate.application_ids)
    }

    /// Edits candidate fields (all validated first) and bumps `updatedAt`.
    pub fn patch_candidate(&mut self, id: &str, patch: &Map<String, Value>) -> Result<Value, ControlError> {
        let seq = *self.candidate_seq.get(id).ok_or(ControlError::NotFound)?;
        let mut updated = self.candidates.get(&seq).ok_or(ControlError::NotFound)?.clone();
        for (key, value) in patch {
            let bad = |expected: &str| ControlError::Invalid(format!("{key} must be {expected}"));
            let optional = |v: &Value| match v {
                Value::Null => Some(None),
                Value::String(s) => Some(Some(s.clone())),
                _ => None,
            };
            match key.as_str() {
                "name" => {
                    updated.name = value
                        .as_str()
                        .filter(|s| !s.trim().is_empty())
                        .ok_or_else(|| bad("a non-empty string"))?
                        .to_owned()
                }
                "company" => updated.company = optional(value).ok_or_else(|| bad("a string or null"))?,
                "position" => updated.position = optional(value).ok_or_else(|| bad("a string or null"))?,
                "tags" => {
                    updated.tags = value
                        .as_array()
                        .and_then(|items| items.iter().map(|t| t.as_str().map(str::to_owned)).collect())
                        .ok_or_else(|| bad("an array of strings"))?
                }
                _ => return Err(ControlError::Invalid(format!("{key} is not an editable candidate field"))),
            }
        }
        updated.updated_at = super::model::now_millis().max(updated.updated_at + 1);
        self.candidates.insert(seq, updated);
        let candidate = &self.candidates[&seq];
        Ok(self.candidate_json(candidate))
    }
}
