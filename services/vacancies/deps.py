"""Dependency aliases of the vacancies API: the unit of work's database session and the components."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.runtime.http import SessionDep, get_components

from .components import Components

ComponentsDep = Annotated[Components, Depends(get_components)]


async def _report_due_day(components: ComponentsDep) -> int:
    return components.report_due_day


ReportDueDayDep = Annotated[int, Depends(_report_due_day)]

__all__ = ["ReportDueDayDep", "SessionDep"]
