"""The exit codes of every `healthcode` command, in one table (docs/cli.md#exit-codes).

0, 1 and 2 are answers (a checkpoint's pass, stop and invalid code; done and refused); from
64 on they follow BSD ``sysexits.h``, so a script can tell "the answer is no" from "the
command could not be run as given"."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """How a `healthcode` command ended."""

    OK = 0
    """Done; at a checkpoint, pass; a check (`policy check`, `audit verify`) found nothing."""
    STOP = 1
    """The answer is no: a stop (a valid code or check-in that does not pass here, or a
    fever); input that breaks a rule, is not found or is not allowed; a check that found
    problems."""
    INVALID_CODE = 2
    """The code scanned is not a valid code (forged, expired, unknown issuer, malformed)."""
    USAGE = 64
    """The command line is wrong: unknown command or option, missing or malformed argument
    (a time that is not ISO 8601 with a zone, text that is not UTF-8)."""
    DATA_ERROR = 65
    """A checkpoint's decision command (`scan`, `verify`) refused its own input: the device
    file, a trust list, a root key, a vehicle, a temperature, a colour (1 and 2 are its
    decisions there; other commands refuse input with 1)."""
    NO_INPUT = 66
    """`scan` or `verify` cannot read a file it was given, or `scan` cannot write its queue."""
    UNAVAILABLE = 69
    """The system cannot be used: the database is missing or unreachable, its schema is out of
    date, the data key is missing; or the server cannot be reached."""
    INTERNAL = 70
    """A bug: one line on stderr says so and where the detail was written."""
    CONFIG = 78
    """A setting (a ``HEALTHCODE_`` environment variable) is not valid; each is named. Or a
    secret file it names (the data key, the keys folder or a key in it) may be read by its
    group or others: the path and its mode are named."""


def for_outcome(outcome: str) -> ExitCode:
    """The exit code of a checkpoint's or a check-in's answer: ``pass``, ``stop`` or
    ``invalid`` (the same for `scan`, `verify` and `checkin`)."""
    return {"pass": ExitCode.OK, "stop": ExitCode.STOP, "invalid": ExitCode.INVALID_CODE}[outcome]
