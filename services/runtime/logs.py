"""JSON logs, one object per line, through structlog.

Personal data never goes into a log call: log person_ref, never names, ID or phone numbers.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(service: str, level: str = "INFO") -> None:
    """Route stdlib and structlog records to stderr as JSON lines tagged with the service name."""
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            lambda _, __, event: {**event, "service": service},
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    # The process's real stderr: faust's worker replaces sys.stderr with a proxy that logs, which
    # would swallow (or loop) our own records.
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Access logs come from our own middleware; faust and kafka clients are chatty at INFO, and httpx
    # logs every URL it calls (URLs may carry a person_ref).
    for noisy in ("uvicorn.access", "kafka", "aiokafka", "faust", "mode", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
