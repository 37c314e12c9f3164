"""The vacancies service's components: what its routes and jobs work with, built at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.runtime.service import Started


@dataclass
class Components:
    started: Started
    clock: Callable[[], datetime]
