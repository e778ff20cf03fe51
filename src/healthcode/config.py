"""Settings, read from the environment (prefix ``HEALTHCODE_``) by the bootstrap only."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set. Defaults run the embedded SQLite service under ``./var``."""

    model_config = SettingsConfigDict(env_prefix="HEALTHCODE_", env_file=None, extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/healthcode.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    data_key_file: Path = Field(
        default=Path("var/data.key"),
        description="File holding the personal-data encryption key (created by `healthcode init`).",
    )
    jurisdiction: str = Field(
        default="330100", description="GB/T 2260 code of the jurisdiction this instance serves."
    )
    language: str = Field(default="zh", description="Default language of texts: zh or en.")

    @field_validator("jurisdiction")
    @classmethod
    def _six_digits(cls, value: str) -> str:
        if len(value) != 6 or not value.isdigit():
            raise ValueError("jurisdiction must be a six-digit GB/T 2260 code")
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("language must be zh or en")
        return value

    @property
    def database_is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
