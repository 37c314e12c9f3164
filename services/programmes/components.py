"""The programmes service's components: what its routes work with, built at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.runtime.service import Started

from .catalogue import Catalogue


@dataclass
class Components:
    started: Started
    catalogue: Catalogue
    clock: Callable[[], datetime]
