"""The buttons: Apply and Cancel on the preview, Undo on the summary, another organization,
and Try again after a failed preview."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.domain.planning import FixRequest, Plan, Refusal
from bot.fixes import Done, Failed, Fixes, Stale
from bot.ports import Trace
from bot.slack import blocks, flows, replies
from bot.slack.access import Access
from bot.slack.handoff import Handoff
from bot.slack.replies import Where
from bot.slack.sharing import Rooms
from bot.slack.values import TicketValue, decode_apply, decode_ticket
from bot.slack.work import Work

BROKEN = blocks.notice(
    "That button's data is damaged or from an older version of the bot. Nothing was changed: "
    "run /partner-fix again."
)


def _where(body: dict[str, Any]) -> tuple[Where, str | None]:
    """The thread the clicked message sits in, and the clicked message's ts."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    ts = container.get("message_ts") or message.get("ts")
    where = Where(
        user=str((body.get("user") or {}).get("id") or ""),
        channel=channel,
        thread_ts=container.get("thread_ts") or message.get("thread_ts") or ts,
        response_url=body.get("response_url"),
        ephemeral=bool(container.get("is_ephemeral")),
    )
    return where, ts


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def register(
    app: App, fixes: Fixes, work: Work, access: Access, rooms: Rooms, handoff: Handoff
) -> None:
    def apply(body: dict[str, Any], client: WebClient) -> None:
        where, ts = _where(body)
        carried = decode_apply(_value(body))
        rid = flows.begin("apply", where.user, carried.request_id if carried else None)
        if carried is None:
            replies.tell(client, where, BROKEN)
            return
        preview = list((body.get("message") or {}).get("blocks") or [])
        where, ts = _private(client, rooms, where, ts, "the outcome")
        where, ts = replies.update(client, where, ts, blocks.applying(carried.plan, where.user))
        trace = flows.trace_for(body)
        work.later(
            _apply, client, fixes, where, ts, carried.plan, carried.request, trace, preview, rid
        )

    def cancel(body: dict[str, Any], client: WebClient) -> None:
        where, ts = _where(body)
        carried = decode_ticket(_value(body))
        flows.begin("cancel", where.user, carried.request_id if carried else None)
        ticket_id = carried.ticket_id if carried else 0
        replies.update(client, where, ts, blocks.cancelled(ticket_id, where.user))

    def undo(body: dict[str, Any], client: WebClient) -> None:
        where, ts = _where(body)
        carried = decode_ticket(_value(body))
        flows.begin("undo", where.user, carried.request_id if carried else None)
        if carried is None:
            replies.tell(client, where, BROKEN)
            return
        summary = body.get("message") or {}
        where, ts = _private(client, rooms, where, ts, "what Undo did")
        work.later(_undo, client, fixes, where, ts, carried, flows.trace_for(body), summary)

    def preview_again(body: dict[str, Any], client: WebClient) -> None:
        """Another organization picked, or Try again after a failure: preview anew in place."""
        where, ts = _where(body)
        carried = decode_ticket(_value(body))
        flows.begin("preview_again", where.user, carried.request_id if carried else None)
        if carried is None or carried.request is None:
            replies.tell(client, where, BROKEN)
            return
        flows.preview_into(client, fixes, work, rooms, where, carried.request, ts=ts)

    # Acked, then handed over with the body as it is: not Bolt's lazy functions, which parse
    # and deep-copy the whole payload again before the answer (bot/slack/handoff.py).
    app.action(blocks.APPLY)(handoff.acking(access.gate(apply)))
    app.action(blocks.CANCEL)(handoff.acking(access.gate(cancel)))
    app.action(blocks.UNDO)(handoff.acking(access.gate(undo)))
    app.action(re.compile(f"^({blocks.PICK_ORG}_\\d+|{blocks.RETRY})$"))(
        handoff.acking(access.gate(preview_again))
    )


def _private(
    client: WebClient, rooms: Rooms, where: Where, ts: str | None, what: str
) -> tuple[Where, str | None]:
    """A button clicked in a shared channel (a thread from before it was shared) answers by DM:
    a new message there, since the clicked one stays where it is."""
    routed = rooms.route(client, where, what)
    return (where, ts) if routed is where else (routed, None)


def _apply(
    client: WebClient,
    fixes: Fixes,
    where: Where,
    ts: str | None,
    plan: Plan,
    request: FixRequest,
    trace: Trace,
    preview: list[dict[str, Any]],
    rid: str,
) -> None:
    with flows.outcome_shown(client, where, ts, plan.ticket_id, wrote=True):
        result = fixes.apply(plan, request, trace)
        if isinstance(result, Done):
            replies.update(client, where, ts, blocks.outcome(result, where.user))
            summary = blocks.summary(result, where.user, rid, fixes.large_files_url)
            replies.post(client, where, summary)
        elif isinstance(result, Stale):
            replies.update(client, where, ts, blocks.stale(result, where.user, rid))
        else:
            failure = blocks.failure(result, plan.ticket_id, keep=preview)
            replies.update(client, where, ts, failure)


def _undo(
    client: WebClient,
    fixes: Fixes,
    where: Where,
    ts: str | None,
    carried: TicketValue,
    trace: Trace,
    summary: dict[str, Any],
) -> None:
    # The summary's own correction, named by its request id: never another record.
    ticket_id = carried.ticket_id
    with flows.outcome_shown(client, where, None, ticket_id, wrote=True):
        result = fixes.undo(ticket_id, trace, carried.request_id)
        if isinstance(result, Done):
            if summary.get("blocks"):
                # The summary keeps its record but loses its Undo button.
                replies.update(client, where, ts, blocks.without_buttons(summary, where.user))
            replies.post(client, where, blocks.undone(result, where.user))
        elif isinstance(result, Refusal):
            replies.post(client, where, blocks.refusal(result, ticket_id))
        elif isinstance(result, Failed):
            replies.post(client, where, blocks.failure(result, ticket_id))
