"""Migration 0010 on a database holding people: website-only registrations become unverified
claims, the others stay verified, and only verified people are held to one per ID number."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from healthcode.db.engine import build_engine
from healthcode.db.migrate import alembic_config, upgrade

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
WEBSITE, BOUND, OPERATOR = "w" * 32, "b" * 32, "o" * 32


def _person(
    subject: str, id_lookup: str, state: str | None = None, claim: str | None = None
) -> dict[str, object]:
    row: dict[str, object] = {
        "subject": subject,
        "jurisdiction": "330100",
        "id_type": "resident",
        "id_lookup": id_lookup,
        "phone_lookup": subject[0] * 64,
        "household": "h" * 64,
        "name_enc": b"-",
        "id_number_enc": b"-",
        "phone_enc": b"-",
        "address_enc": b"-",
        "registered_at": T0,
    }
    if state is not None:
        row["identity_state"] = state
        row["claim_lookup"] = claim
    return row


def _at_0009(url: str) -> sa.Engine:
    """A database at 0009 with a website-only person, a website person bound to a channel and
    a person registered by an operator."""
    engine = build_engine(url)
    upgrade(engine, "0009")
    meta = sa.MetaData()
    meta.reflect(engine, only=("persons", "citizen_accounts", "channels", "channel_bindings"))
    tables = meta.tables
    with engine.begin() as conn:
        conn.execute(
            sa.insert(tables["persons"]),
            [_person(WEBSITE, "1" * 64), _person(BOUND, "2" * 64), _person(OPERATOR, "3" * 64)],
        )
        conn.execute(
            sa.insert(tables["citizen_accounts"]),
            [
                {"subject": s, "phone_lookup": s * 2, "password_hash": "x", "created_at": T0}
                for s in (WEBSITE, BOUND)
            ],
        )
        conn.execute(
            sa.insert(tables["channels"]),
            {
                "id": "alipay-1",
                "name": "alipay",
                "kind": "app",
                "public_key_pem": "-",
                "client_secret_hash": "c" * 64,
                "webhook_url": "http://127.0.0.1:9/hook",
                "webhook_secret_enc": b"-",
                "created_at": T0,
                "active": True,
            },
        )
        conn.execute(
            sa.insert(tables["channel_bindings"]),
            {"channel_id": "alipay-1", "channel_user_id": "u-1", "subject": BOUND, "bound_at": T0},
        )
    return engine


def test_website_only_people_become_unverified(empty_database_url: str) -> None:
    """After 0010 the website-only person is unverified, the bound and operator ones verified."""
    engine = _at_0009(empty_database_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            states = dict(
                conn.execute(sa.text("SELECT subject, identity_state FROM persons")).all()
            )
        assert states == {WEBSITE: "unverified", BOUND: "verified", OPERATOR: "verified"}
    finally:
        engine.dispose()


def test_only_verified_people_are_one_per_id_number(empty_database_url: str) -> None:
    """Claims of a held number are stored beside its holder; a second holder is refused."""
    engine = _at_0009(empty_database_url)
    try:
        upgrade(engine)
        persons = sa.MetaData()
        persons.reflect(engine, only=("persons",))
        table = persons.tables["persons"]
        with engine.begin() as conn:
            for subject in ("x" * 32, "y" * 32):
                claim = _person(subject, f"claim:{subject}", "unverified", "3" * 64)
                conn.execute(sa.insert(table), claim)
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.insert(table), _person("z" * 32, "3" * 64, "verified", "3" * 64))
    finally:
        engine.dispose()


def test_downgrading_restores_one_person_per_id_number(empty_database_url: str) -> None:
    """Back at 0009 the new columns are gone and the website person holds its number again."""
    # Back at 0009 the new columns are gone, the website person holds its number again and the
    # constraint still refuses a second holder.
    engine = _at_0009(empty_database_url)
    try:
        upgrade(engine)
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0009")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("persons")}
        assert not {"identity_state", "claim_lookup"} & columns
        with engine.connect() as conn:
            held = conn.scalar(
                sa.text("SELECT id_lookup FROM persons WHERE subject = :s"), {"s": WEBSITE}
            )
        assert held == "1" * 64
        meta = sa.MetaData()
        meta.reflect(engine, only=("persons",))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(sa.insert(meta.tables["persons"]), _person("z" * 32, "3" * 64))
    finally:
        engine.dispose()
