"""The Zendesk stand-in's data: users, organizations, memberships, tickets and their audits.

`World.from_seed` checks a seed document and builds the state; the `render_*` methods give each
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
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

JsonDict = dict[str, Any]

SEED_PATH = Path(__file__).with_name("seed.json")

TICKET_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
TICKET_PRIORITIES = ("urgent", "high", "normal", "low")
TICKET_TYPES = ("problem", "incident", "question", "task")
# Zendesk's role_type for light agents: read access, no ticket changes.
LIGHT_AGENT_ROLE_TYPE = 1

# Accounts with custom statuses expose one id per status category; these stand in for them.
CUSTOM_STATUS_IDS = {status: 360009000001 + i for i, status in enumerate(TICKET_STATUSES)}

# Where ids of records the stand-in creates start, so they never collide with seeded ones.
FIRST_AUDIT_ID = 90_000_000_001
FIRST_EVENT_ID = 91_000_000_001


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


def parse_time(text: str) -> datetime:
    """Parse an ISO-8601 timestamp as Zendesk accepts it (`Z` or an offset), to whole seconds."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class User:
    id: int
    name: str
    email: str | None
    role: str = "end-user"
    role_type: int | None = None
    identities: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=now_utc)
    updated_at: datetime = field(default_factory=now_utc)
    time_zone: str = "UTC"
    iana_time_zone: str = "Etc/UTC"
    locale: str = "en-US"
    locale_id: int = 1
    phone: str | None = None
    external_id: str | None = None
    tags: list[str] = field(default_factory=list)
    user_fields: JsonDict = field(default_factory=dict)
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


@dataclass
class Organization:
    id: int
    name: str
    tags: list[str] = field(default_factory=list)
    domain_names: list[str] = field(default_factory=list)
    organization_fields: JsonDict = field(default_factory=dict)
    details: str = ""
    notes: str = ""
    external_id: str | None = None
    group_id: int | None = None
    shared_tickets: bool = False
    shared_comments: bool = False
    created_at: datetime = field(default_factory=now_utc)
    updated_at: datetime = field(default_factory=now_utc)


@dataclass
class Membership:
    id: int
    user_id: int
    organization_id: int
    default: bool
    created_at: datetime
    updated_at: datetime
    view_tickets: bool = True


@dataclass
class Ticket:
    id: int
    subject: str
    description: str
    requester_id: int
    submitter_id: int
    created_at: datetime
    updated_at: datetime
    status: str = "open"
    priority: str | None = "normal"
    type: str | None = "question"
    assignee_id: int | None = None
    organization_id: int | None = None
    group_id: int | None = None
    brand_id: int | None = None
    ticket_form_id: int | None = None
    external_id: str | None = None
    recipient: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[int, Any] = field(default_factory=dict)
    email_cc_ids: list[int] = field(default_factory=list)
    follower_ids: list[int] = field(default_factory=list)
    via: JsonDict = field(default_factory=lambda: {"channel": "web"})
    has_public_comment: bool = True


class World:
    """All records plus the counters that hand out new ids; guarded by `lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[int, User] = {}
        self.organizations: dict[int, Organization] = {}
        self.memberships: list[Membership] = []
        self.tickets: dict[int, Ticket] = {}
        self.audits: dict[int, list[JsonDict]] = {}
        self.ticket_fields: dict[int, JsonDict] = {}
        self.ticket_forms: dict[int, JsonDict] = {}
        self.organization_fields: dict[int, JsonDict] = {}
        self.api_tokens: dict[str, int] = {}
        self.oauth_tokens: dict[str, int] = {}
        self.primary_api_token: tuple[int, str] = (0, "")
        self.primary_oauth_token: str | None = None
        self.brand_id: int | None = None
        self._next_user_id = 1
        self._next_audit_id = FIRST_AUDIT_ID
        self._next_event_id = FIRST_EVENT_ID

    # ---- building -------------------------------------------------------------------------

    @classmethod
    def from_seed(cls, seed: JsonDict) -> World:
        world = cls()
        _SeedReader(world, copy.deepcopy(seed)).read()
        return world

    def new_user_id(self) -> int:
        self._next_user_id += 1
        return self._next_user_id - 1

    def new_audit_id(self) -> int:
        self._next_audit_id += 1
        return self._next_audit_id - 1

    def new_event_id(self) -> int:
        self._next_event_id += 1
        return self._next_event_id - 1

    def create_end_user(self, name: str, email: str | None, moment: datetime) -> User:
        """A user Zendesk makes on the fly (an unknown CC address, a `requester` object)."""
        user = User(
            id=self.new_user_id(),
            name=name,
            email=email.lower() if email else None,
            created_at=moment,
            updated_at=moment,
            verified=False,
        )
        self.users[user.id] = user
        return user

    # ---- what an admin changes between two requests ---------------------------------------
    # Memberships and organization tags/fields change without touching any ticket (so a ticket's
    # updated_at, and safe_update, cannot see it): tests use these to move the world under a
    # preview.

    def add_membership(self, user_id: int, org_id: int, default: bool = False) -> None:
        if user_id not in self.users or org_id not in self.organizations:
            raise KeyError("unknown user or organization")
        if org_id in self.organization_ids_of(user_id):
            raise ValueError(f"user {user_id} is already in organization {org_id}")
        mine = self.memberships_of(user_id)
        if default or not mine:
            for membership in mine:
                membership.default = False
        moment = now_utc()
        self.memberships.append(
            Membership(
                id=max((m.id for m in self.memberships), default=361_000_000_000) + 1,
                user_id=user_id,
                organization_id=org_id,
                default=default or not mine,
                created_at=moment,
                updated_at=moment,
            )
        )

    def add_organization(self, name: str, tags: list[str] | None = None) -> int:
        org_id = max(self.organizations, default=360_100_000_000) + 1
        self.organizations[org_id] = Organization(id=org_id, name=name, tags=list(tags or []))
        return org_id

    def remove_membership(self, user_id: int, org_id: int) -> None:
        found = [
            m for m in self.memberships if m.user_id == user_id and m.organization_id == org_id
        ]
        if not found:
            raise KeyError(f"user {user_id} is not in organization {org_id}")
        self.memberships.remove(found[0])
        rest = self.memberships_of(user_id)
        if found[0].default and rest:
            rest[0].default = True  # Zendesk promotes another membership to default

    def update_organization(
        self, org_id: int, tags: list[str] | None = None, fields: JsonDict | None = None
    ) -> None:
        org = self.organizations[org_id]
        if tags is not None:
            org.tags = [str(t).lower() for t in tags]
        if fields is not None:
            org.organization_fields = {**org.organization_fields, **fields}
        org.updated_at = now_utc()

    # ---- lookups ---------------------------------------------------------------------------

    def find_user_by_email(self, address: str) -> User | None:
        wanted = address.strip().lower()
        for user in self.users.values():
            if wanted in (email.lower() for email in user.emails()):
                return user
        return None

    def memberships_of(self, user_id: int) -> list[Membership]:
        """A user's memberships as Zendesk lists them: the default first, then by org name."""
        mine = [m for m in self.memberships if m.user_id == user_id]

        def order(m: Membership) -> tuple[int, str, int]:
            org = self.organizations.get(m.organization_id)
            return (0 if m.default else 1, org.name.lower() if org else "", m.organization_id)

        return sorted(mine, key=order)

    def organization_ids_of(self, user_id: int) -> list[int]:
        return [m.organization_id for m in self.memberships_of(user_id)]

    def default_organization_id(self, user_id: int) -> int | None:
        ids = self.organization_ids_of(user_id)
        return ids[0] if ids else None

    # ---- rendering -------------------------------------------------------------------------

    def render_user(self, user: User, base: str) -> JsonDict:
        is_agent = user.role in ("agent", "admin")
        return {
            "id": user.id,
            "url": f"{base}/api/v2/users/{user.id}.json",
            "name": user.name,
            "email": user.email,
            "created_at": format_time(user.created_at),
            "updated_at": format_time(user.updated_at),
            "time_zone": user.time_zone,
            "iana_time_zone": user.iana_time_zone,
            "phone": user.phone,
            "shared_phone_number": None,
            "photo": None,
            "locale_id": user.locale_id,
            "locale": user.locale,
            "organization_id": self.default_organization_id(user.id),
            "role": user.role,
            "verified": user.verified,
            "external_id": user.external_id,
            "tags": list(user.tags),
            "alias": "",
            "active": True,
            "shared": False,
            "shared_agent": False,
            "last_login_at": None,
            "two_factor_auth_enabled": None,
            "signature": "" if is_agent else None,
            "details": user.details,
            "notes": user.notes,
            "role_type": user.role_type,
            "custom_role_id": None,
            "moderator": is_agent,
            "ticket_restriction": None if is_agent else "requested",
            "only_private_comments": False,
            "restricted_agent": user.role_type is not None if is_agent else True,
            "suspended": user.suspended,
            "default_group_id": None,
            "report_csv": False,
            "user_fields": dict(user.user_fields),
        }

    def render_organization(self, org: Organization, base: str) -> JsonDict:
        return {
            "url": f"{base}/api/v2/organizations/{org.id}.json",
            "id": org.id,
            "name": org.name,
            "shared_tickets": org.shared_tickets,
            "shared_comments": org.shared_comments,
            "external_id": org.external_id,
            "created_at": format_time(org.created_at),
            "updated_at": format_time(org.updated_at),
            "domain_names": list(org.domain_names),
            "details": org.details,
            "notes": org.notes,
            "group_id": org.group_id,
            "tags": list(org.tags),
            "organization_fields": dict(org.organization_fields),
        }

    def render_ticket(self, ticket: Ticket, base: str) -> JsonDict:
        custom_fields = [
            {"id": field_id, "value": ticket.custom_fields.get(field_id)}
            for field_id in self.ticket_fields
        ]
        collaborators = list(dict.fromkeys(ticket.email_cc_ids + ticket.follower_ids))
        return {
            "url": f"{base}/api/v2/tickets/{ticket.id}.json",
            "id": ticket.id,
            "external_id": ticket.external_id,
            "via": copy.deepcopy(ticket.via),
            "created_at": format_time(ticket.created_at),
            "updated_at": format_time(ticket.updated_at),
            "generated_timestamp": int(ticket.updated_at.timestamp()),
            "type": ticket.type,
            "subject": ticket.subject,
            "raw_subject": ticket.subject,
            "description": ticket.description,
            "priority": ticket.priority,
            "status": ticket.status,
            "recipient": ticket.recipient,
            "requester_id": ticket.requester_id,
            "submitter_id": ticket.submitter_id,
            "assignee_id": ticket.assignee_id,
            "organization_id": ticket.organization_id,
            "group_id": ticket.group_id,
            "collaborator_ids": collaborators,
            "follower_ids": list(ticket.follower_ids),
            "email_cc_ids": list(ticket.email_cc_ids),
            "forum_topic_id": None,
            "problem_id": None,
            "has_incidents": False,
            "is_public": ticket.has_public_comment,
            "due_at": None,
            "tags": list(ticket.tags),
            "custom_fields": custom_fields,
            "satisfaction_rating": {"score": "unoffered"},
            "sharing_agreement_ids": [],
            "custom_status_id": CUSTOM_STATUS_IDS[ticket.status],
            "encoded_id": _encoded_id(ticket.id),
            "fields": copy.deepcopy(custom_fields),
            "followup_ids": [],
            "ticket_form_id": ticket.ticket_form_id,
            "brand_id": ticket.brand_id,
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
        }

    def render_ticket_field(self, ticket_field: JsonDict, base: str) -> JsonDict:
        return {"url": f"{base}/api/v2/ticket_fields/{ticket_field['id']}.json", **ticket_field}

    def render_organization_field(self, org_field: JsonDict, base: str) -> JsonDict:
        return {"url": f"{base}/api/v2/organization_fields/{org_field['id']}.json", **org_field}

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


def _encoded_id(ticket_id: int) -> str:
    # Zendesk shows customers a short opaque id; any stable, reversible-looking code will do.
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = ""
    value = ticket_id * 7919
    while value:
        value, rest = divmod(value, len(alphabet))
        digits = alphabet[rest] + digits
    return f"{digits[:-4]}-{digits[-4:]}" if len(digits) > 4 else digits


class _SeedReader:
    """Turns a seed document into a World, naming the first problem precisely."""

    def __init__(self, world: World, seed: JsonDict) -> None:
        self.world = world
        self.seed = seed

    def read(self) -> None:
        self._read_ticket_fields()
        self._read_ticket_forms()
        self._read_organization_fields()
        self._read_organizations()
        self._read_users()
        self._read_memberships()
        self._read_auth()
        self.world.brand_id = _optional_int(self.seed.get("brand_id"), "brand_id")
        self._read_tickets()

    def _list(self, key: str) -> list[JsonDict]:
        items = self.seed.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise SeedError(f"seed: '{key}' must be a list of objects")
        return items

    def _read_ticket_fields(self) -> None:
        for i, raw in enumerate(self._list("ticket_fields")):
            where = f"ticket_fields[{i}]"
            field_id = _int(raw.get("id"), f"{where}.id")
            title = _str(raw.get("title"), f"{where}.title")
            created = _time(raw.get("created_at", "2020-01-01T00:00:00Z"), f"{where}.created_at")
            updated = _time(raw.get("updated_at", format_time(created)), f"{where}.updated_at")
            description = str(raw.get("description", ""))
            self.world.ticket_fields[field_id] = {
                "id": field_id,
                "type": _str(raw.get("type", "text"), f"{where}.type"),
                "title": title,
                "raw_title": title,
                "description": description,
                "raw_description": description,
                "position": int(raw.get("position", 9999)),
                "active": bool(raw.get("active", True)),
                "required": bool(raw.get("required", False)),
                "collapsed_for_agents": False,
                "regexp_for_validation": None,
                "title_in_portal": str(raw.get("title_in_portal", title)),
                "raw_title_in_portal": str(raw.get("title_in_portal", title)),
                "visible_in_portal": bool(raw.get("visible_in_portal", True)),
                "editable_in_portal": bool(raw.get("editable_in_portal", True)),
                "required_in_portal": bool(raw.get("required_in_portal", False)),
                "tag": None,
                "created_at": format_time(created),
                "updated_at": format_time(updated),
                "removable": True,
                "agent_description": str(raw.get("agent_description", "")),
                "agent_can_edit": True,
                "creator_user_id": int(raw.get("creator_user_id", 0)),
                "creator_app_name": None,
            }

    def _read_ticket_forms(self) -> None:
        for i, raw in enumerate(self._list("ticket_forms")):
            where = f"ticket_forms[{i}]"
            form_id = _int(raw.get("id"), f"{where}.id")
            name = _str(raw.get("name"), f"{where}.name")
            field_ids = raw.get("ticket_field_ids", [])
            if not isinstance(field_ids, list) or not all(isinstance(f, int) for f in field_ids):
                raise SeedError(f"seed: {where}.ticket_field_ids must be a list of integers")
            created = _time(raw.get("created_at", "2020-01-01T00:00:00Z"), f"{where}.created_at")
            updated = _time(raw.get("updated_at", format_time(created)), f"{where}.updated_at")
            display = str(raw.get("display_name", name))
            self.world.ticket_forms[form_id] = {
                "id": form_id,
                "name": name,
                "raw_name": name,
                "display_name": display,
                "raw_display_name": display,
                "end_user_visible": bool(raw.get("end_user_visible", True)),
                "position": int(raw.get("position", 1)),
                "ticket_field_ids": list(field_ids),
                "active": bool(raw.get("active", True)),
                "default": bool(raw.get("default", False)),
                "in_all_brands": bool(raw.get("in_all_brands", True)),
                "restricted_brand_ids": [],
                "end_user_conditions": [],
                "agent_conditions": [],
                "created_at": format_time(created),
                "updated_at": format_time(updated),
            }

    def _read_organization_fields(self) -> None:
        """Organization fields as Zendesk's organization_fields API shows them; an
        organization's `organization_fields` holds values by each field's `key`."""
        keys: set[str] = set()
        for i, raw in enumerate(self._list("organization_fields")):
            where = f"organization_fields[{i}]"
            field_id = _int(raw.get("id"), f"{where}.id")
            key = _str(raw.get("key"), f"{where}.key")
            if field_id in self.world.organization_fields or key in keys:
                raise SeedError(
                    f"seed: {where}: duplicate organization field {field_id} or {key!r}"
                )
            keys.add(key)
            title = _str(raw.get("title"), f"{where}.title")
            kind = _str(raw.get("type", "text"), f"{where}.type")
            created = _time(raw.get("created_at", "2020-01-01T00:00:00Z"), f"{where}.created_at")
            updated = _time(raw.get("updated_at", format_time(created)), f"{where}.updated_at")
            description = str(raw.get("description", ""))
            rendered: JsonDict = {
                "id": field_id,
                "type": kind,
                "key": key,
                "title": title,
                "raw_title": title,
                "description": description,
                "raw_description": description,
                "position": int(raw.get("position", 9999)),
                "active": bool(raw.get("active", True)),
                "system": False,
                "regexp_for_validation": None,
                "tag": None,
                "created_at": format_time(created),
                "updated_at": format_time(updated),
            }
            if kind == "dropdown":
                options = raw.get("custom_field_options", [])
                if not isinstance(options, list) or not all(isinstance(o, dict) for o in options):
                    raise SeedError(f"seed: {where}.custom_field_options must be a list of objects")
                rendered["custom_field_options"] = [
                    {
                        "id": _int(o.get("id"), f"{where}.custom_field_options.id"),
                        "name": _str(o.get("name"), f"{where}.custom_field_options.name"),
                        "raw_name": str(o.get("name")),
                        "value": _str(o.get("value"), f"{where}.custom_field_options.value"),
                        "default": bool(o.get("default", False)),
                        "position": position,
                    }
                    for position, o in enumerate(options)
                ]
            self.world.organization_fields[field_id] = rendered

    def _read_organizations(self) -> None:
        for i, raw in enumerate(self._list("organizations")):
            where = f"organizations[{i}]"
            org_id = _int(raw.get("id"), f"{where}.id")
            if org_id in self.world.organizations:
                raise SeedError(f"seed: {where}: duplicate organization id {org_id}")
            created = _time(raw.get("created_at", "2020-01-01T00:00:00Z"), f"{where}.created_at")
            fields = raw.get("organization_fields", {})
            if not isinstance(fields, dict):
                raise SeedError(f"seed: {where}.organization_fields must be an object")
            self.world.organizations[org_id] = Organization(
                id=org_id,
                name=_str(raw.get("name"), f"{where}.name"),
                tags=_str_list(raw.get("tags", []), f"{where}.tags"),
                domain_names=_str_list(raw.get("domain_names", []), f"{where}.domain_names"),
                organization_fields=fields,
                details=str(raw.get("details", "")),
                notes=str(raw.get("notes", "")),
                external_id=raw.get("external_id"),
                group_id=_optional_int(raw.get("group_id"), f"{where}.group_id"),
                shared_tickets=bool(raw.get("shared_tickets", False)),
                shared_comments=bool(raw.get("shared_comments", False)),
                created_at=created,
                updated_at=_time(
                    raw.get("updated_at", format_time(created)), f"{where}.updated_at"
                ),
            )

    def _read_users(self) -> None:
        for i, raw in enumerate(self._list("users")):
            where = f"users[{i}]"
            user_id = _int(raw.get("id"), f"{where}.id")
            if user_id in self.world.users:
                raise SeedError(f"seed: {where}: duplicate user id {user_id}")
            email = raw.get("email")
            if email is not None and (not isinstance(email, str) or "@" not in email):
                raise SeedError(f"seed: {where}.email must be an email address or null")
            role = raw.get("role", "end-user")
            if role not in ("end-user", "agent", "admin"):
                raise SeedError(f"seed: {where}.role must be end-user, agent or admin")
            created = _time(raw.get("created_at", "2020-01-01T00:00:00Z"), f"{where}.created_at")
            user_fields = raw.get("user_fields", {})
            if not isinstance(user_fields, dict):
                raise SeedError(f"seed: {where}.user_fields must be an object")
            self.world.users[user_id] = User(
                id=user_id,
                name=_str(raw.get("name"), f"{where}.name"),
                email=email.lower() if email else None,
                role=role,
                role_type=_optional_int(raw.get("role_type"), f"{where}.role_type"),
                identities=[e.lower() for e in _str_list(raw.get("identities", []), where)],
                created_at=created,
                updated_at=_time(
                    raw.get("updated_at", format_time(created)), f"{where}.updated_at"
                ),
                time_zone=str(raw.get("time_zone", "UTC")),
                iana_time_zone=str(raw.get("iana_time_zone", "Etc/UTC")),
                locale=str(raw.get("locale", "en-US")),
                phone=raw.get("phone"),
                external_id=raw.get("external_id"),
                tags=_str_list(raw.get("tags", []), f"{where}.tags"),
                user_fields=user_fields,
                details=str(raw.get("details", "")),
                notes=str(raw.get("notes", "")),
                verified=bool(raw.get("verified", True)),
            )
        if self.world.users:
            self.world._next_user_id = max(self.world.users) + 1

    def _read_memberships(self) -> None:
        defaults: dict[int, int] = {}
        for i, raw in enumerate(self._list("organization_memberships")):
            where = f"organization_memberships[{i}]"
            user_id = _int(raw.get("user_id"), f"{where}.user_id")
            org_id = _int(raw.get("organization_id"), f"{where}.organization_id")
            if user_id not in self.world.users:
                raise SeedError(f"seed: {where}: unknown user {user_id}")
            if org_id not in self.world.organizations:
                raise SeedError(f"seed: {where}: unknown organization {org_id}")
            if any(
                m.user_id == user_id and m.organization_id == org_id for m in self.world.memberships
            ):
                raise SeedError(f"seed: {where}: user {user_id} is already in {org_id}")
            is_default = bool(raw.get("default", False))
            if is_default:
                if user_id in defaults:
                    raise SeedError(f"seed: {where}: user {user_id} has two default memberships")
                defaults[user_id] = org_id
            created = _time(raw.get("created_at", "2020-01-01T00:00:00Z"), f"{where}.created_at")
            self.world.memberships.append(
                Membership(
                    id=_int(raw.get("id", 361_000_000_001 + i), f"{where}.id"),
                    user_id=user_id,
                    organization_id=org_id,
                    default=is_default,
                    created_at=created,
                    updated_at=_time(
                        raw.get("updated_at", format_time(created)), f"{where}.updated_at"
                    ),
                )
            )
        # A user with memberships but none marked default: Zendesk makes the first one default.
        for user_id in {m.user_id for m in self.world.memberships} - set(defaults):
            next(m for m in self.world.memberships if m.user_id == user_id).default = True

    def _read_auth(self) -> None:
        auth = self.seed.get("auth")
        if not isinstance(auth, dict):
            raise SeedError("seed: 'auth' must be an object with 'api_tokens' and 'oauth_tokens'")
        for kind, target in (
            ("api_tokens", self.world.api_tokens),
            ("oauth_tokens", self.world.oauth_tokens),
        ):
            entries = auth.get(kind, [])
            if not isinstance(entries, list):
                raise SeedError(f"seed: auth.{kind} must be a list")
            for i, entry in enumerate(entries):
                where = f"auth.{kind}[{i}]"
                if not isinstance(entry, dict):
                    raise SeedError(f"seed: {where} must be an object")
                token = _str(entry.get("token"), f"{where}.token")
                user_id = _int(entry.get("user_id"), f"{where}.user_id")
                user = self.world.users.get(user_id)
                if user is None:
                    raise SeedError(f"seed: {where}: unknown user {user_id}")
                if user.role == "end-user":
                    raise SeedError(f"seed: {where}: user {user_id} is an end user, not an agent")
                target[token] = user_id
        api_tokens = auth.get("api_tokens") or []
        if not api_tokens:
            raise SeedError("seed: auth.api_tokens needs at least one token (the API user's)")
        first_user = self.world.users[api_tokens[0]["user_id"]]
        if first_user.email is None or first_user.is_light_agent:
            raise SeedError("seed: the first auth.api_tokens entry must be a full agent with email")
        self.world.primary_api_token = (first_user.id, api_tokens[0]["token"])
        oauth = auth.get("oauth_tokens") or []
        self.world.primary_oauth_token = oauth[0]["token"] if oauth else None

    def _read_tickets(self) -> None:
        world = self.world
        for i, raw in enumerate(self._list("tickets")):
            where = f"tickets[{i}]"
            ticket_id = _int(raw.get("id"), f"{where}.id")
            if ticket_id in world.tickets:
                raise SeedError(f"seed: {where}: duplicate ticket id {ticket_id}")
            requester_id = self._user_ref(raw.get("requester_id"), f"{where}.requester_id")
            submitter_id = self._user_ref(
                raw.get("submitter_id", requester_id), f"{where}.submitter_id"
            )
            assignee_id = raw.get("assignee_id")
            if assignee_id is not None:
                assignee_id = self._user_ref(assignee_id, f"{where}.assignee_id")
            org_id = _optional_int(raw.get("organization_id"), f"{where}.organization_id")
            if org_id is not None and org_id not in world.organizations:
                raise SeedError(f"seed: {where}.organization_id: unknown organization {org_id}")
            form_id = _optional_int(raw.get("ticket_form_id"), f"{where}.ticket_form_id")
            if form_id is not None and form_id not in world.ticket_forms:
                raise SeedError(f"seed: {where}.ticket_form_id: unknown form {form_id}")
            status = raw.get("status", "open")
            if status not in TICKET_STATUSES:
                raise SeedError(f"seed: {where}.status must be one of {', '.join(TICKET_STATUSES)}")
            custom_fields: dict[int, Any] = {}
            raw_fields = raw.get("custom_fields", [])
            if not isinstance(raw_fields, list):
                raise SeedError(f"seed: {where}.custom_fields must be a list of {{id, value}}")
            for j, entry in enumerate(raw_fields):
                if not isinstance(entry, dict):
                    raise SeedError(f"seed: {where}.custom_fields[{j}] must be an object")
                field_id = _int(entry.get("id"), f"{where}.custom_fields[{j}].id")
                if field_id not in world.ticket_fields:
                    raise SeedError(f"seed: {where}.custom_fields[{j}]: unknown field {field_id}")
                custom_fields[field_id] = entry.get("value")
            ccs = [self._user_ref(u, f"{where}.email_cc_ids") for u in raw.get("email_cc_ids", [])]
            created = _time(raw.get("created_at"), f"{where}.created_at")
            updated = _time(raw.get("updated_at", format_time(created)), f"{where}.updated_at")
            if updated < created:
                raise SeedError(f"seed: {where}.updated_at is before created_at")
            via = raw.get("via", {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}})
            ticket = Ticket(
                id=ticket_id,
                subject=_str(raw.get("subject"), f"{where}.subject"),
                description=_str(raw.get("description"), f"{where}.description"),
                requester_id=requester_id,
                submitter_id=submitter_id,
                created_at=created,
                updated_at=updated,
                status=status,
                priority=raw.get("priority", "normal"),
                type=raw.get("type", "question"),
                assignee_id=assignee_id,
                organization_id=org_id,
                group_id=_optional_int(raw.get("group_id"), f"{where}.group_id"),
                brand_id=_optional_int(raw.get("brand_id", world.brand_id), f"{where}.brand_id"),
                ticket_form_id=form_id,
                external_id=raw.get("external_id"),
                recipient=raw.get("recipient"),
                tags=_str_list(raw.get("tags", []), f"{where}.tags"),
                custom_fields=custom_fields,
                email_cc_ids=ccs,
                via=via,
            )
            world.tickets[ticket_id] = ticket
        for ticket_id in sorted(world.tickets):
            world.audits[ticket_id] = [_creation_audit(world, world.tickets[ticket_id])]

    def _user_ref(self, value: Any, where: str) -> int:
        user_id = _int(value, where)
        if user_id not in self.world.users:
            raise SeedError(f"seed: {where}: unknown user {user_id}")
        return user_id


def _creation_audit(world: World, ticket: Ticket) -> JsonDict:
    """The audit Zendesk writes when a ticket is created: a Create event per set property."""
    audit_id = world.new_audit_id()
    events: list[JsonDict] = [
        {
            "id": world.new_event_id(),
            "type": "Comment",
            "author_id": ticket.submitter_id,
            "body": ticket.description,
            "html_body": comment_html(ticket.description),
            "plain_body": ticket.description,
            "public": True,
            "attachments": [],
            "audit_id": audit_id,
        }
    ]
    created: list[tuple[str, Any]] = [
        ("subject", ticket.subject),
        ("requester_id", str(ticket.requester_id)),
        ("submitter_id", str(ticket.submitter_id)),
        ("status", "new"),
        ("priority", ticket.priority),
        ("type", ticket.type),
        ("organization_id", _str_or_none(ticket.organization_id)),
        ("ticket_form_id", _str_or_none(ticket.ticket_form_id)),
    ]
    created += [(str(fid), value) for fid, value in ticket.custom_fields.items()]
    for name, value in created:
        if value is not None:
            events.append(
                {"id": world.new_event_id(), "type": "Create", "field_name": name, "value": value}
            )
    if ticket.email_cc_ids:
        events.append(
            {
                "id": world.new_event_id(),
                "type": "EmailCcChange",
                "previous_email_ccs": [],
                "current_email_ccs": [world.cc_label(u) for u in ticket.email_cc_ids],
            }
        )
    # The rest of a seeded ticket's history (status changes, replies) is not modelled; its audit
    # trail starts with its creation.
    return {
        "id": audit_id,
        "ticket_id": ticket.id,
        "created_at": format_time(ticket.created_at),
        "author_id": ticket.submitter_id,
        "metadata": {
            "system": {
                "client": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/132.0",
                "ip_address": "203.0.113.24",
                "location": "Amsterdam, NH, Netherlands",
                "latitude": 52.37,
                "longitude": 4.89,
            },
            "custom": {},
        },
        "via": copy.deepcopy(ticket.via),
        "events": events,
    }


def _str_or_none(value: int | None) -> str | None:
    return None if value is None else str(value)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeedError(f"seed: {where} must be an integer, got {value!r}")
    return value


def _optional_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where)


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise SeedError(f"seed: {where} must be a non-empty string, got {value!r}")
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SeedError(f"seed: {where} must be a list of strings")
    return list(value)


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise SeedError(f"seed: {where} must be an ISO-8601 timestamp, got {value!r}")
    try:
        return parse_time(value)
    except ValueError as exc:
        raise SeedError(f"seed: {where} is not an ISO-8601 timestamp: {value!r}") from exc
