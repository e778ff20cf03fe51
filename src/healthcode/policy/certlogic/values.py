"""CertLogic values: truthy/falsy ("boolsiness") and strict equality."""

from __future__ import annotations

from datetime import datetime


def boolsiness(value: object) -> bool | None:
    """True if `value` is truthy, False if falsy, None if it is neither.

    Falsy: false, null, "", 0, [], {}. Truthy: true, a non-empty string, a non-zero number,
    a non-empty array, a non-empty object. Everything else (date-times) is neither.
    """
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, str | list | dict):
        return len(value) > 0
    if isinstance(value, int | float):
        return value != 0
    return None


def is_truthy(value: object) -> bool:
    """Whether CertLogic considers `value` truthy."""
    return boolsiness(value) is True


def is_falsy(value: object) -> bool:
    """Whether CertLogic considers `value` falsy."""
    return boolsiness(value) is False


def strictly_equal(left: object, right: object) -> bool:
    """`===` without type coercion: a boolean never equals a number; arrays and objects are
    compared by value, date-times by instant."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            strictly_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            strictly_equal(value, right[key]) for key, value in left.items()
        )
    if isinstance(left, datetime) and isinstance(right, datetime):
        return left == right
    if left is None or right is None:
        return left is right
    return type(left) is type(right) and left == right
