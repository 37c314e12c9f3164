"""Encryption of personal data at rest (names, ID numbers, phone numbers) with Fernet.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) needs a 32-byte url-safe base64 key.
Operators configure any secret string in ``REGISTRATION_PII_KEY``; the key is SHA-256 of that
string, so a long random passphrase is as good as a generated Fernet key. Ciphertexts are
randomised, so they cannot be used for look-ups: people are found through ``person_ref`` instead.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet


class PiiCipher:
    """Encrypts and decrypts one text field at a time."""

    def __init__(self, secret: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest()))

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        return self._fernet.decrypt(token).decode("utf-8")
