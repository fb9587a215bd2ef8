"""The use case's decisions on an in-memory Zendesk: stale previews, unknown write outcomes
settled by reading back, resends, and what the person is told. Milliseconds, no HTTP."""

from __future__ import annotations

import pytest

from bot.domain.planning import FixRequest, Plan, Refusal
from bot.domain.scenarios import Scenario
from bot.fixes import Done, Failed, Fixes, Preview, Stale
from bot.ports import Fault, Trace, ZendeskError
from tests.domain.world import ACME, CARLA, PEOPLE, snapshot
from tests.fakes import FakeZendesk

TRACE = Trace(request_id="r1", requested_by="Avery")
REQUEST = FixRequest(
    ticket_id=512301, scenario=Scenario.CUSTOMER_ACCOUNT, customer_email=CARLA.email
)


def setup(**kwargs: object) -> tuple[FakeZendesk, Fixes, list[float], Plan]:
    zendesk = FakeZendesk(snapshot(), **kwargs)  # type: ignore[arg-type]
    slept: list[float] = []
    fixes = Fixes(zendesk, settle_wait=2.5, sleep=slept.append)
    preview = fixes.preview(REQUEST)
    assert isinstance(preview, Preview) and isinstance(preview.outcome, Plan)
    return zendesk, fixes, slept, preview.outcome


def test_a_plain_apply_reads_again_and_writes_once() -> None:
    zendesk, fixes, slept, plan = setup()
    reads = zendesk.reads
    assert isinstance(fixes.apply(plan, REQUEST, TRACE), Done)
    assert zendesk.reads == reads + 1 and len(zendesk.sent) == 1 and slept == []


def test_a_lost_answer_after_the_write_landed_is_applied_after_the_wait() -> None:
    zendesk, fixes, slept, plan = setup(writes=["lost"])
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Done) and result.settled
    assert len(zendesk.sent) == 1 and len(zendesk.landed) == 1
    assert slept == [2.5]  # waited before reading back


def test_an_unknown_outcome_that_did_not_land_is_sent_once_more() -> None:
    zendesk, fixes, _, plan = setup(writes=["fail"])
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Done) and not result.settled
    assert len(zendesk.sent) == 2 and len(zendesk.landed) == 1


def test_the_resend_race_is_applied_with_one_landed_write() -> None:
    # The first PUT is still running at Zendesk when the bot reads back, and lands just before
    # the resend arrives: the resend meets a 409, the bot reads again and sees its fix.
    zendesk, fixes, _, plan = setup()
    zendesk.writes = ["fail", lambda z: z.land(z.sent[0])]
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Done) and result.settled, result
    assert len(zendesk.sent) == 2 and len(zendesk.landed) == 1


def test_a_resend_meeting_someone_elses_change_cannot_be_confirmed() -> None:
    zendesk, fixes, _, plan = setup()
    zendesk.writes = ["fail", lambda z: z.touch(org_email="edited@by.hand")]
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Failed) and result.changed is None
    assert "could not be confirmed" in result.message and "check the ticket" in result.message
    assert zendesk.ticket_url(512301) in result.message


def test_an_unreadable_ticket_after_an_unknown_outcome_cannot_be_confirmed() -> None:
    zendesk, fixes, _, plan = setup(writes=["lost"])
    unreadable = ZendeskError(Fault.UNAVAILABLE, "down", 503)

    def fail(_: FakeZendesk) -> None:
        raise unreadable

    zendesk.on_read = [lambda z: None, fail]  # Apply's fresh read works; the read-back fails
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Failed) and result.changed is None
    assert "may or may not have been applied" in result.message
    assert len(zendesk.sent) == 1  # never sent blindly again


@pytest.mark.parametrize("fault", [Fault.INVALID, Fault.FORBIDDEN, Fault.AUTH, Fault.NOT_FOUND])
def test_an_answer_that_proves_no_write_says_nothing_changed_and_is_not_resent(
    fault: Fault,
) -> None:
    zendesk, fixes, slept, plan = setup(writes=["fail"], fault=ZendeskError(fault, "no", 422))
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Failed) and result.changed is False
    assert len(zendesk.sent) == 1 and slept == []


def test_a_ticket_changed_since_the_preview_is_a_fresh_preview_without_a_write() -> None:
    zendesk, fixes, _, plan = setup()
    zendesk.touch(org_email="edited@by.hand")
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Stale) and "ticket changed" in result.reason
    assert zendesk.sent == []


def test_a_customer_turned_partner_since_the_preview_is_refused_without_a_write() -> None:
    zendesk, fixes, _, plan = setup()
    carla = CARLA.model_copy(update={"organization_ids": (*CARLA.organization_ids, ACME.id)})
    users = tuple(carla if u.id == CARLA.id else u for u in PEOPLE)
    zendesk.world = zendesk.world.model_copy(update={"users": users})
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Stale) and isinstance(result.fresh.outcome, Refusal)
    assert result.fresh.outcome.rule == "never_cross_associate" and zendesk.sent == []


def test_a_409_to_the_first_write_gives_a_fresh_preview() -> None:
    zendesk, fixes, _, plan = setup()
    zendesk.writes = [lambda z: z.touch(org_email="raced@by.hand")]
    result = fixes.apply(plan, REQUEST, TRACE)
    assert isinstance(result, Stale) and zendesk.landed == []
