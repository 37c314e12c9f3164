"""Dependency aliases of the statistics API (``async``: an attribute read, no threadpool hop)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .components import Components
from .store import Store


async def _components(request: Request) -> Components:
    components: Components = request.app.state.components
    return components


ComponentsDep = Annotated[Components, Depends(_components)]


async def _store(components: ComponentsDep) -> Store:
    return components.store


StoreDep = Annotated[Store, Depends(_store)]
