"""CertLogic 1.3.3, the JsonLogic subset of the EU DCC business rules, in pure Python.

    from healthcode.policy.certlogic import evaluate, validate

`evaluate(expression, data)` returns the value of an expression against a data context (JSON
values in, a JSON value or a UTC `datetime` out) and raises `CertLogicError` for an invalid
evaluation. `validate(expression)` returns the `Problem`s with an expression's form.
Conformance: the official test suites of the specification pass.
"""

from healthcode.policy.certlogic.errors import CertLogicError
from healthcode.policy.certlogic.evaluate import evaluate
from healthcode.policy.certlogic.validate import Problem, validate
from healthcode.policy.certlogic.values import is_falsy, is_truthy

__all__ = ["CertLogicError", "Problem", "evaluate", "is_falsy", "is_truthy", "validate"]
