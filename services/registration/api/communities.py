"""``/communities``: 充分就业社区 certifications (区级, 市级, 国家级, each for a year), recorded by the
bureau. The community must be in the community list (DOMAIN.md §1); a level is awarded only after the
one below it, in the same or an earlier year, and once per community. Each certification is
published as ``community.certified`` on ``leye.community`` in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import uuid_utils
from fastapi import Path
from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.ids import CommunityCode
from schemas.reference import Community
from schemas.vocab import CertificationLevel
from services.runtime.errors import ProblemError
from services.runtime.http import write_router
from services.runtime.outbox import add_event

from .. import events
from ..deps import CommunitiesDep, SessionDep
from ..store import CommunityCertification
from .models import CertificationIn, CertificationOut, CommunityCertificationsOut
from .persons import field_problem

router = write_router(prefix="/communities", tags=["充分就业社区"])
CommunityPath = Annotated[CommunityCode, Path(description="社区/行政村代码（12位统计用区划代码）")]
_LEVELS = list(CertificationLevel)  # lowest first
_CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "该社区已取得该级别认定"}}


def _community(communities: Mapping[str, Community], code: str) -> Community:
    community = communities.get(code)
    if community is None:
        raise field_problem("path.community_code", "未知的社区代码（不在社区/行政村名单中）", "community_code")
    return community


def _held(session: Session, code: str) -> list[CommunityCertification]:
    found = session.scalars(select(CommunityCertification).where(CommunityCertification.community_code == code))
    return sorted(found, key=lambda c: _LEVELS.index(CertificationLevel(c.level)))


def _out(community: Community, certification: CommunityCertification) -> CertificationOut:
    return CertificationOut(certification_id=certification.certification_id, community_code=community.code,
                            community=community.name, street_code=community.street_code,
                            level=CertificationLevel(certification.level), year=certification.year,
                            certified_on=certification.certified_on)


@router.post("/{community_code}/certifications", status_code=201, summary="充分就业社区认定（区级、市级、国家级）",
             response_model=CertificationOut, responses=_CONFLICT)
def certify(community_code: CommunityPath, body: CertificationIn, session: SessionDep,
            communities: CommunitiesDep) -> CertificationOut:
    """Record a certification. Refused, nothing changed: an unknown community (422), a level whose
    lower level the community does not hold for that year or before (422, e.g. 国家级 before 区级), a
    recording date before the year (422), a level the community already holds (409)."""
    community = _community(communities, community_code)
    if body.certified_on.year < body.year:
        raise field_problem("body.certified_on", "认定日期不得早于认定年度", "certified_before_year")
    held = {CertificationLevel(c.level): c for c in _held(session, community.code)}
    if body.level in held:
        raise ProblemError(409, "already_certified", f"该社区已于{held[body.level].year}年取得{body.level.label}认定")
    below = _LEVELS[_LEVELS.index(body.level) - 1] if body.level is not _LEVELS[0] else None
    if below is not None and (below not in held or held[below].year > body.year):
        raise field_problem("body.level", f"须先取得{below.label}认定（同年或更早），才能认定为{body.level.label}",
                            "level_out_of_order")
    certification = CommunityCertification(
        certification_id=str(uuid_utils.uuid7()), community_code=community.code, street_code=community.street_code,
        level=body.level.value, year=body.year, certified_on=body.certified_on)
    session.add(certification)
    add_event(session, events.community_certified(certification))
    return _out(community, certification)


@router.get("/{community_code}/certifications", summary="查看社区的充分就业社区认定",
            response_model=CommunityCertificationsOut)
def certifications(community_code: CommunityPath, session: SessionDep,
                   communities: CommunitiesDep) -> CommunityCertificationsOut:
    community = _community(communities, community_code)
    return CommunityCertificationsOut(
        community_code=community.code, community=community.name, street_code=community.street_code,
        certifications=[_out(community, c) for c in _held(session, community.code)])
