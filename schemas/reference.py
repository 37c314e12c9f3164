"""Reference data shipped with the contracts: the 12 街镇 of Xiqing (with where the wall's maps draw
them) and GB/T 4754-2017 industries.

The data lives in JSON files under ``schemas/reference/`` (each names its source) so that people can
review and update it without touching code. It is loaded once at import and exposed read-only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
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


# --- 社区 and 行政村 ----------------------------------------------------------------------------------

COMMUNITY_KINDS = ("社区", "行政村")
COMMUNITIES_FILE = "xiqing_communities.json"
CSV_COLUMNS = ("code", "name", "street_code", "kind", "demo")
_COMMUNITY_CODE_DIGITS = 12


@dataclass(frozen=True, slots=True)
class Community:
    """One 社区 (urban community) or 行政村 (administrative village) of Xiqing, below a 街镇."""

    code: str  # 12-digit statistical division code: the 街镇's 9 digits and 3 of its own
    name: str  # e.g. "西营东社区"
    street_code: str  # the 街镇 it belongs to
    kind: str  # "社区" or "行政村"
    demo: bool  # made up for the demo and the tests, not an official entry

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "street_code": self.street_code, "kind": self.kind,
                "demo": self.demo}


class CommunityFileError(ValueError):
    """A community list that does not validate; ``str()`` is the Chinese message naming row and field."""

    def __init__(self, row: int | None, field: str | None, message: str) -> None:
        where = "，".join(part for part in (f"第 {row} 行" if row is not None else "",
                                           f"字段 {field}" if field else "") if part)
        super().__init__(f"{where}：{message}" if where else message)
        self.row, self.field, self.message = row, field, message


def _community(row: int | None, raw: dict[str, Any]) -> Community:
    """One validated entry; ``row`` is the line number for messages (``None`` for the JSON file)."""
    code = str(raw.get("code") or "").strip()
    name = str(raw.get("name") or "").strip()
    street_code = str(raw.get("street_code") or "").strip()
    kind = str(raw.get("kind") or "").strip()
    demo_raw = raw.get("demo")
    if not (len(code) == _COMMUNITY_CODE_DIGITS and code.isascii() and code.isdigit()):
        raise CommunityFileError(row, "code", f"社区代码须为 {_COMMUNITY_CODE_DIGITS} 位数字（统计用区划代码）")
    if not name or len(name) > 40:
        raise CommunityFileError(row, "name", "名称不得为空，且不超过 40 个字")
    if street_code not in STREETS:
        raise CommunityFileError(row, "street_code", "未知的街镇代码")
    if not code.startswith(street_code):
        raise CommunityFileError(row, "code", f"社区代码的前 9 位须为所属街镇代码 {street_code}")
    if kind not in COMMUNITY_KINDS:
        raise CommunityFileError(row, "kind", "类型须为“社区”或“行政村”")
    if isinstance(demo_raw, bool):
        demo = demo_raw
    elif str(demo_raw or "").strip().lower() in ("", "false", "0", "否"):
        demo = False
    elif str(demo_raw).strip().lower() in ("true", "1", "是"):
        demo = True
    else:
        raise CommunityFileError(row, "demo", "demo 须为空、true/false、1/0 或 是/否")
    return Community(code, name, street_code, kind, demo)


def _checked(entries: Sequence[tuple[int | None, Community]]) -> MappingProxyType[str, Community]:
    by_code: dict[str, Community] = {}
    names: dict[tuple[str, str], str] = {}
    for row, community in entries:
        if community.code in by_code:
            raise CommunityFileError(row, "code", f"社区代码 {community.code} 重复")
        if (community.street_code, community.name) in names:
            raise CommunityFileError(row, "name", f"同一街镇内名称“{community.name}”重复")
        by_code[community.code] = community
        names[(community.street_code, community.name)] = community.code
    if not by_code:
        raise CommunityFileError(None, None, "社区名单为空")
    return MappingProxyType(dict(sorted(by_code.items())))


def parse_communities_csv(text: str) -> MappingProxyType[str, Community]:
    """The communities of a CSV file (UTF-8, header ``code,name,street_code,kind[,demo]``), validated:
    the first error raises :class:`CommunityFileError` naming its line and field."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in CSV_COLUMNS[:4] if column not in header]
    if missing:
        raise CommunityFileError(
            1, missing[0], f"缺少列 {', '.join(missing)}（表头须为 {','.join(CSV_COLUMNS)}，demo 可省略）")
    unknown = [column for column in header if column not in CSV_COLUMNS]
    if unknown:
        raise CommunityFileError(1, unknown[0], "未知的列")
    entries = []
    for raw in reader:
        if None in raw:
            raise CommunityFileError(reader.line_num, None, "列数多于表头")
        values = {key.strip(): value for key, value in raw.items()}
        if not any((value or "").strip() for value in values.values()):
            continue  # a blank line
        entries.append((reader.line_num, _community(reader.line_num, values)))
    return _checked(entries)


def communities_from_json(text: str) -> MappingProxyType[str, Community]:
    """The communities of a reference JSON file (``{"source": …, "communities": [...]}``), validated."""
    data = json.loads(text)
    return _checked([(None, _community(None, raw)) for raw in data["communities"]])


def communities_json(communities: Mapping[str, Community], source: str) -> str:
    """The reference JSON text of a community list (sorted by code, so equal lists give equal files)."""
    body = {"source": source, "communities": [c.as_json() for _, c in sorted(communities.items())]}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class CommunityChanges:
    """What loading a new list changes against the current one."""

    added: tuple[Community, ...]
    changed: tuple[tuple[Community, Community], ...]  # (before, after), same code
    removed: tuple[Community, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def community_changes(before: Mapping[str, Community],
                      after: Mapping[str, Community]) -> CommunityChanges:
    return CommunityChanges(
        added=tuple(after[code] for code in sorted(after.keys() - before.keys())),
        changed=tuple((before[code], after[code]) for code in sorted(after.keys() & before.keys())
                      if before[code] != after[code]),
        removed=tuple(before[code] for code in sorted(before.keys() - after.keys())),
    )


def shipped_communities_path() -> Path:
    """The community list shipped in this package (``schemas/reference/xiqing_communities.json``)."""
    return Path(str(resources.files("schemas").joinpath("reference").joinpath(COMMUNITIES_FILE)))


def load_communities(path: Path | None = None) -> MappingProxyType[str, Community]:
    """The community list at ``path`` (default: the shipped one), validated."""
    return communities_from_json((path or shipped_communities_path()).read_text("utf-8"))


def community_fault(communities: Mapping[str, Community], code: str, street_code: str) -> tuple[str, str] | None:
    """Why ``code`` cannot be the community of something in ``street_code``, as ``(error type, Chinese
    message)`` for the field that gave it, or ``None`` when it can: the code must be in the list and
    its community in that 街镇. One rule for persons, households' members, 红娘 stations and employers."""
    community = communities.get(code)
    if community is None:
        return "community_code", "未知的社区代码（不在社区/行政村名单中）"
    if community.street_code != street_code:
        return "community_street", f"社区“{community.name}”不属于所填街镇（street_code）"
    return None
