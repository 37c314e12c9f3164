"""The ClickHouse plugin's query model, plugged into grafana-foundation-sdk.

The SDK ships typed query models for Grafana's core datasources but not for the
``grafana-clickhouse-datasource`` plugin. It does offer an extension point: any class implementing
``cogvariants.Dataquery`` (``to_json``/``from_json``) can be a panel target, and registering it as a
dataquery variant makes ``Dashboard.from_json`` decode ClickHouse targets into this typed model instead
of an untyped bag. The fields are the plugin's SQL-editor query (``src/types/sql.ts`` in
grafana/clickhouse-datasource, plugin 4.x).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any, Self

from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import runtime as cogruntime
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models.dashboard import DataSourceRef

PLUGIN_ID = "grafana-clickhouse-datasource"
DATASOURCE_UID = "leye-clickhouse"
"""Stable uid of the provisioned datasource: panels and alert rules refer to it by this uid."""

DATASOURCE = DataSourceRef(type_val=PLUGIN_ID, uid=DATASOURCE_UID)


class QueryType(StrEnum):
    """How the plugin shapes the result (``QueryType`` in the plugin)."""

    TABLE = "table"
    TIME_SERIES = "timeSeries"


class Format(IntEnum):
    """The plugin's result format code, kept in step with ``QueryType``."""

    TIME_SERIES = 0
    TABLE = 1


class ClickHouseQuery(cogvariants.Dataquery):
    """One raw-SQL target of a panel or an alert rule on the ClickHouse datasource."""

    def __init__(self, ref_id: str = "A", raw_sql: str = "", query_type: QueryType = QueryType.TABLE) -> None:
        self.ref_id = ref_id
        self.raw_sql = raw_sql
        self.query_type = query_type

    def to_json(self) -> dict[str, object]:
        fmt = Format.TIME_SERIES if self.query_type is QueryType.TIME_SERIES else Format.TABLE
        return {
            "datasource": {"type": PLUGIN_ID, "uid": DATASOURCE_UID},
            "editorType": "sql",
            "format": int(fmt),
            "queryType": self.query_type.value,
            "rawSql": self.raw_sql,
            "refId": self.ref_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(
            ref_id=data.get("refId", "A"),
            raw_sql=data.get("rawSql", ""),
            query_type=QueryType(data.get("queryType", QueryType.TABLE.value)),
        )


class ClickHouseQueryBuilder(cogbuilder.Builder[ClickHouseQuery]):
    """Builder for ``ClickHouseQuery``, usable wherever the SDK takes a target builder."""

    def __init__(self, raw_sql: str, query_type: QueryType = QueryType.TABLE, ref_id: str = "A") -> None:
        self._internal = ClickHouseQuery(ref_id=ref_id, raw_sql=raw_sql, query_type=query_type)

    def build(self) -> ClickHouseQuery:
        return self._internal


def register_variant() -> None:
    """Teach the SDK's decoder that targets of this datasource type are ``ClickHouseQuery``."""
    cogruntime.register_dataquery_variant(
        cogruntime.DataqueryConfig(identifier=PLUGIN_ID, from_json_hook=ClickHouseQuery.from_json)
    )
