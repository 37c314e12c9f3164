"""Kafka topics of the platform and their settings.

Kafka is the transport, not the record: the services' databases and ClickHouse keep history, and the
outboxes re-publish after a broker loss. Retention therefore only has to cover consumer outages and
replays that rebuild read models (30 days), longer where people need time to act (alerts, dead
letters). Partitions are the unit of parallelism (README, "Scaling"): 6 for the high-volume person and vacancy
topics, 3 for the rest; raising them later re-shuffles keys, so start generous. Every topic is keyed by
the aggregate id (the event's ``subject``) so one aggregate's events stay in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.events import EVENT_TYPES

_DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True, slots=True)
class Topic:
    """One Kafka topic: what it carries and how it is created."""

    name: str
    partitions: int
    key_field: str
    cleanup_policy: Literal["delete", "compact"]
    retention_ms: int  # -1 = keep forever (used with compaction: the latest value per key is kept)
    description: str


TOPICS: dict[str, Topic] = {
    topic.name: topic
    for topic in (
        Topic(
            name="leye.registration",
            partitions=6,
            key_field="person_ref",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="Job-seeker, unemployment and employment registrations, follow-ups, hardship "
            "certification and closures, from the registration service.",
        ),
        Topic(
            name="leye.vacancy",
            partitions=6,
            key_field="vacancy_id for postings, employer_ref for employers, session_id for sessions",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="Employers, vacancy postings and their lifecycle, flagged postings, and "
            "recruitment sessions (招聘会, 直播带岗), from the vacancies service.",
        ),
        Topic(
            name="leye.layoff",
            partitions=3,
            key_field="employer_ref",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="Layoff reports and monthly headcount reports of monitored enterprises, "
            "from the vacancies service.",
        ),
        Topic(
            name="leye.referral",
            partitions=3,
            key_field="case_id",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="就业红娘 cases: dispatch, contact, referrals and their outcomes, SLA breaches "
            "and closure, from the matching service.",
        ),
        Topic(
            name="leye.alert",
            partitions=3,
            key_field="alert_id",
            cleanup_policy="delete",
            retention_ms=90 * _DAY_MS,
            description="Early warnings raised, updated, acknowledged and resolved, from the "
            "monitoring service or from Grafana through the gateway.",
        ),
        Topic(
            name="leye.statistics",
            partitions=3,
            key_field="period (YYYY-MM)",
            cleanup_policy="compact",
            retention_ms=-1,
            description="Official figures received by the gateway (城镇调查失业率); a correction "
            "replaces the figure of its period, hence compaction.",
        ),
        Topic(
            name="leye.programme",
            partitions=3,
            key_field="course_id, enrolment_id, loan_id, grant_id (a grant's payments follow it) or placement_id",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="Programme delivery: training courses, enrolments and completions, 创业担保贷款, "
            "grants (subsidy decisions with their rule version), payments and placements (见习, 实习, 公益性岗位), "
            "from the programmes service.",
        ),
        Topic(
            name="leye.household",
            partitions=3,
            key_field="household_ref",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="Households (户): 零就业家庭 identified and cleared, as the registration service "
            "derives them from membership and member status.",
        ),
        Topic(
            name="leye.enterprise",
            partitions=3,
            key_field="employer_ref",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="Key enterprises (重点企业): register and assigned officer, ledger issues opened and "
            "closed, labour shortages; enrolment of monitored enterprises (失业动态监测), from the vacancies "
            "service.",
        ),
        Topic(
            name="leye.community",
            partitions=3,
            key_field="community_code",
            cleanup_policy="delete",
            retention_ms=30 * _DAY_MS,
            description="Communities (社区/行政村): 充分就业社区 certifications (区级, 市级, 国家级), from the "
            "registration service.",
        ),
        Topic(
            name="leye.deadletter",
            partitions=3,
            key_field="topic/partition/offset of the failed message",
            cleanup_policy="delete",
            retention_ms=90 * _DAY_MS,
            description="Messages a consumer could not process, with where they were and why.",
        ),
    )
}
"""Topic name -> settings, for every topic the platform creates."""


def topic_for(event_type: str) -> Topic:
    """The topic an event type is published on. Raises ``KeyError`` for an unknown type."""
    try:
        data_model = EVENT_TYPES[event_type]
    except KeyError:
        raise KeyError(f"unknown event type: {event_type}") from None
    return TOPICS[data_model.topic]
