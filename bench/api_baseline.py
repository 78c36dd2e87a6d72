"""The baseline for bench/api.py: a minimal WSGI app doing the same work as the three API calls.

No framework: psycopg (one connection per thread), the standard library, argon2-cffi and PyJWT.
- ``POST /token``: read HTTP Basic, load the client row, verify the secret's Argon2 hash (the same
  hash SIGAP stored), sign a 15-minute EdDSA JWT, answer JSON;
- ``GET /members/<nik>``: the same member SELECT as ``sigap.api.selectors.memberships`` (members of
  the NIK inside the area, with their programme), JSON;
- ``POST /dci``: parse the DCI envelope, take the NIK of each ``idtype-value`` request, the same
  SELECT, a JSON envelope with the records.
No token check, no rate limit, no audit row: what the same server and database do for the lookup
alone.  Environment: ``BENCH_DSN``, ``BENCH_AREA``.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import jwt
import psycopg
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DSN = os.environ.get("BENCH_DSN", "")
AREA = os.environ.get("BENCH_AREA", "3275")
KEY = Ed25519PrivateKey.generate()
HASHER = PasswordHasher()
MEMBERS = (
    "SELECT m.nik, m.kpj, m.state, m.kode_kelurahan, p.code, p.name FROM enrolment_member m "
    "JOIN programmes_programme p ON p.id = m.programme_id WHERE m.nik = %s AND m.kode_kelurahan LIKE %s "
    "ORDER BY p.code"
)
CLIENT = "SELECT secret_hash, scopes, area_code, active FROM api_apiclient WHERE client_id = %s"
_local = threading.local()


def _connection() -> psycopg.Connection[Any]:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg.connect(DSN, autocommit=True)
        _local.conn = conn
    return conn


def _json(start_response: Callable[..., Any], status: str, body: Any) -> Iterable[bytes]:
    raw = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))])
    return [raw]


def _members(nik: str) -> list[dict[str, str]]:
    rows = _connection().execute(MEMBERS, (nik, AREA + "%")).fetchall()
    return [
        {"nik": r[0], "kpj": r[1], "state": r[2], "kode_kelurahan": r[3], "programme": r[4], "name": r[5]}
        for r in rows
    ]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    if path == "/token":
        client_id, _, secret = (
            base64.b64decode(environ.get("HTTP_AUTHORIZATION", "")[6:]).decode().partition(":")
        )
        row = _connection().execute(CLIENT, (client_id,)).fetchone()
        if row is None or not row[3]:
            return _json(start_response, "401 Unauthorized", {"error": "invalid_client"})
        HASHER.verify(row[0][len("argon2") :], secret)  # Django stores "argon2" + the argon2-cffi hash
        now = int(time.time())
        claims = {"sub": client_id, "scope": " ".join(row[1]), "area": row[2], "iat": now, "exp": now + 900,
                  "jti": uuid.uuid4().hex}  # fmt: skip
        token = jwt.encode(claims, KEY, algorithm="EdDSA")
        return _json(
            start_response, "200 OK", {"access_token": token, "token_type": "Bearer", "expires_in": 900}
        )
    if path.startswith("/members/"):
        found = _members(path[len("/members/") :])
        if not found:
            return _json(start_response, "404 Not Found", {"detail": "not found"})
        return _json(start_response, "200 OK", {"memberships": found})
    if path == "/dci":
        message = json.loads(body)
        answers = []
        for item in message["message"]["search_request"]:
            records = _members(str(item["search_criteria"]["query"]["value"]))
            answers.append(
                {"reference_id": item["reference_id"], "status": "succ", "data": {"reg_records": records}}
            )
        return _json(
            start_response, "200 OK", {"header": {"status": "succ"}, "message": {"search_response": answers}}
        )
    return _json(start_response, "404 Not Found", {})
