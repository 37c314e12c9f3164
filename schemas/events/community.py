"""Events of communities (社区/行政村) on ``leye.community`` (subject and key: ``community_code``),
published by the registration service, which owns the community list's use and the certifications.

充分就业社区 (DOMAIN.md §6): a community that reached the district standard is certified at 区级, then
may be at 市级 and 国家级, each in a year; the action plan asks for 3 municipal and 1 national
certifications a year. Nothing personal: a community is a place, named by its code.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field

from schemas.events.base import EventData
from schemas.ids import CommunityCode, EntityId, StreetCode
from schemas.vocab import CertificationLevel


class CommunityCertified(EventData):
    """A community was certified 充分就业社区 at ``level`` for ``year`` (recorded on ``certified_on``)."""

    event_type: ClassVar[str] = "cn.xiqing.leye.community.certified.v1"
    topic: ClassVar[str] = "leye.community"
    subject_field: ClassVar[str] = "community_code"

    certification_id: EntityId
    community_code: CommunityCode
    street_code: StreetCode
    level: CertificationLevel
    year: Annotated[int, Field(ge=2000, le=2100)]
    certified_on: date


EVENTS: tuple[type[EventData], ...] = (CommunityCertified,)
