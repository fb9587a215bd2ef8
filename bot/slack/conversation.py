"""Everything after the ack: open the modal and fill it, preview, apply, undo, cancel.

Each step takes the request's `Turn` (who, where to reply, request id, trace) and the decoded
value it acts on. The Slack side of a step (open the modal, post "working…", "Applying…") runs on
the pool the listener handed it to (opening.Opener, handoff.Handoff); the Zendesk side goes to
`work` (work.Work), so waiting on Zendesk can neither delay an ack nor make a modal miss its
3-second trigger. Two guarantees hold for every step: no progress note is left unchanged
(`outcome_shown`), and no customer data is posted into a channel shared with another
organization (`rooms.route`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient

from bot.domain.planning import FixRequest, Plan, Refusal
from bot.domain.refs import RefError
from bot.fixes import Done, Failed, Fixes, Stale
from bot.ports import Trace
from bot.slack import alerts, blocks, opening, replies
from bot.slack.handoff import Handoff
from bot.slack.opening import Opener
from bot.slack.replies import Where
from bot.slack.sharing import Rooms
from bot.slack.turn import Turn
from bot.slack.values import ApplyValue, ModalContext, TicketValue
from bot.slack.work import Work

log = logging.getLogger(__name__)

BROKEN = blocks.notice(
    "That button's data is damaged or from an older version of the bot. Nothing was changed: "
    "run /partner-fix again."
)


class Conversation:
    """One fix's conversation with the person, from the modal to Undo; no state of its own
    (everything a click needs rides in its button), so any instance can serve any step."""

    def __init__(
        self,
        fixes: Fixes,
        work: Work,
        rooms: Rooms,
        opener: Opener | None = None,
        handoff: Handoff | None = None,
    ) -> None:
        self.fixes = fixes
        self.work = work
        self.rooms = rooms
        # The pools the listeners hand their after-ack steps to (the ack path: listeners/).
        self.opener = opener or Opener()
        self.handoff = handoff or Handoff()

    # ---- the modal -----------------------------------------------------------------------

    def open(
        self,
        client: WebClient,
        turn: Turn,
        text: str,
        note: str | None = None,
        alert_ts: str | None = None,
    ) -> None:
        """Open the modal at once (the trigger dies in 3 s), then read the ticket and fill it in.
        From an alert (`alert_ts`), the preview will go into the alert's thread.

        Runs on the opener's pool (bot/slack/opening.py); everything after views.open goes to
        `work`."""
        context = ModalContext(
            channel=turn.where.channel,
            thread_ts=alert_ts or turn.where.thread_ts,
            response_url=turn.where.response_url,
            user=turn.user,
            note=note,
            request_id=turn.request_id,
            alert_ts=alert_ts,
        )
        ref = self.fixes.parse(text) if text else None
        problem = ref.reason if isinstance(ref, RefError) else None
        loading = ref is not None and not isinstance(ref, RefError)
        view = blocks.modal(context, text if not problem else "", problem=problem, loading=loading)
        try:
            quick = opening.quick_client(client)
            opened = quick.views_open(trigger_id=turn.trigger_id, view=view)["view"]
        except Exception as error:  # SlackApiError, or no answer within the trigger's life
            reason = replies.slack_error(error)
            log.warning("views.open failed", extra={"error": reason})
            self.work.later(
                replies.tell,
                client,
                _note_where(context),
                blocks.notice(
                    f"Slack could not open the partner-fix form ({reason}); this happens when "
                    "Slack is slow. Nothing was changed: run the command again."
                ),
            )
            return
        if ref is not None and not isinstance(ref, RefError):
            self.work.later(self.fill, client, opened, context, text, ref.id)

    def fill(
        self,
        client: WebClient,
        opened: dict[str, Any],
        context: ModalContext,
        text: str,
        ticket_id: int,
    ) -> None:
        """Read the ticket and show it in the opened modal (on `work`)."""
        try:
            look = self.fixes.look(ticket_id)
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
            # Anything else would leave the modal on "Reading the ticket…" for good: say so in
            # the modal, in the fewest blocks that could fail, and failing that, to the person
            # directly.
            log.warning("views.update failed", extra={"error": reason})
            again = _update_view(client, opened, blocks.modal_problem(context, reason))
            if again is None or again == "hash_conflict":
                return
            log.warning("views.update of the failure note failed", extra={"error": again})
            problem = f"Slack could not show ticket #{ticket_id} in the partner-fix form ({reason})"
        except Exception:
            # The modal would stay on "Reading the ticket…": say so to the person instead.
            log.exception("filling the modal failed", extra={"ticket_id": ticket_id})
            problem = f"Something went wrong inside partner-fix while reading ticket #{ticket_id}"
        replies.tell(
            client,
            _note_where(context),
            blocks.notice(f"{problem}. Nothing was changed: run the command again."),
        )

    # ---- the thread ----------------------------------------------------------------------

    def tell(self, client: WebClient, where: Where, msg: dict[str, Any]) -> None:
        """A note only the person sees, on `work` (the Slack call waits for no one)."""
        self.work.later(replies.tell, client, where, msg)

    def preview(
        self, client: WebClient, turn: Turn, request: FixRequest, alert_ts: str | None = None
    ) -> None:
        """Show 'working' in the thread (starting it if need be, or in place of the clicked
        message), then the preview in its place. In a channel shared with another
        organization, the thread is the person's DM instead. From an alert (`alert_ts`), the
        preview's Apply will mark the alert reviewed."""
        where, ts = turn.where, turn.ts
        routed = self.rooms.route(client, where)
        if routed is not where:
            where, ts = routed, None
        if where.thread_ts is None and not where.ephemeral:
            url = self.fixes.ticket_url(request.ticket_id)
            where, _ = replies.post(
                client, where, blocks.thread_parent(request.ticket_id, url, where.user)
            )
        working = blocks.working(request.ticket_id, where.user)
        where, ts = (
            replies.update(client, where, ts, working)
            if ts
            else replies.post(client, where, working)
        )
        self.work.later(self.read_preview, client, where, request, ts, turn.request_id, alert_ts)

    def read_preview(
        self,
        client: WebClient,
        where: Where,
        request: FixRequest,
        ts: str | None,
        request_id: str | None = None,
        alert_ts: str | None = None,
    ) -> None:
        """The preview's Zendesk half (on `work`): read, plan, show it in place of 'working'."""
        with outcome_shown(client, where, ts, request.ticket_id, wrote=False):
            result = self.fixes.preview(request)
            if isinstance(result, Failed):
                failure = blocks.failure(
                    result, request.ticket_id, request, request_id, alert_ts=alert_ts
                )
                replies.update(client, where, ts, failure)
                return
            shown = blocks.preview(result, where.user, request_id, alert_ts)
            replies.update(client, where, ts, shown)

    def preview_again(self, client: WebClient, turn: Turn, carried: TicketValue | None) -> None:
        """Another organization picked, or Try again after a failure: preview anew in place."""
        if carried is None or carried.request is None:
            replies.tell(client, turn.where, BROKEN)
            return
        self.preview(client, turn, carried.request, alert_ts=carried.alert_ts)

    def apply(self, client: WebClient, turn: Turn, carried: ApplyValue | None) -> None:
        """Apply clicked: "Applying…" in place of the preview, then the write (on `work`)."""
        if carried is None:
            replies.tell(client, turn.where, BROKEN)
            return
        kept = list(turn.message.get("blocks") or [])
        where, ts = self._private(client, turn.where, turn.ts, "the outcome")
        where, ts = replies.update(client, where, ts, blocks.applying(carried.plan, where.user))
        self.work.later(
            self.write,
            client,
            where,
            ts,
            carried.plan,
            carried.request,
            turn.trace,
            kept,
            carried.alert_ts,
        )

    def write(
        self,
        client: WebClient,
        where: Where,
        ts: str | None,
        plan: Plan,
        request: FixRequest,
        trace: Trace,
        kept: list[dict[str, Any]],
        alert_ts: str | None = None,
    ) -> None:
        """Apply's Zendesk half: re-read, re-plan, one PUT, settle; then the outcome in place of
        "Applying…" and the summary (with Undo) below it. `kept` (the preview) comes back under
        a failure that wrote nothing, so its Apply is not lost. From an alert, the alert then
        says who reviewed it."""
        rid = trace.request_id
        with outcome_shown(client, where, ts, plan.ticket_id, wrote=True):
            result = self.fixes.apply(plan, request, trace)
            if isinstance(result, Done):
                replies.update(client, where, ts, blocks.outcome(result, where.user))
                summary = blocks.summary(result, where.user, rid, self.fixes.large_files_url)
                replies.post(client, where, summary)
                if alert_ts:
                    alerts.mark_reviewed(
                        client, where.channel, alert_ts, plan.ticket_id, result.url, where.user,
                        plan.scenario,
                    )  # fmt: skip
            elif isinstance(result, Stale):
                replies.update(client, where, ts, blocks.stale(result, where.user, rid, alert_ts))
            else:
                failure = blocks.failure(result, plan.ticket_id, keep=kept)
                replies.update(client, where, ts, failure)

    def undo(self, client: WebClient, turn: Turn, carried: TicketValue | None) -> None:
        """Undo clicked on a summary: the undo goes to `work`."""
        if carried is None:
            replies.tell(client, turn.where, BROKEN)
            return
        where, ts = self._private(client, turn.where, turn.ts, "what Undo did")
        self.work.later(self.unwrite, client, where, ts, carried, turn.trace, turn.message)

    def unwrite(
        self,
        client: WebClient,
        where: Where,
        ts: str | None,
        carried: TicketValue,
        trace: Trace,
        summary: dict[str, Any],
    ) -> None:
        """Undo's Zendesk half: the summary's own correction, named by its request id (never
        another record); the summary keeps its record but loses its Undo button."""
        ticket_id = carried.ticket_id
        with outcome_shown(client, where, None, ticket_id, wrote=True):
            result = self.fixes.undo(ticket_id, trace, carried.request_id)
            if isinstance(result, Done):
                if summary.get("blocks"):
                    replies.update(client, where, ts, blocks.without_buttons(summary, where.user))
                replies.post(client, where, blocks.undone(result, where.user))
            elif isinstance(result, Refusal):
                replies.post(client, where, blocks.refusal(result, ticket_id))
            elif isinstance(result, Failed):
                replies.post(client, where, blocks.failure(result, ticket_id))

    def cancel(self, client: WebClient, turn: Turn, carried: TicketValue | None) -> None:
        """Cancel clicked: the preview says so, in place."""
        ticket_id = carried.ticket_id if carried else 0
        replies.update(client, turn.where, turn.ts, blocks.cancelled(ticket_id, turn.user))

    def _private(
        self, client: WebClient, where: Where, ts: str | None, what: str
    ) -> tuple[Where, str | None]:
        """A button clicked in a shared channel (a thread from before it was shared) answers by
        DM: a new message there, since the clicked one stays where it is."""
        routed = self.rooms.route(client, where, what)
        return (where, ts) if routed is where else (routed, None)


def _note_where(context: ModalContext) -> Where:
    return Where(user=context.user, channel=context.channel, response_url=context.response_url)


def _update_view(client: WebClient, opened: dict[str, Any], view: dict[str, Any]) -> str | None:
    """views.update; None when it worked, else Slack's error (or the exception's name)."""
    try:
        client.views_update(view_id=opened["id"], hash=opened.get("hash"), view=view)
    except Exception as error:
        return replies.slack_error(error)
    return None


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
