"""Logs as JSON lines on standard error: one object per line, with the request id.

Each line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message`` and, inside a
request, ``request_id`` (also sent back as ``X-Request-ID``); a request's own line adds its
method, route template, status and duration. No personal data: paths, query strings, bodies,
client addresses and exception messages (a database error quotes the values it refused) are
never written; an exception is logged by its type and its stack of code locations.
"""

from __future__ import annotations

import json
import logging
import logging.config
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("healthcode_request_id", default=None)
"""The id of the request being answered (copied into the threads that answer it)."""

FIELDS = "fields"
"""The ``extra`` key whose mapping a log call adds to its line: ``log.info(..., extra={FIELDS:
{...}})``; only values that are never personal belong there."""


class JsonLines(logging.Formatter):
    """A record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            line["request_id"] = request_id
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _message, trace = record.exc_info
            line["exception"] = kind.__qualname__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(trace)
            ]
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` mapping: every logger, uvicorn's too, writes JSON lines
    to standard error. Uvicorn's access log is off: the API logs each request itself."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            # SQL statements and their parameters stay out of the log at every level
            "sqlalchemy": {"handlers": [], "propagate": True, "level": "WARNING"},
        },
    }


def configure_logging(level: str = "INFO") -> None:
    """Send this process's logs to standard error as JSON lines (``healthcode worker``),
    unless something running this code configured logging already (a test runner)."""
    if logging.getLogger().handlers:
        return
    logging.config.dictConfig(logging_config(level))
