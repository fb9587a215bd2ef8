"""The Zendesk stand-in's data: users, organizations, memberships, tickets and their audits.

The records are pydantic models: `World.from_seed` validates a seed document with them (a
`SeedError` names the first place that is wrong, e.g. `users[3].email`), checks what refers to
what, and keeps the validated records as the world's state; the `render_*` methods give each
record the JSON shape Zendesk answers with. Nothing here knows about HTTP; callers hold `lock`
around every read and write because the HTTP server is threaded.

A seed is a JSON object (see the bundled seed.json) with these lists, each record holding the
Zendesk attributes that matter (the rest get realistic defaults when rendered):
`ticket_fields`, `ticket_forms`, `organization_fields` (each with its `key`; `dropdown` ones
with `custom_field_options`), `organizations`, `users` (optional `identities`: more email
addresses; `role_type` 1 marks a light agent), `organization_memberships` (`default` true/false),
`tickets` (`custom_fields` as [{id, value}]), and `auth`: `api_tokens` and `oauth_tokens`, each
[{token, user_id}]; the first of each is what the Zendesk stand-in hands out as its credentials.
"""

from __future__ import annotations

import copy
import html
import itertools
import json
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    ValidationError,
    field_validator,
)

JsonDict = dict[str, Any]

SEED_PATH = Path(__file__).with_name("seed.json")

Status = Literal["new", "open", "pending", "hold", "solved", "closed"]
Priority = Literal["urgent", "high", "normal", "low"]
Kind = Literal["problem", "incident", "question", "task"]
TICKET_STATUSES: tuple[str, ...] = get_args(Status)
# Zendesk's role_type for light agents: read access, no ticket changes.
LIGHT_AGENT_ROLE_TYPE = 1

# Accounts with custom statuses expose one id per status category; these stand in for them.
CUSTOM_STATUS_IDS = {status: 360009000001 + i for i, status in enumerate(TICKET_STATUSES)}

# Where ids of records the stand-in creates start, so they never collide with seeded ones.
FIRST_AUDIT_ID = 90_000_000_001
FIRST_EVENT_ID = 91_000_000_001
FIRST_MEMBERSHIP_ID = 361_000_000_001
# New ticket ids never repeat within a process, across resets too: anything that remembers a
# ticket by its id (the bot's 10-minute alert memory) never mistakes a new ticket for an old one.
_NEW_TICKET_IDS = itertools.count(700001)


class SeedError(ValueError):
    """The seed document is not a usable world; the message says what is wrong and where."""


def load_seed_file(path: str | Path) -> JsonDict:
    """Read and parse a seed file, turning every way it can fail into a SeedError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(
            f"seed file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if not isinstance(data, dict):
        raise SeedError(f"seed file {path} must hold a JSON object")
    return data


def bundled_seed() -> JsonDict:
    return load_seed_file(SEED_PATH)


def format_time(moment: datetime) -> str:
    """Zendesk's timestamp format: UTC, one-second resolution."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_seconds(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def parse_time(text: str) -> datetime:
    """Parse an ISO-8601 timestamp as Zendesk accepts it (`Z` or an offset), to whole seconds."""
    return _utc_seconds(datetime.fromisoformat(text.strip().upper()))


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# A timestamp: read from ISO-8601 text (the seed's JSON), kept in UTC to the second, written back
# in Zendesk's format.
Moment = Annotated[
    datetime, Strict(False), AfterValidator(_utc_seconds), PlainSerializer(format_time)
]
Name = Annotated[str, Field(min_length=1)]
Email = Annotated[str, Field(pattern="@"), AfterValidator(str.lower)]
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


class Record(BaseModel):
    # Strict: an id written as a string, or a name as a number, is a seed mistake to report.
    model_config = ConfigDict(strict=True)


class Stamped(Record):
    created_at: Moment = EPOCH
    updated_at: Moment = EPOCH  # created_at when the seed gives none

    def model_post_init(self, context: Any) -> None:
        if "updated_at" not in self.model_fields_set:
            self.updated_at = self.created_at


class CustomField(Stamped):
    """What ticket fields and organization fields have in common."""

    id: int
    title: Name
    type: Name = "text"
    description: str = ""
    position: int = 9999
    active: bool = True


class TicketField(CustomField):
    required: bool = False
    title_in_portal: str | None = None
    visible_in_portal: bool = True
    editable_in_portal: bool = True
    required_in_portal: bool = False
    agent_description: str = ""
    creator_user_id: int = 0


class TicketForm(Record):
    """Only known for tickets to name: no route shows forms."""

    id: int
    name: Name


class FieldOption(Record):
    id: int
    name: Name
    value: Name
    default: bool = False


class OrganizationField(CustomField):
    """An organization's `organization_fields` holds its values by each field's `key`."""

    key: Name
    custom_field_options: list[FieldOption] = []


class Organization(Stamped):
    id: int
    name: Name
    tags: list[str] = []
    domain_names: list[str] = []
    organization_fields: JsonDict = {}
    details: str = ""
    notes: str = ""
    external_id: str | None = None
    group_id: int | None = None
    shared_tickets: bool = False
    shared_comments: bool = False


class User(Stamped):
    id: int
    name: Name
    email: Email | None = None
    role: Literal["end-user", "agent", "admin"] = "end-user"
    role_type: int | None = None
    identities: list[Email] = []
    time_zone: str = "UTC"
    iana_time_zone: str = "Etc/UTC"
    locale: str = "en-US"
    locale_id: int = 1
    phone: str | None = None
    external_id: str | None = None
    tags: list[str] = []
    user_fields: JsonDict = {}
    details: str = ""
    notes: str = ""
    verified: bool = True
    suspended: bool = False

    def emails(self) -> list[str]:
        """Every address Zendesk would match this user by: the primary one and the identities."""
        found = [self.email] if self.email else []
        return found + [address for address in self.identities if address not in found]

    @property
    def is_light_agent(self) -> bool:
        return self.role == "agent" and self.role_type == LIGHT_AGENT_ROLE_TYPE


class Membership(Stamped):
    id: int = 0  # 0: numbered by its place in the seed
    user_id: int
    organization_id: int
    default: bool = False


class Ticket(Stamped):
    id: int
    subject: Name
    description: Name
    requester_id: int
    submitter_id: int = 0  # the requester's when the seed names none
    created_at: Moment
    status: Status = "open"
    priority: Priority | None = "normal"
    type: Kind | None = "question"
    assignee_id: int | None = None
    organization_id: int | None = None
    group_id: int | None = None
    brand_id: int | None = None
    ticket_form_id: int | None = None
    external_id: str | None = None
    recipient: str | None = None
    tags: list[str] = []
    custom_fields: dict[int, Any] = {}
    email_cc_ids: list[int] = []
    follower_ids: list[int] = []
    via: JsonDict = {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}}
    has_public_comment: bool = True

    def model_post_init(self, context: Any) -> None:
        super().model_post_init(context)
        if "submitter_id" not in self.model_fields_set:
            self.submitter_id = self.requester_id

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _fields_by_id(cls, value: Any) -> Any:
        # Zendesk writes them as [{id, value}]; anything else fails as "not a dictionary".
        if isinstance(value, list) and all(
            isinstance(e, dict) and isinstance(e.get("id"), int) for e in value
        ):
            return {e["id"]: e.get("value") for e in value}
        return value


class Token(Record):
    token: Name
    user_id: int


class Auth(Record):
    api_tokens: list[Token] = []
    oauth_tokens: list[Token] = []


class Seed(Record):
    """A seed document, in the order its records refer to each other."""

    ticket_fields: list[TicketField] = []
    ticket_forms: list[TicketForm] = []
    organization_fields: list[OrganizationField] = []
    organizations: list[Organization] = []
    users: list[User] = []
    organization_memberships: list[Membership] = []
    auth: Auth
    brand_id: int | None = None
    tickets: list[Ticket] = []


Keyed = TypeVar("Keyed", TicketField, TicketForm, OrganizationField, Organization, User, Ticket)


# What seed records refer to: (their list, the attribute, the world's records it names, what).
_REFERENCES = (
    ("organization_memberships", "user_id", "users", "user"),
    ("organization_memberships", "organization_id", "organizations", "organization"),
    ("auth.api_tokens", "user_id", "users", "user"),
    ("auth.oauth_tokens", "user_id", "users", "user"),
    ("tickets", "requester_id", "users", "user"),
    ("tickets", "submitter_id", "users", "user"),
    ("tickets", "assignee_id", "users", "user"),
    ("tickets", "email_cc_ids", "users", "user"),
    ("tickets", "organization_id", "organizations", "organization"),
    ("tickets", "ticket_form_id", "ticket_forms", "form"),
    ("tickets", "custom_fields", "ticket_fields", "field"),
)


def _check(ok: bool, where: str, problem: str) -> None:
    if not ok:
        raise SeedError(f"seed: {where}: {problem}")


def _by_id(records: list[Keyed], where: str) -> dict[int, Keyed]:
    found: dict[int, Keyed] = {}
    for i, record in enumerate(records):
        _check(record.id not in found, f"{where}[{i}]", f"duplicate id {record.id}")
        found[record.id] = record
    return found


def _where(loc: Iterable[int | str]) -> str:
    """A pydantic error location as the seed's path: `users[3].email`."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]


class World:
    """All records plus the counters that hand out new ids; guarded by `lock`."""

    def __init__(self, seed: Seed) -> None:
        self.lock = threading.RLock()
        self.ticket_fields = _by_id(seed.ticket_fields, "ticket_fields")
        self.ticket_forms = _by_id(seed.ticket_forms, "ticket_forms")
        self.organization_fields = _by_id(seed.organization_fields, "organization_fields")
        keys = [f.key for f in seed.organization_fields]
        _check(len(set(keys)) == len(keys), "organization_fields", "duplicate key")
        self.organizations = _by_id(seed.organizations, "organizations")
        self.users = _by_id(seed.users, "users")
        self.memberships: list[Membership] = []
        self.api_tokens: dict[str, int] = {}
        self.oauth_tokens: dict[str, int] = {}
        self.brand_id = seed.brand_id
        self.tickets = _by_id(seed.tickets, "tickets")
        self.audits: dict[int, list[JsonDict]] = {}
        self.next_user_id = max(self.users, default=0) + 1
        self._audit_ids = itertools.count(FIRST_AUDIT_ID)
        self._event_ids = itertools.count(FIRST_EVENT_ID)
        self._check_references(seed)
        self._add_memberships(seed.organization_memberships)
        self.primary_api_token, self.primary_oauth_token = self._add_tokens(seed.auth)
        for i, ticket in enumerate(seed.tickets):
            _check(ticket.updated_at >= ticket.created_at, f"tickets[{i}].updated_at", "too early")
            if "brand_id" not in ticket.model_fields_set:
                ticket.brand_id = seed.brand_id
        for ticket_id in sorted(self.tickets):
            self._creation_audit(self.tickets[ticket_id])

    # ---- building -------------------------------------------------------------------------

    @classmethod
    def from_seed(cls, document: JsonDict) -> World:
        """The world a seed describes; SeedError naming what is wrong and where."""
        try:
            seed = Seed.model_validate(copy.deepcopy(document))
        except ValidationError as exc:
            problems = [f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors()]
            raise SeedError("seed: " + "; ".join(problems)) from None
        return cls(seed)

    def _check_references(self, seed: Seed) -> None:
        for kind, key, target, what in _REFERENCES:
            for i, record in enumerate(attrgetter(kind)(seed)):
                value = getattr(record, key)
                for ref in value if isinstance(value, list | dict) else [value]:
                    known = ref is None or ref in getattr(self, target)
                    _check(known, f"{kind}[{i}].{key}", f"unknown {what} {ref}")

    def _add_memberships(self, memberships: list[Membership]) -> None:
        for i, m in enumerate(memberships):
            at, mine = f"organization_memberships[{i}]", self.memberships_of(m.user_id)
            duplicate = m.organization_id in [o.organization_id for o in mine]
            _check(not duplicate, at, f"user {m.user_id} is already in {m.organization_id}")
            two = m.default and any(o.default for o in mine)
            _check(not two, at, f"user {m.user_id} has two default memberships")
            m.id = m.id or FIRST_MEMBERSHIP_ID + i
            self.memberships.append(m)
        # A user with memberships but none marked default: Zendesk makes the first one default.
        for user_id in dict.fromkeys(m.user_id for m in memberships):
            mine = [m for m in memberships if m.user_id == user_id]
            mine[0].default = mine[0].default or not any(m.default for m in mine)

    def _add_tokens(self, auth: Auth) -> tuple[tuple[int, str], str | None]:
        for kind in ("api_tokens", "oauth_tokens"):
            for i, entry in enumerate(getattr(auth, kind)):
                agent = self.users[entry.user_id].role != "end-user"
                _check(agent, f"auth.{kind}[{i}]", f"user {entry.user_id} is not an agent")
                getattr(self, kind)[entry.token] = entry.user_id
        _check(bool(auth.api_tokens), "auth.api_tokens", "needs one token (the API user's)")
        first = auth.api_tokens[0]
        user = self.users[first.user_id]
        _check(user.email is not None, "auth.api_tokens[0]", "its user needs an email")
        _check(not user.is_light_agent, "auth.api_tokens[0]", "its user must be a full agent")
        return (user.id, first.token), auth.oauth_tokens[0].token if auth.oauth_tokens else None

    def create_end_user(self, name: str, email: str | None, moment: datetime | None = None) -> User:
        """A user Zendesk makes on the fly (a new requester's address, a `requester` object)."""
        with self.lock:
            at = moment or now_utc()
            user = User(id=self.next_user_id, name=name, email=email, created_at=at, verified=False)
            self.users[user.id] = user
            self.next_user_id += 1
            return user

    def add_ticket(self, fields: JsonDict) -> int:
        """A ticket arriving (what a partner's form submission creates; the API has no route
        for it: the bot never creates tickets) from Zendesk-shaped fields: `requester_id`,
        `submitter_id`, `organization_id`, `ticket_form_id`, `subject`, `description`, `status`,
        `created_at`, `custom_fields: [{id, value}]`, `tags`; returns its id. Like Zendesk with
        user and organization tagging on, the requester's organization's tags join its own."""
        with self.lock:
            requester_id = fields["requester_id"]
            if requester_id not in self.users:
                raise ValueError(f"unknown requester {requester_id}")
            org_id = fields.get("organization_id", self.default_organization_id(requester_id))
            tags = list(fields.get("tags") or [])
            if org_id in self.organizations:
                tags += [t for t in self.organizations[org_id].tags if t not in tags]
            defaults = {"subject": "A new ticket", "description": "Please help.", "status": "new"}
            ticket = Ticket.model_validate(
                {
                    "id": next(_NEW_TICKET_IDS),
                    "created_at": now_utc(),
                    "brand_id": self.brand_id,
                    "via": {"channel": "web"},
                    **defaults,
                    **fields,
                    "organization_id": org_id,
                    "tags": tags,
                }
            )
            if ticket.id in self.tickets:
                raise ValueError(f"ticket {ticket.id} exists")
            unknown = [f for f in ticket.custom_fields if f not in self.ticket_fields]
            if unknown:
                raise ValueError(f"unknown ticket fields {unknown}")
            self.tickets[ticket.id] = ticket
            self._creation_audit(ticket)
            return ticket.id

    # ---- audits ----------------------------------------------------------------------------

    def new_audit(
        self, ticket: Ticket, author_id: int, moment: datetime, system: JsonDict, via: JsonDict
    ) -> JsonDict:
        """A new audit on the ticket's trail; the caller adds its events and `custom` metadata."""
        audit = {
            "id": next(self._audit_ids),
            "ticket_id": ticket.id,
            "created_at": format_time(moment),
            "author_id": author_id,
            "metadata": {"system": system, "custom": {}},
            "via": via,
            "events": [],
        }
        self.audits.setdefault(ticket.id, []).append(audit)
        return audit

    def event(self, kind: str, **attributes: Any) -> JsonDict:
        return {"id": next(self._event_ids), "type": kind, **attributes}

    def comment_event(self, audit: JsonDict, author_id: int, body: str, public: bool) -> JsonDict:
        return self.event(
            "Comment",
            author_id=author_id,
            body=body,
            html_body=comment_html(body),
            plain_body=body,
            public=public,
            attachments=[],
            audit_id=audit["id"],
        )

    def cc_event(self, before: list[int], after: list[int]) -> JsonDict:
        return self.event(
            "EmailCcChange",
            previous_email_ccs=[self.cc_label(u) for u in before],
            current_email_ccs=[self.cc_label(u) for u in after],
        )

    def _creation_audit(self, ticket: Ticket) -> None:
        """The audit Zendesk writes when a ticket is created: a Create event per set property.
        The rest of a seeded ticket's history (status changes, replies) is not modelled."""
        system = {
            "client": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/132.0",
            "ip_address": "203.0.113.24",
            "location": "Amsterdam, NH, Netherlands",
            "latitude": 52.37,
            "longitude": 4.89,
        }
        author_id = ticket.submitter_id
        audit = self.new_audit(
            ticket, author_id, ticket.created_at, system, copy.deepcopy(ticket.via)
        )
        events = [self.comment_event(audit, author_id, ticket.description, True)]
        created: list[tuple[str, Any]] = [
            ("subject", ticket.subject),
            ("requester_id", str(ticket.requester_id)),
            ("submitter_id", str(ticket.submitter_id)),
            ("status", "new"),
            ("priority", ticket.priority),
            ("type", ticket.type),
            ("organization_id", id_text(ticket.organization_id)),
            ("ticket_form_id", id_text(ticket.ticket_form_id)),
        ]
        created += [(str(fid), value) for fid, value in ticket.custom_fields.items()]
        events += [
            self.event("Create", field_name=name, value=value)
            for name, value in created
            if value is not None
        ]
        if ticket.email_cc_ids:
            events.append(self.cc_event([], ticket.email_cc_ids))
        audit["events"] = events

    # ---- what an admin changes between two requests ---------------------------------------
    # Memberships and organization tags/fields change without touching any ticket (so a ticket's
    # updated_at, and safe_update, cannot see it): tests use these to move the world under a
    # preview, from their own thread, hence the lock.

    def add_membership(self, user_id: int, org_id: int, default: bool = False) -> None:
        with self.lock:
            if user_id not in self.users or org_id not in self.organizations:
                raise KeyError("unknown user or organization")
            if org_id in self.organization_ids_of(user_id):
                raise ValueError(f"user {user_id} is already in organization {org_id}")
            mine = self.memberships_of(user_id)
            if default or not mine:
                for membership in mine:
                    membership.default = False
            self.memberships.append(
                Membership(
                    id=max((m.id for m in self.memberships), default=FIRST_MEMBERSHIP_ID - 1) + 1,
                    user_id=user_id,
                    organization_id=org_id,
                    default=default or not mine,
                    created_at=now_utc(),
                )
            )

    def add_organization(self, name: str, tags: list[str] | None = None) -> int:
        with self.lock:
            org_id = max(self.organizations, default=360_100_000_000) + 1
            self.organizations[org_id] = Organization(
                id=org_id, name=name, tags=list(tags or []), created_at=now_utc()
            )
            return org_id

    def remove_membership(self, user_id: int, org_id: int) -> None:
        with self.lock:
            found = [m for m in self.memberships_of(user_id) if m.organization_id == org_id]
            if not found:
                raise KeyError(f"user {user_id} is not in organization {org_id}")
            self.memberships.remove(found[0])
            rest = self.memberships_of(user_id)
            if found[0].default and rest:
                rest[0].default = True  # Zendesk promotes another membership to default

    def update_organization(
        self, org_id: int, tags: list[str] | None = None, fields: JsonDict | None = None
    ) -> None:
        with self.lock:
            org = self.organizations[org_id]
            if tags is not None:
                org.tags = [str(t).lower() for t in tags]
            if fields is not None:
                org.organization_fields = {**org.organization_fields, **fields}
            org.updated_at = now_utc()

    # ---- lookups ---------------------------------------------------------------------------

    def find_user_by_email(self, address: str) -> User | None:
        wanted = address.strip().lower()  # the records' addresses are lower case already
        return next((user for user in self.users.values() if wanted in user.emails()), None)

    def memberships_of(self, user_id: int) -> list[Membership]:
        """A user's memberships as Zendesk lists them: the default first, then by org name."""

        def order(m: Membership) -> tuple[int, str, int]:
            org = self.organizations.get(m.organization_id)
            return (0 if m.default else 1, org.name.lower() if org else "", m.organization_id)

        with self.lock:
            return sorted((m for m in self.memberships if m.user_id == user_id), key=order)

    def organization_ids_of(self, user_id: int) -> list[int]:
        """Every organization the user belongs to now (all memberships, the default first)."""
        return [m.organization_id for m in self.memberships_of(user_id)]

    def default_organization_id(self, user_id: int) -> int | None:
        ids = self.organization_ids_of(user_id)
        return ids[0] if ids else None

    # ---- rendering -------------------------------------------------------------------------

    def render_user(self, user: User, base: str) -> JsonDict:
        is_agent = user.role in ("agent", "admin")
        return {
            **user.model_dump(exclude={"identities"}),
            "url": f"{base}/api/v2/users/{user.id}.json",
            "shared_phone_number": None,
            "photo": None,
            "organization_id": self.default_organization_id(user.id),
            "alias": "",
            "active": True,
            "shared": False,
            "shared_agent": False,
            "last_login_at": None,
            "two_factor_auth_enabled": None,
            "signature": "" if is_agent else None,
            "custom_role_id": None,
            "moderator": is_agent,
            "ticket_restriction": None if is_agent else "requested",
            "only_private_comments": False,
            "restricted_agent": user.role_type is not None if is_agent else True,
            "default_group_id": None,
            "report_csv": False,
        }

    def render_organization(self, org: Organization, base: str) -> JsonDict:
        return {"url": f"{base}/api/v2/organizations/{org.id}.json", **org.model_dump()}

    def render_ticket(self, ticket: Ticket, base: str) -> JsonDict:
        custom_fields = [
            {"id": field_id, "value": ticket.custom_fields.get(field_id)}
            for field_id in self.ticket_fields
        ]
        return {
            **ticket.model_dump(exclude={"custom_fields", "has_public_comment"}),
            "url": f"{base}/api/v2/tickets/{ticket.id}.json",
            "generated_timestamp": int(ticket.updated_at.timestamp()),
            "raw_subject": ticket.subject,
            "collaborator_ids": list(dict.fromkeys(ticket.email_cc_ids + ticket.follower_ids)),
            "forum_topic_id": None,
            "problem_id": None,
            "has_incidents": False,
            "is_public": ticket.has_public_comment,
            "due_at": None,
            "custom_fields": custom_fields,
            "satisfaction_rating": {"score": "unoffered"},
            "sharing_agreement_ids": [],
            "custom_status_id": CUSTOM_STATUS_IDS[ticket.status],
            # Zendesk shows customers a short opaque id; nothing reads it, any stable code will do.
            "encoded_id": f"{ticket.id * 7919:X}",
            "fields": copy.deepcopy(custom_fields),
            "followup_ids": [],
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
        }

    def render_ticket_field(self, ticket_field: TicketField, base: str) -> JsonDict:
        portal = ticket_field.title_in_portal or ticket_field.title
        return {
            "url": f"{base}/api/v2/ticket_fields/{ticket_field.id}.json",
            **ticket_field.model_dump(),
            "raw_title": ticket_field.title,
            "raw_description": ticket_field.description,
            "collapsed_for_agents": False,
            "regexp_for_validation": None,
            "title_in_portal": portal,
            "raw_title_in_portal": portal,
            "tag": None,
            "removable": True,
            "agent_can_edit": True,
            "creator_app_name": None,
        }

    def render_organization_field(self, org_field: OrganizationField, base: str) -> JsonDict:
        options = [
            {**option.model_dump(), "raw_name": option.name, "position": position}
            for position, option in enumerate(org_field.custom_field_options)
        ]
        return {
            "url": f"{base}/api/v2/organization_fields/{org_field.id}.json",
            **org_field.model_dump(exclude={"custom_field_options"}),
            "raw_title": org_field.title,
            "raw_description": org_field.description,
            "system": False,
            "regexp_for_validation": None,
            "tag": None,
            # Only dropdowns have options.
            **({"custom_field_options": options} if org_field.type == "dropdown" else {}),
        }

    def cc_label(self, user_id: int) -> str:
        """How a CC appears in an EmailCcChange event: the address, else the name."""
        user = self.users.get(user_id)
        if user is None:
            return str(user_id)
        return user.email or user.name


def comment_html(body: str) -> str:
    """Zendesk's rendering of a plain-text comment: paragraphs, line breaks, escaped text."""
    paragraphs = [p for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    inner = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f'<div class="zd-comment" dir="auto">{inner}</div>'


def id_text(value: int | None) -> str | None:
    # Audit events carry ids as strings, like the rest of Zendesk's Change values.
    return None if value is None else str(value)
