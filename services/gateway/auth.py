"""OAuth2 client credentials (RFC 6749 §4.4): secrets, signed access tokens, the per-request client
check and per-client rate limits.

- Secrets are 256 random bits, shown once, stored as their SHA-256 digest (:func:`hash_secret`);
  secrets made before that are argon2id hashes and still verify.
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

import hashlib
import hmac
import math
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cachetools import LRUCache, TTLCache
from starlette.concurrency import run_in_threadpool

from .settings import Settings

_HASHER = PasswordHasher()
CLOCK_LEEWAY_S = 10
"""Seconds of clock drift allowed when checking ``exp`` (expired) and ``iat`` (not issued in the future)."""
SHA256_PREFIX = "sha256$"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """A secret's stored form: ``sha256$`` and its digest. The secrets are 256 random bits
    (:func:`new_secret`), not passwords a person chose: no list of guesses reaches them, so a slow
    password hash protects them no better, while its third of a second of CPU per check let anyone
    tie up the gateway by posting made-up client ids to ``/oauth/token``."""
    return SHA256_PREFIX + hashlib.sha256(secret.encode()).hexdigest()


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """Whether ``secret`` is the one ``secret_hash`` was made from; ``None`` (no such client) costs the
    same digest, so an unknown client id answers as fast as a wrong secret."""
    digest = hash_secret(secret)
    if secret_hash is None:
        hmac.compare_digest(digest, digest)
        return False
    if secret_hash.startswith(SHA256_PREFIX):
        return hmac.compare_digest(secret_hash, digest)
    try:  # an argon2id hash of a secret made before; `leye gateway clients rotate` moves it over
        return _HASHER.verify(secret_hash, secret)
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


def issue_token(settings: Settings, client_id: str, scopes: frozenset[str]) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "sub": client_id,
        "scope": " ".join(sorted(scopes)), "iat": now, "exp": now + settings.token_ttl_s,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256"), settings.token_ttl_s


def decode_token(settings: Settings, token: str) -> tuple[str, frozenset[str]]:
    """Client id and scopes of a valid token; :class:`TokenError` otherwise."""
    client_id, scopes, _ = verified_claims(settings, token)
    return client_id, scopes


def verified_claims(settings: Settings, token: str) -> tuple[str, frozenset[str], int]:
    """Client id, scopes and ``exp`` of a valid token; :class:`TokenError` otherwise."""
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
    return claims["sub"], frozenset(claims["scope"].split()), int(claims["exp"])


class TokenCache:
    """The claims of tokens already verified, until they expire, so a department's token (used for up
    to 15 minutes) is verified once, not on every request (PyJWT: a twentieth of a request's CPU).

    Keyed by the token's SHA-256, so the cache holds no bearer token. A token verified once stays valid
    until ``exp`` (+ the same :data:`CLOCK_LEEWAY_S` as :func:`decode_token`): its signature, issuer,
    audience and lifetime cannot change, and "not issued in the future" only gets truer; the expiry is
    checked on every hit. Revocation is per client, not per token (``leye gateway clients disable``): the
    caller checks the client's active flag on every request, cached or not. Refused tokens are not
    cached. Bounded (least recently used entries go first); only touched from the event loop.
    """

    MAX_TOKENS = 10_000

    def __init__(self, settings: Settings, timer: Callable[[], float] = time.time) -> None:
        self._settings = settings
        self._timer = timer
        self._entries: LRUCache[bytes, tuple[str, frozenset[str], int]] = LRUCache(self.MAX_TOKENS)

    def decode(self, token: str) -> tuple[str, frozenset[str]]:
        """What :func:`decode_token` answers for ``token``."""
        key = hashlib.sha256(token.encode()).digest()
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = verified_claims(self._settings, token)
        client_id, scopes, expires = entry
        if expires <= self._timer() - CLOCK_LEEWAY_S:  # PyJWT's own expiry test, with the same leeway
            del self._entries[key]
            raise TokenError("ExpiredSignatureError")
        return client_id, scopes


@dataclass(frozen=True, slots=True)
class ClientStatus:
    active: bool
    bureau: bool


class ClientCache:
    """``client_id -> ClientStatus`` for ``ttl_s`` seconds, so the registry is not read per request.

    The entries live in a ``cachetools.TTLCache`` (bounded, so ids cannot grow memory without limit).
    ``load`` reads the registry (None for an unknown client) and runs in a worker thread; the cache
    itself is only touched from the event loop, so it needs no lock. A miss may load twice, which is
    harmless. ``ttl_s`` = 0 turns caching off.
    """

    MAX_CLIENTS = 10_000

    def __init__(self, load: Callable[[str], ClientStatus | None], ttl_s: float,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._load = load
        self._entries: TTLCache[str, ClientStatus | None] = TTLCache(self.MAX_CLIENTS, ttl=ttl_s, timer=timer)

    async def get(self, client_id: str) -> ClientStatus | None:
        if client_id in self._entries:
            return self._entries[client_id]
        status = await run_in_threadpool(self._load, client_id)
        self._entries[client_id] = status
        return status


class RateLimiter:
    """Per client: ``burst`` requests at once, ``rate_per_s`` on average (a moving window).

    A moving window of ``burst`` requests per ``burst / rate_per_s`` seconds lets a quiet client send
    ``burst`` requests at once and holds a busy one to ``rate_per_s``, as a token bucket would; a slot
    frees when its request leaves the window rather than continuously. The window is a whole number
    of seconds (rounded up, at least 1), so when ``burst`` < ``rate_per_s`` the rate is ``burst``/s.
    State lives in this process (each gateway replica limits on its own; with N replicas behind a
    balancer a client gets up to N times the rate). Only authenticated clients are counted, and a
    client's entry goes once its requests have all left the window.

    Kept here, not in the ``limits`` package: its memory storage started a timer thread every 10 ms
    under load, and ``Thread.start`` blocks the event loop until the new thread runs — with other
    threads holding the GIL, every request waited behind it (the profile in ``leye/bench/gateway.py``).
    """

    SWEEP_EVERY = 1024

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self._burst = burst
        self._window_s = float(max(1, math.ceil(burst / rate_per_s)))
        self._hits: dict[str, deque[float]] = {}
        self._takes = 0

    def take(self, client_id: str) -> int:
        """0 when the request may go ahead, else the whole seconds to wait (for Retry-After)."""
        now = time.time()
        horizon = now - self._window_s
        self._takes += 1
        if self._takes % self.SWEEP_EVERY == 0:
            self._sweep(horizon)
        hits = self._hits.get(client_id)
        if hits is None:
            hits = self._hits[client_id] = deque()
        while hits and hits[0] <= horizon:
            hits.popleft()
        if len(hits) < self._burst:
            hits.append(now)
            return 0
        return max(1, math.ceil(hits[0] + self._window_s - now))

    def _sweep(self, horizon: float) -> None:
        """Forget the clients whose every request has left the window."""
        for client_id in [c for c, hits in self._hits.items() if not hits or hits[-1] <= horizon]:
            del self._hits[client_id]
