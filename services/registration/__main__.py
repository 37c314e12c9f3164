"""``python -m services.registration``: serve the registration service on ``REGISTRATION_PORT``."""

from services.runtime.http import serve

from .app import create_app
from .settings import Settings

settings = Settings()
serve(create_app(settings), settings, settings.port, "registration")
