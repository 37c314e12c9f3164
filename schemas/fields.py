"""Value types shared by the event models: times, ages, money, periods, skills, industries.

Rules that users can break get Chinese ``PydanticCustomError`` messages; plain shape constraints
(``ge``, ``pattern``, ...) use pydantic's own errors, which ``schemas.errors.chinese_errors`` translates.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Annotated, Self, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from schemas.reference import DIVISION_SECTION
from schemas.vocab import Gender, IndustrySection


class StrictModel(BaseModel):
    """Base of every contract model: unknown fields are errors, instances are immutable, no coercion.

    Strict means Python callers pass real types (``date``, enum members, ``int``); JSON input is still
    parsed from its natural representation (ISO dates, codes).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- Time -----------------------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _to_shanghai(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


ShanghaiDatetime = Annotated[AwareDatetime, AfterValidator(_to_shanghai)]
"""A time with an offset, converted to Asia/Shanghai, so it serialises as RFC 3339 with ``+08:00``.
Naive times are rejected: they are ambiguous between UTC and local time."""


# --- Age ------------------------------------------------------------------------------------------

WORKING_AGE_MIN = 16
RETIREMENT_AGE_MAX = 63
RETIREMENT_AGE_MAX_FEMALE = 58


def max_working_age(gender: Gender) -> int:
    """Upper bound of working age used for validation.

    The 2025 reform raises the statutory retirement age gradually (until 2040) to 63 for men and to
    55 or 58 for women depending on job category. Events do not know a woman's category, so the most
    permissive final limits apply: 58 for women, 63 for men and for unknown or unstated gender.
    """
    return RETIREMENT_AGE_MAX_FEMALE if gender is Gender.FEMALE else RETIREMENT_AGE_MAX


def _working_age_error() -> PydanticCustomError:
    return PydanticCustomError("working_age", "年龄须在16周岁至法定退休年龄之间")


def check_working_age(age: int, gender: Gender) -> None:
    """Raise the working-age error when ``age`` is outside 16..``max_working_age(gender)``."""
    if not WORKING_AGE_MIN <= age <= max_working_age(gender):
        raise _working_age_error()


def _validate_age(age: int) -> int:
    if not WORKING_AGE_MIN <= age <= RETIREMENT_AGE_MAX:
        raise _working_age_error()
    return age


Age = Annotated[
    int,
    AfterValidator(_validate_age),
    WithJsonSchema({"type": "integer", "minimum": WORKING_AGE_MIN, "maximum": RETIREMENT_AGE_MAX}),
]
"""Age in whole years, 16..63. Models that also know the gender call ``check_working_age``."""


def check_age_range(age_min: int | None, age_max: int | None) -> None:
    """Raise when both bounds are given and the lower one is above the upper one."""
    if age_min is not None and age_max is not None and age_min > age_max:
        raise PydanticCustomError("age_range", "最低年龄不得高于最高年龄")


# --- Money and counts -----------------------------------------------------------------------------

MonthlyYuan = Annotated[int, Field(ge=0)]
"""Monthly pay in whole yuan, non-negative."""


def check_salary_range(salary_min: int | None, salary_max: int | None) -> None:
    """Raise when both bounds are given and the minimum is above the maximum."""
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        raise PydanticCustomError("salary_range", "最低薪资不得高于最高薪资")


Count = Annotated[int, Field(ge=0)]
"""A non-negative number of people, posts, viewers, ..."""

Period = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
"""A calendar month, ``YYYY-MM``."""

OccupationCode = Annotated[str, Field(
    pattern=r"^[1-8](-[0-9]{2}){1,3}$",
    description="职业代码（《中华人民共和国职业分类大典》：大类-中类[-小类[-细类]]，如 6-18-01-01）",
)]
"""An occupation of the national classification of occupations (职业分类大典, GB/T 6565): major group
1-8, then two digits per level down to the unit group (``6-18-01`` 机械冷加工人员) or the occupation
(``6-18-01-01`` 车工). Only the shape is checked: the platform holds no copy of the classification."""


# --- Lists ----------------------------------------------------------------------------------------

H = TypeVar("H", bound=Hashable)


def _no_duplicates(items: list[H]) -> list[H]:
    if len(set(items)) != len(items):
        raise PydanticCustomError("duplicate_items", "列表中不得有重复项")
    return items


UniqueList = Annotated[
    list[H], AfterValidator(_no_duplicates), Field(json_schema_extra={"uniqueItems": True})
]
"""A list whose items are distinct (key groups, categories, vacancy ids)."""


# --- Skills ---------------------------------------------------------------------------------------

SKILL_LEVEL_LABELS: dict[int, str] = {
    1: "初级工（五级）",
    2: "中级工（四级）",
    3: "高级工（三级）",
    4: "技师（二级）",
    5: "高级技师（一级）",
}
"""Skill levels for screens. Higher is more skilled here; the national certificates count the other
way round (五级 is the lowest), hence both names in the label."""


class Skill(StrictModel):
    """A skill a person has, or a vacancy requires, with a level 1 (lowest) to 5."""

    name: Annotated[str, Field(min_length=1, max_length=30)]
    level: Annotated[int, Field(ge=1, le=5)]


# --- Industry -------------------------------------------------------------------------------------


class Industry(StrictModel):
    """GB/T 4754-2017 industry: a 门类 letter and, when known, a two-digit 大类 of that section."""

    section: IndustrySection
    division: Annotated[str, Field(pattern=r"^[0-9]{2}$")] | None = None

    @model_validator(mode="after")
    def _division_in_section(self) -> Self:
        if self.division is not None:
            owner = DIVISION_SECTION.get(self.division)
            if owner is None:
                raise PydanticCustomError("industry_division", "未知的行业大类代码")
            if owner != self.section:
                raise PydanticCustomError("industry_division_section", "行业大类不属于所选门类")
        return self
