"""Encryption of personal data at rest (names, ID numbers, phone numbers) with versioned Fernet keys.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) needs a 32-byte key. Operators configure
versioned secrets in ``REGISTRATION_PII_KEYS`` (``<version>:<secret>,…``); each version's key is
derived with HKDF-SHA256 (RFC 5869) from its secret, with the fixed salt :data:`HKDF_SALT` and the
info ``fernet-key/v<version>``, so the same secret under two versions still gives two keys. HKDF adds
no work factor: secrets must be long and random (``secrets.token_urlsafe(32)``), not passphrases.

The highest version encrypts; every configured version decrypts (``MultiFernet``). Each row records
the version it was written under, so ``leye registration pii rotate`` finds the rows still under an
older key and the service refuses to start when a row's key is not configured.

Version 0 is the legacy key: before versioning, the Fernet key was SHA-256 of
``REGISTRATION_PII_KEY``. Rows written then are marked version 0 by migration 0003; that key stays
accepted (decrypt only) while it is configured, so an upgrade loses nothing.

Ciphertexts are randomised, so they cannot be used for look-ups: people are found by ``person_ref``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LEGACY_VERSION = 0
HKDF_SALT = b"leye-xiqing/registration/pii-at-rest"
KEYS_VARIABLE = "REGISTRATION_PII_KEYS"


def hkdf_fernet_key(secret: str, version: int) -> bytes:
    """The Fernet key of ``version``: HKDF-SHA256(secret, salt=HKDF_SALT, info="fernet-key/v<version>")."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=f"fernet-key/v{version}".encode())
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode("utf-8")))


def legacy_fernet_key(secret: str) -> bytes:
    """The key of version 0, as derived before versioning: SHA-256 of the secret."""
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest())


def parse_versioned_keys(text: str) -> dict[int, str]:
    """``"2:secret-b,1:secret-a"`` → ``{2: "secret-b", 1: "secret-a"}``; order does not matter.

    Raises ``ValueError`` (Chinese, for the operator) on a malformed entry, a version below 1 or a
    version given twice. A secret may contain ``:`` but not ``,``.
    """
    keys: dict[int, str] = {}
    for entry in text.split(","):
        version, colon, secret = entry.strip().partition(":")
        if not colon or not re.fullmatch(r"[0-9]{1,6}", version) or int(version) < 1 or not secret:
            raise ValueError(f"{KEYS_VARIABLE} 的格式应为“版本号:密钥”，多个以英文逗号分隔，版本号为不小于1的整数")
        if int(version) in keys:
            raise ValueError(f"{KEYS_VARIABLE} 中版本 {int(version)} 出现了不止一次")
        keys[int(version)] = secret
    return keys


class PiiCipher:
    """Encrypts one text field at a time under the newest key; decrypts under any configured key."""

    def __init__(self, keys: Mapping[int, str], legacy: str | None = None) -> None:
        if not keys or min(keys) < 1:
            raise ValueError("at least one versioned key (version ≥ 1) is needed")
        fernets = {version: Fernet(hkdf_fernet_key(secret, version)) for version, secret in keys.items()}
        if legacy is not None:
            fernets[LEGACY_VERSION] = Fernet(legacy_fernet_key(legacy))
        self.newest_version = max(keys)
        self.versions = frozenset(fernets)
        # MultiFernet encrypts with the first key and tries them in order: newest first.
        self._fernet = MultiFernet([fernets[version] for version in sorted(fernets, reverse=True)])

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        return self._fernet.decrypt(token).decode("utf-8")

    def rotate(self, token: bytes) -> bytes:
        """The same plaintext (and Fernet timestamp) under the newest key."""
        return self._fernet.rotate(token)
