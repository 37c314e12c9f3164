"""``python -m services.vacancies``: serve the vacancies service on ``VACANCIES_PORT``."""

from services.runtime.http import serve

from .app import create_app
from .settings import Settings

settings = Settings()
serve(create_app(settings), settings, settings.port, "vacancies")
