"""The buttons: Apply and Cancel on the preview, Undo on the summary, another organization,
and Try again after a failed preview. Each acks at once and hands the body over as it is
(bot/slack/handoff.py); the functions below run after the ack, gated."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.access import Access
from bot.slack.conversation import BROKEN, Conversation
from bot.slack.turn import Turn
from bot.slack.values import decode_apply, decode_ticket

__all__ = ["BROKEN", "apply", "cancel", "preview_again", "register", "undo"]


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def apply(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    carried = decode_apply(_value(body))
    turn = Turn.of(body, "apply", carried.request_id if carried else None).begin()
    conversation.apply(client, turn, carried)


def cancel(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    carried = decode_ticket(_value(body))
    turn = Turn.of(body, "cancel", carried.request_id if carried else None).begin()
    conversation.cancel(client, turn, carried)


def undo(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    carried = decode_ticket(_value(body))
    turn = Turn.of(body, "undo", carried.request_id if carried else None).begin()
    conversation.undo(client, turn, carried)


def preview_again(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    """Another organization picked, or Try again after a failure: preview anew in place."""
    carried = decode_ticket(_value(body))
    turn = Turn.of(body, "preview_again", carried.request_id if carried else None).begin()
    conversation.preview_again(client, turn, carried)


def register(app: App, conversation: Conversation, access: Access) -> None:
    # Acked, then handed over with the body as it is: not Bolt's lazy functions, which parse
    # and deep-copy the whole payload again before the answer (bot/slack/handoff.py).
    acking = conversation.handoff.acking
    app.action(blocks.APPLY)(acking(access.gate(partial(apply, conversation))))
    app.action(blocks.CANCEL)(acking(access.gate(partial(cancel, conversation))))
    app.action(blocks.UNDO)(acking(access.gate(partial(undo, conversation))))
    app.action(re.compile(f"^({blocks.PICK_ORG}_\\d+|{blocks.RETRY})$"))(
        acking(access.gate(partial(preview_again, conversation)))
    )
