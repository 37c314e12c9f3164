"""The matching service's components: what its routes, agents and jobs work with, built at start-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from schemas.reference import Community, load_communities
from services.runtime.service import Started

from .handlers import EventApplier
from .index import MatchIndex
from .sync import IndexSync


@dataclass
class Components:
    """What the routes, the agents and the jobs work with (``deps.py``)."""

    started: Started
    index: MatchIndex
    applier: EventApplier
    clock: Callable[[], datetime]
    communities: Mapping[str, Community] = field(default_factory=load_communities)
    """The 社区/行政村 reference list, read at start (stations' community codes, DOMAIN.md §1)."""


def load_index(started: Started) -> MatchIndex:
    """The index, loaded and kept in step with the rows other replicas change (see ``sync``)."""
    assert started.sessions is not None
    index = MatchIndex()
    IndexSync(started.sessions, index).load()
    return index
