"""Dependency aliases of the statistics API (``async``: an attribute read, no threadpool hop)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .store import Store


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]
