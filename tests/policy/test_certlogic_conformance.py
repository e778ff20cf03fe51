"""The official CertLogic 1.3.3 test suites, loaded as they are: one pytest case per assertion.

The suites live in `<shared>/conformance/certlogic/` (`testSuite/` for evaluation,
`validation-testSuite/` for validation), where `<shared>` is `$HEALTHCODE_SHARED_DIR` or the
`shared` folder beside the repository. A missing suite fails the run; it is never skipped.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from healthcode.policy.certlogic import CertLogicError, evaluate, validate

REPO_ROOT = Path(__file__).resolve().parents[2]


def _suite_root() -> Path:
    shared = os.environ.get("HEALTHCODE_SHARED_DIR")
    return (Path(shared) if shared else REPO_ROOT.parent / "shared") / "conformance" / "certlogic"


SUITE_ROOT = _suite_root()
SKIP = "skip"


@dataclass(frozen=True)
class Loaded:
    """One suite entry to run, or the reason it is skipped, or why the suite can't be loaded."""

    entry: dict[str, Any] | None = None
    expression: Any = None
    skipped: str | None = None
    missing: str | None = None


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[A-Za-z0-9]+", text))[:60] or "unnamed"


def _suite_files(folder: str) -> list[Path] | str:
    directory = SUITE_ROOT / folder
    if not directory.is_dir():
        return (
            f"CertLogic conformance suite not found at {directory}: set HEALTHCODE_SHARED_DIR "
            f"to the shared folder holding conformance/certlogic/{folder}/"
        )
    files = sorted(directory.glob("*.json"))
    return files or f"CertLogic conformance suite at {directory} holds no *.json file"


def _evaluation_params() -> list[Any]:
    files = _suite_files("testSuite")
    if isinstance(files, str):
        return [pytest.param(Loaded(missing=files), id="testSuite-missing")]
    params = []
    for file in files:
        suite = json.loads(file.read_text(encoding="utf-8"))
        for case_index, case in enumerate(suite["cases"]):
            for index, assertion in enumerate(case["assertions"]):
                levels = (("file", suite), ("case", case), ("assertion", assertion))
                skipped = next(
                    (
                        f"marked skip in the official suite ({level})"
                        for level, holder in levels
                        if holder.get("directive") == SKIP
                    ),
                    None,
                )
                expression = assertion.get("certLogicExpression", case.get("certLogicExpression"))
                loaded = Loaded(entry=assertion, expression=expression, skipped=skipped)
                case_id = f"{case_index}-{_slug(case['name'])}"
                params.append(pytest.param(loaded, id=f"{file.stem}/{case_id}/{index}"))
    return params


def _validation_params() -> list[Any]:
    files = _suite_files("validation-testSuite")
    if isinstance(files, str):
        return [pytest.param(Loaded(missing=files), id="validation-testSuite-missing")]
    params = []
    for file in files:
        suite = json.loads(file.read_text(encoding="utf-8"))
        for case_index, case in enumerate(suite["cases"]):
            skipped = next(
                (
                    f"marked skip in the official suite ({level})"
                    for level, holder in (("file", suite), ("case", case))
                    if holder.get("directive") == SKIP
                ),
                None,
            )
            loaded = Loaded(entry=case, expression=case["certLogicExpression"], skipped=skipped)
            name = f"-{_slug(case['name'])}" if "name" in case else ""
            params.append(pytest.param(loaded, id=f"{file.stem}/{case_index}{name}"))
    return params


def json_equal(left: Any, right: Any) -> bool:
    """Strict JSON equality: a boolean never equals a number, 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and left == right


_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]|\[("(?:[^"\\]|\\.)*")\]')


def resolve(expression: Any, path: str) -> Any:
    """The part of `expression` at a JSON path like `$.if[1]` or `$["==="][0]`."""
    assert path.startswith("$"), path
    position, node = 1, expression
    while position < len(path):
        step = _STEP.match(path, position)
        assert step is not None, f"unreadable JSON path {path!r} at {position}"
        key, index, quoted = step.groups()
        node = node[int(index)] if index is not None else node[key or json.loads(quoted)]
        position = step.end()
    return node


def _prepare(loaded: Loaded) -> None:
    if loaded.missing is not None:
        pytest.fail(loaded.missing, pytrace=False)
    if loaded.skipped is not None:
        pytest.skip(loaded.skipped)


@pytest.mark.parametrize("loaded", _evaluation_params())
def test_evaluation_suite(loaded: Loaded) -> None:
    """Each official evaluation assertion gives its expected value."""
    _prepare(loaded)
    assert loaded.entry is not None
    try:
        result = evaluate(loaded.expression, loaded.entry["data"])
    except CertLogicError as error:
        pytest.fail(f"evaluation refused: {error}")
    expected = loaded.entry["expected"]
    assert json_equal(result, expected), (
        f"{loaded.entry.get('message', '')}: got {result!r}, expected {expected!r}"
    )


@pytest.mark.parametrize("loaded", _validation_params())
def test_validation_suite(loaded: Loaded) -> None:
    """Each official validation case reports exactly the expected issues."""
    _prepare(loaded)
    assert loaded.entry is not None
    problems = validate(loaded.expression)
    reported = [(resolve(loaded.expression, p.path), p.message) for p in problems]
    expected = [(issue["expr"], issue["message"]) for issue in loaded.entry["issues"]]
    assert len(reported) == len(expected), f"got {problems}, expected {expected}"
    for (expr, message), (expected_expr, expected_message) in zip(reported, expected, strict=True):
        assert message == expected_message
        assert json_equal(expr, expected_expr), f"{expr!r} is not {expected_expr!r}"


def test_suites_are_complete() -> None:
    """The suites hold the official 1.3.3 numbers: 14 + 4 files, 218 of 232 assertions run."""
    evaluation = [p.values[0] for p in _evaluation_params()]
    validation = [p.values[0] for p in _validation_params()]
    for loaded in (*evaluation, *validation):
        if loaded.missing is not None:
            pytest.fail(loaded.missing, pytrace=False)
    assert len(list((SUITE_ROOT / "testSuite").glob("*.json"))) == 14
    assert len(evaluation) == 232
    assert sum(1 for loaded in evaluation if loaded.skipped is None) == 218
    assert len(list((SUITE_ROOT / "validation-testSuite").glob("*.json"))) == 4
    assert len(validation) == 23
