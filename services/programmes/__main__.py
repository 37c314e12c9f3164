"""``python -m services.programmes``: serve the programmes service on ``PROGRAMMES_PORT`` (default 8005)."""

from services.runtime.service import run

from .app import build

run(build)
