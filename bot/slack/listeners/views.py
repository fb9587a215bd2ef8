"""The modal's submission: format problems inline; otherwise the preview goes into a thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.fixes import Fixes
from bot.slack import blocks, flows
from bot.slack.modal_state import parse_submission
from bot.slack.replies import Where
from bot.slack.values import decode_context


def register(app: App, fixes: Fixes) -> None:
    def submitted(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        view = body.get("view") or {}
        state = (view.get("state") or {}).get("values") or {}
        request = parse_submission(state, fixes.parse)
        if isinstance(request, dict):
            ack(response_action="errors", errors=request)
            return
        ack()
        user = str((body.get("user") or {}).get("id") or "")
        context = decode_context(view.get("private_metadata"))
        flows.begin("view_submission", user, context.request_id if context else None)
        where = Where(
            user=user,
            channel=context.channel if context else None,
            thread_ts=context.thread_ts if context else None,
            response_url=context.response_url if context else None,
        )
        flows.preview_into(client, fixes, where, request)

    app.view(blocks.MODAL_CALLBACK)(submitted)
