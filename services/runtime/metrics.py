"""Every Prometheus metric the platform exports, in one place, so that their names stay stable for
dashboards and alert rules."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("leye_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_SECONDS = Histogram(
    "leye_http_request_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
OUTBOX_PUBLISHED = Counter("leye_outbox_published_total", "Outbox events acknowledged by the broker")
OUTBOX_PUBLISH_ERRORS = Counter("leye_outbox_publish_errors_total", "Failed outbox publish attempts")
OUTBOX_PENDING = Gauge("leye_outbox_pending", "Outbox rows not yet acknowledged")
OUTBOX_REPLAYED = Counter(
    "leye_outbox_replayed_total", "Sent outbox events published again because the broker lost its log"
)
ROWS_PURGED = Counter("leye_rows_purged_total", "Rows deleted by retention purges", ["table"])
PERIODIC_JOB_ERRORS = Counter("leye_periodic_job_errors_total", "Failed runs of periodic jobs", ["job"])
EVENTS_CONSUMED = Counter("leye_events_consumed_total", "Events processed by a consumer", ["consumer", "topic"])
EVENTS_DEADLETTERED = Counter(
    "leye_events_deadlettered_total", "Messages sent to the dead-letter topic", ["consumer", "reason"]
)
EVENTS_DUPLICATE = Counter("leye_events_duplicate_total", "Redelivered events skipped", ["consumer"])
WARNING_EVALUATIONS = Counter("leye_warning_evaluations_total", "Full evaluations of every warning scope (monitoring)")
