"""Access tokens: JWTs signed with Ed25519 (EdDSA), verified against the keys not retired (ADR 0016).

A token says who the client is (``sub`` = client_id), what it may do (``scope``) and where (``area``),
and lives ``SIGAP_API_TOKEN_MINUTES`` (15 by default).  Its header names the signing key (``kid``);
the public keys are published as a JWKS so a client can check a token itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from sigap.api.models import SigningKey

ALGORITHM = "EdDSA"
ISSUER = "sigap"
AUDIENCE = "sigap-api"
LEEWAY_SECONDS = 30  # clock difference tolerated between SIGAP's servers


class InvalidToken(Exception):
    """The token cannot be believed (malformed, bad signature, expired, unknown or retired key)."""


class KeyUnreadable(Exception):
    """The signing key cannot be decrypted (SECRET_KEY changed): ``sigap api key rotate``."""


def _passphrase() -> bytes:
    return hashlib.sha256(f"sigap.api.signing-key:{settings.SECRET_KEY}".encode()).digest()


def new_key_pair() -> tuple[str, str, str]:
    """``(kid, public PEM, encrypted private PEM)`` of a fresh Ed25519 key."""
    private = Ed25519PrivateKey.generate()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    ).decode()
    kid = f"{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"
    return kid, public_pem, private_pem


@functools.lru_cache(maxsize=32)
def _public(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidToken("not an Ed25519 key")
    return key


@functools.lru_cache(maxsize=8)
def _private(pem: str, passphrase: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=passphrase)
    except (ValueError, TypeError) as e:
        raise KeyUnreadable(str(e)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyUnreadable("not an Ed25519 key")
    return key


def jwk(key: SigningKey) -> dict[str, Any]:
    """The public key as a JSON Web Key (RFC 8037: kty OKP, crv Ed25519)."""
    found = dict(jwt.algorithms.OKPAlgorithm.to_jwk(_public(key.public_key), as_dict=True))
    return {**found, "kid": key.kid, "use": "sig", "alg": ALGORITHM}


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int  # seconds
    scope: str
    kid: str


def sign(*, key: SigningKey, client_id: str, scopes: list[str], area: str) -> Token:
    now = timezone.now()
    lifetime = dt.timedelta(minutes=settings.SIGAP_API_TOKEN_MINUTES)
    scope = " ".join(scopes)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": client_id,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": secrets.token_hex(12),
        "scope": scope,
        "area": area,
    }
    encoded = jwt.encode(
        claims, _private(key.private_key, _passphrase()), algorithm=ALGORITHM, headers={"kid": key.kid}
    )
    return Token(access_token=encoded, expires_in=int(lifetime.total_seconds()), scope=scope, kid=key.kid)


def verify(token: str) -> dict[str, Any]:
    """The claims of a token signed by a key not retired, not expired; else :class:`InvalidToken`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidToken("malformed token") from None
    kid = header.get("kid")
    if header.get("alg") != ALGORITHM or not isinstance(kid, str) or len(kid) > 64:
        raise InvalidToken("unexpected token header")
    key = SigningKey.objects.filter(kid=kid, retired_at__isnull=True).only("public_key").first()
    if key is None:
        raise InvalidToken("the token's signing key is unknown or retired")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=_public(key.public_key),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub", "scope", "area"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except jwt.PyJWTError:
        raise InvalidToken("the token cannot be verified") from None
    if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("scope"), str):
        raise InvalidToken("the token's claims are malformed")
    return claims
