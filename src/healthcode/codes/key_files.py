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


_FileIdentity = tuple[int, int, int]
"""A file as it is now: inode, size and modification time (ns)."""


class PrivateKeyFiles:
    """Stores each private key as ``<kid>.key`` in one folder, encrypted and bound to its kid.

    A key loaded once is kept while its file stays the same (same inode, size and modification
    time), so signing a code costs a ``stat``, not a read and a decryption. This keeps nothing
    the process did not hold already: it holds the data key that decrypts every file. A file
    removed or replaced is read again (or refused) at the next load."""

    def __init__(self, folder: Path, cipher: PersonalDataCipher) -> None:
        self._folder = folder
        self._cipher = cipher
        self._loaded: dict[str, tuple[_FileIdentity, Ed25519PrivateKey]] = {}

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
            stat = path.stat()
            identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            kept = self._loaded.get(kid)
            if kept is not None and kept[0] == identity:
                return kept[1]
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            self._loaded.pop(kid, None)
            raise KeyFileError(f"private key {kid} not found in {self._folder}") from None
        if not text.startswith(_HEADER):
            raise KeyFileError(f"{path} is not a healthcode private key file")
        try:
            seed = self._cipher.decrypt(
                bytes.fromhex(text[len(_HEADER) :].strip()), context=f"key:{kid}"
            )
        except Exception:
            raise KeyFileError(f"{path} cannot be decrypted with this data key") from None
        key = load_private_key(bytes.fromhex(seed))
        self._loaded[kid] = (identity, key)
        return key
