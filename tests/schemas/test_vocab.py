"""Code lists, their labels and orderings, and the reference data files."""

from __future__ import annotations

import inspect

import pytest

from schemas import vocab
from schemas.fields import SKILL_LEVEL_LABELS
from schemas.reference import DIVISION_SECTION, INDUSTRY_SECTIONS, STREETS
from schemas.vocab import AlertLevel, Education, Gender, IndustrySection, KeyGroup, Vocabulary

VOCABULARIES = [
    cls
    for _, cls in inspect.getmembers(vocab, inspect.isclass)
    if issubclass(cls, Vocabulary) and cls is not Vocabulary
]


@pytest.mark.parametrize("vocabulary", [pytest.param(v, id=v.__name__) for v in VOCABULARIES])
def test_every_member_has_a_chinese_label(vocabulary: type[Vocabulary]) -> None:
    labels = vocabulary.labels()
    assert list(labels) == [member.value for member in vocabulary]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels.values())


def test_codes_are_the_values_on_the_wire() -> None:
    assert Gender("2") is Gender.FEMALE
    assert Gender.FEMALE == "2"
    assert Gender.FEMALE.label == "女"
    assert Gender.labels() == {"0": "未知的性别", "1": "男", "2": "女", "9": "未说明的性别"}
    assert KeyGroup.AGE_4050.label == "“4050”人员"


def test_education_codes_follow_gb_t_4658() -> None:
    assert [e.value for e in Education] == ["10", "20", "30", "40", "60", "70", "80", "90"]


@pytest.mark.parametrize(
    ("have", "required", "meets"),
    [
        pytest.param(Education.POSTGRADUATE, Education.UNDERGRADUATE, True, id="higher meets lower"),
        pytest.param(Education.UNDERGRADUATE, Education.UNDERGRADUATE, True, id="equal meets"),
        pytest.param(Education.JUNIOR_COLLEGE, Education.UNDERGRADUATE, False, id="lower does not meet"),
        pytest.param(
            Education.VOCATIONAL_SECONDARY, Education.SENIOR_HIGH, True, id="vocational = senior high"
        ),
        pytest.param(
            Education.SENIOR_HIGH, Education.VOCATIONAL_SECONDARY, True, id="senior high = vocational"
        ),
        pytest.param(Education.PRIMARY, Education.JUNIOR_HIGH, False, id="primary below junior high"),
        pytest.param(Education.OTHER, None, True, id="no requirement"),
        pytest.param(Education.OTHER, Education.PRIMARY, False, id="other is the lowest"),
    ],
)
def test_education_meets(have: Education, required: Education | None, meets: bool) -> None:
    assert have.meets(required) is meets


def test_alert_levels_order_by_severity_not_by_code() -> None:
    assert sorted(AlertLevel, key=lambda level: level.severity) == [
        AlertLevel.YELLOW,
        AlertLevel.ORANGE,
        AlertLevel.RED,
    ]
    assert max(AlertLevel, key=lambda level: level.severity) is AlertLevel.RED
    assert AlertLevel.RED.label == "一级（红色）"


def test_streets_reference() -> None:
    assert len(STREETS) == 12
    assert sum(s.kind == "街道" for s in STREETS.values()) == 5
    assert sum(s.kind == "镇" for s in STREETS.values()) == 7
    assert STREETS["120111101"].name == "杨柳青镇"


def test_industry_reference_covers_sections_a_to_t_and_divisions_01_to_97() -> None:
    assert list(INDUSTRY_SECTIONS) == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert sorted(DIVISION_SECTION) == [f"{n:02d}" for n in range(1, 98)]
    assert DIVISION_SECTION["36"] == "C"
    assert INDUSTRY_SECTIONS["C"].divisions["36"] == "汽车制造业"
    assert INDUSTRY_SECTIONS["G"].divisions["58"] == "多式联运和运输代理业"


def test_industry_section_labels_match_the_reference_file() -> None:
    assert IndustrySection.labels() == {code: s.name for code, s in INDUSTRY_SECTIONS.items()}


def test_skill_levels_have_labels_from_lowest_to_highest() -> None:
    assert list(SKILL_LEVEL_LABELS) == [1, 2, 3, 4, 5]
    assert SKILL_LEVEL_LABELS[1].startswith("初级工")
    assert SKILL_LEVEL_LABELS[5].startswith("高级技师")
