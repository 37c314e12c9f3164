"""``python -m services.gateway``: serve the gateway on ``GATEWAY_PORT`` (default 8000)."""

from services.gateway.app import create_app
from services.gateway.settings import Settings
from services.runtime.http import serve

settings = Settings()
serve(create_app(settings), settings, settings.port, "gateway")
