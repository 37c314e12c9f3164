"""The monitoring service's components: what its routes, agent and jobs work with, built at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from .indicators.targets import Targets
from .store import Store
from .warnings.engine import Warnings
from .warnings.ledger import WarningLedger


@dataclass
class Components:
    store: Store  # ClickHouse, on its one thread
    warnings: Warnings  # the evaluation engine and the open warnings
    ledger: WarningLedger  # the warnings' SQL state and outbox
    targets: Targets  # the indicators' targets per plan period, read at start-up
    restored: bool = False  # the open warnings are restored (evaluation may begin)
