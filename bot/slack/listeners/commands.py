"""`/partner-fix [ticket]`: open the modal at once; `/partner-fix help`: usage, ephemerally."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack import blocks, opening
from bot.slack.access import TRIGGER_WAIT, Access, LazyFunction
from bot.slack.conversation import Conversation
from bot.slack.opening import Opener
from bot.slack.turn import Turn

COMMAND = "/partner-fix"
HELP_WORDS = {"help", "-h", "--help", "?", "usage"}


def _text(body: dict[str, Any]) -> str:
    return str(body.get("text") or "").strip()


def acknowledge(
    opener: Opener, open_form: LazyFunction, ack: Ack, body: dict[str, Any], client: WebClient
) -> None:
    """The ack: the help text in it, or empty and the opening handed to the modal's pool."""
    if _text(body).lower() in HELP_WORDS:
        ack(text=blocks.HELP)
        return
    opening.acknowledge(opener, open_form, ack, body, client)


def open_form(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    """After the ack (gated, on the opener's pool): open the modal for the command's text."""
    turn = Turn.of(body, "command").begin()
    conversation.open(client, turn, _text(body))


def register(app: App, conversation: Conversation, access: Access) -> None:
    gated = access.gate(partial(open_form, conversation), TRIGGER_WAIT)
    app.command(COMMAND)(partial(acknowledge, conversation.opener, gated))
