"""Officials' console sessions: `healthcode login` keeps the session an official opened with
password and TOTP in a file of mode 0600, one per official, and every command run ``--as`` that
official reads it; the session itself is checked in the database like an API session (expiry,
revocation, a disabled account) each time (``identity.authn.authenticate``).

The folder is ``HEALTHCODE_SESSIONS_DIR``, else ``$XDG_CONFIG_HOME/healthcode/sessions``, else
``~/.config/healthcode/sessions``; it is made 0700. A session file that its group or others
may read is refused (the token in it could have been copied): log in again."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from healthcode.db.private_files import PRIVATE_FILE, PRIVATE_FOLDER, require_private
from healthcode.kernel.errors import NotAuthenticated
from healthcode.settings import Settings

_FILE_NAME = re.compile(r"[a-z][a-z0-9._-]{1,63}")  # an official's username (identity.officials)


@dataclass(frozen=True, kw_only=True)
class StoredSession:
    """What a session file holds: whose session, its bearer token, and when it expires."""

    username: str
    token: str
    expires_at: datetime


def sessions_dir(settings: Settings) -> Path:
    """The folder of the console's session files (see the module's text)."""
    if settings.sessions_dir is not None:
        return settings.sessions_dir
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "healthcode" / "sessions"


def _path(folder: Path, username: str) -> Path | None:
    """The file of ``username``'s session, or None for a name no official can have (so that no
    ``--as`` value names a path outside the folder)."""
    return folder / username if _FILE_NAME.fullmatch(username) else None


def save_session(folder: Path, session: StoredSession) -> Path:
    """Write the session to its file, created 0600 (a new file replaces the old one whole)."""
    path = _path(folder, session.username)
    if path is None:  # never: the name logged in with passed the username rule
        raise ValueError(f"{session.username!r} is not a username")
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    body = json.dumps(
        {
            "username": session.username,
            "token": session.token,
            "expires_at": session.expires_at.isoformat(),
        }
    ).encode()
    temporary = folder / f".{session.username}.new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # a leftover file of another mode is made private first
        os.write(fd, body)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return path


def load_session(folder: Path, username: str, *, check_mode: bool = True) -> StoredSession:
    """The session kept for ``username``, or ``NotAuthenticated`` saying how to get one.
    A file others may read is refused (``ExposedSecret``) unless ``check_mode`` is off (to
    log out: the token is revoked all the same)."""
    path = _path(folder, username)
    login = f"run `healthcode login --username {username}` first"
    if path is None or not path.is_file():
        raise NotAuthenticated(f"no console session for {username!r}: {login}")
    if check_mode:
        require_private(path, what="the session file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stored = StoredSession(
            username=str(data["username"]),
            token=str(data["token"]),
            expires_at=datetime.fromisoformat(str(data["expires_at"])),
        )
    except (OSError, ValueError, KeyError, TypeError):
        raise NotAuthenticated(f"the session file {path} is damaged: {login}") from None
    if stored.username != username:
        raise NotAuthenticated(f"the session file {path} is not {username!r}'s: {login}")
    return stored


def forget_session(folder: Path, username: str) -> bool:
    """Delete ``username``'s session file; whether there was one."""
    path = _path(folder, username)
    if path is None:
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
