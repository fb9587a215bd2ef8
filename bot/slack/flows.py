"""The steps that several surfaces share: open the modal and fill it, preview into a thread.

Every listener acks in the request thread (Bolt's `ack=`), before any I/O. What follows runs as
Bolt lazy functions, which only talk to Slack (open the modal, post "working…"), and hand the
slow Zendesk work to `Work`, a separate pool, so waiting on Zendesk can neither delay an ack nor
make a modal miss its 3-second trigger.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient

from bot.domain.planning import FixRequest
from bot.domain.refs import RefError
from bot.fixes import Failed, Fixes
from bot.logs import request_id
from bot.ports import Trace
from bot.slack import blocks, opening, replies
from bot.slack.replies import Where
from bot.slack.sharing import Rooms
from bot.slack.values import ModalContext
from bot.slack.work import Work

log = logging.getLogger(__name__)


def begin(surface: str, user: str, carried: str | None = None) -> str:
    """The request id of this fix (carried from its command, or new), logged with what started
    it. Threads are reused, so every listener sets it before it logs anything."""
    rid = carried or uuid.uuid4().hex[:12]
    request_id.set(rid)
    log.info("received", extra={"surface": surface, "user": user})
    return rid


def trace_for(body: dict[str, Any]) -> Trace:
    user = body.get("user") or {}
    user_id = str(user.get("id") or body.get("user_id") or "")
    name = str(user.get("username") or user.get("name") or body.get("user_name") or user_id)
    team = body.get("team") or {}
    return Trace(
        request_id=request_id.get() or uuid.uuid4().hex[:12],
        requested_by=f"{name} (Slack {user_id})",
        slack_user=user_id or None,
        slack_team=str(team.get("id") or body.get("team_id") or "") or None,
    )


def open_modal(
    client: WebClient,
    fixes: Fixes,
    work: Work,
    trigger_id: str,
    context: ModalContext,
    text: str,
) -> None:
    """Open the modal at once (the trigger dies in 3 s), then read the ticket and fill it in.

    Runs on the opener's pool (bot/slack/opening.py); everything after views.open goes to `work`.
    """
    ref = fixes.parse(text) if text else None
    problem = ref.reason if isinstance(ref, RefError) else None
    loading = ref is not None and not isinstance(ref, RefError)
    view = blocks.modal(context, text if not problem else "", problem=problem, loading=loading)
    try:
        opened = opening.quick_client(client).views_open(trigger_id=trigger_id, view=view)["view"]
    except Exception as error:  # SlackApiError, or no answer within the trigger's life
        reason = replies.slack_error(error)
        log.warning("views.open failed", extra={"error": reason})
        work.later(
            replies.tell,
            client,
            _where(context),
            blocks.notice(
                f"Slack could not open the partner-fix form ({reason}); this happens when Slack "
                "is slow. Nothing was changed: run the command again."
            ),
        )
        return
    if ref is not None and not isinstance(ref, RefError):
        work.later(_fill_modal, client, fixes, opened, context, text, ref.id)


def _where(context: ModalContext) -> Where:
    return Where(user=context.user, channel=context.channel, response_url=context.response_url)


def _fill_modal(
    client: WebClient,
    fixes: Fixes,
    opened: dict[str, Any],
    context: ModalContext,
    text: str,
    ticket_id: int,
) -> None:
    try:
        _fill(client, fixes, opened, context, text, ticket_id)
    except Exception:
        # The modal would stay on "Reading the ticket…": say so to the person instead.
        log.exception("filling the modal failed", extra={"ticket_id": ticket_id})
        replies.tell(
            client,
            _where(context),
            blocks.notice(
                f"Something went wrong inside partner-fix while reading ticket #{ticket_id}. "
                "Nothing was changed: run the command again."
            ),
        )


def _fill(
    client: WebClient,
    fixes: Fixes,
    opened: dict[str, Any],
    context: ModalContext,
    text: str,
    ticket_id: int,
) -> None:
    look = fixes.look(ticket_id)
    if isinstance(look, Failed):
        filled = blocks.modal(context, text, problem=look.message)
    else:
        filled = blocks.modal(context, text, look=look)
    reason = _update_view(client, opened, filled)
    if reason is None:
        return
    if reason == "hash_conflict":
        # The person already moved on (submitted or edited): keep their view.
        log.info("views.update skipped", extra={"error": reason})
        return
    # Anything else would leave the modal on "Reading the ticket…" for good: say so in the
    # modal, in the fewest blocks that could fail, and failing that, to the person directly.
    log.warning("views.update failed", extra={"error": reason})
    again = _update_view(client, opened, blocks.modal_problem(context, reason))
    if again is None or again == "hash_conflict":
        return
    log.warning("views.update of the failure note failed", extra={"error": again})
    replies.tell(
        client,
        _where(context),
        blocks.notice(
            f"Slack could not show ticket #{ticket_id} in the partner-fix form ({reason}). "
            "Nothing was changed: run the command again."
        ),
    )


def _update_view(client: WebClient, opened: dict[str, Any], view: dict[str, Any]) -> str | None:
    """views.update; None when it worked, else Slack's error (or the exception's name)."""
    try:
        client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)
    except Exception as error:
        return replies.slack_error(error)
    return None


def preview_into(
    client: WebClient,
    fixes: Fixes,
    work: Work,
    rooms: Rooms,
    where: Where,
    request: FixRequest,
    ts: str | None = None,
) -> None:
    """Show 'working' in the thread (starting it if need be), then the preview in its place.
    In a channel shared with another organization, the thread is the person's DM instead."""
    routed = rooms.route(client, where)
    if routed is not where:
        where, ts = routed, None
    if where.thread_ts is None and not where.ephemeral:
        url = fixes.ticket_url(request.ticket_id)
        where, _ = replies.post(
            client, where, blocks.thread_parent(request.ticket_id, url, where.user)
        )
    working = blocks.working(request.ticket_id, where.user)
    where, ts = (
        replies.update(client, where, ts, working) if ts else replies.post(client, where, working)
    )
    work.later(_preview, client, fixes, where, request, ts)


def _preview(
    client: WebClient, fixes: Fixes, where: Where, request: FixRequest, ts: str | None
) -> None:
    with outcome_shown(client, where, ts, request.ticket_id, wrote=False):
        result = fixes.preview(request)
        if isinstance(result, Failed):
            failure = blocks.failure(result, request.ticket_id, request, request_id.get())
            replies.update(client, where, ts, failure)
            return
        replies.update(client, where, ts, blocks.preview(result, where.user, request_id.get()))


@contextlib.contextmanager
def outcome_shown(
    client: WebClient, where: Where, ts: str | None, ticket_id: int, wrote: bool
) -> Iterator[None]:
    """Whatever the step inside raises, its progress message ("Reading…", "Applying…") is
    replaced with an outcome: nobody is left looking at a note that never changes."""
    try:
        yield
    except Exception:
        log.exception("a background step failed", extra={"ticket_id": ticket_id})
        state = (
            "It could not be confirmed whether the ticket changed: check it before trying again."
            if wrote
            else "Nothing was changed; try again."
        )
        text = f":warning: Ticket #{ticket_id}: something went wrong inside partner-fix. {state}"
        replies.update(client, where, ts, blocks.notice(text))
