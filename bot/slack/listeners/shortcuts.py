"""The message shortcut: any message holding a ticket link or id opens the modal for it."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.access import TRIGGER_WAIT, Access
from bot.slack.conversation import Conversation
from bot.slack.message_text import message_text
from bot.slack.opening import acknowledge
from bot.slack.turn import Turn

CALLBACK = "partner_fix_message"
NO_TICKET = (
    "That message has no Zendesk ticket link or id (such as #123456 or a "
    "…zendesk.com/agent/tickets/123456 link). Nothing was done."
)


def open_form(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    """After the ack (gated, on the opener's pool): the modal for the message's first ticket;
    the preview will go into the message's thread."""
    turn = Turn.of(body, "shortcut").begin()
    refs = conversation.fixes.find(message_text(body.get("message") or {}))
    if not refs:
        conversation.tell(client, turn.note_where, blocks.notice(NO_TICKET))
        return
    note = None
    if len(refs) > 1:
        others = ", ".join(f"#{r.id}" for r in refs[1:6])
        note = f"The message names {len(refs)} tickets; this is the first (others: {others})."
    conversation.open(client, turn, str(refs[0].id), note=note)


def register(app: App, conversation: Conversation, access: Access) -> None:
    opening = access.gate(partial(open_form, conversation), TRIGGER_WAIT)
    app.shortcut(CALLBACK)(partial(acknowledge, conversation.opener, opening))
