#!/usr/bin/env python3
"""Smoke test: Kombo's official Python SDK (package `kombo` 1.4.0) against atsgate.

Usage: python3 scripts/sdk-smoke/kombo_python.py PATH/TO/atsgate

Starts `atsgate demo --json` (an emulated Greenhouse, a key, an integration with every
permission, a first sync) on a free loopback port in a temporary data directory, then drives
the gateway with the unmodified SDK — only `server_url`, `api_key` and `integration_id`
differ from a Kombo setup — and checks in the emulator that the uploaded bytes arrived.

Prints one line per check and finally `N passed, 0 failed` (exit 0), or the failures (exit 1).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import urllib.request

try:
    from kombo import Kombo, errors
except ImportError:  # pragma: no cover - environment problem, not a test failure
    sys.exit("the `kombo` package is missing: pip install kombo==1.4.0")

STARTUP_TIMEOUT_S = 120.0
ON_BEHALF_OF = "4080002"  # a seeded emulator user other than the integration's default user

passed = 0
failures: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    global passed
    if ok:
        passed += 1
        print(f"ok    {name}")
    else:
        failures.append(f"{name}: {detail}" if detail else name)
        print(f"FAIL  {name}" + (f"\n      {detail}" if detail else ""))
    return ok


def describe(exc: BaseException) -> str:
    """What the SDK got, for a failure message."""
    if isinstance(exc, errors.SDKError):
        raw = exc.raw_response
        return f"{type(exc).__name__}: HTTP {exc.status_code} {raw.request.method} {raw.request.url} -> {exc.body[:600]}"
    return f"{type(exc).__name__}: {exc}"


def attempt(name: str, fn):
    """Runs one SDK call; an exception is a failed check. Returns the result or None."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - report whatever the SDK raised
        check(name, False, describe(exc))
        return None


def expect_error(name: str, fn, error_class, status: int, code: str) -> None:
    try:
        fn()
    except error_class as exc:
        got_code = exc.data.error.code
        got_code = getattr(got_code, "value", got_code)
        check(
            name,
            exc.status_code == status and got_code == code,
            f"expected HTTP {status} {code}, got HTTP {exc.status_code} {got_code} ({exc.body[:300]})",
        )
        return
    except Exception as exc:  # noqa: BLE001
        check(name, False, f"expected {error_class.__name__} {status} {code}, got {describe(exc)}")
        return
    check(name, False, f"expected {error_class.__name__} {status} {code}, but the call succeeded")


def start_demo(binary: str, data_dir: str, stderr_file) -> subprocess.Popen:
    # Port 0: the kernel picks a free port; the demo reports it in `gateway_url`.
    return subprocess.Popen(
        [binary, "--data-dir", data_dir, "demo", "--listen", "127.0.0.1:0", "--json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
    )


def read_demo_line(proc: subprocess.Popen) -> dict:
    """The one JSON line `demo --json` prints once it is ready."""
    assert proc.stdout is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RuntimeError(f"atsgate demo printed no JSON line within {STARTUP_TIMEOUT_S:.0f} s")
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            raise RuntimeError(f"atsgate demo exited (code {proc.wait()}) before printing its JSON line")
        line += chunk
    first, _, rest = line.partition(b"\n")
    if rest.strip():
        raise RuntimeError(f"atsgate demo printed more than one line on stdout: {line!r}")
    return json.loads(first)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def run(demo: dict) -> None:
    gateway = demo["gateway_url"]
    key, integration_id = demo["api_key"], demo["integration_id"]
    application_id, candidate_id = demo["application_id"], demo["candidate_id"]
    server_url = f"{gateway}/v1"
    kombo = Kombo(api_key=key, integration_id=integration_id, server_url=server_url)

    # General endpoints.
    r = attempt("check_api_key", lambda: kombo.general.check_api_key())
    if r is not None:
        check("check_api_key", r.STATUS == "success" and bool(r.data.environment_id), repr(r))

    r = attempt("get_integration_details", lambda: kombo.general.get_integration_details(integration_id=integration_id))
    if r is not None:
        check(
            "get_integration_details (raw ':' in the path, as the Python SDK sends it)",
            r.data.id == integration_id and r.data.tool.id == "greenhouse" and r.data.category == "ATS",
            repr(r.data)[:300],
        )
        actions = {a.id: a for a in r.data.write_actions}
        attach = actions.get("ats_add_application_attachment")
        check(
            "integration lists ats_add_application_attachment as enabled and available",
            attach is not None and attach.is_available and attach.scope_config_setting == "ENABLED",
            repr(attach),
        )

    # The TypeScript SDK percent-encodes the colon; the gateway must decode it.
    encoded = urllib.parse.quote(integration_id, safe="")
    parsed = urllib.parse.urlsplit(gateway)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        conn.request("GET", f"/v1/integrations/{encoded}", headers={"Authorization": f"Bearer {key}", "Accept": "application/json"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    ok = response.status == 200 and json.loads(body).get("data", {}).get("id") == integration_id
    check(f"GET /v1/integrations/{encoded} (percent-encoded ':', as the TypeScript SDK sends it)", ok, f"HTTP {response.status} {body[:300]!r}")

    # Applications: page through everything, 5 at a time.
    applications: list = []
    page_sizes: list[int] = []
    page = attempt("get_applications(page_size=5)", lambda: kombo.ats.get_applications(page_size=5))
    try:
        while page is not None:
            results = page.result.data.results
            page_sizes.append(len(results))
            applications.extend(results)
            if len(page_sizes) > 1000:
                raise RuntimeError("more than 1000 pages; is data.next looping?")
            page = page.next()
    except Exception as exc:  # noqa: BLE001
        check("get_applications: follow .next()", False, describe(exc))
    ids = [a.id for a in applications]
    check(
        f"get_applications paged through {len(page_sizes)} pages, {len(ids)} applications",
        len(page_sizes) > 1 and all(n == 5 for n in page_sizes[:-1]) and 0 < page_sizes[-1] <= 5,
        f"page sizes {page_sizes}",
    )
    check("application ids are unique across pages", len(ids) == len(set(ids)), f"{len(ids)} ids, {len(set(ids))} distinct")
    single = attempt("get_applications(page_size=250)", lambda: kombo.ats.get_applications(page_size=250))
    if single is not None:
        check(
            "one page of 250 holds the same applications",
            sorted(a.id for a in single.result.data.results) == sorted(ids) and single.result.data.next is None,
            f"{len(single.result.data.results)} results, next={single.result.data.next!r}",
        )
    demo_app = next((a for a in applications if a.id == application_id), None)
    check("the demo's application is listed", demo_app is not None, f"{application_id} not among {len(ids)} ids")

    # Candidates.
    candidates: list = []
    page = attempt("get_candidates(page_size=10)", lambda: kombo.ats.get_candidates(page_size=10))
    try:
        while page is not None:
            candidates.extend(page.result.data.results)
            page = page.next()
    except Exception as exc:  # noqa: BLE001
        check("get_candidates: follow .next()", False, describe(exc))
    demo_candidate = next((c for c in candidates if c.id == candidate_id), None)
    check(f"get_candidates lists the demo's candidate ({len(candidates)} candidates)", demo_candidate is not None)
    if demo_candidate is not None and demo_app is not None:
        check(
            "application.candidate_id and candidate.applications agree",
            demo_app.candidate_id == candidate_id and application_id in [a.id for a in demo_candidate.applications],
            f"application.candidate_id={demo_app.candidate_id!r}",
        )
    filtered = attempt("get_candidates(ids=[...])", lambda: kombo.ats.get_candidates(ids=[candidate_id]))
    if filtered is not None:
        check(
            "get_candidates(ids=[candidate_id]) returns exactly that candidate",
            [c.id for c in filtered.result.data.results] == [candidate_id],
            repr([c.id for c in filtered.result.data.results]),
        )

    # Uploads.
    cv = b"%PDF-1.4\n% atsgate SDK smoke test CV\n" + os.urandom(2048) + b"\n%%EOF\n"
    cv_sha = hashlib.sha256(cv).hexdigest()
    r = attempt(
        "add_application_attachment",
        lambda: kombo.ats.add_application_attachment(
            application_id=application_id,
            attachment={
                "name": "Frank Doe CV.pdf",
                "type": "CV",
                "content_type": "application/pdf",
                "data": base64.b64encode(cv).decode(),
            },
            remote_fields={"greenhouse": {"post_headers": {"on_behalf_of": ON_BEHALF_OF}}},
        ),
    )
    if r is not None:
        check("add_application_attachment: success, no warnings", r.STATUS == "success" and r.warnings == [], repr(r))

    letter = "Dear hiring team,\nplease find my cover letter. — Frank (ünïcödé)\n".encode()
    letter_sha = hashlib.sha256(letter).hexdigest()
    r = attempt(
        "add_candidate_attachment",
        lambda: kombo.ats.add_candidate_attachment(
            candidate_id=candidate_id,
            attachment={
                "name": "Frank Doe cover letter.txt",
                "type": "COVER_LETTER",
                "content_type": "text/plain",
                "data": base64.b64encode(letter).decode(),
            },
        ),
    )
    if r is not None:
        check(
            "add_candidate_attachment: success with a warning (Greenhouse keeps files on applications)",
            r.STATUS == "success" and len(r.warnings) == 1 and "application" in r.warnings[0].message,
            repr(r),
        )

    # Errors.
    expect_error(
        "unknown application id -> KomboAtsError 404 PLATFORM.INPUT_INVALID",
        lambda: kombo.ats.add_application_attachment(
            application_id="NoSuchApplication0000000",
            attachment={"name": "x.txt", "type": "CV", "content_type": "text/plain", "data": "eA=="},
        ),
        errors.KomboAtsError,
        404,
        "PLATFORM.INPUT_INVALID",
    )
    wrong_key = Kombo(api_key="atsg_wrong", integration_id=integration_id, server_url=server_url)
    expect_error(
        "wrong API key on check_api_key -> KomboGeneralError 401 PLATFORM.AUTHENTICATION_INVALID",
        lambda: wrong_key.general.check_api_key(),
        errors.KomboGeneralError,
        401,
        "PLATFORM.AUTHENTICATION_INVALID",
    )
    expect_error(
        "wrong API key on get_applications -> KomboAtsError 401 PLATFORM.AUTHENTICATION_INVALID",
        lambda: wrong_key.ats.get_applications(),
        errors.KomboAtsError,
        401,
        "PLATFORM.AUTHENTICATION_INVALID",
    )
    other_integration = Kombo(api_key=key, integration_id="greenhouse:NoSuchIntegration0000000", server_url=server_url)
    expect_error(
        "unknown integration id -> KomboAtsError 404 PLATFORM.INTEGRATION_NOT_FOUND",
        lambda: other_integration.ats.get_candidates(),
        errors.KomboAtsError,
        404,
        "PLATFORM.INTEGRATION_NOT_FOUND",
    )

    # What the (emulated) ATS received.
    files = get_json(f"{demo['emulator_url']}/_emulator/files")
    by_sha = {f["sha256"]: f for f in files}
    got = by_sha.get(cv_sha)
    check(
        "emulator received the CV unchanged (sha256), as a resume, on behalf of user " + ON_BEHALF_OF,
        got is not None
        and got["type"] == "resume"
        and got["filename"] == "Frank Doe CV.pdf"
        and got["actor_user_id"] == ON_BEHALF_OF
        and (demo_app is None or got["application_id"] == demo_app.remote_id),
        f"received: {json.dumps(files)[:600]}",
    )
    got = by_sha.get(letter_sha)
    check(
        "emulator received the cover letter unchanged (sha256), as a cover_letter, on the candidate's application",
        got is not None
        and got["type"] == "cover_letter"
        and (demo_candidate is None or got["candidate_id"] == demo_candidate.remote_id)
        and got["actor_user_id"] != ON_BEHALF_OF,
        f"received: {json.dumps(files)[:600]}",
    )
    check("emulator received exactly the two uploads", len(files) == 2, f"{len(files)} files")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="atsgate-sdk-smoke-") as data_dir:
        stderr_path = os.path.join(data_dir, "demo.stderr")
        with open(stderr_path, "wb") as stderr_file:
            proc = None
            try:
                proc = start_demo(binary, data_dir, stderr_file)
                demo = read_demo_line(proc)
                print(f"atsgate demo at {demo['gateway_url']}, integration {demo['integration_id']}")
                run(demo)
            except Exception as exc:  # noqa: BLE001 - an unexpected crash is a failure, not a traceback-and-hang
                traceback.print_exc(file=sys.stdout)
                failures.append(f"unexpected error: {type(exc).__name__}: {exc}")
            finally:
                if proc is not None:
                    stop(proc)
        if failures:
            with open(stderr_path, "rb") as f:
                tail = f.read().decode(errors="replace").splitlines()[-30:]
            print("--- last lines of atsgate's stderr ---")
            print("\n".join(tail))
    print(f"{passed} passed, {len(failures)} failed")
    if failures:
        print("failures:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
