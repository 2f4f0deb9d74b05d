//! Deterministic seed data: jobs, stages, candidates and their job applications.
//!
//! Everything but the absolute timestamps is a pure function of the seed;
//! timestamps are offsets from the start time over the past year. One pass,
//! no per-record work beyond the strings a record owns, so 100 000
//! candidates take well under a second.

use super::model::{Application, Candidate, Id, Job, RejectReason, Stage, Ts, User};
use super::store::Store;
use crate::common::seed::SeedRng;

pub const FIRST_USER_ID: Id = 600_001;
pub const FIRST_JOB_ID: Id = 1_100_001;
pub const FIRST_CANDIDATE_ID: Id = 31_000_001;
pub const FIRST_APPLICATION_ID: Id = 52_000_001;
pub const FIRST_UPLOAD_ID: Id = 77_000_001;

const DAY_MS: i64 = 86_400_000;

const FIRST_NAMES: &[&str] = &[
    "Alva", "Astrid", "Axel", "Björn", "Clara", "Ebba", "Elias", "Elsa", "Erik", "Freja", "Hugo", "Ida", "Isak",
    "Johan", "Karin", "Leo", "Liam", "Linnea", "Lucas", "Maja", "Nils", "Noah", "Olivia", "Oscar", "Saga", "Sara",
    "Selma", "Theo", "Vera", "Wilma",
];

const LAST_NAMES: &[&str] = &[
    "Andersson",
    "Berg",
    "Dahl",
    "Ek",
    "Eriksson",
    "Forsberg",
    "Holm",
    "Hansen",
    "Jansson",
    "Johansson",
    "Karlsson",
    "Larsen",
    "Lind",
    "Lundqvist",
    "Nielsen",
    "Nilsson",
    "Olsen",
    "Persson",
    "Sandberg",
    "Strand",
    "Svensson",
    "Wallin",
];

const JOB_TITLES: &[&str] = &[
    "Backend Developer",
    "Frontend Developer",
    "Product Designer",
    "Sales Representative",
    "Customer Success Manager",
    "Data Analyst",
    "Engineering Manager",
    "Marketing Specialist",
    "Recruiter",
    "Support Agent",
];

const TAGS: &[&str] = &["referral", "talent-pool", "remote", "senior", "graduate", "returning"];

const SITES: &[&str] = &["LinkedIn", "Career site", "Indeed", "Referral"];

const USERS: &[(&str, &str, &str)] = &[
    ("Alex Admin", "alex.admin@example.com", "admin"),
    ("Robin Recruiter", "robin.recruiter@example.com", "recruiter"),
    ("Kim Hiring", "kim.hiring@example.com", "user"),
];

const STAGES: &[Stage] = &[
    Stage { id: 9_001, name: "Inbox", stage_type: "inbox", row_order: 0 },
    Stage { id: 9_002, name: "Screening", stage_type: "in_process", row_order: 1 },
    Stage { id: 9_003, name: "Interview", stage_type: "interview", row_order: 2 },
    Stage { id: 9_004, name: "Offer", stage_type: "offer", row_order: 3 },
    Stage { id: 9_005, name: "Hired", stage_type: "hired", row_order: 4 },
];

const REJECT_REASONS: &[RejectReason] = &[
    RejectReason { id: 8_001, reason: "Not a good fit" },
    RejectReason { id: 8_002, reason: "Position filled" },
    RejectReason { id: 8_003, reason: "Candidate withdrew" },
];

pub fn build(candidate_count: usize, seed: u64, now: Ts) -> Store {
    let mut rng = SeedRng(seed);
    let now_ms = now.0 - now.0 % 1000;
    let year_ago = now_ms - 365 * DAY_MS;

    let job_count = (candidate_count / 10).clamp(3, 200);
    let jobs: Vec<Job> = (0..job_count)
        .map(|i| {
            let created = year_ago - rng.secs_below(90 * DAY_MS);
            let base = JOB_TITLES[i % JOB_TITLES.len()];
            Job {
                id: FIRST_JOB_ID + i as Id,
                title: match i / JOB_TITLES.len() {
                    0 => base.to_owned(),
                    n => format!("{base} {}", n + 1),
                },
                // The first three stay open so everyone can hold three applications.
                status: if i < 3 || rng.below(10) < 8 { "open" } else { "archived" },
                created_at: Ts(created),
                updated_at: Ts(created + rng.secs_below(30 * DAY_MS)),
            }
        })
        .collect();

    let mut candidates = Vec::with_capacity(candidate_count);
    let mut applications = Vec::with_capacity(candidate_count * 2);
    for n in 0..candidate_count {
        let id = FIRST_CANDIDATE_ID + n as Id;
        let first = rng.pick(FIRST_NAMES);
        let last = rng.pick(LAST_NAMES);
        let created = now_ms - DAY_MS - rng.secs_below(364 * DAY_MS);
        let app_count = 1 + rng.below(3);
        let mut application_ids = Vec::with_capacity(app_count);
        let start = rng.below(jobs.len());
        for k in 0..app_count {
            // Consecutive jobs from a random start: distinct as long as there are ≥ 3 jobs.
            let job = &jobs[(start + k) % jobs.len()];
            let app_id = FIRST_APPLICATION_ID + applications.len() as Id;
            let applied = created + rng.secs_below((now_ms - created).min(14 * DAY_MS));
            let updated = applied + rng.secs_below(now_ms - applied);
            let stage = rng.pick(STAGES);
            let rejected = stage.stage_type != "hired" && rng.below(100) < 20;
            applications.push(Application {
                id: app_id,
                candidate_id: id,
                job_id: job.id,
                stage_id: stage.id,
                reject_reason_id: rejected.then(|| rng.pick(REJECT_REASONS).id),
                rejected_at: rejected.then_some(Ts(updated)),
                referring_site: (rng.below(100) < 80).then(|| rng.pick(SITES)),
                sourced: rng.below(100) < 10,
                created_at: Ts(applied),
                updated_at: Ts(updated),
            });
            application_ids.push(app_id);
        }
        let tags = (0..rng.below(3)).map(|_| rng.pick(TAGS).to_owned()).collect::<Vec<_>>();
        candidates.push(Candidate {
            id,
            email: format!("{}.{}{}@example.com", ascii(first), ascii(last), n + 1),
            phone: (rng.below(100) < 80).then(|| format!("+46 70 {:03} {:04}", rng.below(1000), n % 10_000)),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            pitch: None,
            sourced: rng.below(100) < 10,
            restricted: rng.below(100) < 3,
            tags,
            created_at: Ts(created),
            updated_at: Ts(created + rng.secs_below((now_ms - created).min(30 * DAY_MS))),
            application_ids,
            resume_id: None,
        });
    }

    let users = USERS
        .iter()
        .enumerate()
        .map(|(i, (name, email, role))| User {
            id: FIRST_USER_ID + i as Id,
            name: (*name).to_owned(),
            email: (*email).to_owned(),
            role,
        })
        .collect();

    Store {
        users,
        jobs,
        stages: STAGES.to_vec(),
        reject_reasons: REJECT_REASONS.to_vec(),
        candidates,
        applications,
        uploads: Vec::new(),
        next_upload_id: FIRST_UPLOAD_ID,
    }
}

fn ascii(name: &str) -> String {
    name.replace('ö', "o").chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_well_formed() {
        let now = Ts::now();
        let a = build(40, 7, now);
        let b = build(40, 7, now);
        assert_eq!(a.candidates[5].first_name, b.candidates[5].first_name);
        assert!(a.applications.windows(2).all(|w| w[0].id < w[1].id), "sorted by id");
        for candidate in &a.candidates {
            assert!((1..=3).contains(&candidate.application_ids.len()));
        }
    }

    #[test]
    fn large_seed_is_quick() {
        let started = std::time::Instant::now();
        assert_eq!(build(100_000, 42, Ts::now()).candidates.len(), 100_000);
        assert!(started.elapsed().as_secs() < 20);
    }
}
