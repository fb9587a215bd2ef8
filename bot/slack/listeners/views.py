"""The modal's submission: format problems inline; otherwise the preview goes into a thread."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.planning import FixRequest
from bot.fixes import Fixes
from bot.slack import blocks, replies
from bot.slack.access import Access, LazyFunction
from bot.slack.conversation import Conversation
from bot.slack.modal_state import Errors, parse_submission
from bot.slack.turn import Turn, note_where_of


def read(fixes: Fixes, body: dict[str, Any], learn: bool) -> FixRequest | Errors:
    state = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    return parse_submission(state, lambda text: fixes.parse(text, learn=learn))


def acknowledge(
    conversation: Conversation,
    preview: LazyFunction,
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
) -> None:
    """The ack: the form's problems inline, or empty and the preview handed over."""
    request = read(conversation.fixes, body, learn=False)  # pure: no I/O before the ack
    if isinstance(request, dict):
        ack(response_action="errors", errors=request)
    else:
        ack()
        # The body as it is, not Bolt's lazy copy of it (bot/slack/handoff.py).
        conversation.handoff.later(preview, body, client)


def preview(conversation: Conversation, body: dict[str, Any], client: WebClient) -> None:
    """After the ack (gated): the preview into the modal's thread."""
    # Read again, now allowed to ask Zendesk which instance a link is on.
    request = read(conversation.fixes, body, learn=True)
    if isinstance(request, dict):
        problem = " ".join(request.values())
        notice = blocks.notice(f":warning: {blocks.escape(problem)}")
        replies.tell(client, note_where_of(body), notice)
        return
    turn = Turn.of(body, "view_submission").begin()
    conversation.preview(
        client, turn, request, alert_ts=turn.opened.alert_ts if turn.opened else None
    )


def register(app: App, conversation: Conversation, access: Access) -> None:
    previewing = access.gate(partial(preview, conversation))
    app.view(blocks.MODAL_CALLBACK)(partial(acknowledge, conversation, previewing))
