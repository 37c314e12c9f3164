"""The programmes service's components: what its routes, agents and jobs work with, built at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.runtime.service import Started

from .catalogue import Catalogue
from .eligibility import RuleIndex
from .handlers import FactApplier


@dataclass
class Components:
    started: Started
    catalogue: Catalogue
    clock: Callable[[], datetime]
    applier: FactApplier

    @property
    def rules(self) -> RuleIndex:
        return self.applier.index
