"""`PUT /api/v2/tickets/{id}.json`: Zendesk's update rules, including the inconvenient ones.

The changes are made to a copy of the ticket and kept only when all of them are valid, so a
refused update (409, 422) leaves no trace; a successful one bumps `updated_at` and appends one
audit whose events are the differences. Only what the bot writes is applied (requester,
organization, custom fields, email CCs, a comment, metadata); the ticket's other attributes are
dropped as unwritable. Faithful quirks the bot must cope with:
- changing only `requester_id` keeps the old `organization_id` (Zendesk does not reliably
  re-derive it), and that kept organization must still be one of the new requester's;
- a `requester` object without a known email creates a new, email-less end user.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from standins.zendesk.errors import ApiError, JsonDict, bad_request, detail, record_invalid
from standins.zendesk.world import Ticket, User, World, id_text, now_utc, parse_time

MAX_METADATA_BYTES = 1024

# What an update's audit reports as a Change when it differs, in the order Zendesk lists them.
_TRACKED = ("requester_id", "organization_id")


@dataclass
class Actor:
    """Who is writing, and the system metadata Zendesk records about the request."""

    user: User
    client: str
    ip_address: str


def update_ticket(world: World, ticket_id: int, payload: Any, actor: Actor, base: str) -> JsonDict:
    """Apply one ticket update (keys it does not read are dropped, as Zendesk drops keys it does
    not accept); the caller holds `world.lock`."""
    ticket = world.tickets.get(ticket_id)
    if ticket is None:
        raise ApiError(404)
    if not isinstance(payload, dict) or not isinstance(payload.get("ticket"), dict):
        raise bad_request("ParameterMissing", "param is missing or the value is empty: ticket")
    changes: JsonDict = payload["ticket"]
    _check_safe_update(ticket, changes)
    if ticket.status == "closed":
        raise record_invalid(
            {"status": [detail("Status: closed prevents ticket update", "ClosedTicket")]}
        )
    update = _Update(world, ticket, actor)
    for key, read in _READERS.items():
        if key in changes:
            read(update, changes[key], key)
        if key == "organization_id":
            update.check_organization(set(changes))
    if update.errors:
        raise record_invalid(update.errors)
    audit = update.commit()
    return {"ticket": world.render_ticket(update.new, base), "audit": audit}


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
        raise ApiError(409)


@dataclass
class _Update:
    """The requested changes made to a copy of the ticket (`new`), with every validation error;
    users to create wait in `new_users` (their ids reserved) until the update is kept."""

    world: World
    ticket: Ticket
    actor: Actor
    new: Ticket = field(init=False)
    errors: dict[str, list[JsonDict]] = field(default_factory=dict)
    new_users: list[tuple[str, str | None]] = field(default_factory=list)
    fields: dict[int, Any] = field(default_factory=dict)
    note: tuple[str, bool] | None = None  # the comment: its body, and whether it is public
    custom: JsonDict = field(default_factory=dict)  # the audit's metadata

    def __post_init__(self) -> None:
        self.new = self.ticket.model_copy(deep=True)

    def fail(self, key: str, description: str, error: str = "InvalidValue") -> None:
        self.errors.setdefault(key, []).append(detail(description, error))

    def existing_user(self, value: Any, key: str, label: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"{label}: {value!r} is not a user id")
        elif value not in self.world.users:
            self.fail(key, f"{label}: user {value} could not be found")
        else:
            return value
        return None

    def new_user(self, name: str, email: str | None) -> int:
        """The id the user will have once created."""
        self.new_users.append((name, email))
        return self.world.next_user_id + len(self.new_users) - 1

    def user_by_email(self, address: str, name: str | None) -> int:
        email = address.strip().lower()
        found = self.world.find_user_by_email(email)
        if found is not None:
            return found.id
        waiting = [i for i, (_, e) in enumerate(self.new_users) if e == email]
        return (
            self.world.next_user_id + waiting[0] if waiting else self.new_user(name or email, email)
        )

    def requester(self, raw: Any, key: str) -> None:
        if isinstance(raw, int) and not isinstance(raw, bool):
            user_id = self.existing_user(raw, key, "Requester")
        elif isinstance(raw, dict) and isinstance(raw.get("email"), str) and "@" in raw["email"]:
            user_id = self.user_by_email(raw["email"], raw.get("name"))
        elif isinstance(raw, dict):
            # What bites zenpy users: an object without an email (zenpy sends the user's id and
            # name) becomes a brand-new user with no email at all, even when requester_id wins.
            name = raw.get("name") if isinstance(raw.get("name"), str) else None
            user_id = self.new_user(name or "Unknown", None)
        else:
            self.fail(key, f"Requester: {raw!r} is invalid")
            return
        if user_id is not None:
            self.new.requester_id = user_id

    def requester_id(self, raw: Any, key: str) -> None:
        user_id = self.existing_user(raw, key, "Requester")
        if user_id is not None:
            self.new.requester_id = user_id

    def organization_id(self, org_id: Any, key: str) -> None:
        if org_id is not None and (
            isinstance(org_id, bool)
            or not isinstance(org_id, int)
            or org_id not in self.world.organizations
        ):
            self.fail(key, f"Organization: {org_id!r} could not be found")
        else:
            self.new.organization_id = org_id

    def check_organization(self, keys: set[str]) -> None:
        # The kept (or given) organization must be one the requester belongs to; Zendesk
        # refuses the whole update rather than silently fixing it.
        org_id = self.new.organization_id
        touched = {"requester_id", "requester", "organization_id"} & keys
        if not touched or org_id is None or "organization_id" in self.errors:
            return
        if org_id not in self.world.organization_ids_of(self.new.requester_id):
            self.fail(
                "organization_id",
                f"Organization: {org_id} is not one of the requester's organizations",
            )

    def custom_fields(self, entries: Any, key: str) -> None:
        if not isinstance(entries, list):
            self.fail(key, "Custom fields: must be a list of {id, value} objects")
            return
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
                self.fail(key, f"Custom fields: {entry!r} needs an integer id")
            elif entry["id"] in self.world.ticket_fields:  # Zendesk ignores other ids
                self.fields[entry["id"]] = self.new.custom_fields[entry["id"]] = entry.get("value")

    def email_ccs(self, entries: Any, key: str) -> None:
        if not isinstance(entries, list):
            self.fail(key, "Email CCs: must be a list of objects")
            return
        for entry in entries:
            action = entry.get("action", "put") if isinstance(entry, dict) else None
            if not isinstance(entry, dict):
                self.fail(key, f"Email CCs: {entry!r} is not an object")
            elif action not in ("put", "delete"):
                self.fail(key, f"Email CCs: action {action!r} must be put or delete")
            elif "user_id" in entry:
                self.cc(action, self.existing_user(entry["user_id"], key, "Email CCs"))
            else:
                # Zendesk also takes `user_email`; the bot names CCs by id only.
                self.fail(key, f"Email CCs: {entry!r} needs a user_id")

    def cc(self, action: str, user_id: int | None) -> None:
        ccs = self.new.email_cc_ids
        if user_id is not None and action == "put" and user_id not in ccs:
            ccs.append(user_id)
        elif user_id is not None and action == "delete" and user_id in ccs:
            ccs.remove(user_id)

    def comment(self, raw: Any, key: str) -> None:
        raw = {"body": raw} if isinstance(raw, str) else raw
        if not isinstance(raw, dict):
            self.fail(key, "Comment: must be an object")
            return
        body, public = raw.get("body"), raw.get("public", True)
        if not isinstance(body, str) or not body.strip():
            self.fail(key, "Comment: cannot be blank", "BlankValue")
        elif not isinstance(public, bool):
            self.fail(key, "Comment: public must be true or false")
        else:
            self.note = (body, public)

    def metadata(self, raw: Any, key: str) -> None:
        if isinstance(raw, dict) and len(json.dumps(raw).encode()) > MAX_METADATA_BYTES:
            # Zendesk documents 1 KB for custom audit metadata; the harsher reading is a refusal.
            self.fail(key, "Metadata: is too large (maximum is 1 KB)", "TooLarge")
        elif isinstance(raw, dict):
            self.custom = raw
        elif raw is not None:
            self.fail(key, "Metadata: must be an object")

    def commit(self) -> JsonDict:
        """Keep the changes: create the waiting users, write the audit, replace the ticket."""
        world, old, new = self.world, self.ticket, self.new
        # One second resolution makes two fast updates share a timestamp, which would let a
        # stale updated_stamp pass the safe_update check; max(now, previous + 1 s) keeps them
        # apart.
        moment = max(now_utc(), old.updated_at + timedelta(seconds=1))
        for name, email in self.new_users:
            world.create_end_user(name, email, moment)
        system = {
            "client": self.actor.client,
            "ip_address": self.actor.ip_address,
            "location": "Loopback, Sandbox",
            "latitude": 0.0,
            "longitude": 0.0,
        }
        via = {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}}
        audit = world.new_audit(new, self.actor.user.id, moment, system, via)
        audit["metadata"]["custom"] = self.custom
        events = audit["events"]
        if self.note is not None:
            body, public = self.note
            events.append(world.comment_event(audit, self.actor.user.id, body, public))
            new.has_public_comment = old.has_public_comment or public
        changed = [(n, id_text(getattr(old, n)), id_text(getattr(new, n))) for n in _TRACKED]
        changed += [(str(f), old.custom_fields.get(f), v) for f, v in self.fields.items()]
        events += [
            world.event("Change", field_name=name, value=b, previous_value=a)
            for name, a, b in changed
            if a != b
        ]
        # The requester is never their own CC; Zendesk drops them from the list.
        new.email_cc_ids = [u for u in dict.fromkeys(new.email_cc_ids) if u != new.requester_id]
        if new.email_cc_ids != old.email_cc_ids:
            events.append(world.cc_event(old.email_cc_ids, new.email_cc_ids))
        new.updated_at = moment
        world.tickets[new.id] = new
        return copy.deepcopy(audit)


# The keys an update reads, in the order Zendesk checks them (and lists their errors).
_READERS: dict[str, Callable[[_Update, Any, str], None]] = {
    "requester": _Update.requester,
    "requester_id": _Update.requester_id,
    "organization_id": _Update.organization_id,
    "custom_fields": _Update.custom_fields,
    "fields": _Update.custom_fields,
    "email_ccs": _Update.email_ccs,
    "comment": _Update.comment,
    "metadata": _Update.metadata,
}

__all__ = ["Actor", "update_ticket"]
