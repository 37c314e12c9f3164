"""Rules of the event data models, exercised through JSON as consumers receive it."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from schemas.envelope import new_event, parse_event
from schemas.events import EVENT_TYPES, EventData, PersonEventData
from schemas.events.alert import AlertRaised
from schemas.events.deadletter import DeadletterRecorded
from schemas.events.layoff import HeadcountReported, LayoffReported, assess_layoff
from schemas.events.referral import CaseDispatched
from schemas.events.registration import EmploymentRegistered, JobseekerRegistered, UnemploymentRegistered
from schemas.events.statistics import SurveyRateReported
from schemas.events.vacancy import RecruitmentSessionStarted, VacancyFilled, VacancyPosted
from tests.schemas.samples import SAMPLES


def sample(model: type[EventData]) -> EventData:
    return next(s for s in SAMPLES if type(s) is model)


def from_json(model: type[EventData], **changes: Any) -> EventData:
    """Validate the model's sample, as JSON, with some fields replaced (``None`` values are kept)."""
    document = {**sample(model).model_dump(mode="json"), **changes}
    return model.model_validate_json(orjson.dumps(document))


def errors(model: type[EventData], **changes: Any) -> list[tuple[str, str, str]]:
    """(location, error type, message) of every error the changed sample raises."""
    with pytest.raises(ValidationError) as caught:
        from_json(model, **changes)
    return [(".".join(map(str, e["loc"])), e["type"], e["msg"]) for e in caught.value.errors()]


WORKING_AGE = "年龄须在16周岁至法定退休年龄之间"


@pytest.mark.parametrize(
    ("model", "changes", "expected"),
    [
        pytest.param(JobseekerRegistered, {"age": 15}, ("age", "working_age", WORKING_AGE), id="age 15"),
        pytest.param(
            JobseekerRegistered, {"age": 64, "gender": "1"}, ("age", "working_age", WORKING_AGE), id="man 64"
        ),
        pytest.param(
            JobseekerRegistered,
            {"age": 59, "gender": "2"},
            ("age", "working_age", WORKING_AGE),
            id="woman 59",
        ),
        pytest.param(
            JobseekerRegistered,
            {"desired_salary_min": 7000, "desired_salary_max": 6000},
            ("", "salary_range", "最低薪资不得高于最高薪资"),
            id="desired salary min above max",
        ),
        pytest.param(
            VacancyPosted,
            {"salary_min": 9000, "salary_max": 7000},
            ("", "salary_range", "最低薪资不得高于最高薪资"),
            id="vacancy salary min above max",
        ),
        pytest.param(
            VacancyPosted,
            {"salary_min": -1},
            ("salary_min", "greater_than_equal", None),
            id="negative salary",
        ),
        pytest.param(
            VacancyPosted,
            {"salary_max": 7000.5},
            ("salary_max", "int_type", None),
            id="salary must be integer",
        ),
        pytest.param(
            VacancyPosted, {"salary_min": "5000"}, ("salary_min", "int_type", None), id="no coercion"
        ),
        pytest.param(JobseekerRegistered, {"gender": "3"}, ("gender", "enum", None), id="unknown enum value"),
        pytest.param(
            JobseekerRegistered, {"name": "张三"}, ("name", "extra_forbidden", None), id="unknown field"
        ),
        pytest.param(
            JobseekerRegistered,
            {"street_code": "120111999"},
            ("street_code", "street_code", "未知的街镇代码"),
            id="unknown street",
        ),
        pytest.param(
            JobseekerRegistered,
            {"key_groups": ["graduate", "graduate"]},
            ("key_groups", "duplicate_items", "列表中不得有重复项"),
            id="duplicate key group",
        ),
        pytest.param(
            VacancyPosted,
            {"industry": {"section": "A", "division": "36"}},
            ("industry", "industry_division_section", "行业大类不属于所选门类"),
            id="division not in section",
        ),
        pytest.param(
            VacancyPosted,
            {"industry": {"section": "T", "division": "98"}},
            ("industry", "industry_division", "未知的行业大类代码"),
            id="unknown division",
        ),
        pytest.param(
            VacancyPosted,
            {"valid_until": "2025-02-28"},
            ("", "validity_period", "有效期截止日期不得早于开始日期"),
            id="validity ends before it starts",
        ),
        pytest.param(
            VacancyPosted,
            {"age_min": 40, "age_max": 30},
            ("", "age_range", "最低年龄不得高于最高年龄"),
            id="age bounds crossed",
        ),
        pytest.param(
            VacancyPosted, {"headcount": 0}, ("headcount", "greater_than_equal", None), id="no posts"
        ),
        pytest.param(
            VacancyFilled,
            {"remaining": 0, "fully_filled": False},
            ("", "fully_filled", "招满标志与剩余岗位数不一致"),
            id="filled flag disagrees with remaining",
        ),
        pytest.param(
            UnemploymentRegistered,
            {"unemployed_since": "2025-03-01"},
            ("", "unemployed_since", "失业日期不得晚于登记日期"),
            id="unemployed after registration",
        ),
        pytest.param(
            EmploymentRegistered,
            {"employer_ref": None},
            ("", "employer_ref_required", "单位就业须填写用人单位统一社会信用代码"),
            id="employed without employer",
        ),
        pytest.param(
            EmploymentRegistered,
            {"was_registered_unemployed": False},
            ("", "unemployed_since", "仅登记失业人员可填写失业日期"),
            id="unemployment date without registration",
        ),
        pytest.param(
            LayoffReported,
            {"planned_cuts": 321},
            ("", "planned_cuts", "计划裁减人数不得超过职工人数"),
            id="planned cuts above total staff",
        ),
        pytest.param(
            LayoffReported,
            {"notice_compliant": True},
            ("", "layoff_assessment", "规模裁员认定结果与申报数据不一致"),
            id="assessment disagrees with figures",
        ),
        pytest.param(
            CaseDispatched,
            {"person_ref": None},
            ("", "case_party", "求职者发起的工单须包含 person_ref"),
            id="person case without person",
        ),
        pytest.param(
            CaseDispatched,
            {"referral_due_at": "2025-03-03T08:00:00+08:00"},
            ("", "case_due", "推介截止时间不得早于联系截止时间"),
            id="referral due before contact due",
        ),
        pytest.param(
            AlertRaised,
            {"scope_kind": "street", "scope_code": "C"},
            ("", "scope_code", "预警范围代码与范围类型不符"),
            id="street scope with an industry code",
        ),
        pytest.param(
            AlertRaised,
            {"window": "thirty days"},
            ("window", "string_pattern_mismatch", None),
            id="bad window",
        ),
        pytest.param(
            SurveyRateReported,
            {"rate_percent": 100.1},
            ("rate_percent", "less_than_equal", None),
            id="rate over 100",
        ),
        pytest.param(
            SurveyRateReported,
            {"period": "2025-13"},
            ("period", "string_pattern_mismatch", None),
            id="month 13",
        ),
        pytest.param(
            RecruitmentSessionStarted,
            {"started_at": "2025-03-03T09:30:00"},
            ("started_at", "timezone_aware", None),
            id="naive time",
        ),
        pytest.param(
            DeadletterRecorded,
            {"message_ref": "leye.registration/2/1"},
            ("", "message_ref", "message_ref 须为 topic/partition/offset"),
            id="dead letter reference disagrees",
        ),
    ],
)
def test_rejected(
    model: type[EventData], changes: dict[str, Any], expected: tuple[str, str, str | None]
) -> None:
    [(loc, error_type, message)] = errors(model, **changes)
    assert (loc, error_type) == expected[:2]
    if expected[2] is not None:
        assert message == expected[2]


@pytest.mark.parametrize(
    ("model", "changes"),
    [
        pytest.param(JobseekerRegistered, {"age": 16}, id="age 16"),
        pytest.param(JobseekerRegistered, {"age": 63, "gender": "1"}, id="man 63"),
        pytest.param(JobseekerRegistered, {"age": 63, "gender": "0"}, id="unknown gender 63"),
        pytest.param(JobseekerRegistered, {"age": 58, "gender": "2"}, id="woman 58"),
        pytest.param(
            JobseekerRegistered, {"desired_salary_min": 6000, "desired_salary_max": 6000}, id="equal salary"
        ),
        pytest.param(JobseekerRegistered, {"desired_salary_max": None}, id="only a minimum salary"),
        pytest.param(
            VacancyPosted, {"industry": {"section": "C", "division": None}}, id="section without division"
        ),
        pytest.param(
            VacancyPosted, {"industry": {"section": "C", "division": "43"}}, id="last division of C"
        ),
        pytest.param(
            EmploymentRegistered, {"form": "flexible", "employer_ref": None, "industry": None}, id="flexible"
        ),
        pytest.param(AlertRaised, {"scope_kind": "district", "scope_code": "120111"}, id="district scope"),
        pytest.param(
            AlertRaised, {"scope_kind": "industry", "scope_code": "36"}, id="industry division scope"
        ),
        pytest.param(VacancyFilled, {"remaining": 0, "fully_filled": True}, id="fully filled"),
    ],
)
def test_accepted(model: type[EventData], changes: dict[str, Any]) -> None:
    event = from_json(model, **changes)
    for field, value in changes.items():
        dumped = event.model_dump(mode="json")[field]
        assert dumped == value


def test_credit_code_is_normalised() -> None:
    event = from_json(VacancyPosted, employer_ref="91350100m000100y43")
    assert event.model_dump()["employer_ref"] == "91350100M000100Y43"


def test_times_are_converted_to_shanghai() -> None:
    event = from_json(RecruitmentSessionStarted, started_at="2025-03-03T01:30:00Z")
    assert event.model_dump(mode="json")["started_at"] == "2025-03-03T09:30:00+08:00"


def test_models_are_frozen() -> None:
    event = sample(SurveyRateReported)
    with pytest.raises(ValidationError):
        event.rate_percent = 4.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("staff_count", "planned_cuts", "notified_on", "planned_on", "expected"),
    [
        pytest.param(1000, 20, date(2025, 1, 1), date(2025, 3, 1), (True, 59, True), id="20 of 1000 is mass"),
        pytest.param(1000, 19, date(2025, 1, 1), date(2025, 1, 2), (False, 1, True), id="19 of 1000 is not"),
        pytest.param(
            80, 9, date(2025, 1, 1), date(2025, 3, 1), (True, 59, True), id="9 of 80 is mass (over 10 %)"
        ),
        pytest.param(
            90, 9, date(2025, 1, 1), date(2025, 3, 1), (True, 59, True), id="9 of 90 is mass (exactly 10 %)"
        ),
        pytest.param(100, 9, date(2025, 1, 1), date(2025, 1, 5), (False, 4, True), id="9 of 100 is not"),
        pytest.param(200, 19, date(2025, 1, 1), date(2025, 1, 5), (False, 4, True), id="19 of 200 is not"),
        pytest.param(
            1000,
            50,
            date(2025, 1, 1),
            date(2025, 1, 30),
            (True, 29, False),
            id="29 days notice is non-compliant",
        ),
        pytest.param(
            1000, 50, date(2025, 1, 1), date(2025, 1, 31), (True, 30, True), id="30 days notice is compliant"
        ),
        pytest.param(
            1000, 50, date(2025, 2, 1), date(2025, 1, 31), (True, -1, False), id="layoff before notice"
        ),
    ],
)
def test_assess_layoff(
    staff_count: int, planned_cuts: int, notified_on: date, planned_on: date, expected: tuple[bool, int, bool]
) -> None:
    assert assess_layoff(staff_count, planned_cuts, notified_on, planned_on) == expected


def test_layoff_events_stored_under_the_old_staff_name_still_parse() -> None:
    """``staff_count`` was ``total_staff`` before 2026-12-07 (docs/api/CHANGELOG.md): replaying a
    stored event of that time must give the same event, which is written under the new name."""
    event = new_event(sample(LayoffReported), source="/services/vacancies")
    stored = event.to_dict()
    stored["data"]["total_staff"] = stored["data"].pop("staff_count")
    replayed = parse_event(orjson.dumps(stored))
    assert isinstance(replayed.data, LayoffReported)
    assert replayed.data.staff_count == 320 and replayed.data == event.data
    assert "total_staff" not in replayed.to_dict()["data"] and replayed.to_dict()["data"]["staff_count"] == 320
    both = {**stored["data"], "staff_count": 320}
    with pytest.raises(ValidationError):  # one name or the other, never both (the model forbids extras)
        LayoffReported.model_validate_json(orjson.dumps(both))


def test_job_loss_rate() -> None:
    report = sample(HeadcountReported)
    assert isinstance(report, HeadcountReported)
    assert report.job_loss_rate == pytest.approx(20 / 320)


def test_deadletter_for_message_truncates_and_decodes() -> None:
    record = DeadletterRecorded.for_message(
        topic="leye.vacancy",
        partition=0,
        offset=7,
        key=None,
        payload="岗".encode() * 1000,  # 3000 bytes; the cut falls inside a character
        reason_code="not_json",
        reason_message="not valid JSON",
        consumer="matching",
    )
    assert record.subject() == "leye.vacancy/0/7"
    assert record.payload_excerpt.startswith("岗" * 682)
    assert len(record.payload_excerpt.encode()) <= 2048 + 3
    assert record.key is None


@pytest.mark.parametrize("model", [pytest.param(m, id=t) for t, m in EVENT_TYPES.items()])
def test_subject_field_is_a_string_field(model: type[EventData]) -> None:
    assert model.model_fields[model.subject_field].annotation is not None
    assert isinstance(sample(model).subject(), str)
    assert sample(model).subject() == getattr(sample(model), model.subject_field)


@pytest.mark.parametrize(
    "model", [pytest.param(m, id=t) for t, m in EVENT_TYPES.items() if issubclass(m, PersonEventData)]
)
def test_person_events_carry_street_and_key_groups(model: type[EventData]) -> None:
    assert {"person_ref", "street_code", "key_groups"} <= set(model.model_fields)
    assert model.topic == "leye.registration"


PERSONAL_FIELD_NAMES = {"name", "id_number", "phone", "mobile", "address", "birth_date", "birthday"}


@pytest.mark.parametrize("model", [pytest.param(m, id=t) for t, m in EVENT_TYPES.items()])
def test_no_personal_identifier_fields(model: type[EventData]) -> None:
    assert not PERSONAL_FIELD_NAMES & set(model.model_fields)
