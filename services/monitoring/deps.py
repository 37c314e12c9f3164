"""Dependency aliases of the statistics API (``async``: an attribute read, no threadpool hop)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.runtime.http import get_components

from .components import Components
from .indicators.targets import Targets
from .store import Store

ComponentsDep = Annotated[Components, Depends(get_components)]


async def _store(components: ComponentsDep) -> Store:
    return components.store


StoreDep = Annotated[Store, Depends(_store)]


async def _targets(components: ComponentsDep) -> Targets:
    return components.targets


TargetsDep = Annotated[Targets, Depends(_targets)]
