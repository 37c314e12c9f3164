"""The early-warning rules as data (pure): ``thresholds.yaml``'s model, the signals, their windows
and small-number floors. Nothing here reads storage; the engine (``engine.py``) and the Grafana
alert rules (``wall/alert_rules.py``) both read these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.vocab import AlertLevel, ScopeKind

Scope = tuple[str, ScopeKind, str]  # (signal, scope kind, scope code)

Direction = Literal["above", "below"]


class _Rule(BaseModel):
    """The levels of one signal. ``direction: above`` (the default): a level fires at or above its
    threshold, so thresholds rise from yellow to red; ``below``: at or below it, so they fall.
    ``hysteresis``, when given, replaces the file's for this rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: dict[AlertLevel, float]
    window_days: int = 7
    direction: Direction = "above"
    hysteresis: float | None = Field(None, gt=0, le=1)

    @model_validator(mode="after")
    def _levels_follow_the_direction(self) -> Self:
        ordered = [self.levels[level] for level in sorted(self.levels, key=lambda level: level.severity)]
        pairs = list(zip(ordered, ordered[1:], strict=False))
        ok = all(low < high for low, high in pairs) if self.direction == "above" else all(
            low > high for low, high in pairs)
        if not ok:
            way = "rise" if self.direction == "above" else "fall"
            raise ValueError(f"with direction {self.direction}, thresholds must {way} from yellow to red")
        return self


class _MassLayoffRule(_Rule):
    short_notice_level: AlertLevel = AlertLevel.ORANGE


class _SurgeRule(_Rule):
    min_registrations: int = 10


class _SlaRule(_Rule):
    min_cases: int = 10


class _VacancyRatioRule(_Rule):
    min_seekers: int = 10


class _LongTermRule(_Rule):
    min_long_term: int = 5


_ISSUE_OVERDUE_DEFAULT = _Rule(levels={AlertLevel.YELLOW: 1, AlertLevel.ORANGE: 3, AlertLevel.RED: 5})


class _Rules(BaseModel):
    """One rule per signal, named by the signal's code. A rule added later has a default, so an
    operator's copy of the file from before it still loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mass_layoff: _MassLayoffRule
    registration_surge: _SurgeRule
    job_loss_rate: _Rule
    sla_breach: _SlaRule
    vacancy_ratio: _VacancyRatioRule
    long_term_unemployment: _LongTermRule
    survey_rate: _Rule
    enterprise_issue_overdue: _Rule = _ISSUE_OVERDUE_DEFAULT


class Thresholds(BaseModel):
    """The contents of ``thresholds.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hysteresis: float = Field(gt=0, le=1)
    rules: _Rules

    @classmethod
    def load(cls, path: Path) -> Thresholds:
        return cls.model_validate(yaml.safe_load(path.read_text("utf-8")))

    def rule(self, signal: str) -> _Rule:
        """The rule of a signal (``AttributeError`` for an unknown signal)."""
        rule: _Rule = getattr(self.rules, signal)
        return rule

    def hysteresis_of(self, signal: str) -> float:
        """The signal's own hysteresis, else the file's."""
        own = self.rule(signal).hysteresis
        return self.hysteresis if own is None else own


# --- signals ---------------------------------------------------------------------------------------

STREET_SIGNALS = ("mass_layoff", "registration_surge", "job_loss_rate", "sla_breach", "vacancy_ratio",
                  "long_term_unemployment", "enterprise_issue_overdue")
"""Signals evaluated for each of the 12 街镇 (``mass_layoff`` also per industry with recent layoffs,
``job_loss_rate`` per industry with monitored enterprises)."""
DISTRICT_SIGNALS = ("vacancy_ratio", "survey_rate")
"""Signals evaluated for the whole district (scope code ``DISTRICT_CODE``)."""

_INDICATOR = {
    "mass_layoff": "mass_layoff_cuts", "registration_surge": "registration_surge_ratio",
    "job_loss_rate": "job_loss_rate", "sla_breach": "sla_breach_rate", "vacancy_ratio": "vacancy_ratio",
    "long_term_unemployment": "long_term_unemployed_share", "survey_rate": "survey_unemployment_rate",
    "enterprise_issue_overdue": "enterprise_issues_overdue",
}


def signal_indicator(signal: str) -> str:
    """The indicator code whose value is the signal's value."""
    return _INDICATOR[signal]


def window_days(signal: str, thresholds: Thresholds) -> int:
    """Days of the window, ending today, over which a signal and its floor are measured; 1 for
    stocks and latest figures, whose indicators read only the window's end."""
    rules = thresholds.rules
    return {"mass_layoff": rules.mass_layoff.window_days, "sla_breach": rules.sla_breach.window_days,
            "registration_surge": 7}.get(signal, 1)


def window_label(signal: str, thresholds: Thresholds) -> str:
    """The period a signal's value covers, as alert events carry it (monthly figures: 30 days)."""
    return "30d" if signal in ("job_loss_rate", "survey_rate") else f"{window_days(signal, thresholds)}d"


@dataclass(frozen=True)
class Floor:
    """The smallest base on which a signal may warn: a ratio over a handful of people or cases swings
    wildly. The base is ``indicator``'s ``column`` (its value, or the ``people`` it rests on) in the
    signal's scope and window. Below ``minimum`` nothing is raised; an open warning is resolved once
    the base falls below ``minimum`` × hysteresis, the same band as the value's, so a base wobbling
    around the floor does not raise and resolve the warning over and over."""

    indicator: str
    minimum: int
    column: Literal["value", "people"] = "value"


def signal_floor(signal: str, thresholds: Thresholds) -> Floor | None:
    """The floor of a signal, or ``None`` when it has none."""
    rules = thresholds.rules
    floors = {
        "registration_surge": Floor("unemployment_registrations", rules.registration_surge.min_registrations),
        "sla_breach": Floor("cases_dispatched", rules.sla_breach.min_cases),
        "vacancy_ratio": Floor("vacancy_ratio", rules.vacancy_ratio.min_seekers, column="people"),
        "long_term_unemployment": Floor("long_term_unemployed_share", rules.long_term_unemployment.min_long_term,
                                        column="people"),
    }
    return floors.get(signal)
