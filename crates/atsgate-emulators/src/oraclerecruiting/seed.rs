//! Deterministic seeded data: requisitions, candidates and 1–3 job
//! applications per candidate to distinct requisitions, with Oracle-style
//! numeric ids. Single pass; 100 000 candidates take well under a second.

use std::collections::BTreeMap;

use chrono::DateTime;

use super::model::{Application, Candidate, Requisition, Ts};
use crate::common::seed::SeedRng;

const DAY_MS: i64 = 86_400_000;
pub const FIRST_CANDIDATE_NUMBER: u64 = 300_001;
pub const FIRST_SUBMISSION_ID: u64 = 300_100_000_001;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amara", "Arjun", "Beatriz", "Chen", "Daniel", "Elena", "Emeka", "Fatima", "Grace", "Hana", "Hugo",
    "Ines", "Jonas", "Kenji", "Lara", "Lucas", "Maya", "Nadia", "Noah", "Omar", "Priya", "Rosa", "Sofia", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Abbott", "Bauer", "Costa", "Dubois", "Fischer", "Garcia", "Haddad", "Jensen", "Kim", "Larsen", "Lopez", "Moreau",
    "Novak", "Okafor", "Patel", "Rossi", "Santos", "Singh", "Tanaka", "Weber", "Zhang",
];
const TITLES: &[&str] = &[
    "Software Engineer",
    "Data Analyst",
    "Nurse",
    "Store Manager",
    "Financial Analyst",
    "HR Business Partner",
    "Sales Representative",
    "Project Manager",
];
/// (PhaseName, StateName) of the default recruiting flow.
const STATES: &[(&str, &str)] = &[
    ("New", "To be Reviewed"),
    ("Screening", "Under Review"),
    ("Interview", "Scheduled"),
    ("Offer", "Extended"),
    ("HR", "Hired"),
    ("New", "Rejected by Employer"),
    ("Screening", "Withdrawn by Candidate"),
];

fn at(ms: i64) -> Ts {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub struct Seeded {
    pub requisitions: BTreeMap<String, Requisition>,
    pub candidates: BTreeMap<u64, Candidate>,
    pub applications: BTreeMap<u64, Application>,
}

pub fn build(candidate_count: usize, seed: u64, now: Ts) -> Seeded {
    let mut rng = SeedRng(seed);
    let now_ms = now.timestamp_millis() / 1000 * 1000;
    let job_count = (candidate_count / 10).clamp(3, 200);
    let mut requisitions = BTreeMap::new();
    let mut numbers = Vec::with_capacity(job_count);
    for i in 0..job_count {
        // Zero-padded so the text order (the list order) is the numeric order.
        let number = format!("{:06}", 1001 + i);
        let created = now_ms - 400 * DAY_MS + rng.below(30) as i64 * DAY_MS;
        numbers.push(number.clone());
        let title = format!("{} {}", TITLES[i % TITLES.len()], i / TITLES.len() + 1);
        let requisition = Requisition {
            number: number.clone(),
            title,
            creation_date: at(created),
            last_update_date: at(created + rng.below(30) as i64 * DAY_MS),
        };
        requisitions.insert(number, requisition);
    }

    let mut candidates = BTreeMap::new();
    let mut applications = BTreeMap::new();
    let mut next_submission = FIRST_SUBMISSION_ID;
    for n in 0..candidate_count {
        let key = FIRST_CANDIDATE_NUMBER + n as u64;
        let (first, last) = (rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        let created = now_ms - DAY_MS - rng.below(364 * 86_400) as i64 * 1000;
        let count = 1 + rng.below(3);
        let mut picked: Vec<usize> = Vec::with_capacity(count);
        while picked.len() < count {
            let i = rng.below(numbers.len());
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        let mut submission_ids = Vec::with_capacity(count);
        for i in picked {
            let (phase_name, state_name) = rng.pick(STATES);
            let applied = created + rng.below(14 * 86_400) as i64 * 1000;
            let application = Application {
                submission_id: next_submission,
                candidate_number: key.to_string(),
                requisition_number: numbers[i].clone(),
                phase_name,
                state_name,
                creation_date: at(applied.min(now_ms)),
                last_update_date: at(applied.min(now_ms)),
            };
            applications.insert(next_submission, application);
            submission_ids.push(next_submission);
            next_submission += 1;
        }
        let candidate = Candidate {
            number: key.to_string(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), n + 1),
            phone: format!("+1 555-{:03}-{:04}", 100 + rng.below(900), n % 10_000),
            creation_date: at(created),
            last_update_date: at(created + rng.below(30 * 86_400) as i64 * 1000),
            submission_ids,
        };
        candidates.insert(key, candidate);
    }
    Seeded { requisitions, candidates, applications }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_one_to_three_applications() {
        let now = chrono::Utc::now();
        let a = build(30, 3, now);
        let b = build(30, 3, now);
        assert_eq!(a.applications.len(), b.applications.len());
        for c in a.candidates.values() {
            assert!((1..=3).contains(&c.submission_ids.len()));
        }
    }
}
