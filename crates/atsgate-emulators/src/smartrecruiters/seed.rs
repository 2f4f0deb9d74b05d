//! Deterministic seeded data: the same seed gives the same jobs, candidates
//! and assignments under the same UUID-style ids. Single pass, no per-record
//! work beyond the strings a record owns, so 100 000 candidates take well
//! under a second.

use std::collections::BTreeMap;

use chrono::DateTime;

use super::model::{Assignment, Candidate, Job, Ts};
pub use crate::common::seed::SeedRng;

const DAY_MS: i64 = 86_400_000;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Arjun", "Beatriz", "Chen", "Chloe", "Daniel", "Elena", "Emeka", "Fatima", "Felix",
    "Grace", "Hana", "Hugo", "Ines", "Jonas", "Julia", "Kenji", "Lara", "Lucas", "Maya", "Mei", "Nadia", "Noah",
    "Olga", "Omar", "Priya", "Rosa", "Sami", "Sofia", "Tariq", "Uma", "Victor", "Yara", "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Abbott", "Adeyemi", "Bauer", "Costa", "Dubois", "Eriksson", "Fischer", "Garcia", "Haddad", "Jensen", "Kim",
    "Kowalski", "Larsen", "Lopez", "Moreau", "Nakamura", "Novak", "Okafor", "Patel", "Rossi", "Santos", "Silva",
    "Singh", "Tanaka", "Weber", "Wong", "Zhang",
];

const JOB_TITLES: &[&str] = &[
    "Backend Engineer",
    "Frontend Engineer",
    "Data Engineer",
    "Product Designer",
    "Engineering Manager",
    "Account Executive",
    "Customer Success Manager",
    "Recruiter",
    "Product Manager",
    "Security Engineer",
];

const SOURCES: &[&str] = &["LinkedIn", "Indeed", "Career Site", "Referral", "Agency"];
const TAGS: &[&str] = &["referral", "silver-medalist", "relocation", "remote", "campus"];

/// (status, subStatus) pairs of the default hiring process.
const STATUSES: &[(&str, Option<&str>)] = &[
    ("NEW", None),
    ("IN_REVIEW", Some("To Review")),
    ("INTERVIEW", Some("Phone Screen")),
    ("INTERVIEW", Some("Onsite")),
    ("OFFER", Some("Offer Sent")),
    ("HIRED", None),
    ("REJECTED", Some("Not Qualified")),
    ("WITHDRAWN", None),
];

fn at(ms: i64) -> Ts {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub struct Seeded {
    pub jobs: BTreeMap<String, Job>,
    pub candidates: BTreeMap<String, Candidate>,
}

pub fn build(candidate_count: usize, seed: u64, now: Ts) -> Seeded {
    let mut rng = SeedRng(seed);
    let now_ms = now.timestamp_millis() / 1000 * 1000;
    let year_ago = now_ms - 365 * DAY_MS;

    let job_count = (candidate_count / 10).clamp(3, 200);
    let mut jobs = BTreeMap::new();
    let mut job_ids = Vec::with_capacity(job_count);
    for i in 0..job_count {
        let id = rng.uuid();
        let created = year_ago - rng.below(90) as i64 * DAY_MS;
        let base = JOB_TITLES[i % JOB_TITLES.len()];
        let title = match i / JOB_TITLES.len() {
            0 => base.to_owned(),
            n => format!("{base} {}", n + 1),
        };
        let status = if i < 3 { "SOURCING" } else { rng.pick(&["SOURCING", "INTERVIEW", "OFFER", "FILLED"]) };
        job_ids.push(id.clone());
        let job = Job {
            id: id.clone(),
            title,
            ref_number: format!("REF{}", 1000 + i),
            status,
            created_on: at(created),
            updated_on: at(created + rng.below(30) as i64 * DAY_MS),
        };
        jobs.insert(id, job);
    }

    let mut candidates = BTreeMap::new();
    for n in 0..candidate_count {
        let id = rng.uuid();
        let first = rng.pick(FIRST_NAMES);
        let last = rng.pick(LAST_NAMES);
        let created = now_ms - DAY_MS - rng.below(364 * 86_400) as i64 * 1000;
        let updated = created + rng.below(((now_ms - created) / 1000).max(1) as usize) as i64 * 1000;
        let count = 1 + rng.below(3);
        let mut assignments: Vec<Assignment> = Vec::with_capacity(count);
        while assignments.len() < count {
            let job_id = &job_ids[rng.below(job_ids.len())];
            if assignments.iter().any(|a| &a.job_id == job_id) {
                continue;
            }
            let (status, sub_status) = rng.pick(STATUSES);
            assignments.push(Assignment { job_id: job_id.clone(), status, sub_status });
        }
        let tags = if rng.below(3) == 0 { vec![rng.pick(TAGS).to_owned()] } else { Vec::new() };
        let candidate = Candidate {
            id: id.clone(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), n + 1),
            phone_number: format!("+1 555-{:03}-{:04}", 100 + rng.below(900), n % 10_000),
            source: rng.pick(SOURCES),
            tags,
            created_on: at(created),
            updated_on: at(updated),
            assignments,
        };
        candidates.insert(id, candidate);
    }
    Seeded { jobs, candidates }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_distinct_jobs_per_candidate() {
        let now = chrono::Utc::now();
        let a = build(40, 9, now);
        let b = build(40, 9, now);
        assert_eq!(a.candidates.keys().collect::<Vec<_>>(), b.candidates.keys().collect::<Vec<_>>());
        for c in a.candidates.values() {
            assert!((1..=3).contains(&c.assignments.len()));
            assert!(c.assignments.iter().all(|x| a.jobs.contains_key(&x.job_id)));
        }
        assert_eq!(a.candidates.keys().next().map(String::len), Some(36));
    }
}
