"""The Grafana wall "乐业西青指挥中心" as code.

- ``panels.py``: what the wall shows and where; ``sql.py``: panel SQL composed from ``indicators.py``;
- ``dashboard.py``: panel specs -> grafana-foundation-sdk dashboard; ``clickhouse.py``: the plugin's
  query model for the SDK;
- ``alert_rules.py``: Grafana alert rules on aggregates, webhook contact point, notification policy;
- ``provisioning.py``: datasource and dashboard-provider files; ``export.py``: writes them all;
- ``sync.py``: pushes them to a running Grafana (``leye grafana sync``).
"""
