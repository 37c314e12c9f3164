"""The vacancies service's components: what its routes and jobs work with, built at start-up."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from schemas.reference import Community, load_communities
from services.runtime.service import Started


@dataclass
class Components:
    started: Started
    clock: Callable[[], datetime]
    report_due_day: int = 10
    """失业动态监测: the day of the next month by which a month's headcount report is due."""
    communities: Mapping[str, Community] = field(default_factory=load_communities)
    """The 社区/行政村 reference list, read at start (employers' community codes, DOMAIN.md §1)."""
