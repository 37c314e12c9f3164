"""The registration service's components: what its routes work with, built at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from services.runtime.service import Started

from .crypto import PiiCipher


@dataclass
class Components:
    started: Started
    cipher: PiiCipher
    person_ref_key: bytes  # HMAC key of person_ref (see crypto.py)
