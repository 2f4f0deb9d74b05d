//! The in-memory Lever account: users, postings, contacts, opportunities
//! and the files uploaded to opportunities, with deterministic seeding.
//!
//! Lever ids are UUIDs. Ours are UUID-shaped strings whose first group is
//! the record kind and a sequence number (`2000002a-…`), so a `BTreeMap`
//! keyed by that number keeps records in id order, an id parses back to its
//! key without an index, and the other groups come from the seed.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::common::control::ControlError;
pub use crate::common::seed::mix;
use crate::common::seed::ChainRng;

pub const KIND_USER: u64 = 1;
pub const KIND_OPPORTUNITY: u64 = 2;
pub const KIND_POSTING: u64 = 3;
pub const KIND_CONTACT: u64 = 4;
pub const KIND_FILE: u64 = 5;
pub const KIND_APPLICATION: u64 = 6;
pub const KIND_STAGE: u64 = 7;

const DAY_MS: i64 = 86_400_000;

/// The UUID-shaped id of record `seq` of `kind`.
pub fn uuid(kind: u64, seq: u64, seed: u64) -> String {
    let r = mix(seed ^ (kind << 56) ^ seq);
    let s = mix(r);
    format!(
        "{kind:x}{seq:07x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        r & 0xffff,
        (r >> 16) & 0xfff,
        0x8000 | ((r >> 28) & 0x3fff),
        s & 0xffff_ffff_ffff
    )
}

/// The sequence number of an id of `kind` (the caller still compares the
/// whole id with the stored one).
pub fn seq_of(id: &str, kind: u64) -> Option<u64> {
    if id.len() != 36 || u64::from_str_radix(id.get(..1)?, 16).ok()? != kind {
        return None;
    }
    u64::from_str_radix(id.get(1..8)?, 16).ok()
}

pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
}

pub struct Posting {
    pub id: String,
    pub text: String,
    pub state: &'static str,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct Contact {
    pub id: String,
    pub name: String,
    pub headline: String,
    pub emails: Vec<String>,
    pub phones: Vec<(String, &'static str)>,
    pub tags: Vec<String>,
    pub opportunities: Vec<u64>,
}

pub struct Opportunity {
    pub id: String,
    pub contact: u64,
    pub application_id: String,
    pub posting: u64,
    pub stage: usize,
    pub source: Option<&'static str>,
    pub archived_at: Option<i64>,
    pub archive_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct File {
    pub id: String,
    pub opportunity: u64,
    pub contact: u64,
    pub name: String,
    pub content_type: Option<String>,
    pub uploaded_at: i64,
    pub actor: String,
    pub sha256: String,
    pub bytes: Bytes,
}

pub const STAGES: &[&str] = &["New lead", "Reached out", "Phone screen", "On-site interview", "Offer"];
const SOURCES: &[&str] = &["LinkedIn", "Referral", "Company website", "Indeed", "Agency"];
const FIRST: &[&str] = &[
    "Ada", "Alan", "Amara", "Arjun", "Beatriz", "Chen", "Daniel", "Elena", "Emeka", "Fatima", "Grace", "Hugo", "Ines",
    "Kenji", "Lara", "Maya", "Noah", "Olga", "Priya", "Sofia", "Tariq", "Uma", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Abbott", "Bauer", "Costa", "Dubois", "Garcia", "Haddad", "Jensen", "Kim", "Lopez", "Martin", "Novak", "Okafor",
    "Patel", "Rossi", "Santos", "Silva", "Singh", "Tanaka", "Weber", "Zhang",
];
const HEADLINES: &[&str] = &["Acme Corp", "Globex", "Initech", "Hooli", "Umbrella Labs", "Wayne Tech"];
const TAGS: &[&str] = &["referral", "remote", "relocation", "campus", "silver-medalist"];
const POSTINGS: &[&str] = &[
    "Backend Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Product Designer",
    "Engineering Manager",
    "Account Executive",
    "Recruiter",
    "Product Manager",
];
const USERS: &[&str] = &["Riley Recruiter", "Harper Hiring", "Casey Coordinator"];

pub struct Store {
    pub seed: u64,
    pub users: Vec<User>,
    pub postings: BTreeMap<u64, Posting>,
    pub contacts: BTreeMap<u64, Contact>,
    pub opportunities: BTreeMap<u64, Opportunity>,
    pub files: BTreeMap<u64, File>,
    next_file: u64,
}

impl Store {
    /// Seeds `count` contacts, each with 1–3 opportunities to distinct postings.
    pub fn seed(count: usize, seed: u64, now_ms: i64) -> Store {
        let mut rng = ChainRng(seed);
        let now_ms = now_ms - now_ms % 1000;
        let users = USERS
            .iter()
            .enumerate()
            .map(|(i, name)| User {
                id: uuid(KIND_USER, i as u64 + 1, seed),
                name: (*name).to_owned(),
                email: format!("{}@example.com", name.split(' ').next().unwrap_or("user").to_lowercase()),
            })
            .collect();
        let posting_count = (count / 10).clamp(3, 200);
        let postings: BTreeMap<u64, Posting> = (1..=posting_count as u64)
            .map(|seq| {
                let created = now_ms - 400 * DAY_MS + rng.ms_below(30 * DAY_MS);
                let base = POSTINGS[(seq as usize - 1) % POSTINGS.len()];
                let round = (seq as usize - 1) / POSTINGS.len();
                let text = if round == 0 { base.to_owned() } else { format!("{base} {}", round + 1) };
                let posting = Posting {
                    id: uuid(KIND_POSTING, seq, seed),
                    text,
                    state: if rng.below(10) < 8 { "published" } else { "closed" },
                    created_at: created,
                    updated_at: created + rng.ms_below(20 * DAY_MS),
                };
                (seq, posting)
            })
            .collect();
        let mut contacts = BTreeMap::new();
        let mut opportunities = BTreeMap::new();
        let mut next_opportunity = 1u64;
        for n in 1..=count as u64 {
            let first = FIRST[rng.below(FIRST.len())];
            let last = LAST[rng.below(LAST.len())];
            let created = now_ms - DAY_MS - rng.ms_below(360 * DAY_MS);
            let app_count = 1 + rng.below(3);
            let mut picked: Vec<u64> = Vec::with_capacity(app_count);
            while picked.len() < app_count {
                let p = 1 + rng.below(posting_count) as u64;
                if !picked.contains(&p) {
                    picked.push(p);
                }
            }
            let mut opportunity_seqs = Vec::with_capacity(app_count);
            for posting in picked {
                let seq = next_opportunity;
                next_opportunity += 1;
                let opened = created + rng.ms_below(14 * DAY_MS);
                let updated = opened + rng.ms_below(now_ms - opened);
                let archived = rng.below(100) < 25;
                opportunities.insert(
                    seq,
                    Opportunity {
                        id: uuid(KIND_OPPORTUNITY, seq, seed),
                        contact: n,
                        application_id: uuid(KIND_APPLICATION, seq, seed),
                        posting,
                        stage: rng.below(STAGES.len()),
                        source: (rng.below(100) < 85).then(|| SOURCES[rng.below(SOURCES.len())]),
                        archived_at: archived.then_some(updated),
                        archive_reason: archived.then(|| uuid(KIND_STAGE, 100 + rng.below(3) as u64, seed)),
                        created_at: opened,
                        updated_at: updated,
                    },
                );
                opportunity_seqs.push(seq);
            }
            let tag_count = rng.below(3);
            let tags = (0..tag_count).map(|i| TAGS[(n as usize + i) % TAGS.len()].to_owned()).collect();
            contacts.insert(
                n,
                Contact {
                    id: uuid(KIND_CONTACT, n, seed),
                    name: format!("{first} {last}"),
                    headline: HEADLINES[rng.below(HEADLINES.len())].to_owned(),
                    emails: vec![format!("{}.{}{n}@example.com", first.to_lowercase(), last.to_lowercase())],
                    phones: vec![(format!("+1 555-{:03}-{:04}", 100 + rng.below(900), n % 10_000), "mobile")],
                    tags,
                    opportunities: opportunity_seqs,
                },
            );
        }
        Store { seed, users, postings, contacts, opportunities, files: BTreeMap::new(), next_file: 1 }
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The opportunity with this id, by sequence number.
    pub fn opportunity(&self, id: &str) -> Option<(u64, &Opportunity)> {
        let seq = seq_of(id, KIND_OPPORTUNITY)?;
        self.opportunities.get(&seq).filter(|o| o.id == id).map(|o| (seq, o))
    }

    pub fn add_file(&mut self, mut file: File) -> &File {
        let seq = self.next_file;
        self.next_file += 1;
        file.id = uuid(KIND_FILE, seq, self.seed);
        self.files.entry(seq).or_insert(file)
    }

    /// Removes a contact and its opportunities; files are kept as evidence.
    pub fn delete_contact(&mut self, id: &str) -> Option<Vec<String>> {
        let seq = seq_of(id, KIND_CONTACT)?;
        if self.contacts.get(&seq)?.id != id {
            return None;
        }
        let contact = self.contacts.remove(&seq)?;
        Some(contact.opportunities.iter().filter_map(|o| self.opportunities.remove(o)).map(|o| o.id).collect())
    }

    /// Edits contact fields; every opportunity of the contact shows the
    /// change and gets a new `updatedAt` (Lever repeats person fields on
    /// each opportunity).
    pub fn patch_contact(
        &mut self,
        id: &str,
        patch: &Map<String, Value>,
        now_ms: i64,
    ) -> Result<&Contact, ControlError> {
        let seq = seq_of(id, KIND_CONTACT).ok_or(ControlError::NotFound)?;
        let contact = self.contacts.get_mut(&seq).filter(|c| c.id == id).ok_or(ControlError::NotFound)?;
        let text = |key: &str, value: &Value| {
            value.as_str().map(str::to_owned).ok_or_else(|| ControlError::Invalid(format!("{key} must be a string")))
        };
        let list = |key: &str, value: &Value| {
            value
                .as_array()
                .and_then(|items| items.iter().map(|t| t.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
                .ok_or_else(|| ControlError::Invalid(format!("{key} must be an array of strings")))
        };
        let (mut name, mut headline, mut emails, mut tags) =
            (contact.name.clone(), contact.headline.clone(), contact.emails.clone(), contact.tags.clone());
        for (key, value) in patch {
            match key.as_str() {
                "name" => name = text(key, value)?,
                "headline" => headline = text(key, value)?,
                "emails" => emails = list(key, value)?,
                "tags" => tags = list(key, value)?,
                _ => return Err(ControlError::Invalid(format!("{key} is not an editable contact field"))),
            }
        }
        contact.name = name;
        contact.headline = headline;
        contact.emails = emails;
        contact.tags = tags;
        for o in &contact.opportunities {
            if let Some(opportunity) = self.opportunities.get_mut(o) {
                opportunity.updated_at = now_ms.max(opportunity.updated_at);
            }
        }
        Ok(contact)
    }
}
