"""Who is calling: the bearer token checked, the client still active, its call counted (rate limit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer

from sigap.api import tokens
from sigap.api.actions import client_actor
from sigap.api.models import SCOPES, ApiClient
from sigap.api.problems import ApiProblem
from sigap.audit.actions import Actor
from sigap.web.ratelimit import client_bucket, hit

WINDOW = 60  # seconds: the rate limits count per minute
SCHEME = "OAuth2ClientCredentials"


@dataclass(frozen=True)
class Principal:
    """The calling client, the scopes its token carries (and it still holds) and its area."""

    client: ApiClient
    scopes: frozenset[str]
    area: str

    @property
    def actor(self) -> Actor:
        return client_actor(self.client)


def limit_address(request: HttpRequest, what: str) -> None:
    """Count a token request (or a call with a bad token) from this address; 429 over the limit."""
    if not hit(
        scope=f"api-{what}",
        value=client_bucket(request),
        limit=settings.SIGAP_API_TOKEN_RATE_PER_MINUTE,
        window=WINDOW,
    ):
        raise ApiProblem(
            "rate-limited",
            f"more than {settings.SIGAP_API_TOKEN_RATE_PER_MINUTE} requests a minute from this address",
            headers={"Retry-After": str(WINDOW)},
        )


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(
        "unauthorized",
        detail,
        headers={
            "WWW-Authenticate": f'Bearer realm="sigap", error="invalid_token", error_description="{detail}"'
        },
    )


class ClientToken(HttpBearer):
    """``Authorization: Bearer <access token>`` from ``POST /api/v1/oauth/token``."""

    openapi_security_schema: Any = {  # read by django-ninja
        "type": "oauth2",
        "description": "OAuth 2.0 client credentials (RFC 6749 4.4); token: JWT EdDSA, 15 menit/minutes",
        "flows": {
            "clientCredentials": {
                "tokenUrl": "/api/v1/oauth/token",
                "scopes": {k: v[1] for k, v in SCOPES.items()},
            }
        },
    }

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            claims = tokens.verify(token.strip())
        except tokens.InvalidToken as e:
            limit_address(request, "bad-token")
            raise _unauthorized(str(e)) from None
        client = ApiClient.objects.filter(client_id=claims["sub"]).first()
        if client is None or not client.active:
            raise _unauthorized("the client was revoked")
        principal = Principal(
            client=client,
            scopes=frozenset(claims["scope"].split()) & frozenset(client.scopes),
            area=client.area_code,
        )
        if not hit(
            scope="api-client",
            value=client.client_id,
            limit=settings.SIGAP_API_RATE_PER_MINUTE,
            window=WINDOW,
        ):
            raise ApiProblem(
                "rate-limited",
                f"client {client.client_id}: more than {settings.SIGAP_API_RATE_PER_MINUTE} calls a minute",
                headers={"Retry-After": str(WINDOW)},
            )
        request.api_principal = principal  # type: ignore[attr-defined]  # read by the audit wrapper
        return principal


def principal(request: HttpRequest, scope: str | None = None) -> Principal:
    """The authenticated client; 403 unless its token carries ``scope``."""
    found = request.auth  # type: ignore[attr-defined]
    assert isinstance(found, Principal)
    if scope is not None and scope not in found.scopes:
        raise ApiProblem(
            "forbidden",
            f"this endpoint needs the scope {scope}; the token carries: {' '.join(sorted(found.scopes)) or '-'}",
            headers={
                "WWW-Authenticate": f'Bearer realm="sigap", error="insufficient_scope", scope="{scope}"'
            },
        )
    return found
