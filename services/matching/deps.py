"""Dependency aliases for the routers (``async``: attribute reads, no threadpool hop)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from services.runtime.http import SessionDep

from .handlers import EventApplier
from .index import MatchIndex


async def _index(request: Request) -> MatchIndex:
    index: MatchIndex = request.app.state.index
    return index


async def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


async def _applier(request: Request) -> EventApplier:
    applier: EventApplier = request.app.state.applier
    return applier


IndexDep = Annotated[MatchIndex, Depends(_index)]
NowDep = Annotated[datetime, Depends(_now)]
ApplierDep = Annotated[EventApplier, Depends(_applier)]

__all__ = ["ApplierDep", "IndexDep", "NowDep", "SessionDep"]
