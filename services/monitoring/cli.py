"""``leye grafana``: generate the wall's Grafana files, or push them to a running Grafana.

Operator output is Chinese. ``export`` needs nothing running; ``sync`` needs a Grafana URL and a
service-account token, plus the values Grafana itself would read from its environment in file
provisioning (ClickHouse connection, gateway URL, webhook token), here taken from options or the
same environment variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from .indicators.targets import Targets

app = typer.Typer(help="Grafana 大屏：生成配置文件、同步到 Grafana", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


def _targets(path: Path | None) -> Targets:
    """The targets file given (or ``MONITORING_TARGETS``; by default the shipped one), validated. A bad
    file ends the command with its one-line reason before anything is written or pushed."""
    from .indicators.targets import DEFAULT_PATH, TargetsError, load

    try:
        return load(path or DEFAULT_PATH)
    except TargetsError as exc:
        err_console.print(str(exc), soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None


TargetsOption = Annotated[Path | None, typer.Option(
    "--targets", envvar="MONITORING_TARGETS", help="指标目标文件（YAML），默认 services/monitoring/targets.yaml")]


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="输出目录")] = Path("deploy/grafana"),
    targets: TargetsOption = None,
) -> None:
    """生成大屏仪表盘 JSON、数据源、仪表盘加载与告警规则配置文件（重复生成结果完全相同）。"""
    from .wall.export import export as write_files

    for path in write_files(out, _targets(targets)):
        console.print(f"已写入 {path}")


@app.command()
def sync(
    url: Annotated[str, typer.Option(help="Grafana 地址，例如 https://grafana.example.cn")],
    token: Annotated[str, typer.Option(help="Grafana 服务账号令牌", envvar="GRAFANA_TOKEN")],
    clickhouse_host: Annotated[str, typer.Option(help="ClickHouse 主机", envvar="CLICKHOUSE_HOST")] = "clickhouse",
    clickhouse_port: Annotated[str, typer.Option(help="ClickHouse HTTP 端口", envvar="CLICKHOUSE_PORT")] = "8123",
    clickhouse_user: Annotated[str, typer.Option(help="ClickHouse 用户", envvar="CLICKHOUSE_USER")] = "leye",
    clickhouse_database: Annotated[str, typer.Option(help="ClickHouse 数据库", envvar="CLICKHOUSE_DATABASE")] = "leye",
    clickhouse_password: Annotated[str, typer.Option(help="ClickHouse 密码", envvar="CLICKHOUSE_PASSWORD")] = "",
    gateway_url: Annotated[str, typer.Option(help="Grafana 可访问的网关地址", envvar="LEYE_GATEWAY_URL")] = (
        "http://gateway:8000"
    ),
    webhook_token: Annotated[str, typer.Option(help="网关告警回调令牌", envvar="GATEWAY_GRAFANA_WEBHOOK_TOKEN")] = "",
    targets: TargetsOption = None,
) -> None:
    """把数据源、大屏、联络点、告警规则和通知策略推送到运行中的 Grafana（按 uid 创建或更新，可重复执行）。"""
    from grafana_client import GrafanaApi
    from grafana_client.client import GrafanaException

    from .wall.clickhouse import DATASOURCE_UID, PLUGIN_ID
    from .wall.export import contact_point_json, dashboard_json, policy_json, programmes_dashboard_json, rules_json
    from .wall.provisioning import DATASOURCE_NAME, datasource_settings
    from .wall.sync import WallBundle
    from .wall.sync import sync as push

    dashboard = dashboard_json(_targets(targets))
    if not webhook_token:
        err_console.print("缺少网关告警回调令牌：请设置 GATEWAY_GRAFANA_WEBHOOK_TOKEN 或 --webhook-token")
        raise typer.Exit(2)
    datasource = {
        "uid": DATASOURCE_UID, "name": DATASOURCE_NAME, "type": PLUGIN_ID, "access": "proxy", "isDefault": True,
        "jsonData": datasource_settings(clickhouse_host, clickhouse_port, clickhouse_user, clickhouse_database),
        "secureJsonData": {"password": clickhouse_password},
    }
    bundle = WallBundle(
        datasource=datasource, dashboard=dashboard, contact_point=contact_point_json(gateway_url, webhook_token),
        policy=policy_json(), rules=rules_json(), more_dashboards=[programmes_dashboard_json(_targets(targets))],
    )
    try:
        report = push(GrafanaApi.from_url(url, credential=token), bundle)
    except GrafanaException as exc:
        err_console.print(f"同步失败：Grafana 返回 {exc.status_code}（{exc.message}）")
        raise typer.Exit(1) from None
    table = Table("类型", "名称", "结果")
    for kind, name, action in report.actions:
        table.add_row(kind, name, action)
    console.print(table)
    console.print(f"已同步到 {url}")
