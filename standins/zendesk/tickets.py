"""`PUT /api/v2/tickets/{id}.json`: Zendesk's update rules, including the inconvenient ones.

Everything is validated before anything changes, so a refused update (409, 422) leaves no trace;
a successful one bumps `updated_at` and appends one audit whose events describe the change.
Faithful quirks the bot must cope with:
- changing only `requester_id` keeps the old `organization_id` (Zendesk does not reliably
  re-derive it), and that kept organization must still be one of the new requester's;
- a `requester` object without a known email creates a new, email-less end user;
- an unknown `user_email` in `email_ccs` creates a new end user.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from standins.zendesk.errors import (
    JsonDict,
    bad_request,
    detail,
    record_invalid,
    record_not_found,
    update_conflict,
)
from standins.zendesk.world import (
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    TICKET_TYPES,
    Ticket,
    User,
    World,
    comment_html,
    format_time,
    now_utc,
    parse_time,
)

MAX_METADATA_BYTES = 1024

# Write-only or read-only keys that clients (zenpy among them) send back harmlessly.
_SILENTLY_IGNORED = {
    "id",
    "url",
    "created_at",
    "updated_at",
    "generated_timestamp",
    "description",
    "via",
    "email_cc_ids",
    "follower_ids",
    "is_public",
    "raw_subject",
    "encoded_id",
    "has_incidents",
    "satisfaction_rating",
    "submitter_id",
}
_HANDLED = {
    "requester_id",
    "requester",
    "organization_id",
    "custom_fields",
    "fields",
    "email_ccs",
    "collaborator_ids",
    "additional_collaborators",
    "comment",
    "status",
    "tags",
    "subject",
    "priority",
    "type",
    "assignee_id",
    "ticket_form_id",
    "metadata",
    "safe_update",
    "updated_stamp",
}


@dataclass
class Actor:
    """Who is writing, and the system metadata Zendesk records about the request."""

    user: User
    client: str
    ip_address: str


@dataclass
class _NewUser:
    """A user the update will create once everything validated."""

    name: str
    email: str | None
    user: User | None = None


@dataclass
class _Plan:
    requester: int | _NewUser | None = None
    organization_id: int | None = None
    organization_given: bool = False
    fields: dict[int, Any] = field(default_factory=dict)
    cc_ops: list[tuple[str, int | _NewUser]] = field(default_factory=list)
    cc_replace: list[int] | None = None
    comment: JsonDict | None = None
    scalars: dict[str, Any] = field(default_factory=dict)
    tags: list[str] | None = None
    metadata: JsonDict = field(default_factory=dict)
    stray_users: list[_NewUser] = field(default_factory=list)


@dataclass
class UpdateResult:
    body: JsonDict
    ignored_keys: list[str]


def update_ticket(
    world: World, ticket_id: int, payload: Any, actor: Actor, base: str
) -> UpdateResult:
    """Apply one ticket update; the caller holds `world.lock`."""
    ticket = world.tickets.get(ticket_id)
    if ticket is None:
        raise record_not_found()
    if not isinstance(payload, dict) or not isinstance(payload.get("ticket"), dict):
        raise bad_request("ParameterMissing", "param is missing or the value is empty: ticket")
    changes: JsonDict = payload["ticket"]

    _check_safe_update(ticket, changes)
    if ticket.status == "closed":
        raise record_invalid(
            {"status": [detail("Status: closed prevents ticket update", "ClosedTicket")]}
        )

    plan = _Planner(world, ticket, changes, actor).plan()
    audit = _apply(world, ticket, plan, actor)
    ignored = sorted(set(changes) - _HANDLED - _SILENTLY_IGNORED)
    return UpdateResult({"ticket": world.render_ticket(ticket, base), "audit": audit}, ignored)


def _check_safe_update(ticket: Ticket, changes: JsonDict) -> None:
    # Zendesk documents that safe_update false acts like true: only the key's presence counts,
    # and without an updated_stamp there is nothing to compare.
    if "safe_update" not in changes or changes.get("updated_stamp") is None:
        return
    stamp = changes["updated_stamp"]
    try:
        seen = parse_time(stamp) if isinstance(stamp, str) else None
    except ValueError:
        seen = None
    if seen != ticket.updated_at:
        raise update_conflict()


class _Planner:
    """Reads the requested changes into a _Plan, collecting every validation error."""

    def __init__(self, world: World, ticket: Ticket, changes: JsonDict, actor: Actor) -> None:
        self.world = world
        self.ticket = ticket
        self.changes = changes
        self.actor = actor
        self.errors: dict[str, list[JsonDict]] = {}
        self.result = _Plan()

    def fail(self, key: str, description: str, error: str = "InvalidValue") -> None:
        self.errors.setdefault(key, []).append(detail(description, error))

    def plan(self) -> _Plan:
        self._requester()
        self._organization()
        self._custom_fields()
        self._ccs()
        self._comment()
        self._scalars()
        self._metadata()
        if self.errors:
            raise record_invalid(self.errors)
        return self.result

    def _existing_user(self, value: Any, key: str, label: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"{label}: {value!r} is not a user id")
            return None
        if value not in self.world.users:
            self.fail(key, f"{label}: user {value} could not be found")
            return None
        return value

    def _user_by_email(self, address: str, name: str | None) -> int | _NewUser:
        found = self.world.find_user_by_email(address)
        if found is not None:
            return found.id
        return _NewUser(name=name or address.strip().lower(), email=address.strip().lower())

    def _requester(self) -> None:
        changes = self.changes
        from_object: int | _NewUser | None = None
        if "requester" in changes:
            raw = changes["requester"]
            if isinstance(raw, int) and not isinstance(raw, bool):
                from_object = self._existing_user(raw, "requester", "Requester")
            elif isinstance(raw, str) and "@" in raw:
                from_object = self._user_by_email(raw, None)
            elif isinstance(raw, dict):
                email = raw.get("email")
                if isinstance(email, str) and "@" in email:
                    from_object = self._user_by_email(email, raw.get("name"))
                else:
                    # What bites zenpy users: an object without an email (zenpy sends the
                    # user's id and name) becomes a brand-new user with no email at all.
                    name = raw.get("name") if isinstance(raw.get("name"), str) else None
                    from_object = _NewUser(name=name or "Unknown", email=None)
            else:
                self.fail("requester", f"Requester: {raw!r} is invalid")
        if "requester_id" in changes:
            self.result.requester = self._existing_user(
                changes["requester_id"], "requester_id", "Requester"
            )
            # requester_id wins (as the spec says), but a new user named by the object is
            # still created.
            if isinstance(from_object, _NewUser):
                self.result.stray_users.append(from_object)
        else:
            self.result.requester = from_object

    def _new_requester_orgs(self) -> list[int]:
        requester = self.result.requester
        if isinstance(requester, _NewUser):
            return []
        user_id = self.ticket.requester_id if requester is None else requester
        return self.world.organization_ids_of(user_id)

    def _organization(self) -> None:
        changes = self.changes
        org_id = self.ticket.organization_id
        if "organization_id" in changes:
            org_id = changes["organization_id"]
            self.result.organization_given = True
            if org_id is not None and (
                isinstance(org_id, bool)
                or not isinstance(org_id, int)
                or org_id not in self.world.organizations
            ):
                self.fail("organization_id", f"Organization: {org_id!r} could not be found")
                return
        self.result.organization_id = org_id
        touched = {"requester_id", "requester", "organization_id"} & set(changes)
        if touched and org_id is not None and org_id not in self._new_requester_orgs():
            # The kept (or given) organization must be one the requester belongs to; Zendesk
            # refuses the whole update rather than silently fixing it.
            self.fail(
                "organization_id",
                f"Organization: {org_id} is not one of the requester's organizations",
            )

    def _custom_fields(self) -> None:
        for key in ("custom_fields", "fields"):
            if key not in self.changes:
                continue
            entries = self.changes[key]
            if not isinstance(entries, list):
                self.fail(key, "Custom fields: must be a list of {id, value} objects")
                continue
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                    self.fail(key, f"Custom fields: {entry!r} needs an integer id")
                    continue
                # Zendesk ignores ids that are not fields of the account.
                if entry["id"] in self.world.ticket_fields:
                    self.result.fields[entry["id"]] = entry.get("value")

    def _ccs(self) -> None:
        changes = self.changes
        if "collaborator_ids" in changes:
            ids = changes["collaborator_ids"]
            if not isinstance(ids, list):
                self.fail("collaborator_ids", "Collaborators: must be a list of user ids")
            else:
                found = [self._existing_user(i, "collaborator_ids", "Collaborators") for i in ids]
                self.result.cc_replace = [i for i in found if i is not None]
        if "additional_collaborators" in changes:
            extra = changes["additional_collaborators"]
            for item in extra if isinstance(extra, list) else [extra]:
                if isinstance(item, int) and not isinstance(item, bool):
                    user_id = self._existing_user(item, "additional_collaborators", "Collaborators")
                    if user_id is not None:
                        self.result.cc_ops.append(("put", user_id))
                elif isinstance(item, str) and "@" in item:
                    self.result.cc_ops.append(("put", self._user_by_email(item, None)))
                elif isinstance(item, dict) and isinstance(item.get("email"), str):
                    self.result.cc_ops.append(
                        ("put", self._user_by_email(item["email"], item.get("name")))
                    )
                else:
                    self.fail("additional_collaborators", f"Collaborators: {item!r} is invalid")
        if "email_ccs" in changes:
            entries = changes["email_ccs"]
            if not isinstance(entries, list):
                self.fail("email_ccs", "Email CCs: must be a list of objects")
                return
            for entry in entries:
                self._cc_entry(entry)

    def _cc_entry(self, entry: Any) -> None:
        if not isinstance(entry, dict):
            self.fail("email_ccs", f"Email CCs: {entry!r} is not an object")
            return
        action = entry.get("action", "put")
        if action not in ("put", "delete"):
            self.fail("email_ccs", f"Email CCs: action {action!r} must be put or delete")
            return
        if "user_id" in entry:
            user_id = self._existing_user(entry["user_id"], "email_ccs", "Email CCs")
            if user_id is not None:
                self.result.cc_ops.append((action, user_id))
        elif isinstance(entry.get("user_email"), str) and "@" in entry["user_email"]:
            target = self._user_by_email(entry["user_email"], entry.get("user_name"))
            # Deleting an address nobody has is a no-op, not a reason to create a user.
            if action == "put" or isinstance(target, int):
                self.result.cc_ops.append((action, target))
        else:
            self.fail("email_ccs", f"Email CCs: {entry!r} needs user_id or user_email")

    def _comment(self) -> None:
        if "comment" not in self.changes:
            return
        raw = self.changes["comment"]
        if isinstance(raw, str):
            raw = {"body": raw}
        if not isinstance(raw, dict):
            self.fail("comment", "Comment: must be an object", "InvalidValue")
            return
        body = raw.get("body")
        html_body = raw.get("html_body")
        if not (isinstance(body, str) and body.strip()) and not (
            isinstance(html_body, str) and html_body.strip()
        ):
            self.fail("comment", "Comment: cannot be blank", "BlankValue")
            return
        author_id = self.actor.user.id
        if raw.get("author_id") is not None:
            found = self._existing_user(raw["author_id"], "comment", "Comment author")
            author_id = found if found is not None else author_id
        public = raw.get("public", True)
        if not isinstance(public, bool):
            self.fail("comment", "Comment: public must be true or false")
            return
        self.result.comment = {
            "body": body if isinstance(body, str) and body.strip() else html_body,
            "html_body": html_body if isinstance(html_body, str) else None,
            "public": public,
            "author_id": author_id,
        }

    def _scalars(self) -> None:
        changes = self.changes
        choices = {"status": TICKET_STATUSES, "priority": TICKET_PRIORITIES, "type": TICKET_TYPES}
        for key, allowed in choices.items():
            if key in changes:
                value = changes[key]
                nullable = key != "status"
                if value in allowed or (nullable and value is None):
                    self.result.scalars[key] = value
                else:
                    self.fail(key, f"{key.capitalize()}: {value!r} is invalid")
        if "subject" in changes:
            if isinstance(changes["subject"], str):
                self.result.scalars["subject"] = changes["subject"]
            else:
                self.fail("subject", "Subject: must be text")
        if "assignee_id" in changes:
            value = changes["assignee_id"]
            if value is None:
                self.result.scalars["assignee_id"] = None
            else:
                user_id = self._existing_user(value, "assignee_id", "Assignee")
                if user_id is not None and self.world.users[user_id].role == "end-user":
                    self.fail("assignee_id", f"Assignee: user {user_id} is not an agent")
                elif user_id is not None:
                    self.result.scalars["assignee_id"] = user_id
        if "ticket_form_id" in changes:
            value = changes["ticket_form_id"]
            if value is None or value in self.world.ticket_forms:
                self.result.scalars["ticket_form_id"] = value
            else:
                self.fail("ticket_form_id", f"Ticket form: {value!r} could not be found")
        if "tags" in changes:
            tags = changes["tags"]
            if isinstance(tags, str):
                tags = tags.split()
            if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
                self.result.tags = list(dict.fromkeys(t.lower() for t in tags))
            else:
                self.fail("tags", "Tags: must be a list of strings")

    def _metadata(self) -> None:
        if "metadata" not in self.changes:
            return
        raw = self.changes["metadata"]
        if isinstance(raw, dict) and len(json.dumps(raw).encode()) > MAX_METADATA_BYTES:
            # Zendesk documents 1 KB for custom audit metadata; the harsher reading is a refusal.
            self.fail("metadata", "Metadata: is too large (maximum is 1 KB)", "TooLarge")
        elif isinstance(raw, dict):
            self.result.metadata = raw
        elif raw is not None:
            self.fail("metadata", "Metadata: must be an object")


def _apply(world: World, ticket: Ticket, plan: _Plan, actor: Actor) -> JsonDict:
    # One second resolution makes two fast updates share a timestamp, which would let a stale
    # updated_stamp pass the safe_update check; max(now, previous + 1 s) keeps them apart.
    moment = max(now_utc(), ticket.updated_at + timedelta(seconds=1))
    audit_id = world.new_audit_id()
    events: list[JsonDict] = []

    def materialize(target: int | _NewUser) -> int:
        if isinstance(target, int):
            return target
        if target.user is None:
            existing = world.find_user_by_email(target.email) if target.email else None
            target.user = existing or world.create_end_user(target.name, target.email, moment)
        return target.user.id

    def change(name: str, before: Any, after: Any) -> None:
        if before != after:
            events.append(
                {
                    "id": world.new_event_id(),
                    "type": "Change",
                    "field_name": name,
                    "value": after,
                    "previous_value": before,
                }
            )

    if plan.comment is not None:
        body = plan.comment["body"]
        events.append(
            {
                "id": world.new_event_id(),
                "type": "Comment",
                "author_id": plan.comment["author_id"],
                "body": body,
                "html_body": plan.comment["html_body"] or comment_html(body),
                "plain_body": body,
                "public": plan.comment["public"],
                "attachments": [],
                "audit_id": audit_id,
            }
        )
        ticket.has_public_comment = ticket.has_public_comment or plan.comment["public"]

    for stray in plan.stray_users:
        materialize(stray)
    if plan.requester is not None:
        new_requester = materialize(plan.requester)
        change("requester_id", str(ticket.requester_id), str(new_requester))
        ticket.requester_id = new_requester
    if plan.organization_given or plan.organization_id != ticket.organization_id:
        change("organization_id", _id_text(ticket.organization_id), _id_text(plan.organization_id))
        ticket.organization_id = plan.organization_id

    for name, value in plan.scalars.items():
        before = getattr(ticket, name)
        if name in ("assignee_id", "ticket_form_id"):
            change(name, _id_text(before), _id_text(value))
        else:
            change(name, before, value)
        setattr(ticket, name, value)
    if plan.tags is not None:
        change("tags", list(ticket.tags), list(plan.tags))
        ticket.tags = plan.tags
    for field_id, value in plan.fields.items():
        change(str(field_id), ticket.custom_fields.get(field_id), value)
        ticket.custom_fields[field_id] = value

    previous_ccs = list(ticket.email_cc_ids)
    ccs = list(previous_ccs) if plan.cc_replace is None else list(plan.cc_replace)
    for action, target in plan.cc_ops:
        user_id = materialize(target)
        if action == "put" and user_id not in ccs:
            ccs.append(user_id)
        elif action == "delete" and user_id in ccs:
            ccs.remove(user_id)
    # The requester is never their own CC; Zendesk drops them from the list.
    ccs = [u for u in dict.fromkeys(ccs) if u != ticket.requester_id]
    if ccs != previous_ccs:
        events.append(
            {
                "id": world.new_event_id(),
                "type": "EmailCcChange",
                "previous_email_ccs": [world.cc_label(u) for u in previous_ccs],
                "current_email_ccs": [world.cc_label(u) for u in ccs],
            }
        )
        ticket.email_cc_ids = ccs

    ticket.updated_at = moment
    audit: JsonDict = {
        "id": audit_id,
        "ticket_id": ticket.id,
        "created_at": format_time(moment),
        "author_id": actor.user.id,
        "metadata": {
            "system": {
                "client": actor.client,
                "ip_address": actor.ip_address,
                "location": "Loopback, Sandbox",
                "latitude": 0.0,
                "longitude": 0.0,
            },
            "custom": plan.metadata,
        },
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
        "events": events,
    }
    world.audits.setdefault(ticket.id, []).append(audit)
    return _copy(audit)


def _id_text(value: int | None) -> str | None:
    # Audit events carry ids as strings, like the rest of Zendesk's Change values.
    return None if value is None else str(value)


def _copy(value: JsonDict) -> JsonDict:
    return copy.deepcopy(value)


__all__ = ["Actor", "UpdateResult", "update_ticket"]
