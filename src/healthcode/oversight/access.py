"""Who may do what, and why: one table of role × action × purpose. Pure data.

Every endpoint and command names its ``Action``; nothing is allowed unless ``ALLOWED`` holds the
triple (role, action, purpose). A few actions are public (logging in, signing up, the OAuth2
token endpoint, the trust list, checking a code): they need no credentials and are listed in
``PUBLIC_ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What an authenticated actor is. Citizens and channels are not officials' roles."""

    CITIZEN = "citizen"
    CHANNEL = "channel"
    OFFICIAL = "official"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


OFFICIAL_ROLES: tuple[Role, ...] = (Role.OFFICIAL, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)


class Purpose(StrEnum):
    """Why an actor does something: recorded with every read of another person's data."""

    SELF_SERVICE = "self_service"
    CHANNEL_SERVICE = "channel_service"
    EPIDEMIC_CONTROL = "epidemic_control"
    OVERSIGHT = "oversight"
    ADMINISTRATION = "administration"
    UNMASK = "unmask"  # a contact's masked phone number revealed, with a stated reason


class Action(StrEnum):
    # public: no credentials
    SIGN_UP = "sign_up"
    LOG_IN = "log_in"
    ISSUE_TOKEN = "issue_token"  # noqa: S105 - an action name, not a secret
    READ_TRUST_LIST = "read_trust_list"
    READ_AUDIT_ANCHOR = "read_audit_anchor"
    VERIFY_CODE = "verify_code"
    READ_HEALTH = "read_health"
    READ_WEB_PAGE = "read_web_page"
    READ_TRANSPARENCY = "read_transparency"
    # a citizen on their own data (through a channel or the website)
    USE_OWN_DATA = "use_own_data"
    READ_OWN_ACCESS_LOG = "read_own_access_log"
    LOG_OUT = "log_out"
    # a channel for the people who use it
    REGISTER_CITIZEN = "register_citizen"
    # officials on other people's data
    READ_PERSON = "read_person"
    READ_STATUS = "read_status"
    # four eyes: the endpoint gates, then the action of each kind of proposal
    PROPOSE = "propose"
    DECIDE_PROPOSAL = "decide_proposal"
    LIST_PROPOSALS = "list_proposals"
    PROPOSE_OVERRIDE = "propose_override"
    APPROVE_OVERRIDE = "approve_override"
    PROPOSE_RELEASE = "propose_release"
    APPROVE_RELEASE = "approve_release"
    PROPOSE_CASE = "propose_case"
    APPROVE_CASE = "approve_case"
    PROPOSE_WITHDRAWAL = "propose_withdrawal"
    APPROVE_WITHDRAWAL = "approve_withdrawal"
    PROPOSE_RISK_AREA = "propose_risk_area"
    APPROVE_RISK_AREA = "approve_risk_area"
    PROPOSE_POLICY = "propose_policy"
    APPROVE_POLICY = "approve_policy"
    PROPOSE_ACCOUNT_CHANGE = "propose_account_change"
    APPROVE_ACCOUNT_CHANGE = "approve_account_change"
    PROPOSE_APPEAL_ANSWER = "propose_appeal_answer"
    APPROVE_APPEAL_ANSWER = "approve_appeal_answer"
    # a test result entered by hand (a laboratory's feed records its own): it may turn a code
    # red, or clear a rule a negative result ends, so it needs a second pair of eyes
    PROPOSE_TEST_RESULT = "propose_test_result"
    APPROVE_TEST_RESULT = "approve_test_result"
    # the sunset: ending the emergency (admins, then an auditor) and activating again
    PROPOSE_SUNSET = "propose_sunset"
    APPROVE_SUNSET = "approve_sunset"
    PROPOSE_REACTIVATION = "propose_reactivation"
    APPROVE_REACTIVATION = "approve_reactivation"
    # appeals: the queue, one appeal, upholding a colour with a reason
    READ_APPEALS = "read_appeals"
    UPHOLD_APPEAL = "uphold_appeal"
    # oversight
    READ_ACCESS_LOG = "read_access_log"
    VERIFY_AUDIT_LOG = "verify_audit_log"
    # administration
    MANAGE_OFFICIALS = "manage_officials"
    MANAGE_CHANNELS = "manage_channels"
    # federation: the peer jurisdictions whose codes this city accepts, their pinned roots
    MANAGE_PEERS = "manage_peers"
    # a peer asks, with a citizen's consent token, for that citizen's colour (arrivals)
    ANSWER_PEER = "answer_peer"
    # a visitor of a peer city checks in with a place code on their own home code
    VISITOR_CHECK_IN = "visitor_check_in"
    # where people were (venues, check-ins, scans, locations)
    MANAGE_VENUES = "manage_venues"
    REVIEW_CHECKINS = "review_checkins"
    IMPORT_LOCATIONS = "import_locations"
    UPLOAD_SCANS = "upload_scans"
    RECEIVE_PEER_MESSAGES = "receive_peer_messages"
    CHECK_STAFF = "check_staff"
    # cases, tracing, risk areas and quarantines
    READ_CASES = "read_cases"
    PREVIEW_TRACING = "preview_tracing"
    READ_QUARANTINES = "read_quarantines"
    READ_RISK_AREAS = "read_risk_areas"
    # the rules of the policy in force: what each means and how it clears
    READ_POLICY_RULES = "read_policy_rules"
    # the console's dashboard and map: counts of the jurisdiction, no one named
    READ_DASHBOARD = "read_dashboard"
    # a contact's phone number in clear, for a stated purpose (tracing.unmask)
    REVEAL_CONTACT = "reveal_contact"


PUBLIC_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.SIGN_UP,
        Action.LOG_IN,
        Action.ISSUE_TOKEN,
        # a checkpoint checks a code: it learns pass/stop, the colour and the masked name only
        # (a refused code: its reason only); a registered device that signs its request also
        # learns whether the holder's status changed since issue, and that read is logged
        Action.READ_TRUST_LIST,
        Action.VERIFY_CODE,
        # a checkpoint device: authenticated by its Ed25519 signature over the request itself,
        # not by a bearer token (unknown devices and bad signatures are refused with 422)
        Action.UPLOAD_SCANS,
        Action.CHECK_STAFF,
        # a peer city: authenticated by its root's Ed25519 signature over the message itself
        # (pinned when the peer was added), not by a session; a bad signature is refused (422)
        Action.RECEIVE_PEER_MESSAGES,
        # a peer city: authenticated by its pinned root's signature over the request, and
        # answered only with the colour of a citizen whose consent token it carries (logged)
        Action.ANSWER_PEER,
        # a visitor of a peer city (no account here): authenticated by their home code, signed
        # by their home city and verified under its held list, with this city's signed place
        # code; answered pass or stop only, and kept as a presence under issuer and subject
        Action.VISITOR_CHECK_IN,
        # the access log's signed head: a count and a MAC, for auditors to keep (no personal data)
        Action.READ_AUDIT_ANCHOR,
        # liveness, readiness and the Prometheus metrics: counts and timings, no personal data
        # (an operator keeps /metrics off the public network at the reverse proxy)
        Action.READ_HEALTH,
        # the web pages and their assets: the same HTML for everyone (a page reads a person's
        # data only through the API, with the caller's own credentials)
        Action.READ_WEB_PAGE,
        # risk areas are published: where they are, their level and window (no personal data)
        Action.READ_RISK_AREAS,
        # the transparency report: counts and durations only, no one named
        Action.READ_TRANSPARENCY,
        # the rules that decide a code are published: each rule's words, colour and how it
        # clears, as the policy file has them (no personal data)
        Action.READ_POLICY_RULES,
    }
)

_PROPOSING = (
    Action.PROPOSE,
    Action.LIST_PROPOSALS,
    Action.PROPOSE_OVERRIDE,
    Action.PROPOSE_RELEASE,
    Action.PROPOSE_CASE,
    Action.PROPOSE_WITHDRAWAL,
    Action.PROPOSE_RISK_AREA,
    Action.PROPOSE_POLICY,
    Action.PROPOSE_APPEAL_ANSWER,
    Action.PROPOSE_TEST_RESULT,
    Action.READ_APPEALS,
    Action.UPHOLD_APPEAL,
)
_APPROVING = (
    Action.DECIDE_PROPOSAL,
    Action.APPROVE_OVERRIDE,
    Action.APPROVE_RELEASE,
    Action.APPROVE_CASE,
    Action.APPROVE_WITHDRAWAL,
    Action.APPROVE_RISK_AREA,
    Action.APPROVE_POLICY,
    Action.APPROVE_APPEAL_ANSWER,
    Action.APPROVE_TEST_RESULT,
)


def _grant(
    role: Role, purpose: Purpose, actions: Iterable[Action]
) -> set[tuple[Role, Action, Purpose]]:
    return {(role, action, purpose) for action in actions}


# The table. Read it as: role may do action for purpose.
ALLOWED: frozenset[tuple[Role, Action, Purpose]] = frozenset(
    _grant(
        Role.CITIZEN,
        Purpose.SELF_SERVICE,
        (Action.USE_OWN_DATA, Action.READ_OWN_ACCESS_LOG, Action.LOG_OUT),
    )
    | _grant(Role.CHANNEL, Purpose.CHANNEL_SERVICE, (Action.REGISTER_CITIZEN,))
    | _grant(
        Role.OFFICIAL,
        Purpose.EPIDEMIC_CONTROL,
        (Action.READ_PERSON, Action.READ_STATUS, *_PROPOSING, Action.LOG_OUT),
    )
    | _grant(
        Role.SUPERVISOR,
        Purpose.EPIDEMIC_CONTROL,
        (Action.READ_PERSON, Action.READ_STATUS, *_PROPOSING, *_APPROVING, Action.LOG_OUT),
    )
    | _grant(
        Role.AUDITOR,
        Purpose.OVERSIGHT,
        (Action.READ_ACCESS_LOG, Action.VERIFY_AUDIT_LOG, Action.LIST_PROPOSALS, Action.LOG_OUT),
    )
    | _grant(
        Role.ADMIN,
        Purpose.ADMINISTRATION,
        (Action.MANAGE_OFFICIALS, Action.MANAGE_CHANNELS, Action.LOG_OUT),
    )
    # peers (docs/federation.md): adding one pins its root key, so only admins manage them
    | _grant(Role.ADMIN, Purpose.ADMINISTRATION, (Action.MANAGE_PEERS,))
    | _grant(Role.ADMIN, Purpose.ADMINISTRATION, (Action.MANAGE_VENUES, Action.IMPORT_LOCATIONS))
    # officials' accounts (create, role or scope, TOTP reset, disable) change by four eyes of
    # two admins; the gates PROPOSE and DECIDE_PROPOSAL let an admin through to these kinds only
    | _grant(
        Role.ADMIN,
        Purpose.ADMINISTRATION,
        (
            Action.PROPOSE,
            Action.DECIDE_PROPOSAL,
            Action.PROPOSE_ACCOUNT_CHANGE,
            Action.APPROVE_ACCOUNT_CHANGE,
        ),
    )
    # the sunset (docs/sunset.md): an admin proposes, another admin and an auditor approve it
    # (two approvals, as a bulk action); activating again is four eyes of two admins
    | _grant(
        Role.ADMIN,
        Purpose.ADMINISTRATION,
        (
            Action.PROPOSE_SUNSET,
            Action.APPROVE_SUNSET,
            Action.PROPOSE_REACTIVATION,
            Action.APPROVE_REACTIVATION,
        ),
    )
    | _grant(Role.AUDITOR, Purpose.OVERSIGHT, (Action.DECIDE_PROPOSAL, Action.APPROVE_SUNSET))
    | _grant(Role.OFFICIAL, Purpose.EPIDEMIC_CONTROL, (Action.REVIEW_CHECKINS,))
    | _grant(Role.SUPERVISOR, Purpose.EPIDEMIC_CONTROL, (Action.REVIEW_CHECKINS,))
    | _grant(
        Role.OFFICIAL,
        Purpose.EPIDEMIC_CONTROL,
        (Action.READ_CASES, Action.PREVIEW_TRACING, Action.READ_QUARANTINES),
    )
    # a tracer calls a contact: the number in clear, only for a contact of a case in scope,
    # with a stated purpose the contact sees in their access log (tracing.unmask)
    | _grant(Role.OFFICIAL, Purpose.EPIDEMIC_CONTROL, (Action.REVEAL_CONTACT,))
    | _grant(Role.SUPERVISOR, Purpose.EPIDEMIC_CONTROL, (Action.REVEAL_CONTACT,))
    # withdrawing a confirmed case lifts everyone's exposures and orders at once: four eyes
    # (propose_withdrawal, approve_withdrawal above, with the other proposals)
    | _grant(
        Role.SUPERVISOR,
        Purpose.EPIDEMIC_CONTROL,
        (Action.READ_CASES, Action.PREVIEW_TRACING, Action.READ_QUARANTINES),
    )
    # the console's dashboard and map: counts only (small cells cut), for every official
    | _grant(Role.OFFICIAL, Purpose.EPIDEMIC_CONTROL, (Action.READ_DASHBOARD,))
    | _grant(Role.SUPERVISOR, Purpose.EPIDEMIC_CONTROL, (Action.READ_DASHBOARD,))
    | _grant(Role.AUDITOR, Purpose.OVERSIGHT, (Action.READ_DASHBOARD,))
)


def allowed_purposes(role: Role, action: Action) -> frozenset[Purpose]:
    """The purposes for which ``role`` may do ``action`` (empty: never)."""
    return frozenset(p for r, a, p in ALLOWED if r is role and a is action)


def is_allowed(role: Role, action: Action, purpose: Purpose | None = None) -> bool:
    """Whether the table allows it; with no purpose, whether any purpose would do."""
    if action in PUBLIC_ACTIONS:
        return True
    if purpose is None:
        return bool(allowed_purposes(role, action))
    return (role, action, purpose) in ALLOWED


def table() -> Mapping[Action, Mapping[Role, frozenset[Purpose]]]:
    """The table by action then role (for documentation and the matrix test)."""
    return {action: {role: allowed_purposes(role, action) for role in Role} for action in Action}


@dataclass(frozen=True, kw_only=True)
class Principal:
    """An authenticated actor, as the services see it.

    ``id`` is the subject for a citizen, the official's id, or the channel's client id;
    ``channel`` is the channel a citizen acts through ("website" for website sessions).
    ``purpose`` is the purpose stated for the request at hand (None until stated).
    ``sponsor`` is, for an official, the admin who proposed their account or its last change of
    role or scope: four eyes never pairs the two (``oversight.proposals``)."""

    role: Role
    id: str
    name: str = ""
    channel: str | None = None
    jurisdiction: str | None = None
    district: str | None = None
    purpose: Purpose | None = None
    sponsor: str | None = None

    @property
    def subject(self) -> str | None:
        """The citizen's own subject id, for citizens only."""
        return self.id if self.role is Role.CITIZEN else None

    @property
    def actor(self) -> str:
        """How the actor is named in records: ``role:name``."""
        return f"{self.role.value}:{self.name or self.id}"

    def is_person(self, subject: str) -> bool:
        """Whether this principal is the person ``subject`` themself."""
        return self.role is Role.CITIZEN and self.id == subject


def markdown_table() -> str:
    """The table as Markdown: one row per action, one column per role, the purposes in cells
    ("public" for public actions, "—" for never). docs/access-and-audit.md carries it; a test
    keeps it true."""
    roles = list(Role)
    lines = [
        "| action | " + " | ".join(r.value for r in roles) + " |",
        "| --- |" + " --- |" * len(roles),
    ]
    for action in Action:
        if action in PUBLIC_ACTIONS:
            cells = ["public"] * len(roles)
        else:
            cells = [
                ", ".join(sorted(p.value for p in allowed_purposes(role, action))) or "—"
                for role in roles
            ]
        lines.append(f"| `{action.value}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
