"""Reference data shipped with the contracts: the 12 街镇 of Xiqing (with where the wall's maps draw
them) and GB/T 4754-2017 industries.

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
    tile: tuple[int, int]  # (column west→east, row north→south) on the maps' schematic grid
    position: tuple[float, float]  # (lon, lat) where the maps draw it: the tile in degrees, schematic


@dataclass(frozen=True, slots=True)
class TileLayout:
    """Where the wall's maps draw the 街镇: a schematic grid whose relative positions follow the
    district's layout, not surveyed centroids (the JSON says so and why). ``position`` turns a tile
    into degrees around the anchor, so a map that needs longitude and latitude (Grafana's Geomap)
    can draw it near Xiqing."""

    description: str
    anchor_tile: tuple[int, int]
    anchor: tuple[float, float]  # (lon, lat) of the anchor tile
    anchor_source: str
    degrees_per_tile: float

    def position(self, tile: tuple[int, int]) -> tuple[float, float]:
        lon = self.anchor[0] + (tile[0] - self.anchor_tile[0]) * self.degrees_per_tile
        lat = self.anchor[1] - (tile[1] - self.anchor_tile[1]) * self.degrees_per_tile
        return round(lon, 5), round(lat, 5)


@dataclass(frozen=True, slots=True)
class IndustrySectionInfo:
    """One GB/T 4754-2017 门类 with its 大类 (two-digit division code -> Chinese name)."""

    code: str
    name: str
    divisions: MappingProxyType[str, str]


def _load(name: str) -> Any:
    return json.loads(resources.files("schemas").joinpath("reference").joinpath(name).read_text("utf-8"))


def _load_layout() -> TileLayout:
    layout = _load("xiqing_divisions.json")["tile_layout"]
    anchor = layout["anchor"]
    return TileLayout(layout["description"], (anchor["tile"][0], anchor["tile"][1]), (anchor["lon"], anchor["lat"]),
                      anchor["source"], layout["degrees_per_tile"])


def _load_streets() -> MappingProxyType[str, Street]:
    data = _load("xiqing_divisions.json")
    tiles = {d["code"]: (d["tile"][0], d["tile"][1]) for d in data["divisions"]}
    if len(set(tiles.values())) != len(tiles):
        raise ValueError("xiqing_divisions.json: two 街镇 share a map tile")
    return MappingProxyType({d["code"]: Street(d["code"], d["name"], d["kind"], tiles[d["code"]],
                                               TILE_LAYOUT.position(tiles[d["code"]])) for d in data["divisions"]})


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

TILE_LAYOUT: TileLayout = _load_layout()
"""How the maps place the 街镇 (schematic; see the JSON's ``tile_layout``)."""

STREETS: MappingProxyType[str, Street] = _load_streets()
"""The 12 街镇 of Xiqing by code."""

INDUSTRY_SECTIONS: MappingProxyType[str, IndustrySectionInfo] = _load_industries()
"""GB/T 4754-2017 门类 A–T by letter."""

DIVISION_SECTION: MappingProxyType[str, str] = MappingProxyType(
    {division: section.code for section in INDUSTRY_SECTIONS.values() for division in section.divisions}
)
"""Which 门类 each 大类 (division code "01"–"97") belongs to."""
