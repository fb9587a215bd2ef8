"""What rides in button values and modal private_metadata, so no server keeps state.

Any instance can serve any click: Apply carries the previewed plan (with the `updated_at` stamp
that safe_update checks), Undo carries only the ticket id (the audit trail knows the rest).
Slack signs every payload, so these come back exactly as the bot wrote them.
"""

from __future__ import annotations

import base64
import json
import zlib

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.planning import Change, FixRequest, Plan

MAX_BUTTON_VALUE = 2000
MAX_PRIVATE_METADATA = 3000
# A packed value can't unpack into more than this: a forged value can't exhaust memory.
MAX_UNPACKED = 64 * 1024


class Carried(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModalContext(Carried):
    """Where the modal came from, so the preview can go to the right thread."""

    channel: str | None = None
    # The shortcut's message (its thread), or None for the slash command (the bot opens one).
    thread_ts: str | None = None
    response_url: str | None = None
    user: str
    # Shown in the modal: "the message names several tickets; this is the first".
    note: str | None = None
    # Follows one fix from the command to the write, in logs and in the ticket's audit.
    request_id: str | None = None
    # Opened from an alert (its Review button): the alert's ts, marked reviewed once applied.
    alert_ts: str | None = None


class ApplyValue(Carried):
    request: FixRequest
    plan: Plan
    request_id: str | None = None
    alert_ts: str | None = None


class TicketValue(Carried):
    ticket_id: int
    request: FixRequest | None = None
    request_id: str | None = None
    # Try again / another organization in an alert's thread: the alert, to mark it reviewed.
    alert_ts: str | None = None


def encode_context(context: ModalContext) -> str:
    text = context.model_dump_json(exclude_none=True)
    if len(text) > MAX_PRIVATE_METADATA:
        text = context.model_copy(update={"note": None}).model_dump_json(exclude_none=True)
    return text


def decode_context(text: str | None) -> ModalContext | None:
    try:
        return ModalContext.model_validate_json(text or "")
    except ValidationError:
        return None


def _shorten(plan: Plan, limit: int) -> Plan:
    """The same plan with its descriptive words cut, for a button value that must stay small."""

    def cut(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    changes = tuple(
        Change(field=c.field, label=c.label, before=cut(c.before), after=cut(c.after))
        for c in plan.changes
    )
    correction = plan.correction
    if correction.org_email:
        # The field's old value is free text a partner typed; undo takes it whole from
        # Zendesk's audit, so the copy riding in the button may be cut.
        before, after = correction.org_email
        if before:
            correction = correction.model_copy(update={"org_email": (cut(before), after)})
    return plan.model_copy(
        update={
            "correction": correction,
            "changes": changes,
            "notes": (),
            "organization_choices": (),
            "subscription": cut(plan.subscription),
            "contact": cut(plan.contact),
        }
    )


def _pack(json_text: str) -> str:
    # Compressed and base64url-encoded: smaller, and text from Zendesk (say `<!channel>` typed into
    # a field) never appears raw in anything the bot posts, not even in a button's value.
    return base64.urlsafe_b64encode(zlib.compress(json_text.encode(), 9)).decode()


def _unpack(value: str) -> str:
    inflate = zlib.decompressobj()
    data = inflate.decompress(base64.urlsafe_b64decode(value.encode()), MAX_UNPACKED)
    if inflate.unconsumed_tail:
        raise ValueError("packed value too large")
    return data.decode()


def encode_apply(
    request: FixRequest, plan: Plan, request_id: str | None = None, alert_ts: str | None = None
) -> str:
    for limit in (200, 80, 30):
        carried = ApplyValue(
            request=request, plan=_shorten(plan, limit), request_id=request_id, alert_ts=alert_ts
        )
        value = _pack(carried.model_dump_json(exclude_defaults=True))
        if len(value) <= MAX_BUTTON_VALUE:
            return value
    raise ValueError("plan too large for a button value")


def decode_apply(value: str | None) -> ApplyValue | None:
    try:
        return ApplyValue.model_validate_json(_unpack(value or ""))
    except (ValidationError, ValueError, zlib.error, UnicodeDecodeError):
        return None


def encode_ticket(
    ticket_id: int,
    request: FixRequest | None = None,
    request_id: str | None = None,
    alert_ts: str | None = None,
) -> str:
    value = TicketValue(
        ticket_id=ticket_id, request=request, request_id=request_id, alert_ts=alert_ts
    )
    return value.model_dump_json(exclude_none=True)


def decode_ticket(text: str | None) -> TicketValue | None:
    try:
        return TicketValue.model_validate_json(text or "")
    except (ValidationError, json.JSONDecodeError):
        return None
