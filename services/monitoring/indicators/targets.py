"""Targets per plan period (DOMAIN.md §6, §10) as data, and progress against them (pure).

``targets.yaml`` holds one entry per indicator and plan period: the period's years, whether the
target is a **flow** counted over the year (城镇新增就业 2.4万 a year, 12万 over 2021–2025) or a
**level** to hold (城镇调查失业率 ≤ 5.5 %), its figures, its direction and its source. :func:`load`
refuses a bad file with :class:`TargetsError`, one Chinese line naming the entry, so the service
stops before it starts rather than showing progress against a wrong target.

Progress (:func:`progress`) is for the plan period containing a day: the year-to-date value against

- a flow's **pro-rated expectation** for that day, ``yearly × elapsed days / days in the year``
  (1 January counts one day; 31 December the whole year; a leap year has 366 days). Within
  ``tolerance`` (a share, 10 % in the shipped file) of the expectation it is ``on_track``; beyond
  it on the good side ``ahead``, on the other ``behind``;
- a level's target directly: ``on_track`` when it meets it, else ``behind``.

The wall computes the same in SQL (:func:`status_sql`, next to :func:`status` so the rule is stated
once in this module); a test holds the two equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from services.runtime.config_file import first_error, read_yaml

from .catalogue import BY_CODE

DEFAULT_PATH = Path(__file__).parents[1] / "targets.yaml"

Kind = Literal["flow", "level"]
Direction = Literal[">=", "<="]
Status = Literal["ahead", "on_track", "behind"]
STATUS_LABELS: dict[str, str] = {"ahead": "超前", "on_track": "正常", "behind": "滞后"}
_PERIOD = re.compile(r"^\s*(\d{4})\s*[-–—]\s*(\d{4})\s*$")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entry(_Data):
    """One indicator's target for one plan period."""

    indicator: str
    period: str
    plan: Annotated[str, Field(max_length=20)] = ""
    kind: Kind
    direction: Direction
    yearly: Annotated[float, Field(ge=0)] | None = None
    total: Annotated[float, Field(ge=0)] | None = None
    target: float | None = None
    source: Annotated[str, Field(min_length=1)]
    provisional: bool = False

    @field_validator("indicator")
    @classmethod
    def _known(cls, code: str) -> str:
        if code not in BY_CODE:
            raise PydanticCustomError("targets", "未知的指标代码 {code}", {"code": code})
        return code

    @field_validator("period")
    @classmethod
    def _years(cls, period: str) -> str:
        match = _PERIOD.match(period)
        if match is None:
            raise PydanticCustomError("targets", "时期须写作 起始年-结束年，如 2026-2030")
        if int(match[1]) > int(match[2]):
            raise PydanticCustomError("targets", "时期的起始年不得晚于结束年")
        return f"{match[1]}–{match[2]}"

    @model_validator(mode="after")
    def _figures(self) -> Self:
        indicator = BY_CODE[self.indicator]
        if self.kind == "flow":
            if self.yearly is None and self.total is None:
                raise PydanticCustomError("targets", "累计类（flow）目标须给出 yearly（每年）或 total（期间合计）")
            if self.target is not None:
                raise PydanticCustomError("targets", "累计类（flow）目标不用 target，请写 yearly 或 total")
            family = getattr(indicator.part, "family", None)
            if indicator.unit in ("%", "倍") or family in ("stock", "people"):
                raise PydanticCustomError("targets", "指标 {code} 是存量或比率，kind 须为 level",
                                          {"code": self.indicator})
        else:
            if self.target is None:
                raise PydanticCustomError("targets", "保持类（level）目标须给出 target")
            if self.yearly is not None or self.total is not None:
                raise PydanticCustomError("targets", "保持类（level）目标不用 yearly / total，请写 target")
        return self

    @property
    def first_year(self) -> int:
        return int(self.period[:4])

    @property
    def last_year(self) -> int:
        return int(self.period[-4:])

    @property
    def start(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.last_year, 12, 31)

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    @property
    def yearly_target(self) -> float | None:
        """A flow's yearly figure (from the period total when only that is given)."""
        if self.kind != "flow":
            return None
        return self.yearly if self.yearly is not None else (self.total or 0) / self.years

    @property
    def period_target(self) -> float | None:
        """A flow's figure over the whole period (yearly × years when only the yearly is given)."""
        if self.kind != "flow":
            return None
        return self.total if self.total is not None else (self.yearly or 0) * self.years

    @property
    def value(self) -> float:
        """What the value compares with: a flow's yearly figure, a level's target."""
        figure = self.yearly_target if self.kind == "flow" else self.target
        assert figure is not None  # the validators require one
        return figure

    @property
    def label(self) -> str:
        """The period as people read it: ``十五五 2026–2030``."""
        return f"{self.plan} {self.period}".strip()


class Targets(_Data):
    """The whole file."""

    tolerance: Annotated[float, Field(gt=0, lt=1)]
    targets: tuple[Entry, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen: dict[str, list[tuple[int, Entry]]] = {}
        for number, entry in enumerate(self.targets, start=1):
            for other_number, other in seen.get(entry.indicator, []):
                where = f"第 {number} 项（{entry.indicator} {entry.period}）"
                before = f"第 {other_number} 项（{other.period}）"
                if entry.first_year <= other.last_year and other.first_year <= entry.last_year:
                    raise PydanticCustomError("targets", "{where}与同一指标的{before}时期重叠",
                                              {"where": where, "before": before})
                if entry.direction != other.direction:
                    raise PydanticCustomError(
                        "targets", "{where}的方向 {direction} 与同一指标{before}的 {other} 不一致",
                        {"where": where, "before": before, "direction": entry.direction, "other": other.direction})
                if entry.kind != other.kind:
                    raise PydanticCustomError(
                        "targets", "{where}的类型 {kind} 与同一指标{before}的 {other} 不一致",
                        {"where": where, "before": before, "kind": entry.kind, "other": other.kind})
            seen.setdefault(entry.indicator, []).append((number, entry))
        return self

    def entries(self, code: str) -> tuple[Entry, ...]:
        """The indicator's entries, earliest period first."""
        return tuple(sorted((e for e in self.targets if e.indicator == code), key=lambda e: e.first_year))

    def entry(self, code: str, day: date) -> Entry | None:
        """The indicator's target for the plan period containing ``day``, if any."""
        return next((e for e in self.targets if e.indicator == code and e.covers(day)), None)

    def latest(self, code: str) -> Entry | None:
        """The indicator's entry of the latest period (for figures that cannot follow the day)."""
        entries = self.entries(code)
        return entries[-1] if entries else None


class TargetsError(ValueError):
    """A targets file that cannot be used; the message is one Chinese line naming the entry."""


def _entry_name(raw: Any, index: int) -> str:
    try:
        item = raw["targets"][index]
        name = " ".join(str(item[key]) for key in ("indicator", "period") if item.get(key) is not None)
    except (KeyError, IndexError, TypeError, AttributeError):
        name = ""
    return f"第 {index + 1} 项（{name}）" if name else f"第 {index + 1} 项"


def parse(raw: Any, origin: str) -> Targets:
    """Validate the loaded YAML document ``raw``; ``origin`` names the file in the message."""
    try:
        return Targets.model_validate(raw)
    except ValidationError as exc:
        index, field, message = first_error(exc, "targets")
        where = "" if index is None else _entry_name(raw, index) + " "
        at = f"字段 {field}：" if field else ""
        raise TargetsError(f"目标文件 {origin} 无效：{where}{at}{message}") from None


def load(path: Path = DEFAULT_PATH) -> Targets:
    """Read and validate a targets file (:class:`TargetsError` when it cannot be used)."""
    return parse(read_yaml(path, "目标文件", TargetsError, "；方向请加引号，如 \">=\""), str(path))


@cache
def default() -> Targets:
    """The shipped file (``targets.yaml`` beside the service), read once."""
    return load(DEFAULT_PATH)


# --- progress --------------------------------------------------------------------------------------


def year_elapsed(day: date) -> tuple[int, int]:
    """Days of ``day``'s year up to and including it, and days in that year."""
    first = date(day.year, 1, 1)
    return (day - first).days + 1, (date(day.year + 1, 1, 1) - first).days


def expected(entry: Entry, day: date) -> float | None:
    """A flow's pro-rated expectation at the end of ``day``: yearly × elapsed / days in the year."""
    yearly = entry.yearly_target
    if yearly is None:
        return None
    elapsed, days = year_elapsed(day)
    return yearly * elapsed / days  # this order, as status_sql computes it


def status(entry: Entry, value: float | None, day: date, tolerance: float) -> Status | None:
    """Progress of a year-to-date ``value`` on ``day`` (``None`` without a value)."""
    if value is None:
        return None
    if entry.kind == "level":
        met = value >= entry.value if entry.direction == ">=" else value <= entry.value
        return "on_track" if met else "behind"
    goal = expected(entry, day)
    assert goal is not None
    low, high = goal * (1 - tolerance), goal * (1 + tolerance)
    if entry.direction == ">=":
        return "ahead" if value > high else "on_track" if value >= low else "behind"
    return "ahead" if value < low else "on_track" if value <= high else "behind"


def status_sql(kind: Kind, direction: Direction, value: str, goal: str, tolerance: float) -> str:
    """:func:`status` as a ClickHouse expression over SQL expressions: ``value`` (year to date) and
    ``goal`` (a flow's expectation for the day, a level's target); NULL when either is NULL."""
    if kind == "level":
        return f"multiIf({value} IS NULL OR {goal} IS NULL, NULL, {value} {direction} {goal}, 'on_track', 'behind')"
    low, high = f"{goal} * {1 - tolerance!r}", f"{goal} * {1 + tolerance!r}"
    ahead, on_track = (f"{value} > {high}", f"{value} >= {low}") if direction == ">=" else \
        (f"{value} < {low}", f"{value} <= {high}")
    return (f"multiIf({value} IS NULL OR {goal} IS NULL, NULL, {ahead}, 'ahead', {on_track}, 'on_track', "
            "'behind')")


@dataclass(frozen=True)
class Progress:
    """Progress of one indicator for the plan period containing ``day``. ``ytd_value`` is the value
    from 1 January of ``day``'s year to ``day``; the flow figures (``expected``, ``period_value``)
    are ``None`` for a level, and for a flow whose scope is not the whole district (the targets are
    the district's), as is then ``status``."""

    entry: Entry
    day: date
    ytd_value: float | None
    elapsed_share: float | None
    expected: float | None
    period_value: float | None
    status: Status | None


def progress(entry: Entry, day: date, *, ytd_value: float | None, period_value: float | None = None,
             tolerance: float, district: bool = True) -> Progress:
    """The progress of ``entry``'s indicator on ``day`` (pure: the caller reads the values)."""
    if entry.kind == "level":
        return Progress(entry, day, ytd_value, None, None, None, status(entry, ytd_value, day, tolerance))
    if not district:
        return Progress(entry, day, ytd_value, None, None, None, None)
    elapsed, days = year_elapsed(day)
    return Progress(entry, day, ytd_value, elapsed / days, expected(entry, day), period_value,
                    status(entry, ytd_value, day, tolerance))
