"""`/partner-fix [ticket]`: open the modal at once; `/partner-fix help`: usage, ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.fixes import Fixes
from bot.slack import blocks, flows
from bot.slack.access import TRIGGER_WAIT, Access
from bot.slack.opening import Opener
from bot.slack.sharing import Rooms
from bot.slack.values import ModalContext
from bot.slack.work import Work

COMMAND = "/partner-fix"
HELP_WORDS = {"help", "-h", "--help", "?", "usage"}


def _text(body: dict[str, Any]) -> str:
    return str(body.get("text") or "").strip()


def register(
    app: App, fixes: Fixes, work: Work, access: Access, rooms: Rooms, opener: Opener
) -> None:
    def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        if _text(body).lower() in HELP_WORDS:
            ack(text=blocks.HELP)
            return
        ack()
        # Not a Bolt lazy function: those share one pool with every chat.* call.
        opener.later(gated_open_form, body, client)

    def open_form(body: dict[str, Any], client: WebClient) -> None:
        text = _text(body)
        user = str(body.get("user_id") or "")
        context = ModalContext(
            channel=body.get("channel_id"),
            response_url=body.get("response_url"),
            user=user,
            request_id=flows.begin("command", user),
        )
        flows.open_modal(client, fixes, work, str(body.get("trigger_id") or ""), context, text)

    gated_open_form = access.gate(open_form, TRIGGER_WAIT)
    app.command(COMMAND)(acknowledge)
