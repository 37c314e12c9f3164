"""Dependency aliases for the routers (``async``: attribute reads, no threadpool hop)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from fastapi import Depends

from schemas.reference import Community
from services.runtime.http import SessionDep, get_components

from .components import Components
from .handlers import EventApplier
from .index import MatchIndex

ComponentsDep = Annotated[Components, Depends(get_components)]


async def _index(components: ComponentsDep) -> MatchIndex:
    return components.index


async def _now(components: ComponentsDep) -> datetime:
    return components.clock()


async def _applier(components: ComponentsDep) -> EventApplier:
    return components.applier


async def _communities(components: ComponentsDep) -> Mapping[str, Community]:
    return components.communities


CommunitiesDep = Annotated[Mapping[str, Community], Depends(_communities)]
IndexDep = Annotated[MatchIndex, Depends(_index)]
NowDep = Annotated[datetime, Depends(_now)]
ApplierDep = Annotated[EventApplier, Depends(_applier)]

__all__ = ["ApplierDep", "CommunitiesDep", "IndexDep", "NowDep", "SessionDep"]
