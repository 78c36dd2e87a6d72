"""Client credentials: token flow, claims checked against the JWKS, expiry, key rotation and
retirement, revocation, rate limit, and the audit rows every call leaves."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jwt
import pytest
from django.test import Client

from factories import make_programme, make_user
from sigap.api.actions import api_client_create, api_client_revoke, signing_key_retire, signing_key_rotate
from sigap.api.models import ApiClient, SigningKey
from sigap.audit.models import AuditEvent
from sigap.errors import UserError

from .conftest import problem

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def test_token_by_basic_or_form_and_its_claims(api_client: Any, clock: Any) -> None:
    clock(DAY)
    caller = api_client(["status:read", "aggregates:read"], "3275", login=False)
    answer = caller.fetch_token()
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    body = answer.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        900,
        "status:read aggregates:read",
    )

    keys = Client().get("/api/v1/.well-known/jwks.json").json()["keys"]
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA" and [k["kid"] for k in keys] == [header["kid"]]
    key = jwt.PyJWK(keys[0]).key
    claims = jwt.decode(body["access_token"], key, algorithms=["EdDSA"], audience="sigap-api", issuer="sigap")
    assert claims["sub"] == caller.client_id and claims["area"] == "3275"
    assert claims["exp"] - claims["iat"] == 900

    form = Client().post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials", "client_id": caller.client_id, "client_secret": caller.secret},
    )
    assert form.status_code == 200
    narrowed = caller.fetch_token(scope="aggregates:read").json()
    assert narrowed["scope"] == "aggregates:read"


def test_token_refusals_are_oauth_errors_in_problem_documents(api_client: Any) -> None:
    caller = api_client(["status:read"], "3275", login=False)
    wrong = ApiCallerSecret(caller, "not-the-secret")
    body = problem(wrong, 401)
    assert body["error"] == "invalid_client" and wrong["WWW-Authenticate"].startswith("Basic")
    assert problem(caller.fetch_token(grant_type="password"), 400)["error"] == "unsupported_grant_type"
    assert problem(caller.fetch_token(scope="payments:write"), 400)["error"] == "invalid_scope"
    unknown = Client().post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    )
    assert problem(unknown, 401)["error"] == "invalid_client"
    garbage = Client().post(
        "/api/v1/oauth/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION="Basic %%%"
    )
    assert problem(garbage, 401)["error"] == "invalid_client"
    refused = AuditEvent.objects.filter(action="api.token.refuse", actor_label=f"api:{caller.client_id}")
    assert refused.count() == 2  # wrong secret, scope not granted (unknown clients have no row of their own)


def ApiCallerSecret(caller: Any, secret: str) -> Any:  # noqa: N802 -- reads like a constructor
    import base64

    basic = base64.b64encode(f"{caller.client_id}:{secret}".encode()).decode()
    return Client().post(
        "/api/v1/oauth/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )


def test_missing_bad_and_expired_tokens_are_401(api_client: Any, clock: Any) -> None:
    clock(DAY)
    make_programme("SIGAP-2026")
    caller = api_client(["aggregates:read"], "3275")
    assert caller.get("/api/v1/programmes").status_code == 200
    anonymous = Client().get("/api/v1/programmes")
    assert problem(anonymous, 401) and anonymous["WWW-Authenticate"].startswith("Bearer")
    tampered = caller.token[:-4] + ("AAAA" if not caller.token.endswith("AAAA") else "BBBB")
    bad = Client().get("/api/v1/programmes", HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert problem(bad, 401)["detail"] == "the token cannot be verified"
    assert "invalid_token" in bad["WWW-Authenticate"]
    assert problem(Client().get("/api/v1/programmes", HTTP_AUTHORIZATION="Bearer x.y.z"), 401)
    clock(DAY + dt.timedelta(days=1))  # long past 15 minutes
    expired = problem(caller.get("/api/v1/programmes"), 401)
    assert "expired" in expired["detail"]


def test_key_rotation_old_tokens_verify_until_the_key_is_retired(api_client: Any, clock: Any) -> None:
    clock(DAY)
    make_programme("SIGAP-2026")
    old = api_client(["aggregates:read"], "3275")
    first = SigningKey.objects.get()
    rotated = signing_key_rotate()
    new = api_client(["aggregates:read"], "3275")
    assert jwt.get_unverified_header(old.token)["kid"] == first.kid
    assert jwt.get_unverified_header(new.token)["kid"] == rotated.kid
    kids = [k["kid"] for k in Client().get("/api/v1/.well-known/jwks.json").json()["keys"]]
    assert kids == [rotated.kid, first.kid]
    assert old.get("/api/v1/programmes").status_code == 200  # signed by the old key: still verifies
    with pytest.raises(UserError, match="rotate first"):
        signing_key_retire(key=rotated)
    signing_key_retire(key=first)
    assert "retired" in problem(old.get("/api/v1/programmes"), 401)["detail"]
    assert new.get("/api/v1/programmes").status_code == 200
    assert [k["kid"] for k in Client().get("/api/v1/.well-known/jwks.json").json()["keys"]] == [rotated.kid]
    actions = set(AuditEvent.objects.filter(action__startswith="api.key").values_list("action", flat=True))
    assert actions == {"api.key.create", "api.key.rotate", "api.key.retire"}


def test_revoking_a_client_stops_its_tokens_at_once(api_client: Any, clock: Any) -> None:
    clock(DAY)
    make_programme("SIGAP-2026")
    caller = api_client(["aggregates:read"], "3275")
    assert caller.get("/api/v1/programmes").status_code == 200
    api_client_revoke(client=ApiClient.objects.get(client_id=caller.client_id), reason="rahasia bocor")
    assert "revoked" in problem(caller.get("/api/v1/programmes"), 401)["detail"]
    assert problem(caller.fetch_token(), 401)["error"] == "invalid_client"
    with pytest.raises(UserError, match="already revoked"):
        api_client_revoke(client=ApiClient.objects.get(client_id=caller.client_id), reason="lagi")


def test_only_an_admin_dinas_of_the_area_manages_clients(db: Any) -> None:
    from sigap.accounts.models import Profile

    admin = make_user("admin.bekasi", role="admin_dinas")
    Profile.objects.update_or_create(user=admin, defaults={"role": "admin_dinas", "area_code": "3275"})
    operator = make_user("operator", role="operator_kelurahan")
    Profile.objects.update_or_create(
        user=operator, defaults={"role": "operator_kelurahan", "area_code": "3275011001"}
    )
    admin.refresh_from_db()
    operator.refresh_from_db()
    client, _ = api_client_create(
        name="BPJS TK Bekasi", scopes=["bpjs:write"], area_code="3275", acting_user=admin
    )
    with pytest.raises(UserError):
        api_client_create(name="Bandung", scopes=["bpjs:write"], area_code="3273", acting_user=admin)
    with pytest.raises(UserError):
        api_client_create(name="x", scopes=["bpjs:write"], area_code="3275", acting_user=operator)
    with pytest.raises(UserError, match="unknown scope"):
        api_client_create(name="x", scopes=["everything"], area_code="3275")
    with pytest.raises(UserError, match="not a known region"):
        api_client_create(name="x", scopes=["bpjs:write"], area_code="9999")
    assert check_secret_is_hashed(client)


def check_secret_is_hashed(client: ApiClient) -> bool:
    return client.secret_hash.startswith(("md5$", "argon2", "pbkdf2"))


def test_rate_limit_per_client(api_client: Any, settings: Any, clock: Any) -> None:
    clock(DAY)
    make_programme("SIGAP-2026")
    caller = api_client(["aggregates:read"], "3275")
    settings.SIGAP_API_RATE_PER_MINUTE = 2
    assert caller.get("/api/v1/programmes").status_code == 200
    assert caller.get("/api/v1/programmes").status_code == 200
    limited = caller.get("/api/v1/programmes")
    assert problem(limited, 429) and limited["Retry-After"] == "60"
    other = api_client(["aggregates:read"], "3275")  # another client has its own count
    assert other.get("/api/v1/programmes").status_code == 200


def test_every_call_is_audited_with_the_client_as_actor(api_client: Any, clock: Any) -> None:
    clock(DAY)
    make_programme("SIGAP-2026")
    caller = api_client(["aggregates:read"], "3275")
    caller.get("/api/v1/programmes")
    problem(caller.get("/api/v1/members/3275010101800001"), 403)
    calls = AuditEvent.objects.filter(action="api.call", actor_label=f"api:{caller.client_id}").order_by("id")
    assert [(e.after["path"], e.after["status"]) for e in calls] == [
        ("/api/v1/oauth/token", 200),
        ("/api/v1/programmes", 200),
        ("/api/v1/members/3275010101800001", 403),
    ]
    assert {e.area_code for e in calls} == {"3275"} and all(e.actor_id is None for e in calls)
    assert AuditEvent.objects.filter(action="api.token.issue", actor_label=f"api:{caller.client_id}").exists()


def test_cli_creates_lists_and_revokes_clients_and_rotates_keys(db: Any, data_dir: Any) -> None:
    from click.testing import CliRunner

    from sigap.cli import _register, cli

    _register()
    runner = CliRunner()

    def call(*args: str, code: int = 0) -> Any:
        result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return json.loads(result.output.strip().splitlines()[-1])

    made = call("api", "client", "create", "Dasbor Bappeda", "--scopes", "aggregates:read", "--area", "3275")
    assert made["client_secret"] and made["scopes"] == ["aggregates:read"]
    assert [c["client_id"] for c in call("api", "client", "list")["clients"]] == [made["client_id"]]
    assert "client_secret" not in call("api", "client", "list")["clients"][0]
    assert (
        "unknown scope"
        in call("api", "client", "create", "x", "--scopes", "all", "--area", "3275", code=2)["error"]
    )
    revoked = call("api", "client", "revoke", made["client_id"], "--reason", "tidak dipakai")
    assert revoked["active"] is False
    first = call("api", "key", "rotate")
    second = call("api", "key", "rotate")
    keys = call("api", "key", "list")["keys"]
    assert [(k["kid"], k["signing"]) for k in keys] == [(second["kid"], True), (first["kid"], False)]
    assert call("api", "key", "retire", first["kid"])["retired_at"]
    assert "rotate first" in call("api", "key", "retire", second["kid"], code=2)["error"]
