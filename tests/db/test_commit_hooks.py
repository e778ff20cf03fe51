"""The unit of work's commit hooks: before the database commits, after it, never on rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from healthcode.container import Container


def test_hooks_run_around_the_commit_in_order(container: Container) -> None:
    """A before-commit hook sees the transaction uncommitted, an after-commit hook committed."""
    seen: list[str] = []

    def committed() -> bool:
        with container.engine.connect() as other:
            return bool(
                other.execute(
                    text("SELECT count(*) FROM policy_versions WHERE version = 'hooks'")
                ).scalar()
            )

    with container.uow() as uow:
        uow.session.execute(
            text(
                "INSERT INTO policy_versions (jurisdiction, version, sha256, source, activated_at,"
                " activated_by) VALUES ('330100', 'hooks', '', '', CURRENT_TIMESTAMP, 'test')"
            )
        )
        uow.before_commit(lambda: seen.append(f"before, committed={committed()}"))
        uow.after_commit(lambda: seen.append(f"after, committed={committed()}"))
        assert seen == []
        uow.commit()
    assert seen == ["before, committed=False", "after, committed=True"]


def test_a_rollback_drops_the_hooks(container: Container) -> None:
    """Hooks of a transaction rolled back, or left without a commit, never run."""
    seen: list[str] = []
    with container.uow() as uow:
        uow.before_commit(lambda: seen.append("before"))
        uow.after_commit(lambda: seen.append("after"))
        uow.rollback()
        uow.commit()
    with pytest.raises(RuntimeError, match="fails"):
        _hooked_then_fail(container, seen)
    assert seen == []


def _hooked_then_fail(container: Container, seen: list[str]) -> None:
    with container.uow() as uow:
        uow.after_commit(lambda: seen.append("after"))
        raise RuntimeError("the use case fails before committing")
