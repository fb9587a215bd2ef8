"""The use case, shared by Slack and the command line: look, preview, apply, undo.

Faults from Zendesk end here as values (`Failed`) that say in words what was and was not changed;
a write whose answer was lost is settled by re-reading the ticket, never by sending it blindly
again.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from bot.domain.finding import Finding, find, named_customer, search_terms, shortlist
from bot.domain.models import Snapshot
from bot.domain.planning import (
    FixRequest,
    Inquiry,
    Plan,
    Refusal,
    holds,
    plan,
    plan_undo,
    writes_of,
)
from bot.domain.refs import RefError, TicketRef
from bot.domain.scenarios import SCENARIOS
from bot.domain.suggesting import Suggestion, suggest
from bot.domain.wording import internal_note
from bot.logs import mask_email
from bot.ports import (
    SIDELOADS,
    Applied,
    Fault,
    Recorded,
    Scope,
    Trace,
    ZendeskError,
    ZendeskPort,
)
from bot.tickets import TicketRefs

log = logging.getLogger(__name__)

# Before reading back a write whose outcome is unknown: longer than Zendesk takes to finish an
# update it received, so that the read shows it if it landed.
SETTLE_WAIT = 3.0


@dataclass(frozen=True)
class Look:
    """A ticket as the modal shows it, with the scenario it looks like and, when the
    Organization Email names nobody, the customer the partner most likely meant."""

    snapshot: Snapshot
    suggestion: Suggestion
    url: str
    finding: Finding | None = None

    @property
    def customer_email(self) -> str | None:
        """The address to prefill: the Organization Email when it names someone, else the one
        clear candidate; never an address that matches no user."""
        named = named_customer(self.snapshot)
        if named is not None:
            return named.email
        if self.finding is not None and self.finding.clear is not None:
            return self.finding.clear.user.email
        return None


@dataclass(frozen=True)
class Preview:
    request: FixRequest
    snapshot: Snapshot
    suggestion: Suggestion
    outcome: Plan | Refusal | Inquiry
    url: str


@dataclass(frozen=True)
class Done:
    plan: Plan
    applied: Applied
    url: str
    # The answer was lost and re-reading the ticket showed the change had landed.
    settled: bool = False


@dataclass(frozen=True)
class Stale:
    """What the preview rested on changed: nothing was written; here is a fresh preview."""

    fresh: Preview
    # What changed, in a sentence.
    reason: str = "The ticket changed in Zendesk since the preview, so nothing was written."


@dataclass(frozen=True)
class Failed:
    fault: Fault
    message: str
    # False: nothing was written. None: it could not be confirmed either way.
    changed: bool | None = False


ApplyResult = Done | Stale | Failed
UndoResult = Done | Refusal | Failed
UndoPreview = Plan | Refusal | Failed

P = ParamSpec("P")
R = TypeVar("R")


def _no_surprises(writes: bool) -> Callable[[Callable[P, R]], Callable[P, R | Failed]]:
    """Whatever goes wrong inside the use case (a bug, data nobody foresaw) ends as a `Failed`
    that every front door knows how to tell, never as an exception that leaves someone waiting.
    Where a write may have been sent, it says the outcome could not be confirmed."""

    def wrap(method: Callable[P, R]) -> Callable[P, R | Failed]:
        @functools.wraps(method)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Failed:
            try:
                return method(*args, **kwargs)
            except Exception:
                log.exception("unexpected error", extra={"step": method.__name__})
                if writes:
                    return Failed(
                        Fault.UNKNOWN_OUTCOME,
                        "Something went wrong inside partner-fix, so it could not be confirmed "
                        "whether the ticket changed: check the ticket before trying again.",
                        changed=None,
                    )
                return Failed(
                    Fault.UNAVAILABLE,
                    "Something went wrong inside partner-fix while reading the ticket. Nothing "
                    "was changed; try again.",
                    changed=False,
                )

        return guarded

    return wrap


class Fixes:
    def __init__(
        self,
        zendesk: ZendeskPort,
        instance_host: str | None = None,
        help_center_hosts: Collection[str] = (),
        settle_wait: float = SETTLE_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        large_files_url: str | None = None,
    ) -> None:
        self._zendesk = zendesk
        # Said in the summary of the customer scenarios: where files too large for Zendesk go.
        self.large_files_url = large_files_url
        self._settle_wait = settle_wait
        self._sleep = sleep
        self.refs = TicketRefs(lambda: zendesk.instance_host(), instance_host, help_center_hosts)

    def parse(self, text: str, learn: bool = True) -> TicketRef | RefError:
        """A ticket reference of this bot's Zendesk (see TicketRefs.parse)."""
        return self.refs.parse(text, learn)

    def find(self, text: str) -> list[TicketRef]:
        """Every ticket of this bot's Zendesk named in a message, in order."""
        return self.refs.find(text)

    def ticket_url(self, ticket_id: int) -> str:
        return self._zendesk.ticket_url(ticket_id)

    @_no_surprises(writes=False)
    def look(self, ticket_id: int) -> Look | Failed:
        """The ticket for the modal: its state, whom the Organization Email names, and (only
        when that is nobody) the customer the partner probably meant."""
        try:
            snapshot = self._zendesk.snapshot(ticket_id, SIDELOADS)
            finding = None
            terms = search_terms(snapshot)
            if terms and named_customer(snapshot) is None:
                # The first search (the typed local part) also finds the exact address when it
                # exists; only when it does not does the finder go on.
                snapshot, found = self._zendesk.find_people(snapshot, terms[:1])
                if named_customer(snapshot) is None and not snapshot.ticket.is_closed:
                    snapshot, more = self._zendesk.find_people(snapshot, terms[1:2])
                    short = shortlist(snapshot, [*found, *more])
                    snapshot = self._zendesk.complete(snapshot, short)
                    finding = find(snapshot, short)
        except ZendeskError as error:
            return _failed(error, f"reading ticket {ticket_id}")
        url = self._zendesk.ticket_url(ticket_id)
        return Look(snapshot, suggest(snapshot, finding), url, finding)

    @_no_surprises(writes=False)
    def preview(self, request: FixRequest) -> Preview | Failed:
        try:
            snapshot = self._read(request)
        except ZendeskError as error:
            return _failed(error, f"reading ticket {request.ticket_id}")
        outcome = plan(snapshot, request)
        log.info(
            "previewed",
            extra={
                "ticket_id": request.ticket_id,
                "scenario": request.scenario.value,
                "customer": mask_email(request.customer_email),
                "outcome": type(outcome).__name__,
                "rule": getattr(outcome, "rule", None),
                "changes": len(getattr(outcome, "changes", ())),
            },
        )
        return Preview(
            request=request,
            snapshot=snapshot,
            suggestion=suggest(snapshot, _finding_for(snapshot, request)),
            outcome=outcome,
            url=self._zendesk.ticket_url(request.ticket_id),
        )

    def _read(self, request: FixRequest) -> Snapshot:
        """What a plan for `request` rests on: the ticket and everyone it involves, complete."""
        info = SCENARIOS[request.scenario]
        emails = []
        if info.customer_is_requester and request.customer_email:
            emails.append(request.customer_email)
        if request.partner_email and info.writes:
            emails.append(request.partner_email)
        return self._zendesk.snapshot(request.ticket_id, Scope(emails=tuple(emails)))

    @_no_surprises(writes=True)
    def apply(self, previewed: Plan, request: FixRequest, trace: Trace) -> ApplyResult:
        """Write the previewed plan, if it still holds: the facts it rests on are read again and
        planned again, and only a fresh plan that writes exactly what the preview showed (and so
        passes the rule on today's facts) is sent, as one PUT. Anything else is a fresh preview.
        """
        if previewed.already_correct or previewed.undo:
            return Failed(Fault.INVALID, "There is nothing to change.", changed=False)
        fresh = self.preview(request)
        if isinstance(fresh, Failed):
            return fresh  # a read failed: nothing was written
        outcome = fresh.outcome
        if not isinstance(outcome, Plan) or writes_of(outcome) != writes_of(previewed):
            log.info(
                "preview no longer holds",
                extra={"ticket_id": request.ticket_id, "outcome": type(outcome).__name__},
            )
            return Stale(fresh, _what_changed(previewed, fresh))
        written = self._write(outcome, trace)
        return written if written is not None else self._stale(request)

    def _write(self, target: Plan, trace: Trace, undoes: str | None = None) -> Done | Failed | None:
        """Send `target` once; None when Zendesk says the ticket changed meanwhile (409)."""
        note = internal_note(target, trace.requested_by, trace.request_id)
        url = self._zendesk.ticket_url(target.ticket_id)
        try:
            applied = self._zendesk.apply(target, note, trace, undoes)
        except ZendeskError as error:
            if error.fault is Fault.CONFLICT:
                return None
            if error.fault is Fault.UNKNOWN_OUTCOME:
                return self._settle(target, note, trace, url, undoes)
            return _failed(error, f"updating ticket {target.ticket_id}")
        log.info("applied", extra={"ticket_id": target.ticket_id, "undo": target.undo})
        return Done(target, applied, url)

    def _stale(self, request: FixRequest) -> ApplyResult:
        fresh = self.preview(request)
        if isinstance(fresh, Failed):
            return Failed(
                fresh.fault,
                "The ticket changed in Zendesk since the preview, so nothing was written, and "
                f"reading it again failed: {fresh.message}",
            )
        return Stale(fresh)

    def _settle(
        self, target: Plan, note: str, trace: Trace, url: str, undoes: str | None
    ) -> Done | Failed:
        """The write's outcome is unknown (no answer, a 5xx, an answer cut off): wait longer
        than Zendesk takes to finish an update, read the ticket back, and decide from what it
        shows. Sent again only when the ticket is untouched, and safe_update guards that too."""
        log.warning("write outcome unknown; re-reading", extra={"ticket_id": target.ticket_id})
        self._sleep(self._settle_wait)
        now = self._read_back(target.ticket_id)
        if now is None:
            return _unknown(target.ticket_id, url)
        if holds(now, target):
            return Done(target, Applied(target.ticket_id, now.ticket.updated_at), url, settled=True)
        if now.ticket.updated_at != target.updated_at:
            return Failed(
                Fault.UNKNOWN_OUTCOME,
                f"The update of ticket {target.ticket_id} could not be confirmed: Zendesk did not "
                "say whether it was saved, and the ticket has changed in other ways since the "
                f"preview. The bot changed nothing more; check the ticket: {url}",
                changed=None,
            )
        try:
            applied = self._zendesk.apply(target, note, trace, undoes)
        except ZendeskError as error:
            if error.fault is Fault.CONFLICT:
                # The first update landed after all (or someone else wrote meanwhile).
                again = self._read_back(target.ticket_id)
                if again is not None and holds(again, target):
                    applied = Applied(target.ticket_id, again.ticket.updated_at)
                    return Done(target, applied, url, settled=True)
                return _unknown(target.ticket_id, url)
            if error.fault is Fault.UNKNOWN_OUTCOME:
                return _unknown(target.ticket_id, url)
            return _failed(error, f"updating ticket {target.ticket_id}")
        return Done(target, applied, url)

    def _read_back(self, ticket_id: int) -> Snapshot | None:
        try:
            return self._zendesk.snapshot(ticket_id, SIDELOADS)
        except ZendeskError:
            return None

    @_no_surprises(writes=True)
    @_no_surprises(writes=False)
    def undo_preview(self, ticket_id: int, request_id: str | None = None) -> UndoPreview:
        """What Undo would write (before → after), or why it would not; writes nothing."""
        found = self._undo_plan(ticket_id, request_id)
        return found if isinstance(found, Refusal | Failed) else found[0]

    @_no_surprises(writes=True)
    def undo(self, ticket_id: int, trace: Trace, request_id: str | None = None) -> UndoResult:
        """Reverse the bot's own correction of the ticket while the ticket still shows it: the
        one of `request_id` (the clicked summary's), else the newest."""
        found = self._undo_plan(ticket_id, request_id)
        if isinstance(found, Refusal | Failed):
            return found
        reverse, undoes = found
        result = self._write(reverse, trace, undoes=undoes)
        if result is None:
            return Refusal(
                rule="changed_since_fix",
                message=f"Ticket {ticket_id} changed while undoing; nothing was changed. Try "
                "Undo again.",
            )
        return result

    def _undo_plan(
        self, ticket_id: int, request_id: str | None
    ) -> tuple[Plan, str | None] | Refusal | Failed:
        """The reversing plan, judged on fresh, complete facts, and the request id it undoes."""
        try:
            records = self._zendesk.corrections(ticket_id)
        except ZendeskError as error:
            return _failed(error, f"reading ticket {ticket_id}'s history")
        chosen = _undoable(ticket_id, records, request_id)
        if isinstance(chosen, Refusal):
            return chosen
        done = chosen.correction
        users = (done.requester[0],) if done.requester else ()
        # The organization to restore may be none that the ticket's sideloads show.
        restored_org = (done.organization[0],) if done.organization and done.organization[0] else ()
        try:
            scope = Scope(user_ids=users, requester=not users, org_ids=restored_org)
            snapshot = self._zendesk.snapshot(ticket_id, scope)
        except ZendeskError as error:
            return _failed(error, f"reading ticket {ticket_id}")
        reverse = plan_undo(snapshot, done, chosen.scenario)
        if isinstance(reverse, Refusal):
            return reverse
        return reverse, chosen.request_id or None


def _finding_for(snapshot: Snapshot, request: FixRequest) -> Finding | None:
    """The finder's view of the customer the request names, when the Organization Email names
    no customer (no extra read: the preview read that customer completely)."""
    if named_customer(snapshot) is not None or not request.customer_email:
        return None
    customer = snapshot.user_by_email(request.customer_email)
    return find(snapshot, [customer.id]) if customer is not None else None


def _undoable(
    ticket_id: int, records: list[Recorded], request_id: str | None
) -> Recorded | Refusal:
    """The correction to reverse, or why there is none. Only the newest of the bot's own
    corrections still stands; an older one was superseded or already undone."""
    fixes = [r for r in records if r.action != "undo"]
    if request_id:
        named = [r for r in fixes if r.request_id == request_id]
        if not named:
            return Refusal(
                rule="nothing_to_undo",
                message=f"Ticket {ticket_id}'s history holds no correction by partner-fix with "
                "this request id, so there is nothing to undo.",
            )
        chosen = named[-1]
    elif not fixes:
        chosen = None
    else:
        chosen = fixes[-1]
    if chosen is None:
        return Refusal(
            rule="nothing_to_undo",
            message=f"partner-fix has not corrected ticket {ticket_id}, so there is nothing "
            "to undo.",
        )
    later = records[records.index(chosen) + 1 :]
    if any(r.action == "undo" and (r.undoes or r.request_id) == chosen.request_id for r in later):
        return Refusal(
            rule="already_undone",
            message=f"That correction of ticket {ticket_id} was already undone.",
        )
    if later:
        return Refusal(
            rule="superseded",
            message=f"partner-fix changed ticket {ticket_id} again after that correction "
            f"({later[-1].action}, asked by {later[-1].requested_by}); undo the newest one "
            "instead. Nothing was changed.",
        )
    return chosen


def _what_changed(previewed: Plan, fresh: Preview) -> str:
    now = fresh.snapshot.ticket
    if now.updated_at != previewed.updated_at:
        return "The ticket changed in Zendesk since the preview, so nothing was written."
    if isinstance(fresh.outcome, Refusal):
        return (
            "Since the preview, the people or organizations this fix rests on changed in "
            "Zendesk, and the fix is now refused, so nothing was written."
        )
    return (
        "Since the preview, the people or organizations this fix rests on changed in Zendesk, "
        "so the fix would now be different; nothing was written."
    )


def _failed(error: ZendeskError, doing: str) -> Failed:
    log.warning(
        "zendesk fault", extra={"doing": doing, "fault": error.fault.value, "status": error.status}
    )
    changed: bool | None = None if error.fault is Fault.UNKNOWN_OUTCOME else False
    return Failed(error.fault, error.message, changed=changed)


def _unknown(ticket_id: int, url: str) -> Failed:
    return Failed(
        Fault.UNKNOWN_OUTCOME,
        f"The update of ticket {ticket_id} could not be confirmed: Zendesk did not say whether "
        "it was saved, and reading the ticket back did not settle it. It may or may not have "
        f"been applied: check the ticket before trying again: {url}",
        changed=None,
    )
