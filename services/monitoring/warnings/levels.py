"""The level rule (pure): which level a warning should have, given its value and its current level."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.vocab import AlertLevel

from .thresholds import Direction


def next_level(value: float | None, current: AlertLevel | None, levels: dict[AlertLevel, float],
               hysteresis: float, direction: Direction = "above") -> AlertLevel | None:
    """The level a warning should have now, given its value and its current level.

    Up at once: the most severe level whose threshold the value reaches (``above``: value ≥
    threshold; ``below``: value ≤ threshold). Down only outside the band: a firing level is kept
    while ``value ≥ hysteresis × its threshold`` (``below``, mirrored: while ``value ≤ its threshold
    / hysteresis``); outside it, the most severe lower level still inside its own band, or ``None``
    (resolved). No value (an empty denominator, nothing reported) resolves.
    """
    if value is None:
        return None
    reached = [level for level in AlertLevel if level in levels and _reaches(value, levels[level], direction)]
    raw = max(reached, key=lambda level: level.severity, default=None)
    if current is None or (raw is not None and raw.severity >= current.severity):
        return raw
    inside = [level for level in AlertLevel if level in levels and level.severity <= current.severity
              and _inside_band(value, levels[level], hysteresis, direction)]
    return max(inside, key=lambda level: level.severity, default=None)


def _reaches(value: float, threshold: float, direction: Direction) -> bool:
    return value >= threshold if direction == "above" else value <= threshold


def _inside_band(value: float, threshold: float, hysteresis: float, direction: Direction) -> bool:
    return value >= threshold * hysteresis if direction == "above" else value <= threshold / hysteresis


@dataclass(frozen=True)
class Reading:
    """A signal's value in one scope, the level it calls for, the threshold of that level, the window."""

    value: float | None
    level: AlertLevel | None
    threshold: float
    window: str
