"""An in-memory ZendeskPort, for tests of the use case's decisions that run in milliseconds.

It holds one Snapshot as the world, applies plans to its ticket with safe_update's rule (a stale
stamp is a 409), and lets a test script what happens to each write: a fault raised before or after
the change lands, or a change made "by someone else" at a chosen moment. What only HTTP and zenpy
can show (sideloads, pagination, error bodies) stays in tests/zendesk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.domain.models import Snapshot, Ticket
from bot.domain.planning import Plan
from bot.ports import COMPLETE, Applied, Fault, Recorded, Scope, Trace, ZendeskError

# What a scripted write does: "land" (and answer), "lost" (land, then the answer is lost),
# "fail" (answer `fault` without landing), or a function run before the write is judged.
Step = str | Callable[["FakeZendesk"], None]


@dataclass
class FakeZendesk:
    world: Snapshot
    writes: list[Step] = field(default_factory=list)
    fault: ZendeskError = field(
        default_factory=lambda: ZendeskError(Fault.UNKNOWN_OUTCOME, "no answer", None)
    )
    # Run on each read of the ticket, before it is answered (to move the world meanwhile).
    on_read: list[Callable[[FakeZendesk], None]] = field(default_factory=list)
    sent: list[Plan] = field(default_factory=list)
    landed: list[Plan] = field(default_factory=list)
    reads: int = 0
    records: list[Recorded] = field(default_factory=list)
    _clock: int = 0

    def snapshot(self, ticket_id: int, scope: Scope = COMPLETE) -> Snapshot:
        self.reads += 1
        if self.on_read:
            self.on_read.pop(0)(self)
        return self.world

    def apply(self, plan: Plan, note: str, trace: Trace, undoes: str | None = None) -> Applied:
        self.sent.append(plan)
        step = self.writes.pop(0) if self.writes else "land"
        if callable(step):
            step(self)
            step = "land"
        if step == "fail":
            raise self.fault
        if plan.updated_at != self.world.ticket.updated_at:
            raise ZendeskError(Fault.CONFLICT, "changed since", 409)
        self.land(plan)
        if step == "lost":
            raise self.fault
        return Applied(plan.ticket_id, self.world.ticket.updated_at)

    def land(self, plan: Plan) -> None:
        c = plan.correction
        ticket = self.world.ticket
        ccs = [*ticket.email_cc_ids, *([c.cc_added] if c.cc_added else [])]
        self.touch(
            requester_id=c.requester[1] if c.requester else ticket.requester_id,
            organization_id=plan.organization_id
            if c.requester or c.organization
            else ticket.organization_id,
            org_email=c.org_email[1] if c.org_email else ticket.org_email,
            email_cc_ids=tuple(u for u in ccs if u != c.cc_removed),
        )
        self.landed.append(plan)

    def touch(self, **changes: object) -> None:
        """Change the ticket (as any write does: a new updated_at)."""
        self._clock += 1
        stamp = f"2026-12-01T00:00:{self._clock:02d}Z"
        ticket = self.world.ticket.model_copy(update={**changes, "updated_at": stamp})
        self.world = self.world.model_copy(update={"ticket": Ticket.model_validate(ticket)})

    def find_people(self, snapshot: Snapshot, terms: Sequence[str]) -> tuple[Snapshot, list[int]]:
        return snapshot, []

    def complete(self, snapshot: Snapshot, user_ids: Sequence[int]) -> Snapshot:
        return snapshot

    def instance_host(self) -> str | None:
        return "gitlab.zendesk.com"

    def corrections(self, ticket_id: int) -> list[Recorded]:
        return list(self.records)

    def ticket_url(self, ticket_id: int) -> str:
        return f"https://gitlab.zendesk.com/agent/tickets/{ticket_id}"
