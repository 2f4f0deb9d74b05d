//! Deterministic seed data: users, jobs, candidates and their applications.
//!
//! Everything but the absolute timestamps is a pure function of the seed, so
//! two emulators started with the same options list the same people under
//! the same ids. Timestamps are offsets from the start time (spread over the
//! past year), because a sync test wants "recent" data. Generation is a
//! single pass with no per-record allocation beyond the strings the records
//! own, so 100 000 candidates take well under a second.

use std::collections::BTreeMap;

use super::model::{Application, Candidate, Contact, Id, Job, Named, Ts, User};
use super::store::Store;
use crate::common::seed::SeedRng;

pub const FIRST_USER_ID: Id = 4_080_001;
pub const FIRST_JOB_ID: Id = 30_001;
pub const FIRST_CANDIDATE_ID: Id = 10_000_001;
pub const FIRST_APPLICATION_ID: Id = 20_000_001;
pub const FIRST_ATTACHMENT_ID: Id = 50_000_001;

const DAY_MS: i64 = 86_400_000;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Beatriz", "Ben", "Chen", "Chloe", "Daniel", "Elena", "Emeka", "Emma",
    "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leo",
    "Lina", "Lucas", "Maya", "Mateo", "Mei", "Mila", "Nadia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Rosa",
    "Sami", "Sara", "Sofia", "Tariq", "Theo", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Abbott", "Adeyemi", "Alvarez", "Bauer", "Berg", "Costa", "Dubois", "Eriksson", "Fischer", "Garcia", "Haddad",
    "Hoffmann", "Ivanova", "Jensen", "Kim", "Kowalski", "Lambert", "Larsen", "Lopez", "Martin", "Moreau", "Müller",
    "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Petrov", "Quinn", "Rossi", "Santos", "Schmidt", "Silva", "Singh",
    "Tanaka", "Torres", "Usman", "Varga", "Weber", "Wong", "Yamamoto", "Zhang",
];

const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Hooli",
    "Stark Industries",
    "Wayne Tech",
    "Tyrell Systems",
    "Soylent",
    "Vandelay Industries",
    "Cyberdyne",
    "Aperture Science",
];

const TITLES: &[&str] = &[
    "Software Engineer",
    "Senior Software Engineer",
    "Data Scientist",
    "Product Manager",
    "Designer",
    "Engineering Manager",
    "Account Executive",
    "Recruiter",
    "QA Engineer",
    "DevOps Engineer",
    "Marketing Manager",
    "Financial Analyst",
];

const TAGS: &[&str] =
    &["referral", "silver-medalist", "relocation", "remote", "internal", "diversity-event", "campus", "returning"];

const JOB_NAMES: &[&str] = &[
    "Backend Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Product Designer",
    "Engineering Manager",
    "Site Reliability Engineer",
    "Account Executive",
    "Customer Success Manager",
    "Recruiter",
    "Product Manager",
    "Security Engineer",
    "Financial Analyst",
];

pub const STAGES: &[Named] = &[
    Named { id: 7_001, name: "Application Review" },
    Named { id: 7_002, name: "Phone Screen" },
    Named { id: 7_003, name: "Technical Interview" },
    Named { id: 7_004, name: "Onsite" },
    Named { id: 7_005, name: "Offer" },
];

pub const SOURCES: &[Named] = &[
    Named { id: 8_001, name: "LinkedIn" },
    Named { id: 8_002, name: "Referral" },
    Named { id: 8_003, name: "Company Website" },
    Named { id: 8_004, name: "Indeed" },
    Named { id: 8_005, name: "Agency" },
];

pub const REJECTION_REASONS: &[Named] = &[
    Named { id: 9_001, name: "Lacking skill(s)/qualification(s)" },
    Named { id: 9_002, name: "Hired another candidate" },
    Named { id: 9_003, name: "Withdrew" },
    Named { id: 9_004, name: "Compensation expectations" },
];

const USERS: &[(&str, &str)] = &[("Riley", "Recruiter"), ("Harper", "Hiring"), ("Casey", "Coordinator")];

/// Builds the initial store. `now` anchors every timestamp.
pub fn build(candidate_count: usize, seed: u64, now: Ts) -> Store {
    let mut rng = SeedRng(seed);
    let now_ms = now.0.timestamp_millis();
    // Whole seconds for seeded data; live edits carry milliseconds.
    let now_ms = now_ms - now_ms % 1000;
    let year_ago = now_ms - 365 * DAY_MS;

    let users = USERS
        .iter()
        .enumerate()
        .map(|(i, (first, last))| {
            let id = FIRST_USER_ID + i as Id;
            let email = format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase());
            let user = User {
                id,
                first_name: (*first).to_owned(),
                last_name: (*last).to_owned(),
                primary_email_address: email,
            };
            (id, user)
        })
        .collect();

    let job_count = (candidate_count / 10).clamp(3, 200);
    let mut jobs = BTreeMap::new();
    let mut open_jobs = Vec::with_capacity(job_count);
    for i in 0..job_count {
        let id = FIRST_JOB_ID + i as Id;
        // The first three are always open so every candidate can hold up to
        // three applications to distinct jobs.
        let status = match (i, rng.below(10)) {
            (0..=2, _) | (_, 0..=6) => "open",
            (_, 7..=8) => "closed",
            _ => "draft",
        };
        let created = year_ago - rng.secs_below(90 * DAY_MS);
        let updated = created + rng.secs_below(30 * DAY_MS);
        let base = JOB_NAMES[i % JOB_NAMES.len()];
        let name = match i / JOB_NAMES.len() {
            0 => base.to_owned(),
            n => format!("{base} {}", n + 1),
        };
        if status != "draft" {
            open_jobs.push(id);
        }
        jobs.insert(
            id,
            Job {
                id,
                name,
                status,
                requisition_id: format!("REQ-{}", 1000 + i),
                created_at: Ts::from_millis(created),
                updated_at: Ts::from_millis(updated),
            },
        );
    }

    let mut candidates = BTreeMap::new();
    let mut applications = BTreeMap::new();
    let mut next_application_id = FIRST_APPLICATION_ID;
    for n in 0..candidate_count {
        let id = FIRST_CANDIDATE_ID + n as Id;
        let first = rng.pick(FIRST_NAMES);
        let last = rng.pick(LAST_NAMES);
        let created = now_ms - DAY_MS - rng.secs_below(364 * DAY_MS);
        let mut last_activity = created;

        let app_count = (1 + rng.below(3)).min(open_jobs.len());
        let mut application_ids = Vec::with_capacity(app_count);
        for job_index in rng.distinct(open_jobs.len(), app_count) {
            let app_id = next_application_id;
            next_application_id += 1;
            let applied = created + rng.secs_below((now_ms - created).min(14 * DAY_MS));
            let updated = applied + rng.secs_below(now_ms - applied);
            last_activity = last_activity.max(updated);
            let status = match rng.below(100) {
                0..=74 => "active",
                75..=92 => "rejected",
                _ => "hired",
            };
            let rejected = status == "rejected";
            applications.insert(
                app_id,
                Application {
                    id: app_id,
                    candidate_id: id,
                    job_id: open_jobs[job_index],
                    prospect: false,
                    status,
                    applied_at: Ts::from_millis(applied),
                    rejected_at: rejected.then(|| Ts::from_millis(updated)),
                    created_at: Ts::from_millis(applied),
                    updated_at: Ts::from_millis(updated),
                    last_activity_at: Ts::from_millis(updated),
                    current_stage: (status != "hired").then(|| rng.pick(STAGES)),
                    source: rng.percent(85).then(|| rng.pick(SOURCES)),
                    rejection_reason: rejected.then(|| rng.pick(REJECTION_REASONS)),
                },
            );
            application_ids.push(app_id);
        }

        let updated = created + rng.secs_below((now_ms - created).min(30 * DAY_MS));
        let tag_count = rng.below(3);
        let tags = rng.distinct(TAGS.len(), tag_count).into_iter().map(|i| TAGS[i].to_owned()).collect();
        candidates.insert(
            id,
            Candidate {
                id,
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                company: Some(rng.pick(COMPANIES).to_owned()),
                title: Some(rng.pick(TITLES).to_owned()),
                is_private: rng.percent(3),
                created_at: Ts::from_millis(created),
                updated_at: Ts::from_millis(updated),
                last_activity_at: Ts::from_millis(last_activity.max(updated)),
                email_addresses: vec![Contact {
                    value: format!("{}.{}{}@example.com", ascii_lower(first), ascii_lower(last), n + 1),
                    kind: "personal".to_owned(),
                }],
                phone_numbers: vec![Contact {
                    value: format!("+1 555-{:03}-{:04}", 100 + rng.below(900), n % 10_000),
                    kind: "mobile".to_owned(),
                }],
                tags,
                application_ids,
            },
        );
    }

    Store::new(users, jobs, candidates, applications, FIRST_ATTACHMENT_ID)
}

/// Lowercases and drops non-ASCII letters so seeded emails stay plain ASCII
/// (`Müller` → `mller` would be odd, so umlauts are transliterated first).
fn ascii_lower(name: &str) -> String {
    name.replace('ü', "ue").chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_well_formed() {
        let now = Ts::now();
        let a = build(50, 7, now);
        let b = build(50, 7, now);
        assert_eq!(a.candidates.len(), 50);
        assert_eq!(a.jobs.len(), 5);
        let first_a = a.candidates.values().next().unwrap();
        let first_b = b.candidates.values().next().unwrap();
        assert_eq!(first_a.first_name, first_b.first_name);
        assert_eq!(first_a.id, FIRST_CANDIDATE_ID);
        for candidate in a.candidates.values() {
            assert!((1..=3).contains(&candidate.application_ids.len()));
            let mut jobs: Vec<Id> = candidate.application_ids.iter().map(|id| a.applications[id].job_id).collect();
            jobs.sort_unstable();
            jobs.dedup();
            assert_eq!(jobs.len(), candidate.application_ids.len(), "distinct jobs");
            assert!(candidate.created_at <= now);
            assert!(candidate.email_addresses[0].value.ends_with("@example.com"));
        }
    }

    #[test]
    fn large_seed_is_quick() {
        let started = std::time::Instant::now();
        let store = build(100_000, 42, Ts::now());
        assert_eq!(store.candidates.len(), 100_000);
        assert_eq!(store.jobs.len(), 200);
        // Generous bound: debug builds on a busy CI box.
        assert!(started.elapsed().as_secs() < 20);
    }
}
