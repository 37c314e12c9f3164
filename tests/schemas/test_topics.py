"""The topic registry covers every event type and is consistent."""

from __future__ import annotations

import re

import pytest

from schemas import EVENT_TYPES, TOPICS, topic_for
from schemas.events import EventData, base

TYPE_PATTERN = re.compile(r"^cn\.xiqing\.leye\.[a-z_]+\.[a-z_]+\.v[0-9]+$")


def all_subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *all_subclasses(direct)}}


@pytest.mark.parametrize(("event_type", "model"), [pytest.param(t, m, id=t) for t, m in EVENT_TYPES.items()])
def test_every_event_type_is_well_formed_and_has_a_topic(event_type: str, model: type[EventData]) -> None:
    assert TYPE_PATTERN.match(event_type)
    assert model.event_type == event_type
    assert model.topic in TOPICS
    assert topic_for(event_type) is TOPICS[model.topic]
    assert model.subject_field in model.model_fields


def test_every_concrete_event_class_is_registered() -> None:
    concrete = {cls for cls in all_subclasses(EventData) if "event_type" in vars(cls)}
    assert concrete == set(EVENT_TYPES.values())
    assert base.PersonEventData not in concrete


def test_every_topic_carries_events() -> None:
    assert {model.topic for model in EVENT_TYPES.values()} == set(TOPICS)
    assert set(TOPICS) == {
        "leye.registration",
        "leye.vacancy",
        "leye.layoff",
        "leye.referral",
        "leye.alert",
        "leye.statistics",
        "leye.programme",
        "leye.household",
        "leye.enterprise",
        "leye.community",
        "leye.deadletter",
    }


@pytest.mark.parametrize(
    ("event_type", "topic", "partitions", "policy"),
    [
        pytest.param(
            "cn.xiqing.leye.jobseeker.registered.v1", "leye.registration", 6, "delete", id="registration"
        ),
        pytest.param("cn.xiqing.leye.vacancy.posted.v1", "leye.vacancy", 6, "delete", id="vacancy"),
        pytest.param("cn.xiqing.leye.layoff.reported.v1", "leye.layoff", 3, "delete", id="layoff"),
        pytest.param("cn.xiqing.leye.case.sla_breached.v1", "leye.referral", 3, "delete", id="referral"),
        pytest.param("cn.xiqing.leye.alert.resolved.v1", "leye.alert", 3, "delete", id="alert"),
        pytest.param("cn.xiqing.leye.household.zero_employment_cleared.v1", "leye.household", 3, "delete",
                     id="household"),
        pytest.param("cn.xiqing.leye.enterprise.issue_closed.v1", "leye.enterprise", 3, "delete", id="enterprise"),
        pytest.param(
            "cn.xiqing.leye.survey_rate.reported.v1", "leye.statistics", 3, "compact", id="statistics"
        ),
        pytest.param("cn.xiqing.leye.programme.granted.v1", "leye.programme", 3, "delete", id="programme"),
        pytest.param(
            "cn.xiqing.leye.deadletter.recorded.v1", "leye.deadletter", 3, "delete", id="dead letters"
        ),
    ],
)
def test_topic_for(event_type: str, topic: str, partitions: int, policy: str) -> None:
    settings = topic_for(event_type)
    assert (settings.name, settings.partitions, settings.cleanup_policy) == (topic, partitions, policy)
    assert settings.retention_ms == -1 or settings.retention_ms >= 30 * 24 * 3600 * 1000


def test_topic_for_unknown_type() -> None:
    with pytest.raises(KeyError):
        topic_for("cn.xiqing.leye.nothing.happened.v1")
