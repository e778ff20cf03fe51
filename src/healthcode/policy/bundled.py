"""The policies shipped with healthcode: Hangzhou 2020, Shanghai 2022 and Beijing.

They are package data (``healthcode/policy/bundled/*.yaml``), read through importlib.resources
and validated like any other policy each time they are loaded.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from healthcode.kernel.errors import NotFound
from healthcode.policy.loader import load_policy
from healthcode.policy.model import Policy

# GB/T 2260 code -> file name in the bundled folder
BUNDLED_FILES: dict[str, str] = {
    "330100": "hangzhou.yaml",
    "310000": "shanghai.yaml",
    "110000": "beijing.yaml",
}


def _resource(jurisdiction: str) -> Traversable:
    name = BUNDLED_FILES.get(jurisdiction)
    if name is None:
        raise NotFound("bundled policy", jurisdiction)
    return files("healthcode.policy").joinpath("bundled", name)


def bundled_policy_path(jurisdiction: str) -> Path:
    """The file of the bundled policy for ``jurisdiction`` (the package is installed unzipped)."""
    with as_file(_resource(jurisdiction)) as path:
        return Path(path)


def bundled_policy_paths() -> dict[str, Path]:
    """The file of each bundled policy, by jurisdiction."""
    return {code: bundled_policy_path(code) for code in BUNDLED_FILES}


def bundled_policy(jurisdiction: str) -> Policy:
    """The bundled policy of ``jurisdiction`` (GB/T 2260 code); NotFound if none ships."""
    return load_policy(_resource(jurisdiction).read_text(encoding="utf-8"))


def bundled_policies() -> list[Policy]:
    """Every bundled policy, in the order of ``BUNDLED_FILES``."""
    return [bundled_policy(code) for code in BUNDLED_FILES]
