#!/usr/bin/env node
// Smoke test: Kombo's official TypeScript SDK (npm package `@kombo-api/sdk` 1.1.3) against atsgate.
//
// Usage: (cd scripts/sdk-smoke && npm ci) && node scripts/sdk-smoke/kombo_ts.mjs PATH/TO/atsgate
//
// Starts `atsgate demo --json` (an emulated Greenhouse, a key, an integration with every
// permission, a first sync) on a free loopback port in a temporary data directory, then drives
// the gateway with the unmodified SDK — only `server_url`, `api_key` and `integration_id`
// differ from a Kombo setup — and checks in the emulator that the uploaded bytes arrived.
//
// Prints one line per check and finally `N passed, 0 failed` (exit 0), or the failures (exit 1).

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

let Kombo, HTTPClient, errors;
try {
  ({ Kombo, HTTPClient } = await import("@kombo-api/sdk"));
  errors = await import("@kombo-api/sdk/models/errors");
} catch (err) {
  // An environment problem, not a test failure.
  console.error(`the @kombo-api/sdk package is missing (${err.message}): run \`npm ci\` in scripts/sdk-smoke`);
  process.exit(2);
}

const STARTUP_TIMEOUT_MS = 120_000;
const ON_BEHALF_OF = "4080002"; // a seeded emulator user other than the integration's default user

let passed = 0;
const failures = [];

function check(name, ok, detail = "") {
  if (ok) {
    passed += 1;
    console.log(`ok    ${name}`);
  } else {
    failures.push(detail ? `${name}: ${detail}` : name);
    console.log(`FAIL  ${name}` + (detail ? `\n      ${detail}` : ""));
  }
  return ok;
}

const show = (value, max = 300) => {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text === undefined ? String(value) : text.slice(0, max);
};

// Every request the SDK sends and the status it got, via the SDK's own HTTP client hooks.
const wire = [];
function recordingClient() {
  const client = new HTTPClient();
  client.addHook("beforeRequest", (req) => {
    wire.push({ method: req.method, url: req.url, headers: Object.fromEntries(req.headers.entries()), status: null });
  });
  client.addHook("response", (res, req) => {
    for (let i = wire.length - 1; i >= 0; i--) {
      if (wire[i].url === req.url && wire[i].status === null) {
        wire[i].status = res.status;
        break;
      }
    }
  });
  return client;
}
const lastRequest = () => wire[wire.length - 1];

/** What the SDK sent and got, for a failure message. */
function describe(err) {
  const sent = lastRequest();
  const onWire = sent ? ` [sent ${sent.method} ${sent.url} -> HTTP ${sent.status ?? "no response"}]` : "";
  if (err instanceof errors.ResponseValidationError) {
    // A subclass of KomboError: the body did not match the SDK's zod schema.
    return `ResponseValidationError: HTTP ${err.statusCode} ${err.pretty().slice(0, 900)} body: ${String(err.body).slice(0, 600)}${onWire}`;
  }
  if (err instanceof errors.KomboError) {
    return `${err.constructor.name}: HTTP ${err.statusCode} ${String(err.body).slice(0, 600)}${onWire}`;
  }
  return `${err?.constructor?.name ?? "Error"}: ${err?.message ?? err}${onWire}`;
}

/** Runs one SDK call; an exception is a failed check. Returns the result or null. */
async function attempt(name, fn) {
  try {
    return await fn();
  } catch (err) {
    check(name, false, describe(err));
    return null;
  }
}

async function expectError(name, fn, errorClass, status, code) {
  try {
    await fn();
  } catch (err) {
    if (err instanceof errorClass) {
      const gotCode = err.error?.code ?? err.data$?.error?.code;
      check(
        name,
        err.statusCode === status && gotCode === code,
        `expected HTTP ${status} ${code}, got HTTP ${err.statusCode} ${gotCode} (${String(err.body).slice(0, 300)})`,
      );
    } else {
      check(name, false, `expected ${errorClass.name} ${status} ${code}, got ${describe(err)}`);
    }
    return;
  }
  check(name, false, `expected ${errorClass.name} ${status} ${code}, but the call succeeded`);
}

/** Collects every page of a paginated SDK result (an async iterable of pages). */
async function allPages(name, fn) {
  const pages = [];
  try {
    const first = await fn();
    for await (const page of first) {
      pages.push(page.result.data.results);
      if (pages.length > 1000) throw new Error("more than 1000 pages; is data.next looping?");
    }
  } catch (err) {
    check(name, false, describe(err));
  }
  return pages;
}

function startDemo(binary, dataDir, stderrFd) {
  // Port 0: the kernel picks a free port; the demo reports it in `gateway_url`.
  return spawn(binary, ["--data-dir", dataDir, "demo", "--listen", "127.0.0.1:0", "--json"], {
    stdio: ["ignore", "pipe", stderrFd],
  });
}

/** The one JSON line `demo --json` prints once it is ready. */
function readDemoLine(proc) {
  return new Promise((resolveLine, reject) => {
    let buffer = "";
    const cleanup = () => {
      clearTimeout(timer);
      proc.stdout.off("data", onData);
      proc.off("exit", onExit);
      proc.off("error", onError);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`atsgate demo printed no JSON line within ${STARTUP_TIMEOUT_MS / 1000} s`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk) => {
      buffer += chunk.toString("utf8");
      const newline = buffer.indexOf("\n");
      if (newline < 0) return;
      cleanup();
      const first = buffer.slice(0, newline);
      if (buffer.slice(newline + 1).trim()) {
        reject(new Error(`atsgate demo printed more than one line on stdout: ${JSON.stringify(buffer)}`));
        return;
      }
      try {
        resolveLine(JSON.parse(first));
      } catch (err) {
        reject(new Error(`atsgate demo printed a line that is not JSON: ${JSON.stringify(first)} (${err.message})`));
      }
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(new Error(`atsgate demo exited (code ${code ?? signal}) before printing its JSON line`));
    };
    const onError = (err) => {
      cleanup();
      reject(new Error(`could not start atsgate: ${err.message}`));
    };
    proc.stdout.on("data", onData);
    proc.on("exit", onExit);
    proc.on("error", onError);
  });
}

function stop(proc) {
  return new Promise((done) => {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) {
      done();
      return;
    }
    const killer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    proc.once("exit", () => {
      clearTimeout(killer);
      done();
    });
    proc.kill("SIGTERM");
  });
}

async function getJson(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`GET ${url} -> HTTP ${response.status}`);
  return response.json();
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

async function run(demo) {
  const gateway = demo.gateway_url;
  const { api_key: key, integration_id: integrationId, application_id: applicationId, candidate_id: candidateId } = demo;
  const serverUrl = `${gateway}/v1`;
  const kombo = new Kombo({ api_key: key, integration_id: integrationId, server_url: serverUrl, http_client: recordingClient() });

  // General endpoints.
  let r = await attempt("checkApiKey", () => kombo.general.checkApiKey());
  if (r !== null) {
    check("checkApiKey", r.status === "success" && Boolean(r.data?.environment_id), show(r));
    const sent = lastRequest();
    check(
      "the SDK sent its usual headers (bearer key, empty cookie header, no X-Integration-Id on /check-api-key)",
      sent.headers.authorization === `Bearer ${key}` && sent.headers.cookie === "" && !("x-integration-id" in sent.headers),
      show(sent.headers, 600),
    );
  }

  r = await attempt("getIntegrationDetails", () => kombo.general.getIntegrationDetails({ integration_id: integrationId }));
  if (r !== null) {
    const path = new URL(lastRequest().url).pathname;
    check(
      `getIntegrationDetails (percent-encoded ':' in the path: ${path})`,
      path === `/v1/integrations/${encodeURIComponent(integrationId)}` &&
        r.data.id === integrationId && r.data.tool.id === "greenhouse" && r.data.category === "ATS",
      show(r.data),
    );
    const attach = r.data.write_actions.find((a) => a.id === "ats_add_application_attachment");
    check(
      "integration lists ats_add_application_attachment as enabled and available",
      attach !== undefined && attach.is_available === true && attach.scope_config_setting === "ENABLED",
      show(attach),
    );
  }

  // Applications: page through everything, 5 at a time, with `for await`.
  const appPages = await allPages("getApplications({ page_size: 5 }): for await over the pages", () =>
    kombo.ats.getApplications({ page_size: 5 }),
  );
  const applications = appPages.flat();
  const pageSizes = appPages.map((p) => p.length);
  const ids = applications.map((a) => a.id);
  check(
    `getApplications paged through ${pageSizes.length} pages, ${ids.length} applications`,
    pageSizes.length > 1 && pageSizes.slice(0, -1).every((n) => n === 5) && pageSizes.at(-1) > 0 && pageSizes.at(-1) <= 5,
    `page sizes ${show(pageSizes)}`,
  );
  const cursors = wire
    .filter((w) => w.method === "GET" && new URL(w.url).pathname === "/v1/ats/applications")
    .map((w) => new URL(w.url).searchParams.get("cursor"));
  check(
    "the SDK followed data.next as ?cursor= (first page without, every later page with a cursor)",
    cursors.length === pageSizes.length && cursors[0] === null && cursors.slice(1).every((c) => Boolean(c)),
    `cursors sent: ${show(cursors, 600)}`,
  );
  check("application ids are unique across pages", ids.length === new Set(ids).size, `${ids.length} ids, ${new Set(ids).size} distinct`);
  const single = await attempt("getApplications({ page_size: 250 })", () => kombo.ats.getApplications({ page_size: 250 }));
  if (single !== null) {
    const singleIds = single.result.data.results.map((a) => a.id).sort();
    check(
      "one page of 250 holds the same applications",
      show(singleIds, 1e6) === show([...ids].sort(), 1e6) && single.result.data.next === null,
      `${singleIds.length} results, next=${show(single.result.data.next)}`,
    );
  }
  const demoApp = applications.find((a) => a.id === applicationId) ?? null;
  check("the demo's application is listed", demoApp !== null, `${applicationId} not among ${ids.length} ids`);

  // Candidates.
  const candidates = (await allPages("getCandidates({ page_size: 10 }): for await over the pages", () =>
    kombo.ats.getCandidates({ page_size: 10 }),
  )).flat();
  const demoCandidate = candidates.find((c) => c.id === candidateId) ?? null;
  check(`getCandidates lists the demo's candidate (${candidates.length} candidates)`, demoCandidate !== null);
  if (demoCandidate !== null && demoApp !== null) {
    check(
      "application.candidate_id and candidate.applications agree",
      demoApp.candidate_id === candidateId && demoCandidate.applications.some((a) => a.id === applicationId),
      `application.candidate_id=${show(demoApp.candidate_id)}`,
    );
  }
  const filtered = await attempt("getCandidates({ ids: [...] })", () => kombo.ats.getCandidates({ ids: [candidateId] }));
  if (filtered !== null) {
    const got = filtered.result.data.results.map((c) => c.id);
    check("getCandidates({ ids: [candidate_id] }) returns exactly that candidate", got.length === 1 && got[0] === candidateId, show(got));
  }

  // Uploads.
  const cv = Buffer.concat([
    Buffer.from("%PDF-1.4\n% atsgate TypeScript SDK smoke test CV\n"),
    randomBytes(2048),
    Buffer.from("\n%%EOF\n"),
  ]);
  const cvSha = sha256(cv);
  r = await attempt("addApplicationAttachment", () =>
    kombo.ats.addApplicationAttachment({
      application_id: applicationId,
      body: {
        attachment: { name: "Frank Doe CV.pdf", type: "CV", content_type: "application/pdf", data: cv.toString("base64") },
        remote_fields: { greenhouse: { post_headers: { on_behalf_of: ON_BEHALF_OF } } },
      },
    }),
  );
  if (r !== null) {
    check(
      "addApplicationAttachment: success, no warnings",
      r.status === "success" && Array.isArray(r.warnings) && r.warnings.length === 0,
      show(r),
    );
  }

  const letter = Buffer.from("Dear hiring team,\nplease find my cover letter. — Frank (ünïcödé)\n", "utf8");
  const letterSha = sha256(letter);
  r = await attempt("addCandidateAttachment", () =>
    kombo.ats.addCandidateAttachment({
      candidate_id: candidateId,
      body: {
        attachment: { name: "Frank Doe cover letter.txt", type: "COVER_LETTER", content_type: "text/plain", data: letter.toString("base64") },
      },
    }),
  );
  if (r !== null) {
    check(
      "addCandidateAttachment: success with one warning (Greenhouse keeps files on applications)",
      r.status === "success" && r.warnings.length === 1 && r.warnings[0].message.includes("application"),
      show(r),
    );
  }

  // Errors.
  await expectError(
    "unknown application id -> KomboAtsError 404 PLATFORM.INPUT_INVALID",
    () =>
      kombo.ats.addApplicationAttachment({
        application_id: "NoSuchApplication0000000",
        body: { attachment: { name: "x.txt", type: "CV", content_type: "text/plain", data: "eA==" } },
      }),
    errors.KomboAtsError,
    404,
    "PLATFORM.INPUT_INVALID",
  );
  const wrongKey = new Kombo({ api_key: "atsg_wrong", integration_id: integrationId, server_url: serverUrl, http_client: recordingClient() });
  await expectError(
    "wrong API key on checkApiKey -> KomboGeneralError 401 PLATFORM.AUTHENTICATION_INVALID",
    () => wrongKey.general.checkApiKey(),
    errors.KomboGeneralError,
    401,
    "PLATFORM.AUTHENTICATION_INVALID",
  );
  await expectError(
    "wrong API key on getApplications -> KomboAtsError 401 PLATFORM.AUTHENTICATION_INVALID",
    () => wrongKey.ats.getApplications(),
    errors.KomboAtsError,
    401,
    "PLATFORM.AUTHENTICATION_INVALID",
  );
  const otherIntegration = new Kombo({
    api_key: key,
    integration_id: "greenhouse:NoSuchIntegration0000000",
    server_url: serverUrl,
    http_client: recordingClient(),
  });
  await expectError(
    "unknown integration id -> KomboAtsError 404 PLATFORM.INTEGRATION_NOT_FOUND",
    () => otherIntegration.ats.getCandidates(),
    errors.KomboAtsError,
    404,
    "PLATFORM.INTEGRATION_NOT_FOUND",
  );

  // What the (emulated) ATS received.
  const files = await getJson(`${demo.emulator_url}/_emulator/files`);
  const bySha = new Map(files.map((f) => [f.sha256, f]));
  let got = bySha.get(cvSha);
  check(
    `emulator received the CV unchanged (sha256), as a resume, on behalf of user ${ON_BEHALF_OF}`,
    got !== undefined &&
      got.type === "resume" &&
      got.filename === "Frank Doe CV.pdf" &&
      got.actor_user_id === ON_BEHALF_OF &&
      (demoApp === null || got.application_id === demoApp.remote_id),
    `received: ${show(files, 600)}`,
  );
  got = bySha.get(letterSha);
  check(
    "emulator received the cover letter unchanged (sha256), as a cover_letter, on the candidate's application",
    got !== undefined &&
      got.type === "cover_letter" &&
      (demoCandidate === null || got.candidate_id === demoCandidate.remote_id) &&
      got.actor_user_id !== ON_BEHALF_OF,
    `received: ${show(files, 600)}`,
  );
  check("emulator received exactly the two uploads", files.length === 2, `${files.length} files`);
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.length !== 1) {
    console.error("usage: node scripts/sdk-smoke/kombo_ts.mjs PATH/TO/atsgate");
    return 2;
  }
  const binary = resolve(argv[0]);
  const dataDir = mkdtempSync(join(tmpdir(), "atsgate-sdk-smoke-ts-"));
  const stderrPath = join(dataDir, "demo.stderr");
  const stderrFd = openSync(stderrPath, "w");
  let proc = null;
  try {
    proc = startDemo(binary, dataDir, stderrFd);
    const demo = await readDemoLine(proc);
    console.log(`atsgate demo at ${demo.gateway_url}, integration ${demo.integration_id}`);
    await run(demo);
  } catch (err) {
    // An unexpected crash is a failure, not a stack trace and a hung demo process.
    console.log(err?.stack ?? String(err));
    failures.push(`unexpected error: ${err?.constructor?.name ?? "Error"}: ${err?.message ?? err}`);
  } finally {
    if (proc !== null) await stop(proc);
    closeSync(stderrFd);
  }
  if (failures.length > 0) {
    const tail = readFileSync(stderrPath, "utf8").split("\n").slice(-30).join("\n");
    console.log("--- last lines of atsgate's stderr ---");
    console.log(tail);
  }
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`${passed} passed, ${failures.length} failed`);
  if (failures.length > 0) {
    console.log("failures:");
    for (const failure of failures) console.log(`  - ${failure}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
