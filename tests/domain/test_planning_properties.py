"""Property: whatever the world looks like, no plan ever cross-associates."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.models import Organization, ProcessRules, Snapshot, Ticket, User
from bot.domain.planning import Correction, FixRequest, Plan, plan, plan_undo
from bot.domain.scenarios import Scenario

RULES = ProcessRules(partner_org_tags=frozenset({"open_partner"}), partner_form_id=7)
DOMAINS = ["globex.example", "acme.example", "hooli.example"]


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Snapshot, FixRequest]:
    org_count = draw(st.integers(1, 5))
    orgs = tuple(
        Organization(
            id=10 + i,
            name=f"org{i}",
            tags=frozenset({"open_partner"}) if draw(st.booleans()) else frozenset(),
            domain_names=(draw(st.sampled_from(DOMAINS)),),
        )
        for i in range(org_count)
    )
    org_ids = [o.id for o in orgs]
    users = tuple(
        User(
            id=100 + i,
            name=f"user{i}",
            email=f"u{i}@{draw(st.sampled_from(DOMAINS))}",
            role=draw(st.sampled_from(["end-user", "end-user", "agent"])),
            organization_ids=tuple(
                draw(st.lists(st.sampled_from(org_ids), unique=True, max_size=3))
            ),
        )
        for i in range(draw(st.integers(2, 6)))
    )
    user_ids = [u.id for u in users]
    ticket = Ticket(
        id=1,
        status=draw(st.sampled_from(["new", "open", "pending", "solved", "closed"])),
        form_id=7,
        requester_id=draw(st.sampled_from(user_ids)),
        submitter_id=draw(st.sampled_from(user_ids)),
        organization_id=draw(st.none() | st.sampled_from(org_ids)),
        email_cc_ids=tuple(draw(st.lists(st.sampled_from(user_ids), unique=True, max_size=2))),
        org_email=draw(st.none() | st.sampled_from([u.email for u in users])),
        updated_at="2026-11-20T10:00:00Z",
    )
    known = {u.email: u.id for u in users if u.email and draw(st.booleans())}
    snap = Snapshot(ticket=ticket, users=users, organizations=orgs, emails=known, rules=RULES)
    emails = [u.email for u in users] + ["nobody@nowhere.example", "bad"]
    request = FixRequest(
        ticket_id=1,
        scenario=draw(st.sampled_from(list(Scenario))),
        customer_email=draw(st.none() | st.sampled_from(emails)),
        partner_email=draw(st.none() | st.sampled_from(emails)),
        organization_id=draw(st.none() | st.sampled_from(org_ids)),
    )
    return snap, request


def assert_never_crossed(snap: Snapshot, p: Plan) -> None:
    requester_id = p.correction.requester[1] if p.correction.requester else snap.ticket.requester_id
    requester = snap.user(requester_id)
    org_id = p.organization_id
    if requester is None or org_id is None:
        return
    org = snap.organization(org_id)
    requester_is_partner = bool(snap.partner_orgs_of(requester))
    assert snap.is_partner_org(org) == requester_is_partner, (requester, org)
    assert org_id in requester.organization_ids


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_no_plan_cross_associates_or_touches_anything_but_the_ticket(
    world: tuple[Snapshot, FixRequest],
) -> None:
    snap, request = world
    outcome = plan(snap, request)
    if not isinstance(outcome, Plan):
        return
    assert outcome.ticket_id == snap.ticket.id
    assert not snap.ticket.is_closed
    # A Correction names ticket fields only: requester, organization, the email field, CCs.
    assert set(Correction.model_fields) == {
        "requester", "organization", "org_email", "cc_added", "cc_removed"
    }  # fmt: skip
    if outcome.correction.requester or outcome.correction.organization:
        assert_never_crossed(snap, outcome)
    customer_scenarios = {Scenario.CUSTOMER_ACCOUNT, Scenario.SERVICES_ENGAGEMENT}
    if request.scenario in customer_scenarios and outcome.correction.requester:
        customer = snap.user(outcome.correction.requester[1])
        assert customer is not None and not snap.partner_orgs_of(customer)


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_undo_of_any_plan_never_cross_associates(world: tuple[Snapshot, FixRequest]) -> None:
    snap, request = world
    outcome = plan(snap, request)
    if not isinstance(outcome, Plan) or outcome.already_correct:
        return
    c = outcome.correction
    after = snap.ticket.model_copy(
        update={
            "requester_id": c.requester[1] if c.requester else snap.ticket.requester_id,
            "organization_id": outcome.organization_id,
            "org_email": c.org_email[1] if c.org_email else snap.ticket.org_email,
            "email_cc_ids": (*snap.ticket.email_cc_ids, *([c.cc_added] if c.cc_added else [])),
        }
    )
    back = plan_undo(snap.model_copy(update={"ticket": after}), c, request.scenario)
    if isinstance(back, Plan):
        assert_never_crossed(snap.model_copy(update={"ticket": after}), back)
