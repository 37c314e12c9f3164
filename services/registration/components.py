"""The registration service's components: what its routes work with, built at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from schemas.reference import Community
from services.runtime.service import Started

from .crypto import PiiCipher


@dataclass
class Components:
    started: Started
    cipher: PiiCipher
    person_ref_key: bytes  # HMAC key of person_ref (see crypto.py)
    communities: Mapping[str, Community]  # the 社区/行政村 reference list, read at start (DOMAIN.md §1)
