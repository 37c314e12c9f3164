"""``python -m services.monitoring``: the worker and the statistics API in one process."""

from services.runtime.service import run

from .app import build

run(build)
