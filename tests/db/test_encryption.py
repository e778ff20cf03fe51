"""Personal data at rest: values bound to their row and field, a key file that guards itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from healthcode.db.encryption import (
    DataKeyError,
    PersonalDataCipher,
    create_key_file,
    read_key_file,
)

KEY = bytes(range(32))


def test_a_value_decrypts_in_its_own_context() -> None:
    """A field encrypted for one row and field reads back there."""
    cipher = PersonalDataCipher(KEY)
    sealed = cipher.encrypt("Zhang Wei", context="person:1:name")
    assert cipher.decrypt(sealed, context="person:1:name") == "Zhang Wei"


def test_a_value_moved_to_another_row_does_not_decrypt() -> None:
    """The context is authenticated: a value copied to another row is refused."""
    cipher = PersonalDataCipher(KEY)
    sealed = cipher.encrypt("Zhang Wei", context="person:1:name")
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed, context="person:2:name")


def test_encrypting_twice_gives_different_ciphertexts() -> None:
    """Each encryption draws a fresh nonce, so equal names do not show as equal bytes."""
    cipher = PersonalDataCipher(KEY)
    assert cipher.encrypt("x", context="c") != cipher.encrypt("x", context="c")


def test_lookup_hashes_are_keyed_and_separated_by_purpose() -> None:
    """The same value hashes alike under one key and purpose, differently under another."""
    cipher = PersonalDataCipher(KEY)
    other = PersonalDataCipher(bytes(32))
    assert cipher.lookup("110101", purpose="id") == cipher.lookup("110101", purpose="id")
    assert cipher.lookup("110101", purpose="id") != cipher.lookup("110101", purpose="phone")
    assert cipher.lookup("110101", purpose="id") != other.lookup("110101", purpose="id")


def test_a_key_file_round_trips_and_is_private(tmp_path: Path) -> None:
    """A new key file is readable by its owner alone and yields a 32-byte key."""
    path = tmp_path / "keys" / "data.key"
    create_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(read_key_file(path)) == 32


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    """Creating a key where one exists is refused and the old key survives."""
    path = tmp_path / "data.key"
    create_key_file(path)
    before = read_key_file(path)
    with pytest.raises(DataKeyError, match="refusing to overwrite"):
        create_key_file(path)
    assert read_key_file(path) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a key\n", "not a healthcode data key file"),
        (b"healthcode-data-key-v1\nzz\n", "malformed key"),
        (b"healthcode-data-key-v1\n0011\n", "wrong length"),
    ],
)
def test_a_bad_key_file_is_refused_with_its_fault(
    tmp_path: Path, content: bytes, message: str
) -> None:
    """A key file that is foreign, malformed or short is refused, naming what is wrong."""
    path = tmp_path / "data.key"
    path.write_bytes(content)
    with pytest.raises(DataKeyError, match=message):
        read_key_file(path)


def test_a_missing_key_file_says_how_to_make_one(tmp_path: Path) -> None:
    """A missing key file points to `healthcode init`."""
    with pytest.raises(DataKeyError, match="healthcode init"):
        read_key_file(tmp_path / "absent.key")
