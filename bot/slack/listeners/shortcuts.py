"""The message shortcut: any message holding a ticket link or id opens the modal for it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.fixes import Fixes
from bot.slack import blocks, flows, replies
from bot.slack.access import TRIGGER_WAIT, Access
from bot.slack.message_text import message_text
from bot.slack.opening import Opener
from bot.slack.replies import Where
from bot.slack.sharing import Rooms
from bot.slack.values import ModalContext
from bot.slack.work import Work

CALLBACK = "partner_fix_message"
NO_TICKET = (
    "That message has no Zendesk ticket link or id (such as #123456 or a "
    "…zendesk.com/agent/tickets/123456 link). Nothing was done."
)


def register(
    app: App, fixes: Fixes, work: Work, access: Access, rooms: Rooms, opener: Opener
) -> None:
    def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        # Not a Bolt lazy function: those share one pool with every chat.* call.
        opener.later(gated_open_form, body, client)

    def open_form(body: dict[str, Any], client: WebClient) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        user = str((body.get("user") or {}).get("id") or "")
        rid = flows.begin("shortcut", user)
        # The preview goes into the message's thread: its own, or the one it is a reply in.
        thread_ts = message.get("thread_ts") or message.get("ts") or body.get("message_ts")
        refs = fixes.find(message_text(message))
        if not refs:
            where = Where(user=user, channel=channel, response_url=body.get("response_url"))
            work.later(replies.tell, client, where, blocks.notice(NO_TICKET))
            return
        note = None
        if len(refs) > 1:
            others = ", ".join(f"#{r.id}" for r in refs[1:6])
            note = f"The message names {len(refs)} tickets; this is the first (others: {others})."
        context = ModalContext(
            channel=channel,
            thread_ts=thread_ts,
            response_url=body.get("response_url"),
            user=user,
            note=note,
            request_id=rid,
        )
        trigger = str(body.get("trigger_id") or "")
        flows.open_modal(client, fixes, work, trigger, context, str(refs[0].id))

    gated_open_form = access.gate(open_form, TRIGGER_WAIT)
    app.shortcut(CALLBACK)(acknowledge)
