"""The buttons: Apply and Cancel on the preview, Undo on the summary, another organization,
and Try again after a failed preview. Each acks at once and hands the body over as it is
(bot/slack/handoff.py); the functions below run after the ack, gated."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.access import Access
from bot.slack.conversation import BROKEN, Conversation
from bot.slack.turn import Turn, button_value
from bot.slack.values import ApplyValue, TicketValue, decode_apply, decode_ticket

__all__ = ["BROKEN", "apply", "cancel", "preview_again", "register", "undo"]


Carried = TypeVar("Carried", ApplyValue, TicketValue)


def _clicked(
    body: dict[str, Any], surface: str, decode: Callable[[str], Carried | None]
) -> tuple[Turn, Carried | None]:
    """The click's turn, under the request id its button carries, and the button's value
    (None when damaged)."""
    carried = decode(button_value(body))
    return Turn.of(body, surface, carried.request_id if carried else None).begin(), carried


def apply(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    conversation.apply(client, *_clicked(body, "apply", decode_apply))


def cancel(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    conversation.cancel(client, *_clicked(body, "cancel", decode_ticket))


def undo(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    conversation.undo(client, *_clicked(body, "undo", decode_ticket))


def preview_again(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    """Another organization picked, or Try again after a failure: preview anew in place."""
    conversation.preview_again(client, *_clicked(body, "preview_again", decode_ticket))


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
