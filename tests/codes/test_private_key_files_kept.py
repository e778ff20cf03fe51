"""A loaded private key is kept while its file is unchanged, and read again or refused once
the file is replaced or removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.codes.key_files import KeyFileError, PrivateKeyFiles
from healthcode.credentials.signer import private_key_bytes
from healthcode.db.encryption import PersonalDataCipher

KID = "0123456789abcdef"


def _files(tmp_path: Path) -> PrivateKeyFiles:
    return PrivateKeyFiles(tmp_path / "keys", PersonalDataCipher(bytes(range(32))))


def test_a_key_loaded_twice_is_decrypted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second load of an unchanged file reads nothing: the file's text is not read again."""
    files = _files(tmp_path)
    key = Ed25519PrivateKey.generate()
    files.save(KID, key)
    first = files.load(KID)
    reads: list[Path] = []
    real = Path.read_text

    def counted(self: Path, *args: object, **kwargs: object) -> str:
        reads.append(self)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counted)
    second = files.load(KID)
    assert reads == []
    assert private_key_bytes(second) == private_key_bytes(first) == private_key_bytes(key)


def test_a_replaced_key_file_is_read_again(tmp_path: Path) -> None:
    """A file removed and written anew with another key yields the new key at the next load."""
    files = _files(tmp_path)
    files.save(KID, Ed25519PrivateKey.generate())
    files.load(KID)
    os.remove(tmp_path / "keys" / f"{KID}.key")
    with pytest.raises(KeyFileError, match="not found"):
        files.load(KID)
    other = Ed25519PrivateKey.generate()
    files.save(KID, other)
    assert private_key_bytes(files.load(KID)) == private_key_bytes(other)


def test_a_key_file_tampered_in_place_is_refused(tmp_path: Path) -> None:
    """A kept key does not hide a file changed in place: it is read again and refused."""
    files = _files(tmp_path)
    files.save(KID, Ed25519PrivateKey.generate())
    files.load(KID)
    path = tmp_path / "keys" / f"{KID}.key"
    text = path.read_text(encoding="ascii")
    path.write_text(text[:-3] + ("0" if text[-3] != "0" else "1") + text[-2:], encoding="ascii")
    seen = path.stat()  # a coarse-grained file system may give the same time: move it on
    os.utime(path, ns=(seen.st_atime_ns, seen.st_mtime_ns + 1_000_000_000))
    with pytest.raises(KeyFileError, match="cannot be decrypted"):
        files.load(KID)
