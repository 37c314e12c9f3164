"""Dependency aliases of the programmes API: the unit of work's session, the catalogue, its rules, today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends

from services.runtime.http import SessionDep, get_components

from .catalogue import Catalogue
from .components import Components
from .domain import local_day
from .eligibility import RuleIndex

ComponentsDep = Annotated[Components, Depends(get_components)]


async def _catalogue(components: ComponentsDep) -> Catalogue:
    return components.catalogue


async def _rules(components: ComponentsDep) -> RuleIndex:
    return components.rules


async def _today(components: ComponentsDep) -> date:
    return local_day(components.clock())


async def _now(components: ComponentsDep) -> datetime:
    return components.clock()


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]
NowDep = Annotated[datetime, Depends(_now)]
TodayDep = Annotated[date, Depends(_today)]
RuleIndexDep = Annotated[RuleIndex, Depends(_rules)]

__all__ = ["CatalogueDep", "NowDep", "RuleIndexDep", "SessionDep", "TodayDep"]
