"""``python -m services.gateway``: serve the gateway on ``GATEWAY_PORT`` (default 8000)."""

from services.runtime.service import run

from .app import build

run(build)
