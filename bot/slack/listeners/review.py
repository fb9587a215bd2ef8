"""Review on an alert: opens the modal for the alert's ticket, as the slash command does, and
the preview, Apply, summary and Undo go into the alert's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.fixes import Fixes
from bot.slack import blocks, flows, replies
from bot.slack.access import TRIGGER_WAIT, Access
from bot.slack.alert_blocks import REVIEW
from bot.slack.flows import Work
from bot.slack.opening import Opener
from bot.slack.replies import Where
from bot.slack.sharing import Rooms
from bot.slack.values import ModalContext, decode_ticket

BROKEN = (
    "That alert's button is damaged or from an older version of the bot. Nothing was changed: "
    "run /partner-fix with the ticket instead."
)


def register(
    app: App, fixes: Fixes, work: Work, access: Access, rooms: Rooms, opener: Opener
) -> None:
    def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        # The trigger dies in 3 s: the opening gets a pool of its own (bot/slack/opening.py).
        opener.later(gated_open_form, body, client)

    def open_form(body: dict[str, Any], client: WebClient) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        channel = (body.get("channel") or {}).get("id")
        container = body.get("container") or {}
        alert_ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
        actions = body.get("actions") or [{}]
        carried = decode_ticket(str(actions[0].get("value") or ""))
        rid = flows.begin("review", user)
        if carried is None or not alert_ts:
            where = Where(user=user, channel=channel, response_url=body.get("response_url"))
            work.later(replies.tell, client, where, blocks.notice(BROKEN))
            return
        context = ModalContext(
            channel=channel,
            thread_ts=alert_ts,
            response_url=body.get("response_url"),
            user=user,
            request_id=rid,
            alert_ts=alert_ts,
        )
        trigger = str(body.get("trigger_id") or "")
        flows.open_modal(client, fixes, work, trigger, context, str(carried.ticket_id))

    gated_open_form = access.gate(open_form, TRIGGER_WAIT)
    app.action(REVIEW)(acknowledge)
