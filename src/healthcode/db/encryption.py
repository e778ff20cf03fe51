"""Personal-data protection: AES-GCM encryption bound to its row and field, keyed lookup hashes."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12
_MASTER_KEY_BYTES = 32
_KEY_FILE_HEADER = b"healthcode-data-key-v1\n"


class DataKeyError(Exception):
    """The data key file is missing, malformed or would be overwritten."""


def create_key_file(path: Path) -> None:
    """Write a new random master key with mode 0600; refuse to overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise DataKeyError(f"{path} already exists: refusing to overwrite a data key") from None
    with os.fdopen(fd, "wb") as out:
        out.write(_KEY_FILE_HEADER + os.urandom(_MASTER_KEY_BYTES).hex().encode() + b"\n")


def read_key_file(path: Path) -> bytes:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise DataKeyError(f"{path} not found: run `healthcode init` first") from None
    if not content.startswith(_KEY_FILE_HEADER):
        raise DataKeyError(f"{path} is not a healthcode data key file")
    try:
        key = bytes.fromhex(content[len(_KEY_FILE_HEADER) :].decode().strip())
    except ValueError:
        raise DataKeyError(f"{path} holds a malformed key") from None
    if len(key) != _MASTER_KEY_BYTES:
        raise DataKeyError(f"{path} holds a key of the wrong length")
    return key


class PersonalDataCipher:
    """Encrypts fields with AES-GCM (the context is authenticated, so a value cannot be moved
    to another row or field) and derives keyed lookup hashes with HMAC-SHA256."""

    def __init__(self, master_key: bytes) -> None:
        self._aead = AESGCM(_derive(master_key, b"healthcode/aes-gcm"))
        self._mac_key = _derive(master_key, b"healthcode/lookup-hmac")

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def decrypt(self, ciphertext: bytes, *, context: str) -> str:
        nonce, body = ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, context.encode()).decode()

    def lookup(self, value: str, *, purpose: str) -> str:
        return hmac.new(self._mac_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def _derive(master_key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(master_key)
