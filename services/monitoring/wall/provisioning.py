"""Grafana file provisioning for the wall: the ClickHouse datasource and the dashboard file provider.

Connection details are never written into the files: Grafana expands ``${VAR}`` from its own
environment when it reads provisioning files, so the committed YAML names the variables and the
deployment supplies the values (the password only ever lives in the environment).
"""

from __future__ import annotations

from typing import Any

from .clickhouse import DATASOURCE_UID, PLUGIN_ID

DATASOURCE_NAME = "乐业西青 ClickHouse"
FOLDER_UID = "leye"
FOLDER_TITLE = "乐业西青指挥中心"
DASHBOARDS_PATH = "/var/lib/grafana/dashboards"
"""Where the Grafana container mounts ``deploy/grafana/dashboards`` (docker-compose.yml)."""

ENV_HOST = "CLICKHOUSE_HOST"
ENV_PORT = "CLICKHOUSE_PORT"
ENV_USER = "CLICKHOUSE_USER"
ENV_PASSWORD = "CLICKHOUSE_PASSWORD"
ENV_DATABASE = "CLICKHOUSE_DATABASE"


def datasource_settings(host: str, port: str, user: str, database: str) -> dict[str, Any]:
    """The datasource's ``jsonData``: the plugin talks HTTP to ClickHouse (port 8123 by default)."""
    return {
        "defaultDatabase": database,
        "host": host,
        "port": port,
        "protocol": "http",
        "username": user,
    }


def datasource_provisioning() -> dict[str, Any]:
    """``provisioning/datasources/clickhouse.yaml``: values come from Grafana's environment."""
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "editable": False,
                "isDefault": True,
                "jsonData": datasource_settings(
                    f"${{{ENV_HOST}}}", f"${{{ENV_PORT}}}", f"${{{ENV_USER}}}", f"${{{ENV_DATABASE}}}"
                ),
                "name": DATASOURCE_NAME,
                "secureJsonData": {"password": f"${{{ENV_PASSWORD}}}"},
                "type": PLUGIN_ID,
                "uid": DATASOURCE_UID,
            }
        ],
    }


def dashboard_provider() -> dict[str, Any]:
    """``provisioning/dashboards/leye.yaml``: load the wall from files; edits in the UI are not kept."""
    return {
        "apiVersion": 1,
        "providers": [
            {
                "allowUiUpdates": False,
                "disableDeletion": True,
                "folder": FOLDER_TITLE,
                "folderUid": FOLDER_UID,
                "name": "leye",
                "options": {"path": DASHBOARDS_PATH},
                "orgId": 1,
                "type": "file",
                "updateIntervalSeconds": 30,
            }
        ],
    }
