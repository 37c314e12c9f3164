"""Reference data shipped with the contracts: the 12 街镇 of Xiqing and GB/T 4754-2017 industries.

The data lives in JSON files under ``schemas/reference/`` (each names its source) so that people can
review and update it without touching code. It is loaded once at import and exposed read-only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class Street:
    """One 街镇 (街道 or 镇) of Xiqing district."""

    code: str  # 9-digit division code, e.g. "120111001"
    name: str  # e.g. "西营门街道"
    kind: str  # "街道" or "镇"


@dataclass(frozen=True, slots=True)
class IndustrySectionInfo:
    """One GB/T 4754-2017 门类 with its 大类 (two-digit division code -> Chinese name)."""

    code: str
    name: str
    divisions: MappingProxyType[str, str]


def _load(name: str) -> Any:
    return json.loads(resources.files("schemas").joinpath("reference").joinpath(name).read_text("utf-8"))


def _load_streets() -> MappingProxyType[str, Street]:
    data = _load("xiqing_divisions.json")
    return MappingProxyType({d["code"]: Street(d["code"], d["name"], d["kind"]) for d in data["divisions"]})


def _load_industries() -> MappingProxyType[str, IndustrySectionInfo]:
    data = _load("gbt4754_2017.json")
    return MappingProxyType(
        {
            s["code"]: IndustrySectionInfo(
                s["code"], s["name"], MappingProxyType({d["code"]: d["name"] for d in s["divisions"]})
            )
            for s in data["sections"]
        }
    )


DISTRICT_CODE = "120111"
"""Xiqing district (西青区) administrative division code."""

STREETS: MappingProxyType[str, Street] = _load_streets()
"""The 12 街镇 of Xiqing by code."""

INDUSTRY_SECTIONS: MappingProxyType[str, IndustrySectionInfo] = _load_industries()
"""GB/T 4754-2017 门类 A–T by letter."""

DIVISION_SECTION: MappingProxyType[str, str] = MappingProxyType(
    {division: section.code for section in INDUSTRY_SECTIONS.values() for division in section.divisions}
)
"""Which 门类 each 大类 (division code "01"–"97") belongs to."""
