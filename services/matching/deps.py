"""Dependency aliases for the routers (``async``: attribute reads, no threadpool hop)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from services.runtime.http import SessionDep

from .components import Components
from .handlers import EventApplier
from .index import MatchIndex


async def _components(request: Request) -> Components:
    components: Components = request.app.state.components
    return components


ComponentsDep = Annotated[Components, Depends(_components)]


async def _index(components: ComponentsDep) -> MatchIndex:
    return components.index


async def _now(components: ComponentsDep) -> datetime:
    return components.clock()


async def _applier(components: ComponentsDep) -> EventApplier:
    return components.applier


IndexDep = Annotated[MatchIndex, Depends(_index)]
NowDep = Annotated[datetime, Depends(_now)]
ApplierDep = Annotated[EventApplier, Depends(_applier)]

__all__ = ["ApplierDep", "IndexDep", "NowDep", "SessionDep"]
