"""Official statistics received by the gateway, on ``leye.statistics`` (subject and key: ``period``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field

from schemas.events.base import EventData
from schemas.fields import Period


class SurveyRateReported(EventData):
    """城镇调查失业率 for a month, as published by the statistics bureau (ingested, never computed).

    One figure per month; a later event for the same period is a correction and replaces it (the
    topic is compacted on ``period``). ``source`` names the publisher, e.g. "国家统计局天津调查总队".
    """

    event_type: ClassVar[str] = "cn.xiqing.leye.survey_rate.reported.v1"
    topic: ClassVar[str] = "leye.statistics"
    subject_field: ClassVar[str] = "period"

    period: Period
    rate_percent: Annotated[float, Field(ge=0.0, le=100.0)]
    published_on: date
    source: Annotated[str, Field(min_length=1, max_length=100)]


EVENTS: tuple[type[EventData], ...] = (SurveyRateReported,)
