"""Schemathesis hooks for the gateway's schema fuzzer (gateway/schema-fuzz.test.ts).

Every request is signed the way a partner signs it. The signature covers the method, the path and
query as sent and the SHA-256 of the exact body bytes, so it is made on the prepared request (a
`requests` auth runs after the body is serialised), by the signing sidecar the test started.

Random ids name nothing, so most requests would stop at a 404 or 422 before reaching the database
with the rest of their values. Ids that exist (given by the test, and seen in answers) replace most
well-formed generated ids, so that the other fields of a request travel as far as they can.
"""

import base64
import itertools
import json
import os
import re
import threading
import urllib.request

import requests
import schemathesis
from hypothesis.internal import lambda_sources

SIGNER_URL = os.environ["FUZZ_SIGNER_URL"]
STATUS_LOG = os.environ.get("FUZZ_STATUS_LOG")
SIGNING_TIMEOUT_SECONDS = 10

# As store/ids.ts makes them. Quote ids are left as generated: a transfer from a real quote waits
# seconds for a workflow that no worker runs here, which would eat the time budget.
ID_PATTERN = re.compile(r"\b(ptn|prg|mbr|lnk|agr|trf|whk)_[0-9a-hjkmnp-tv-z]{26}\b")
KNOWN_IDS_MAX = 50

_lock = threading.Lock()
_known_ids: dict[str, list[str]] = json.loads(os.environ.get("FUZZ_KNOWN_IDS", "{}"))
_request_numbers = itertools.count()
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]{1,240}")


class SignedRequest(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            # http.client sends a text body as ISO-8859-1; sign the bytes that go on the wire.
            body = body.encode("iso-8859-1")
        payload = json.dumps(
            {
                "method": request.method,
                "path": request.path_url,
                "bodyBase64": base64.b64encode(body).decode("ascii"),
            }
        ).encode("utf-8")
        signing = urllib.request.Request(
            SIGNER_URL, data=payload, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(signing, timeout=SIGNING_TIMEOUT_SECONDS) as reply:
            request.headers["Authorization"] = json.load(reply)["authorization"]
        return request


schemathesis.auth.set_from_requests(SignedRequest())


def _known_id(generated: str, number: int) -> str:
    match = ID_PATTERN.fullmatch(generated)
    if not match or number % 4 == 0:
        return generated
    with _lock:
        known = _known_ids.get(match.group(1)) or [generated]
        return known[number % len(known)]


def _with_known_ids(value, number: int):
    if isinstance(value, str):
        return _known_id(value, number)
    if isinstance(value, dict):
        return {key: _with_known_ids(item, number + index) for index, (key, item) in enumerate(value.items())}
    if isinstance(value, list):
        return [_with_known_ids(item, number + index) for index, item in enumerate(value)]
    return value


@schemathesis.hook
def before_call(context, case, kwargs):
    number = next(_request_numbers)
    for name in ("path_parameters", "query", "body"):
        value = getattr(case, name, None)
        if isinstance(value, (dict, list)):
            setattr(case, name, _with_known_ids(value, number))
    # Hypothesis draws the same short keys ("0") again and again, so most POSTs would stop at the
    # 409 for a key reused with another body. Three in four valid keys get a unique suffix; the
    # rest still try reuse and replay.
    key = (case.headers or {}).get("idempotency-key")
    if isinstance(key, str) and _VISIBLE_ASCII.fullmatch(key) and number % 4 != 0:
        case.headers["idempotency-key"] = f"{key}.{number}"


@schemathesis.hook
def after_call(context, case, response):
    content_type = (response.headers.get("content-type") or [""])[0]
    text = response.content.decode("utf-8", errors="replace")
    if response.status_code < 300 and content_type.startswith("application/json"):
        with _lock:
            for match in ID_PATTERN.finditer(text):
                known = _known_ids.setdefault(match.group(1), [])
                if match.group(0) not in known and len(known) < KNOWN_IDS_MAX:
                    known.append(match.group(0))
    if STATUS_LOG:
        # One line per request, so the test can say how many requests ran and what they got.
        code = ""
        if content_type.startswith("application/problem+json"):
            try:
                code = json.loads(text).get("code", "")
            except ValueError:
                code = "unreadable"
        with _lock, open(STATUS_LOG, "a", encoding="utf-8") as log:
            log.write(f"{case.method} {case.operation.path} {code} {response.status_code}\n")


def _describe_lambda_safely(describe):
    # CPython 3.11 (3.11.7 here) can fail ast.parse of a long module from deep in a stack with
    # "SystemError: AST constructor recursion depth mismatch", a bug of its own bookkeeping.
    # Hypothesis parses a lambda's module only to print the lambda; a run must not die of that.
    def describe_or_give_up(f):
        try:
            return describe(f)
        except SystemError:
            return "lambda: <unknown>"

    return describe_or_give_up


lambda_sources._lambda_description = _describe_lambda_safely(lambda_sources._lambda_description)
