"""Private keys in files: AES-GCM encrypted under the data key, mode 0600, never overwritten."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.credentials.signer import load_private_key, private_key_bytes
from healthcode.db.encryption import PersonalDataCipher

_HEADER = "healthcode-private-key-v1\n"


class KeyFileError(Exception):
    """A private key file is missing, unreadable or would be overwritten."""


class PrivateKeyFiles:
    """Stores each private key as ``<kid>.key`` in one folder, encrypted and bound to its kid."""

    def __init__(self, folder: Path, cipher: PersonalDataCipher) -> None:
        self._folder = folder
        self._cipher = cipher

    def _path(self, kid: str) -> Path:
        if not (len(kid) == 16 and all(c in "0123456789abcdef" for c in kid)):
            raise KeyFileError(f"{kid!r} is not a key id")
        return self._folder / f"{kid}.key"

    def save(self, kid: str, private_key: Ed25519PrivateKey) -> None:
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        sealed = self._cipher.encrypt(private_key_bytes(private_key).hex(), context=f"key:{kid}")
        try:
            fd = os.open(self._path(kid), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise KeyFileError(f"a private key file for {kid} already exists") from None
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(_HEADER + sealed.hex() + "\n")

    def load(self, kid: str) -> Ed25519PrivateKey:
        path = self._path(kid)
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            raise KeyFileError(f"private key {kid} not found in {self._folder}") from None
        if not text.startswith(_HEADER):
            raise KeyFileError(f"{path} is not a healthcode private key file")
        try:
            seed = self._cipher.decrypt(
                bytes.fromhex(text[len(_HEADER) :].strip()), context=f"key:{kid}"
            )
        except Exception:
            raise KeyFileError(f"{path} cannot be decrypted with this data key") from None
        return load_private_key(bytes.fromhex(seed))
