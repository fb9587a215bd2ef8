"""The bot's own record of a correction, in the audit Zendesk writes for its one update.

Written as the ticket's `metadata` (Zendesk keeps it in the audit's `metadata.custom`), within
Zendesk's documented 1 KB whatever the data; read back only from audits whose author is the bot's
own Zendesk user, because any API client can write `metadata.custom`. Values that may be long
(the Organization Email the partner typed) are taken back from the audit's own Change events,
which Zendesk writes whole.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.planning import Correction, Plan
from bot.domain.scenarios import Scenario
from bot.ports import Recorded, Trace

METADATA_KEY = "partner_fix"
# Zendesk documents 1 KB for custom audit metadata; counted as the JSON text zenpy sends, whose
# \u escapes are never shorter than the UTF-8 bytes.
MAX_METADATA_BYTES = 1024
_CUT = "…"


def metadata_size(metadata: dict[str, Any]) -> int:
    return max(
        len(json.dumps(metadata).encode()),
        len(json.dumps(metadata, ensure_ascii=False).encode()),
    )


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + _CUT


def metadata_for(plan: Plan, trace: Trace, undoes: str | None = None) -> dict[str, Any]:
    """The `metadata` of the one update: who asked, and what it changes, within 1 KB.

    Free text (the Organization Email's values, who asked) is shortened step by step until it
    fits; the correction's ids never are.
    """
    correction = plan.correction

    def build(text_limit: int | None, keep_email: bool) -> dict[str, Any]:
        c = correction
        cut: list[str] = []
        if c.org_email:
            pair = tuple(
                None if not keep_email else _cut(v, text_limit) if text_limit else v
                for v in c.org_email
            )
            if pair != c.org_email:
                cut.append("org_email")  # undo takes the whole values from the Change event
            c = c.model_copy(update={"org_email": pair})
        record: dict[str, Any] = {
            "version": 2,
            "action": "undo" if plan.undo else "fix",
            "scenario": plan.scenario.value,
            "request_id": trace.request_id,
            "requested_by": _cut(trace.requested_by, text_limit or 10_000),
            "slack_user": trace.slack_user,
            "slack_team": trace.slack_team,
            "correction": c.model_dump(mode="json", exclude_none=True),
        }
        if undoes:
            record["undoes"] = undoes
        if cut:
            record["cut"] = cut
        return {METADATA_KEY: {k: v for k, v in record.items() if v is not None}}

    for text_limit, keep in ((None, True), (200, True), (80, True), (80, False), (24, False)):
        metadata = build(text_limit, keep)
        if metadata_size(metadata) <= MAX_METADATA_BYTES:
            return metadata
    raise ValueError("the correction record does not fit Zendesk's 1 KB of audit metadata")


def recorded(audit: Any, org_email_field: int, author_id: int) -> Recorded | None:
    """The bot's correction in `audit`, or None when the audit holds none or is not the bot's."""
    if _plain(getattr(audit, "author_id", None)) != author_id:
        return None
    metadata = _plain(getattr(audit, "metadata", None))
    custom = metadata.get("custom") if isinstance(metadata, dict) else None
    mine = custom.get(METADATA_KEY) if isinstance(custom, dict) else None
    if not isinstance(mine, dict) or "correction" not in mine:
        return None
    try:
        correction = Correction.model_validate(mine["correction"])
        scenario = Scenario(str(mine.get("scenario")))
    except ValueError:
        # Not written by this version of the bot, or edited: not something to undo blindly.
        return None
    events = _plain(getattr(audit, "events", None))
    if correction.org_email:
        # Zendesk's own record of the field's change is whole; the metadata's copy may have been
        # shortened to fit 1 KB (or a Slack button).
        change = _change(events, str(org_email_field))
        if change is not None:
            correction = correction.model_copy(
                update={"org_email": (change.get("previous_value") or None, change.get("value"))}
            )
        elif "org_email" in (mine.get("cut") or ()):
            return None  # the whole previous value is nowhere: this cannot be reversed
    return Recorded(
        action=str(mine.get("action", "fix")),
        scenario=scenario,
        correction=correction,
        requested_by=str(mine.get("requested_by") or "someone"),
        created_at=str(getattr(audit, "created_at", "") or ""),
        request_id=str(mine.get("request_id") or ""),
        undoes=str(mine["undoes"]) if mine.get("undoes") else None,
    )


def _change(events: Any, field_name: str) -> dict[str, Any] | None:
    for event in events if isinstance(events, list) else []:
        if (
            isinstance(event, dict)
            and event.get("type") == "Change"
            and str(event.get("field_name")) == field_name
        ):
            return event
    return None


def _plain(value: Any) -> Any:
    """zenpy wraps nested JSON in its own objects; get plain dicts back."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return _plain(to_dict())
    return {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_") and k != "api"}
