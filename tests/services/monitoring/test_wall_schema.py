"""The generated Grafana dashboard is valid against Grafana's published dashboard JSON Schema, and
each panel's options against its panel plugin's schema.

The schemas in ``grafana_schema/`` are Grafana's, as the Grafana Foundation SDK publishes them:
repository grafana/grafana-foundation-sdk, branch ``v10.1.x+cog-v0.0.x``, commit
0daa90e9f0b0bf97e5b82685bb49f97ac149ea58, files ``jsonschema/{dashboard,stat,gauge,barchart,
timeseries,table,geomap}.jsonschema.json`` (Apache-2.0, ``grafana_schema/LICENSE``), unchanged. They are
generated from Grafana's CUE kinds (the dashboard kind and the panel plugins' ``panelcfg.cue``) by
the same release that is our pinned ``grafana-foundation-sdk==1769699998!10.1.0`` (the epoch is
that commit's release time), so they describe exactly the dashboard model the SDK builds.

Two places where the generated JSON Schema is narrower than the CUE it comes from are widened
here, each to what the CUE source says, and nowhere else:

- ``Threshold.value`` is typed ``number``, but its own description says "Nulls currently appear
  here when serializing -Infinity to JSON": the base step of every threshold list is null (later
  releases of the schema type it ``number | null``).
- ``MatcherConfig.options`` and ``DynamicConfigValue.value`` are CUE ``_`` (any value) in
  ``dashboard_kind.cue``; the conversion turned ``_`` into "an object". Grafana's own ``byName``
  matcher takes the field name as a string and ``displayName`` a string.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from services.monitoring.wall.export import DASHBOARD_FILE, render_files

SCHEMAS = Path(__file__).with_name("grafana_schema")
PANEL_KINDS = ("stat", "gauge", "barchart", "timeseries", "table", "geomap")
ANY: dict[str, Any] = {}


def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.jsonschema.json").read_text("utf-8"))


def dashboard_schema() -> dict[str, Any]:
    schema = load("dashboard")
    definitions = schema["definitions"]
    definitions["Threshold"]["properties"]["value"] = {"anyOf": [{"type": "number"}, {"type": "null"}]}
    definitions["MatcherConfig"]["properties"]["options"] = ANY
    definitions["DynamicConfigValue"]["properties"]["value"] = ANY
    return schema


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(render_files()[DASHBOARD_FILE])


def errors(schema: dict[str, Any], document: Any) -> list[str]:
    Draft7Validator.check_schema(schema)
    found = []
    for error in Draft7Validator(schema).iter_errors(document):
        # A panel that fails the panels' oneOf: say why it is not a Panel (branch 0), not that it is no row.
        causes = [c for c in error.context or [] if c.schema_path and c.schema_path[0] == 0] or [error]
        found += [f"{list(c.absolute_path)}: {c.message[:300]}" for c in causes]
    return sorted(found)


def test_the_stored_schemas_are_grafanas_unchanged() -> None:
    """Only the test widens them (module docstring): the files stay as published."""
    schema = load("dashboard")
    assert schema["definitions"]["Threshold"]["properties"]["value"]["type"] == "number"
    assert schema["definitions"]["MatcherConfig"]["properties"]["options"]["type"] == "object"


def test_the_dashboard_is_valid_against_grafanas_dashboard_schema(dashboard) -> None:
    assert errors(dashboard_schema(), dashboard) == []


def _widened(path: list[Any]) -> str | None:
    """Which widened definition an instance path is in (see the module docstring), or None."""
    if len(path) >= 3 and path[-3] == "steps" and path[-1] == "value":
        return "Threshold.value"
    if path[-2:] == ["matcher", "options"]:
        return "MatcherConfig.options"
    if len(path) >= 3 and path[-3] == "properties" and path[-1] == "value":
        return "DynamicConfigValue.value"
    return None


def test_the_widening_is_needed_and_no_more(dashboard) -> None:
    """Against the schema as published, every complaint is about one of the widened definitions."""
    complaints: dict[str | None, set[str]] = {}
    for error in Draft7Validator(load("dashboard")).iter_errors(dashboard):
        for cause in error.context or [error]:
            path = list(cause.absolute_path)
            if cause.schema_path and cause.schema_path[0] == 1:
                continue  # the RowPanel branch of the panels' oneOf, which a visualisation never matches
            complaints.setdefault(_widened(path), set()).add(cause.message.rsplit(" is ", 1)[-1])
    assert complaints == {"Threshold.value": {"not of type 'number'"},
                          "MatcherConfig.options": {"not of type 'object'"},
                          "DynamicConfigValue.value": {"not of type 'object'"}}


@pytest.mark.parametrize("kind", PANEL_KINDS)
def test_each_panels_options_are_valid_against_its_plugins_schema(dashboard, kind: str) -> None:
    plugin = load(kind)
    panels = [panel for panel in dashboard["panels"] if panel["type"] == kind]
    assert panels, f"no {kind} panel on the wall"
    for panel in panels:
        documents = {"Options": panel["options"], "FieldConfig": panel["fieldConfig"]["defaults"].get("custom")}
        for name, document in documents.items():
            if name not in plugin["definitions"]:
                continue  # the plugin defines no such part (a stat panel has no custom field config)
            schema = {"$schema": plugin["$schema"], "definitions": plugin["definitions"],
                      "$ref": f"#/definitions/{name}"}
            assert errors(schema, document or {}) == [], (panel["title"], name)
