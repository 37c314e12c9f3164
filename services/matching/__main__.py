"""``python -m services.matching``: the stream worker and the HTTP API in one process."""

from services.runtime.service import run

from .app import build

run(build)
