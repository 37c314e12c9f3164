"""``python -m services.vacancies``: serve the vacancies service on ``VACANCIES_PORT`` (default 8002)."""

from services.runtime.service import run

from .app import build

run(build)
