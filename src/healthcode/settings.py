"""Settings, read from the environment (prefix ``HEALTHCODE_``) by the bootstrap only."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from healthcode.kernel.budget import TimeBudget


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
    keys_dir: Path = Field(
        default=Path("var/keys"),
        description="Folder of the encrypted private keys (root and code-signing), mode 0600.",
    )
    audit_anchor_dir: Path = Field(
        default=Path("var/anchors"),
        description="Folder the worker publishes the access log's signed anchors to, for "
        "copying off the machine (docs/access-and-audit.md#anchors).",
    )
    sessions_dir: Path | None = Field(
        default=None,
        description="Folder of the officials' console sessions (`healthcode login`), one file "
        "of mode 0600 per official. Default: `$XDG_CONFIG_HOME/healthcode/sessions` "
        "(`~/.config/healthcode/sessions`).",
    )
    sms_gateway_url: str = Field(
        default="",
        description="URL of the SMS gateway that sends sign-up codes (POST, JSON "
        '{"to", "text"}). Empty: messages are appended to `sms_file` instead (the demo).',
    )
    redis_url: str = Field(
        default="",
        description="Redis that keeps each person's current status for showing and checking "
        "codes (e.g. `redis://127.0.0.1:6379/0`). Empty: no cache, statuses are read from "
        "the database (docs/operations.md#status-cache).",
    )
    status_cache_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="The longest a status stays in the Redis cache (less when it changes "
        "sooner): how long a status a crash left unrefreshed can be shown.",
    )
    sms_gateway_token: str = Field(
        default="", description="Bearer token for the SMS gateway, if it wants one."
    )
    sms_file: Path = Field(
        default=Path("var/sms.jsonl"),
        description="Without a gateway: the file (0600) each text message is appended to, one "
        "JSON line {to, text}.",
    )
    code_lifetime_seconds: int = Field(
        default=300, ge=30, le=86_400, description="How long a signed code stays valid."
    )
    clock_skew_seconds: int = Field(
        default=60, ge=0, le=3_600, description="Clock difference a verifier tolerates."
    )
    trust_list_lifetime_seconds: int = Field(
        default=604_800,
        ge=3_600,
        le=7_776_000,
        description="How long a published trust list is valid (its expires_at; 7 days by "
        "default). It is published anew once half of it, or half the policy's "
        "acceptance.max_trust_list_age, has passed, whichever is sooner.",
    )
    preview_budget_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3_600,
        description="How long a tracing preview may run before it is stopped with a refusal "
        "(any official may ask for one; the worker's tracing has no budget).",
    )
    in_process_worker: bool | None = Field(
        default=None,
        description="Run a background worker thread inside `healthcode serve` (tracing jobs, "
        "time-driven status changes, webhooks). Default: on for SQLite, off for PostgreSQL, "
        "where `healthcode worker` processes run instead.",
    )

    fixed_clock_at: datetime | None = Field(
        default=None,
        description="Tests and demonstrations only: every process reads this time (ISO 8601 "
        "with a zone) as now and time stands still, so API processes and workers started "
        "apart agree on it (docs/operations.md#a-fixed-clock-tests-and-demonstrations). "
        "Refused together with an SMS gateway: a deployment that texts real phones runs on "
        "the real clock.",
    )

    max_body_bytes: int = Field(
        default=1_048_576,
        ge=4_096,
        le=1_073_741_824,
        description="Largest request body the API reads (bytes); a larger one is refused "
        "with 413 before it is read whole.",
    )
    max_batch_body_bytes: int = Field(
        default=8_388_608,
        ge=4_096,
        le=1_073_741_824,
        description="Largest body of a scan batch or location batch upload (bytes): 5,000 "
        "scans of the longest fields fit in about 3.5 MB.",
    )
    api_threads: int = Field(
        # more threads than cores only contend for the interpreter lock: at 16 connections on
        # PostgreSQL code display's p99 was 172-195 ms with 40, 95-101 with 8 and 83-85 with 4
        # (docs/benchmarks.md#third-pass-plain-reads-and-four-threads)
        default=4,
        ge=1,
        le=1_000,
        description="Threads of each API process that run the routes' blocking work (database, "
        "signing); a request past them waits for one, first come first served.",
    )
    gc_young_threshold: int = Field(
        default=50_000,
        ge=0,
        le=10_000_000,
        description="A served API process collects its young objects every this many net "
        "allocations (Python's default is 700) and keeps what it built before serving out of "
        "every collection, so collection pauses do not set the latency tail; 0 leaves "
        "Python's collector as it is.",
    )
    overload_shedding: bool = Field(
        default=True,
        description="Shed low-priority requests under overload (503 with Retry-After) so that "
        "code display and verification keep answering (docs/operations.md#overload).",
    )
    overload_max_in_flight: int = Field(
        default=32,
        ge=1,
        le=1_000,
        description="Requests one API process works on at once; past it a critical request "
        "(code display, verification, status, trust list) waits in line.",
    )
    overload_low_in_flight: int = Field(
        # a page's first load alone has several API calls in flight: 4 refused them on a quiet
        # process; 16 in flight is a queue of tens of milliseconds, a real overload
        default=16,
        ge=1,
        le=1_000,
        description="Requests in flight at which a low-priority one (everything not critical, "
        "health or metrics) is refused with 503; at most overload_max_in_flight.",
    )
    overload_critical_target_seconds: float = Field(
        default=0.025,
        ge=0,
        le=10,
        description="Mean time of critical requests (over 0.1 s) past which low-priority work "
        "is admitted only while nothing else is in flight, its limit then climbing back by one "
        "each 0.1 s (0: a fixed low limit).",
    )
    overload_queue_seconds: float = Field(
        default=1.0,
        ge=0,
        le=30,
        description="How long a critical request waits for a slot before it too is refused "
        "(0: not at all).",
    )
    overload_retry_after_seconds: int = Field(
        default=2,
        ge=1,
        le=3_600,
        description="The Retry-After a refused request is given (seconds).",
    )
    simulation_reports_dir: Path | None = Field(
        default=None,
        description="A folder of simulator reports (`healthcode simulate ... --report DIR`, "
        "each report a folder of it, or the folder itself) that the console lists; none: the "
        "console's simulations page says so.",
    )
    sqlite_wal_limit_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1_048_576,
        description="SQLite only: once its write-ahead log passes this size, a connection "
        "checkpoints it into the database and truncates it (concurrent writers otherwise grow "
        "it without end).",
    )
    policy_check_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3_600,
        description="Time budget of checking a policy text (`policy check`, `policy activate`, "
        "an activate_policy proposal): past it the check stops, refused as too long.",
    )
    policy_impact_seconds: float = Field(
        default=1_800.0,
        gt=0,
        le=86_400,
        description="Time budget of `policy impact` (about 55 s per 100,000 people on SQLite): "
        "past it the computation stops with an error.",
    )

    @property
    def policy_check_budget(self) -> TimeBudget:
        return TimeBudget(self.policy_check_seconds)

    @property
    def policy_impact_budget(self) -> TimeBudget:
        return TimeBudget(self.policy_impact_seconds)

    @property
    def code_lifetime(self) -> timedelta:
        return timedelta(seconds=self.code_lifetime_seconds)

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(seconds=self.clock_skew_seconds)

    @property
    def trust_list_lifetime(self) -> timedelta:
        return timedelta(seconds=self.trust_list_lifetime_seconds)

    @field_validator("jurisdiction")
    @classmethod
    def _six_digits(cls, value: str) -> str:
        if len(value) != 6 or not value.isdigit():
            raise ValueError("jurisdiction must be a six-digit GB/T 2260 code")
        return value

    @field_validator("sms_gateway_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("sms_gateway_url must be an http(s) URL")
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("language must be zh or en")
        return value

    @field_validator("overload_low_in_flight")
    @classmethod
    def _low_within_the_limit(cls, value: int, info: ValidationInfo) -> int:
        limit = info.data.get("overload_max_in_flight")
        if limit is not None and value > limit:
            raise ValueError("overload_low_in_flight must not exceed overload_max_in_flight")
        return value

    @field_validator("fixed_clock_at")
    @classmethod
    def _fixed_clock_only_in_a_demo(
        cls, value: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        if value is None:
            return value
        if value.utcoffset() is None:
            raise ValueError("fixed_clock_at must name its zone (e.g. 2026-03-01T09:00:00+08:00)")
        if info.data.get("sms_gateway_url"):  # validated before: it is declared first
            raise ValueError(
                "fixed_clock_at is for tests and demonstrations: it is refused with an SMS "
                "gateway (a deployment that texts real phones runs on the real clock)"
            )
        return value

    @property
    def database_is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def runs_in_process_worker(self) -> bool:
        if self.in_process_worker is None:
            return self.database_is_sqlite
        return self.in_process_worker
