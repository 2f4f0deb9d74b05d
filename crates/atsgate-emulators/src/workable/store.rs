//! The in-memory Workable account: members, jobs, candidates (each in one
//! job) and the comments with attachments posted to candidates.
//!
//! Workable ids are short lowercase hex strings; ours are the hex form of the
//! `BTreeMap` key, so `since_id` paging is a range scan and an id parses
//! back to its key.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::common::control::ControlError;
use crate::common::seed::{mix, ChainRng};

const DAY_MS: i64 = 86_400_000;
const FIRST_MEMBER: u64 = 0x13e0_0001;
const FIRST_JOB: u64 = 0x61a0_0001;
const FIRST_CANDIDATE: u64 = 0x2a0c_0001;
const FIRST_COMMENT: u64 = 0x7c00_0001;

pub const SUBDOMAIN: &str = "acme";

pub fn hex_id(key: u64) -> String {
    format!("{key:x}")
}

pub fn parse_id(id: &str) -> Option<u64> {
    (!id.is_empty() && id.len() <= 16 && id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        .then(|| u64::from_str_radix(id, 16).ok())
        .flatten()
}

/// ISO 8601 UTC with a `Z`, as Workable writes timestamps.
pub fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub struct Member {
    pub id: String,
    pub name: String,
    pub email: String,
}

pub struct Job {
    pub id: String,
    pub shortcode: String,
    pub title: String,
    pub state: &'static str,
    pub created_at: i64,
}

pub struct Candidate {
    pub job: u64,
    pub firstname: String,
    pub lastname: String,
    pub headline: String,
    pub email: String,
    pub phone: String,
    pub stage: &'static str,
    pub disqualified_at: Option<i64>,
    pub hired_at: Option<i64>,
    pub sourced: bool,
    pub domain: Option<&'static str>,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A comment attachment, kept with the bytes.
pub struct File {
    pub comment_id: String,
    pub candidate: u64,
    pub name: String,
    pub member_id: String,
    pub sha256: String,
    pub bytes: Bytes,
}

const STAGES: &[&str] = &["Sourced", "Applied", "Phone Screen", "Interview", "Offer", "Hired"];
const FIRST: &[&str] = &[
    "Ada", "Alan", "Amara", "Arjun", "Beatriz", "Chen", "Daniel", "Elena", "Emeka", "Fatima", "Grace", "Hugo", "Ines",
    "Kenji", "Lara", "Maya", "Noah", "Olga", "Priya", "Sofia", "Tariq", "Uma", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Abbott", "Bauer", "Costa", "Dubois", "Garcia", "Haddad", "Jensen", "Kim", "Lopez", "Martin", "Novak", "Okafor",
    "Patel", "Rossi", "Santos", "Silva", "Singh", "Tanaka", "Weber", "Zhang",
];
const HEADLINES: &[&str] = &["Software Engineer", "Data Scientist", "Designer", "Product Manager", "Recruiter"];
const DOMAINS: &[&str] = &["linkedin.com", "indeed.com", "Referral", "Careers page"];
const TAGS: &[&str] = &["remote", "referral", "relocation", "campus", "silver-medalist"];
const JOBS: &[&str] = &[
    "Backend Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Product Designer",
    "Engineering Manager",
    "Account Executive",
    "Recruiter",
    "Product Manager",
];
const MEMBERS: &[&str] = &["Riley Recruiter", "Harper Hiring", "Casey Coordinator"];

pub struct Store {
    pub members: Vec<Member>,
    pub jobs: BTreeMap<u64, Job>,
    pub candidates: BTreeMap<u64, Candidate>,
    /// Comment attachments by comment key (arrival order).
    pub files: BTreeMap<u64, File>,
    next_comment: u64,
}

impl Store {
    /// `count` candidates, each applying to one seeded job.
    pub fn seed(count: usize, seed: u64, now_ms: i64) -> Store {
        let mut rng = ChainRng(seed);
        let now_ms = now_ms - now_ms % 1000;
        let members = MEMBERS
            .iter()
            .enumerate()
            .map(|(i, name)| Member {
                id: hex_id(FIRST_MEMBER + i as u64),
                name: (*name).to_owned(),
                email: format!("{}@example.com", name.split(' ').next().unwrap_or("member").to_lowercase()),
            })
            .collect();
        let job_count = (count / 10).clamp(3, 200) as u64;
        let jobs: BTreeMap<u64, Job> = (0..job_count)
            .map(|i| {
                let key = FIRST_JOB + i;
                let base = JOBS[i as usize % JOBS.len()];
                let round = i as usize / JOBS.len();
                let job = Job {
                    id: hex_id(key),
                    shortcode: format!("{:02X}{:06X}", i % 256, mix(seed ^ key) & 0xFF_FFFF),
                    title: if round == 0 { base.to_owned() } else { format!("{base} {}", round + 1) },
                    state: if rng.below(10) < 8 { "published" } else { "closed" },
                    created_at: now_ms - 400 * DAY_MS + rng.ms_below(30 * DAY_MS),
                };
                (key, job)
            })
            .collect();
        let mut candidates = BTreeMap::new();
        for n in 0..count as u64 {
            let first = FIRST[rng.below(FIRST.len())];
            let last = LAST[rng.below(LAST.len())];
            let created = now_ms - DAY_MS - rng.ms_below(360 * DAY_MS);
            let updated = created + rng.ms_below(now_ms - created);
            let stage = STAGES[rng.below(STAGES.len())];
            let disqualified = stage != "Hired" && rng.below(100) < 20;
            let tag_count = rng.below(3);
            candidates.insert(
                FIRST_CANDIDATE + n,
                Candidate {
                    job: FIRST_JOB + rng.below(job_count as usize) as u64,
                    firstname: first.to_owned(),
                    lastname: last.to_owned(),
                    headline: HEADLINES[rng.below(HEADLINES.len())].to_owned(),
                    email: format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), n + 1),
                    phone: format!("+1 555-{:03}-{:04}", 100 + rng.below(900), n % 10_000),
                    stage,
                    disqualified_at: disqualified.then_some(updated),
                    hired_at: (stage == "Hired").then_some(updated),
                    sourced: rng.below(100) < 30,
                    domain: (rng.below(100) < 80).then(|| DOMAINS[rng.below(DOMAINS.len())]),
                    tags: (0..tag_count).map(|i| TAGS[(n as usize + i) % TAGS.len()].to_owned()).collect(),
                    created_at: created,
                    updated_at: updated,
                },
            );
        }
        Store { members, jobs, candidates, files: BTreeMap::new(), next_comment: FIRST_COMMENT }
    }

    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    pub fn candidate_key(&self, id: &str) -> Option<u64> {
        parse_id(id).filter(|key| self.candidates.contains_key(key))
    }

    /// A new comment id; the attachment (if any) is stored under it.
    pub fn add_comment(&mut self, file: Option<File>) -> String {
        let key = self.next_comment;
        self.next_comment += 1;
        let id = hex_id(key);
        if let Some(mut file) = file {
            file.comment_id = id.clone();
            self.files.insert(key, file);
        }
        id
    }

    /// The candidate in Workable's JSON shape.
    pub fn candidate_json(&self, key: u64, c: &Candidate, base_url: &str) -> Value {
        let job = self.jobs.get(&c.job);
        let id = hex_id(key);
        json!({
            "id": id,
            "name": format!("{} {}", c.firstname, c.lastname),
            "firstname": c.firstname,
            "lastname": c.lastname,
            "headline": c.headline,
            "account": {"subdomain": SUBDOMAIN, "name": "Acme"},
            "job": {"shortcode": job.map(|j| j.shortcode.clone()), "title": job.map(|j| j.title.clone())},
            "stage": c.stage,
            "disqualified": c.disqualified_at.is_some(),
            "disqualification_reason": c.disqualified_at.map(|_| "Not a fit"),
            "disqualified_at": c.disqualified_at.map(iso),
            "hired_at": c.hired_at.map(iso),
            "sourced": c.sourced,
            "profile_url": format!("{base_url}/backend/jobs/{}/candidates/{id}", job.map(|j| j.shortcode.as_str()).unwrap_or("")),
            "address": null,
            "phone": c.phone,
            "email": c.email,
            "domain": c.domain,
            "tags": c.tags,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
        })
    }

    pub fn patch_candidate(&mut self, id: &str, patch: &Map<String, Value>, now_ms: i64) -> Result<u64, ControlError> {
        let key = self.candidate_key(id).ok_or(ControlError::NotFound)?;
        let c = self.candidates.get_mut(&key).ok_or(ControlError::NotFound)?;
        let text = |key: &str, value: &Value| {
            value.as_str().map(str::to_owned).ok_or_else(|| ControlError::Invalid(format!("{key} must be a string")))
        };
        let mut updated =
            (c.firstname.clone(), c.lastname.clone(), c.headline.clone(), c.email.clone(), c.tags.clone());
        for (k, v) in patch {
            match k.as_str() {
                "firstname" => updated.0 = text(k, v)?,
                "lastname" => updated.1 = text(k, v)?,
                "headline" => updated.2 = text(k, v)?,
                "email" => updated.3 = text(k, v)?,
                "tags" => {
                    updated.4 = v
                        .as_array()
                        .and_then(|items| items.iter().map(|t| t.as_str().map(str::to_owned)).collect())
                        .ok_or_else(|| ControlError::Invalid("tags must be an array of strings".into()))?
                }
                _ => return Err(ControlError::Invalid(format!("{k} is not an editable candidate field"))),
            }
        }
        (c.firstname, c.lastname, c.headline, c.email, c.tags) = updated;
        c.updated_at = now_ms.max(c.updated_at);
        Ok(key)
    }
}
