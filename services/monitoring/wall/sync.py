"""Pushing the wall to a running Grafana through its HTTP API (grafana-client), idempotently.

Every object has a stable uid, so a sync reads each one by uid and creates it when Grafana answers
404, or updates it in place otherwise; running it twice changes nothing the second time except
versions Grafana bumps itself. Order matters: the folder before the dashboard and the rules, the
datasource before anything that queries it, the contact point before the policy that routes to it.

Alert rules and the contact point are pushed with ``X-Disable-Provenance`` so operators can tune
thresholds in Grafana's UI afterwards (DOMAIN.md §7: thresholds are operators' to adjust).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grafana_client import GrafanaApi
from grafana_client.client import GrafanaClientError

from .provisioning import FOLDER_TITLE, FOLDER_UID


@dataclass(frozen=True)
class WallBundle:
    """Everything a sync pushes, as the JSON bodies of Grafana's HTTP API."""

    datasource: dict[str, Any]
    dashboard: dict[str, Any]
    contact_point: dict[str, Any]
    policy: dict[str, Any]
    rules: list[dict[str, Any]] = field(default_factory=list)
    more_dashboards: list[dict[str, Any]] = field(default_factory=list)
    """Dashboards after the wall (乐业西青 政策项目进度), in the same folder."""


@dataclass
class SyncReport:
    """What a sync did, per object: ``("数据源", "乐业西青 ClickHouse", "已创建")`` and so on."""

    actions: list[tuple[str, str, str]] = field(default_factory=list)

    def note(self, kind: str, name: str, action: str) -> None:
        self.actions.append((kind, name, action))


CREATED = "已创建"
UPDATED = "已更新"
UNCHANGED = "无变化"


def _exists(read: Callable[[], Any]) -> Any | None:
    """The object ``read`` fetches, or ``None`` when Grafana answers 404."""
    try:
        return read()
    except GrafanaClientError as exc:
        if exc.status_code == 404:
            return None
        raise


def sync(api: GrafanaApi, bundle: WallBundle) -> SyncReport:
    """Create or update, by uid, the folder, datasource, dashboard, contact point, rules and policy."""
    report = SyncReport()
    _sync_folder(api, report)
    _sync_datasource(api, bundle.datasource, report)
    for dashboard in (bundle.dashboard, *bundle.more_dashboards):
        _sync_dashboard(api, dashboard, report)
    _sync_contact_point(api, bundle.contact_point, report)
    for rule in bundle.rules:
        _sync_rule(api, rule, report)
    _sync_policy(api, bundle.policy, report)
    return report


def _sync_folder(api: GrafanaApi, report: SyncReport) -> None:
    if _exists(lambda: api.folder.get_folder(FOLDER_UID)) is None:
        api.folder.create_folder(FOLDER_TITLE, uid=FOLDER_UID)
        report.note("文件夹", FOLDER_TITLE, CREATED)
    else:
        report.note("文件夹", FOLDER_TITLE, UNCHANGED)


def _sync_dashboard(api: GrafanaApi, dashboard: dict[str, Any], report: SyncReport) -> None:
    """Saved with ``overwrite``: Grafana replaces the dashboard with the same uid, whatever its version."""
    existed = _exists(lambda: api.dashboard.get_dashboard(dashboard["uid"])) is not None
    api.dashboard.update_dashboard({
        "dashboard": dashboard, "folderUid": FOLDER_UID, "overwrite": True, "message": "leye grafana sync",
    })
    report.note("仪表盘", dashboard["title"], UPDATED if existed else CREATED)


def _sync_datasource(api: GrafanaApi, datasource: dict[str, Any], report: SyncReport) -> None:
    uid = datasource["uid"]
    if _exists(lambda: api.datasource.get_datasource_by_uid(uid)) is None:
        api.datasource.create_datasource(datasource)
        report.note("数据源", datasource["name"], CREATED)
    else:
        api.datasource.update_datasource_by_uid(uid, datasource)
        report.note("数据源", datasource["name"], UPDATED)


def _sync_contact_point(api: GrafanaApi, contact: dict[str, Any], report: SyncReport) -> None:
    provisioning = api.alertingprovisioning
    existing = provisioning.get_contactpoints(name=contact["name"])
    if any(point.get("uid") == contact["uid"] for point in existing):
        provisioning.update_contactpoint(contact["uid"], contact, disable_provenance=True)
        report.note("联络点", contact["name"], UPDATED)
    else:
        provisioning.create_contactpoint(contact, disable_provenance=True)
        report.note("联络点", contact["name"], CREATED)


def _sync_rule(api: GrafanaApi, rule: dict[str, Any], report: SyncReport) -> None:
    provisioning = api.alertingprovisioning
    if _exists(lambda: provisioning.get_alertrule(rule["uid"])) is None:
        provisioning.create_alertrule(rule, disable_provenance=True)
        report.note("告警规则", rule["title"], CREATED)
    else:
        provisioning.update_alertrule(rule["uid"], rule, disable_provenance=True)
        report.note("告警规则", rule["title"], UPDATED)


def _sync_policy(api: GrafanaApi, policy: dict[str, Any], report: SyncReport) -> None:
    """Replace the root policy only when it differs: it is one tree per organisation."""
    provisioning = api.alertingprovisioning
    current = provisioning.get_notification_policy_tree()
    if all(current.get(key) == value for key, value in policy.items()):
        report.note("通知策略", policy["receiver"], UNCHANGED)
        return
    provisioning.set_notification_policy_tree(policy, disable_provenance=True)
    report.note("通知策略", policy["receiver"], UPDATED)
