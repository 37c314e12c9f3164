"""Dependency aliases of the registration API (``async``: attribute reads, no threadpool hop)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.runtime.http import SessionDep, get_components

from .components import Components
from .crypto import PiiCipher

ComponentsDep = Annotated[Components, Depends(get_components)]


async def _cipher(components: ComponentsDep) -> PiiCipher:
    return components.cipher


async def _ref_key(components: ComponentsDep) -> bytes:
    return components.person_ref_key


CipherDep = Annotated[PiiCipher, Depends(_cipher)]
RefKeyDep = Annotated[bytes, Depends(_ref_key)]

__all__ = ["CipherDep", "RefKeyDep", "SessionDep"]
