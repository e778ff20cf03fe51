"""Files only their owner may open: the SQLite database and its logs, the data key, the keys.

A file's mode is checked when it is opened, so a file that was readable by others for one
moment may stay open in another process for ever: the database is created 0600 before SQLite
opens it (SQLite then gives its ``-wal`` and ``-shm`` files the database's mode), never created
loose and tightened afterwards."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
_OTHERS = 0o077
"""Every permission of the group and of others."""


class ExposedSecret(Exception):
    """A secret file or folder that the group or others may open; the message names the path
    and its mode, and how to fix it."""


def require_private(path: Path, *, what: str) -> None:
    """Refuse ``path`` if its group or others have any permission on it (a missing path is
    not checked: whoever needs it says so). The mode is that of the file a link leads to."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if mode & _OTHERS:
        wanted = PRIVATE_FOLDER if stat.S_ISDIR(mode) else PRIVATE_FILE
        raise ExposedSecret(
            f"{what} {path} has mode {stat.S_IMODE(mode):04o}: its group or others may read "
            f"it; refusing to start (run `chmod {wanted:o} {path}`, owned by the service's user)"
        )


def require_private_folder(folder: Path, *, what: str) -> None:
    """Refuse ``folder`` or any file in it that its group or others may open."""
    require_private(folder, what=what)
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            require_private(path, what=f"a file in the {what}")


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (its folder 0700 if new)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(fd)


def make_private(path: Path) -> None:
    """Take every permission of the group and others off ``path`` if it exists (a database
    file made before files were created private)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & _OTHERS:
        os.chmod(path, mode & ~_OTHERS)
