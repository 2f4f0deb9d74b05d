//! The upload comparison: the same file sent directly to the emulator in Greenhouse's format and
//! through the gateway in Kombo's, in alternating phases (D G, G D, …) so drift cancels out.
//!
//! Both paths use type "other" (`OTHER` through the gateway): a `resume` upload makes the
//! emulator demote older resumes by scanning every stored attachment under its write lock, which
//! would make both paths slower as the run goes on and measure the emulator, not the gateway.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use base64::{engine::general_purpose::STANDARD, Engine};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};

use crate::{
    load::{self, Limits, Request, Totals},
    procs::Launcher,
    stack::Stack,
};

/// Shared state of a run: how to start processes, the one HTTP client, the current stack.
pub struct Bench {
    pub launcher: Launcher,
    pub client: reqwest::Client,
    pub stack: Option<Stack>,
    /// Most file bytes one emulator may hold before a fresh stack is started.
    pub budget_bytes: u64,
    pub stacks_started: u32,
}

impl Bench {
    /// The current stack if it can take `bytes` more, else a fresh one (the old one is stopped
    /// first so its memory is released).
    pub async fn stack_with_room(&mut self, bytes: u64) -> anyhow::Result<&mut Stack> {
        let fits = self.stack.as_ref().is_some_and(|s| s.stored_bytes + bytes <= self.budget_bytes);
        if !fits {
            self.stack = None;
            self.stacks_started += 1;
            let label = format!("stack{}", self.stacks_started);
            crate::progress(&format!("starting {label} (emulator + gateway)"));
            let stack = Stack::start(&self.launcher, &self.client, &label).await.context("starting a stack")?;
            self.stack = Some(stack);
        }
        Ok(self.stack.as_mut().expect("just set"))
    }
}

/// One file, base64-encoded once.
pub struct Payload {
    pub file_bytes: usize,
    base64: String,
}

impl Payload {
    /// Deterministic incompressible bytes (xorshift), so every run uploads the same file.
    pub fn new(file_bytes: usize) -> Payload {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut raw = Vec::with_capacity(file_bytes + 8);
        while raw.len() < file_bytes {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            raw.extend_from_slice(&state.to_le_bytes());
        }
        raw.truncate(file_bytes);
        Payload { file_bytes, base64: STANDARD.encode(&raw) }
    }

    /// `POST {base}/v3/attachments` with a cached bearer token.
    pub fn direct(&self, stack: &Stack) -> Request {
        let body = format!(
            r#"{{"application_id":{},"filename":"cv.pdf","type":"other","content":"{}","content_type":"application/pdf"}}"#,
            stack.remote_application_id, self.base64
        );
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(AUTHORIZATION, header_value(&format!("Bearer {}", stack.token)));
        Request { url: format!("{}/v3/attachments", stack.info.base_url), headers, body: Bytes::from(body) }
    }

    /// `POST /v1/ats/applications/{id}/attachments` with the API key and integration id.
    pub fn gateway(&self, stack: &Stack) -> Request {
        let body = format!(
            r#"{{"attachment":{{"name":"cv.pdf","type":"OTHER","content_type":"application/pdf","data":"{}"}}}}"#,
            self.base64
        );
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(AUTHORIZATION, header_value(&format!("Bearer {}", stack.api_key)));
        headers.insert("x-integration-id", header_value(&stack.integration_id));
        Request {
            url: format!("{}/v1/ats/applications/{}/attachments", stack.gateway_url, stack.application_id),
            headers,
            body: Bytes::from(body),
        }
    }
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("ids and keys are visible ASCII")
}

/// How to run one comparison.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub concurrency: usize,
    pub rounds: u32,
    /// Length of one phase (one path, one round).
    pub phase: Duration,
    /// Cap on measured uploads per phase (large files are counted, not timed).
    pub max_per_phase: Option<u64>,
    /// Unmeasured uploads before each phase.
    pub warmup: u64,
}

/// Both paths' totals over every round.
pub struct Comparison {
    pub plan: Plan,
    pub file_bytes: usize,
    pub direct_body_bytes: usize,
    pub gateway_body_bytes: usize,
    pub direct: Totals,
    pub gateway: Totals,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Direct,
    Gateway,
}

pub async fn compare(bench: &mut Bench, payload: &Payload, plan: Plan, label: &str) -> anyhow::Result<Comparison> {
    let client = bench.client.clone();
    let file = payload.file_bytes as u64;
    let budget = bench.budget_bytes;
    let mut result = Comparison {
        plan,
        file_bytes: payload.file_bytes,
        direct_body_bytes: 0,
        gateway_body_bytes: 0,
        direct: Totals::default(),
        gateway: Totals::default(),
    };
    for round in 0..plan.rounds {
        // Both phases of a round share one stack; a timed round may fill up to half the budget.
        let need = match plan.max_per_phase {
            Some(max) => 2 * (max + plan.warmup) * file,
            None => budget / 2,
        };
        let stack = bench.stack_with_room(need.min(budget)).await?;
        let direct = Arc::new(payload.direct(stack));
        let gateway = Arc::new(payload.gateway(stack));
        result.direct_body_bytes = direct.body.len();
        result.gateway_body_bytes = gateway.body.len();
        let order = if round % 2 == 0 { [Side::Direct, Side::Gateway] } else { [Side::Gateway, Side::Direct] };
        for (i, side) in order.into_iter().enumerate() {
            let request = if side == Side::Direct { direct.clone() } else { gateway.clone() };
            let warm = Limits {
                concurrency: plan.concurrency,
                duration: Duration::from_secs(120),
                max_requests: Some(plan.warmup),
            };
            let warmed = load::run(&client, request.clone(), warm).await;
            stack.stored_bytes += warmed.ok * file;
            // A hard cap keeps the emulator's memory within the budget whatever the speed.
            let phases_left = (2 - i) as u64;
            let room = budget.saturating_sub(stack.stored_bytes) / file / phases_left;
            let max = plan.max_per_phase.map_or(room, |m| m.min(room)).max(1);
            let limits = Limits { concurrency: plan.concurrency, duration: plan.phase, max_requests: Some(max) };
            let totals = load::measure(&client, request, limits, stack.gateway.pid, stack.emulator.pid).await?;
            stack.stored_bytes += totals.ok * file;
            if totals.failed > 0 {
                crate::progress(&format!(
                    "{label} {side:?} round {round}: {} failed: {:?}",
                    totals.failed, totals.statuses
                ));
            }
            crate::progress(&format!(
                "{label} round {}/{} {side:?}: {} ok in {:.2}s ({:.0}/s, p50 {:.3} ms)",
                round + 1,
                plan.rounds,
                totals.ok,
                totals.elapsed.as_secs_f64(),
                totals.per_sec(),
                totals.quantile_ms(0.5)
            ));
            match side {
                Side::Direct => result.direct.add(&totals),
                Side::Gateway => result.gateway.add(&totals),
            }
        }
        stack.gateway.check_alive()?;
        stack.emulator.check_alive()?;
    }
    Ok(result)
}
