"""Dependency aliases of the registration API (``async``: attribute reads, no threadpool hop)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends

from schemas.reference import Community
from services.runtime.http import SessionDep, get_components

from .components import Components
from .crypto import PiiCipher

ComponentsDep = Annotated[Components, Depends(get_components)]


async def _cipher(components: ComponentsDep) -> PiiCipher:
    return components.cipher


async def _ref_key(components: ComponentsDep) -> bytes:
    return components.person_ref_key


async def _communities(components: ComponentsDep) -> Mapping[str, Community]:
    return components.communities


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
RefKeyDep = Annotated[bytes, Depends(_ref_key)]
CommunitiesDep = Annotated[Mapping[str, Community], Depends(_communities)]

__all__ = ["CipherDep", "CommunitiesDep", "RefKeyDep", "SessionDep"]
