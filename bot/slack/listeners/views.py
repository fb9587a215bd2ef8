"""The modal's submission: format problems inline; otherwise the preview goes into a thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.planning import FixRequest
from bot.fixes import Fixes
from bot.slack import blocks, flows, replies
from bot.slack.access import Access
from bot.slack.handoff import Handoff
from bot.slack.modal_state import Errors, parse_submission
from bot.slack.replies import Where
from bot.slack.sharing import Rooms
from bot.slack.values import decode_context
from bot.slack.work import Work


def register(
    app: App, fixes: Fixes, work: Work, access: Access, rooms: Rooms, handoff: Handoff
) -> None:
    def read(body: dict[str, Any], learn: bool) -> FixRequest | Errors:
        state = ((body.get("view") or {}).get("state") or {}).get("values") or {}
        return parse_submission(state, lambda text: fixes.parse(text, learn=learn))

    def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        request = read(body, learn=False)  # pure: no I/O before the ack
        if isinstance(request, dict):
            ack(response_action="errors", errors=request)
        else:
            ack()
            # The body as it is, not Bolt's lazy copy of it (bot/slack/handoff.py).
            handoff.later(gated_preview, body, client)

    def preview(body: dict[str, Any], client: WebClient) -> None:
        view = body.get("view") or {}
        # Read again, now allowed to ask Zendesk which instance a link is on.
        request = read(body, learn=True)
        if isinstance(request, dict):
            context = decode_context(view.get("private_metadata"))
            where = Where(
                user=str((body.get("user") or {}).get("id") or ""),
                channel=context.channel if context else None,
                response_url=context.response_url if context else None,
            )
            problem = " ".join(request.values())
            replies.tell(client, where, blocks.notice(f":warning: {blocks.escape(problem)}"))
            return
        user = str((body.get("user") or {}).get("id") or "")
        context = decode_context(view.get("private_metadata"))
        flows.begin("view_submission", user, context.request_id if context else None)
        where = Where(
            user=user,
            channel=context.channel if context else None,
            thread_ts=context.thread_ts if context else None,
            response_url=context.response_url if context else None,
        )
        flows.preview_into(client, fixes, work, rooms, where, request)

    gated_preview = access.gate(preview)
    app.view(blocks.MODAL_CALLBACK)(acknowledge)
