"""Dependency aliases of the registration API (``async``: attribute reads, no threadpool hop)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .crypto import PiiCipher


async def get_cipher(request: Request) -> PiiCipher:
    cipher: PiiCipher = request.app.state.cipher
    return cipher


async def get_ref_key(request: Request) -> bytes:
    key: bytes = request.app.state.person_ref_key
    return key


CipherDep = Annotated[PiiCipher, Depends(get_cipher)]
RefKeyDep = Annotated[bytes, Depends(get_ref_key)]
