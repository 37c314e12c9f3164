"""The gateway's components: what its routes work with, built at start-up and closed at shutdown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from services.runtime.service import Started

from .audit import AuditWriter
from .auth import ClientCache, RateLimiter, TokenCache
from .backends import BackendClient
from .settings import Settings


@dataclass
class Components:
    started: Started
    settings: Settings
    limiter: RateLimiter  # per client, also for the token endpoint
    clients: ClientCache  # who may call, cached for CLIENT_CACHE_S
    tokens: TokenCache  # verified tokens' claims, until they expire
    backends: BackendClient  # one pooled client for every backend call; sends the internal credential
    backend_slots: asyncio.Semaphore  # calls in flight to the backends
    audit: AuditWriter  # personal-data accesses, written in batches

    @property
    def sessions(self) -> sessionmaker[Session]:
        assert self.started.sessions is not None
        return self.started.sessions
