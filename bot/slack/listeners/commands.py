"""`/partner-fix [ticket]`: open the modal at once; `/partner-fix help`: usage, ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.fixes import Fixes
from bot.slack import blocks, flows
from bot.slack.values import ModalContext

COMMAND = "/partner-fix"
HELP_WORDS = {"help", "-h", "--help", "?", "usage"}


def register(app: App, fixes: Fixes) -> None:
    def partner_fix(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        text = str(body.get("text") or "").strip()
        if text.lower() in HELP_WORDS:
            ack(text=blocks.HELP)
            return
        ack()
        user = str(body.get("user_id") or "")
        context = ModalContext(
            channel=body.get("channel_id"),
            response_url=body.get("response_url"),
            user=user,
            request_id=flows.begin("command", user),
        )
        flows.open_modal(client, fixes, str(body.get("trigger_id") or ""), context, text)

    app.command(COMMAND)(partner_fix)
