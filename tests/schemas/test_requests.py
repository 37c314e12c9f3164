"""``schemas.requests``: request models read decoded JSON in pydantic's Python mode (as FastAPI
validates bodies), strictly; the event contracts stay strict in Python mode."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.events.statistics import SurveyRateReported
from schemas.fields import Industry, Skill
from schemas.requests import Code, IndustryIn, IsoDate, IsoDatetime, RequestModel
from schemas.vocab import Education, IndustrySection, KeyGroup


class Sample(RequestModel):
    education: Code[Education] | None = None
    groups: list[Code[KeyGroup]] = []
    counts: dict[Code[KeyGroup], int] = {}
    industry: IndustryIn | None = None
    skills: list[Skill] = []
    day: IsoDate | None = None
    at: IsoDatetime | None = None
    amount: int | None = None
    rate: float | None = None
    flag: bool | None = None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param({"education": "20"}, {"education": Education.UNDERGRADUATE}, id="code"),
        pytest.param({"groups": ["hardship"], "counts": {"veteran": 2}},
                     {"groups": [KeyGroup.HARDSHIP], "counts": {KeyGroup.VETERAN: 2}}, id="codes in lists and keys"),
        pytest.param({"industry": {"section": "C", "division": "34"}},
                     {"industry": Industry(section=IndustrySection.C, division="34")}, id="industry"),
        pytest.param({"skills": [{"name": "焊工", "level": 3}]}, {"skills": [Skill(name="焊工", level=3)]},
                     id="skill"),
        pytest.param({"day": "2026-01-05"}, {"day": date(2026, 1, 5)}, id="ISO date"),
        pytest.param({"at": "2026-01-05T09:00:00+08:00"},
                     {"at": datetime(2026, 1, 5, 1, 0, tzinfo=UTC)}, id="RFC 3339 time"),
        pytest.param({"amount": 5000, "rate": 5, "flag": False}, {"amount": 5000, "rate": 5.0, "flag": False},
                     id="numbers and booleans"),
        pytest.param({"education": Education.SENIOR_HIGH, "day": date(2026, 1, 5),
                      "at": datetime(2026, 1, 5, 9, tzinfo=timezone(timedelta(hours=8)))},
                     {"education": Education.SENIOR_HIGH, "day": date(2026, 1, 5),
                      "at": datetime(2026, 1, 5, 1, tzinfo=UTC)}, id="Python values from Python callers"),
    ],
)
def test_json_form_is_accepted_in_python_mode(given: dict[str, Any], expected: dict[str, Any]) -> None:
    sample = Sample.model_validate(given)
    assert {name: getattr(sample, name) for name in expected} == expected


@pytest.mark.parametrize(
    ("given", "loc", "kind"),
    [
        pytest.param({"education": 20}, ("education",), "enum", id="code as a number"),
        pytest.param({"education": "大学本科"}, ("education",), "enum", id="label for a code"),
        pytest.param({"industry": {"section": "Z"}}, ("industry", "section"), "enum", id="unknown section"),
        pytest.param({"industry": {"section": "C", "division": 34}}, ("industry", "division"), "string_type",
                     id="division as a number"),
        pytest.param({"industry": {"section": "C", "division": "01"}}, ("industry",), "industry_division_section",
                     id="division of another section"),
        pytest.param({"industry": {"section": "C", "note": "x"}}, ("industry", "note"), "extra_forbidden",
                     id="unknown industry field"),
        pytest.param({"skills": [{"name": "焊工", "level": "3"}]}, ("skills", 0, "level"), "int_type",
                     id="level as a string"),
        pytest.param({"day": 0}, ("day",), "date_type", id="number for a date"),
        pytest.param({"day": "2026-1-5"}, ("day",), "date_from_datetime_parsing", id="date without leading zeros"),
        pytest.param({"at": 0}, ("at",), "datetime_type", id="number for a time"),
        pytest.param({"at": "2026-01-05T09:00:00"}, ("at",), "timezone_aware", id="time without offset"),
        pytest.param({"amount": "5000"}, ("amount",), "int_type", id="number as a string"),
        pytest.param({"amount": 5000.0}, ("amount",), "int_type", id="float for an integer"),
        pytest.param({"rate": "5.1"}, ("rate",), "float_type", id="rate as a string"),
        pytest.param({"flag": 1}, ("flag",), "bool_type", id="number for a boolean"),
        pytest.param({"flag": "true"}, ("flag",), "bool_type", id="string for a boolean"),
        pytest.param({"nickname": "x"}, ("nickname",), "extra_forbidden", id="unknown field"),
    ],
)
def test_other_forms_are_refused(given: dict[str, Any], loc: tuple[Any, ...], kind: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Sample.model_validate(given)
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [(loc, kind)]


def test_json_schema_is_the_shared_types_schema() -> None:
    schema = Sample.model_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["day"]["anyOf"][0] == {"type": "string", "format": "date"}
    assert schema["properties"]["at"]["anyOf"][0] == {"type": "string", "format": "date-time"}
    assert schema["properties"]["education"]["anyOf"][0] == {"$ref": "#/$defs/Education"}
    industry = Industry.model_json_schema()
    assert schema["$defs"]["Industry"] == {k: v for k, v in industry.items() if k != "$defs"}


def test_event_contracts_stay_strict_in_python_mode() -> None:
    with pytest.raises(ValidationError):
        Industry.model_validate({"section": "C"})
    with pytest.raises(ValidationError):
        SurveyRateReported.model_validate({"period": "2026-10", "rate_percent": 5.1, "published_on": "2026-11-15",
                                           "source": "统计局"})
    # ... and read their JSON form in JSON mode, as consumers do.
    assert Industry.model_validate_json('{"section": "C"}').section is IndustrySection.C
