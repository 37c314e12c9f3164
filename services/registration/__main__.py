"""``python -m services.registration``: serve the registration service on ``REGISTRATION_PORT`` (default 8001)."""

from services.runtime.service import run

from .app import build

run(build)
