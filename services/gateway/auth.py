"""OAuth2 client credentials (RFC 6749 §4.4): secrets, signed access tokens, the per-request client
check and per-client rate limits.

- Secrets are random, shown once, stored as argon2id hashes.
- Access tokens are HS256 JWTs (``iss``, ``aud``, ``sub`` = client id, ``scope``, ``iat``, ``exp`` ≤ 15
  minutes, ``jti``). A token alone is not enough: every request also checks that its client is still
  active, through :class:`ClientCache`, so disabling a client ends its tokens within the cache time.
- A token whose lifetime (``exp`` − ``iat``) exceeds ``GATEWAY_TOKEN_TTL_S`` is refused even when its
  signature is good: whoever holds the signing key (a leaked key, a tool signing by hand) must not mint
  long-lived tokens. Both claims come from the issuer's clock, so that comparison is exact; the
  ``exp``/``iat`` checks against this gateway's clock allow :data:`CLOCK_LEEWAY_S` for drift between
  gateway replicas.
"""

from __future__ import annotations

import math
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool

from .settings import GatewaySettings

_HASHER = PasswordHasher()
CLOCK_LEEWAY_S = 10
"""Seconds of clock drift allowed when checking ``exp`` (expired) and ``iat`` (not issued in the future)."""
# Verifying against this keeps an unknown client id as slow as a wrong secret (no user enumeration).
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    try:
        return _HASHER.verify(secret_hash or _DUMMY_HASH, secret) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    client_id: str
    scopes: frozenset[str]
    bureau: bool


class TokenError(Exception):
    """The bearer token is missing, malformed, badly signed, expired or not for this audience."""


def issue_token(settings: GatewaySettings, client_id: str, scopes: frozenset[str]) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "sub": client_id,
        "scope": " ".join(sorted(scopes)), "iat": now, "exp": now + settings.token_ttl_s,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256"), settings.token_ttl_s


def decode_token(settings: GatewaySettings, token: str) -> tuple[str, frozenset[str]]:
    """Client id and scopes of a valid token; :class:`TokenError` otherwise."""
    try:
        claims = jwt.decode(
            token, settings.jwt_secret.get_secret_value(), algorithms=["HS256"],
            audience=settings.jwt_audience, issuer=settings.jwt_issuer, leeway=CLOCK_LEEWAY_S,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti", "scope"]},
        )
    except jwt.PyJWTError as exc:
        raise TokenError(type(exc).__name__) from None
    if not isinstance(claims["scope"], str) or not isinstance(claims["sub"], str):
        raise TokenError("bad claims")
    # PyJWT has checked that both are integers (numeric dates).
    if int(claims["exp"]) - int(claims["iat"]) > settings.token_ttl_s:
        raise TokenError("lifetime exceeds the configured TTL")
    return claims["sub"], frozenset(claims["scope"].split())


@dataclass(frozen=True, slots=True)
class ClientStatus:
    active: bool
    bureau: bool


class ClientCache:
    """``client_id -> ClientStatus`` for ``ttl_s`` seconds, so the registry is not read per request.

    ``load`` reads the registry (None for an unknown client) and runs in a worker thread. Used from
    the event loop only, so the dictionary needs no lock; a miss may load twice, which is harmless.
    """

    def __init__(self, load: Callable[[str], ClientStatus | None], ttl_s: float) -> None:
        self._load, self._ttl_s = load, ttl_s
        self._entries: dict[str, tuple[float, ClientStatus | None]] = {}

    async def get(self, client_id: str) -> ClientStatus | None:
        cached = self._entries.get(client_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        status = await run_in_threadpool(self._load, client_id)
        self._entries[client_id] = (time.monotonic() + self._ttl_s, status)
        return status


class RateLimiter:
    """One token bucket per client: ``burst`` requests at once, refilled at ``rate_per_s``.

    State lives in this process (each gateway replica limits on its own; with N replicas behind a
    balancer a client gets up to N times the rate). Used from the event loop only: no lock.
    """

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self._rate, self._burst = rate_per_s, float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    MAX_KEYS = 10_000

    def take(self, client_id: str) -> int:
        """0 when the request may go ahead, else the whole seconds to wait (for Retry-After)."""
        now = time.monotonic()
        if len(self._buckets) > self.MAX_KEYS:
            self._forget_full_buckets(now)
        tokens, last = self._buckets.get(client_id, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        if tokens >= 1.0:
            self._buckets[client_id] = (tokens - 1.0, now)
            return 0
        self._buckets[client_id] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self._rate))

    def _forget_full_buckets(self, now: float) -> None:
        """Drop buckets that have refilled completely: forgetting them changes nothing, and keys chosen
        by strangers (client ids tried at the token endpoint) cannot grow memory without bound."""
        self._buckets = {
            key: (tokens, last) for key, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self._rate < self._burst
        }
