"""Review on an alert: opens the modal for the alert's ticket, as the slash command does, and
the preview, Apply, summary and Undo go into the alert's thread."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.access import TRIGGER_WAIT, Access
from bot.slack.alert_blocks import REVIEW
from bot.slack.conversation import Conversation
from bot.slack.opening import acknowledge
from bot.slack.turn import Turn, button_value
from bot.slack.values import decode_ticket

BROKEN = (
    "That alert's button is damaged or from an older version of the bot. Nothing was changed: "
    "run /partner-fix with the ticket instead."
)


def open_form(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    """After the ack (gated, on the opener's pool): the modal for the alert's ticket."""
    turn = Turn.of(body, "review").begin()
    carried = decode_ticket(button_value(body))
    if carried is None or not turn.ts:
        conversation.tell(client, turn.note_where, blocks.notice(BROKEN))
        return
    conversation.open(client, turn, str(carried.ticket_id), alert_ts=turn.ts)


def register(app: App, conversation: Conversation, access: Access) -> None:
    opening = access.gate(partial(open_form, conversation), TRIGGER_WAIT)
    app.action(REVIEW)(partial(acknowledge, conversation.opener, opening))
