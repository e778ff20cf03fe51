"""The error raised when a CertLogic expression can't be evaluated."""

from __future__ import annotations


class CertLogicError(Exception):
    """An invalid CertLogic evaluation: a malformed expression or an operand of the wrong type.

    `path` is the JSON path (e.g. `$.and[1]["not-after"][0]`) of the sub-expression that failed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self._segments: list[str] = []  # innermost first, added while the error unwinds

    def within(self, segment: str) -> CertLogicError:
        """Record that the failing sub-expression sits under `segment` of its parent."""
        self._segments.append(segment)
        return self

    @property
    def path(self) -> str:
        """The JSON path of the failing sub-expression, `$` for the whole expression."""
        return "$" + "".join(reversed(self._segments))

    def __str__(self) -> str:
        return f"{self.message} (at {self.path})"
