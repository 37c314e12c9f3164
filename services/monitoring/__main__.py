"""``python -m services.monitoring``: the worker and the statistics API in one process."""

from __future__ import annotations

from services.runtime.streaming import run_worker

from .settings import Settings
from .worker import build


def main() -> None:
    settings = Settings()
    app, api = build(settings)
    run_worker(app, api, port=settings.port, settings=settings, service="monitoring")


if __name__ == "__main__":
    main()
