"""Dependency aliases of the vacancies API: the unit of work's database session and the components."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends

from schemas.reference import Community
from services.runtime.http import SessionDep, get_components

from .components import Components

ComponentsDep = Annotated[Components, Depends(get_components)]


async def _report_due_day(components: ComponentsDep) -> int:
    return components.report_due_day


async def _communities(components: ComponentsDep) -> Mapping[str, Community]:
    return components.communities


ReportDueDayDep = Annotated[int, Depends(_report_due_day)]
CommunitiesDep = Annotated[Mapping[str, Community], Depends(_communities)]

__all__ = ["CommunitiesDep", "ReportDueDayDep", "SessionDep"]
