"""Property: whatever the world looks like, and however little of it the bot saw, no plan ever
cross-associates in the world as it truly is."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.models import Organization, ProcessRules, Snapshot, Ticket, User
from bot.domain.planning import Correction, FixRequest, Plan, plan, plan_undo, raising_orgs
from bot.domain.scenarios import Scenario

RULES = ProcessRules(
    partner_org_tags=frozenset({"open_partner"}),
    partner_org_values=frozenset({"open_partner"}),
    partner_form_id=7,
)
DOMAINS = ["globex.example", "acme.example", "hooli.example"]


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Snapshot, FixRequest]:
    org_count = draw(st.integers(2, 5))
    orgs = tuple(
        Organization(
            id=10 + i,
            name=f"org{i}",
            tags=frozenset({"open_partner"}) if draw(st.integers(0, 2)) == 0 else frozenset(),
            # Marked a partner's by the Salesforce sync's field, tagged or not.
            account_type=draw(
                st.sampled_from([None, None, "Customer", "Customer", "open_partner"])
            ),
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
            role=draw(st.sampled_from(["end-user"] * 5 + ["agent"])),
            organization_ids=tuple(
                draw(st.lists(st.sampled_from(org_ids), unique=True, min_size=1, max_size=3))
            ),
            memberships_complete=True,
        )
        for i in range(draw(st.integers(2, 6)))
    )
    # What the bot saw: some users as a sideload gives them (the default organization only),
    # some organizations not at all.
    seen_users = tuple(
        u
        if draw(st.integers(0, 3))
        else u.model_copy(
            update={"organization_ids": u.organization_ids[:1], "memberships_complete": False}
        )
        for u in users
    )
    seen_orgs = tuple(o for o in orgs if draw(st.integers(0, 4)))
    user_ids = [u.id for u in users]
    ticket = Ticket(
        id=1,
        status=draw(st.sampled_from(["open"] * 4 + ["new", "pending", "solved", "closed"])),
        form_id=7,
        requester_id=draw(st.sampled_from(user_ids)),
        submitter_id=draw(st.sampled_from(user_ids)),
        organization_id=draw(st.none() | st.sampled_from(org_ids)),
        email_cc_ids=tuple(draw(st.lists(st.sampled_from(user_ids), unique=True, max_size=2))),
        org_email=draw(st.none() | st.sampled_from([u.email for u in users])),
        updated_at="2026-11-20T10:00:00Z",
    )
    known = {u.email: u.id for u in users if u.email and draw(st.integers(0, 3))}
    truth = Snapshot(ticket=ticket, users=users, organizations=orgs, emails=known, rules=RULES)
    seen = truth.model_copy(update={"users": seen_users, "organizations": seen_orgs})
    emails = [u.email for u in users] + ["nobody@nowhere.example", "bad"]
    request = FixRequest(
        ticket_id=1,
        scenario=draw(
            st.sampled_from([*Scenario, Scenario.CUSTOMER_ACCOUNT, Scenario.SERVICES_ENGAGEMENT])
        ),
        customer_email=draw(st.sampled_from([None, *emails])),
        partner_email=draw(st.sampled_from([None] * len(emails) + emails)),
        organization_id=draw(st.none() | st.sampled_from(org_ids)),
    )
    return truth, seen, request


World = tuple[Snapshot, Snapshot, FixRequest]


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
def test_no_plan_cross_associates_or_touches_anything_but_the_ticket(world: World) -> None:
    snap, seen, request = world
    outcome = plan(seen, request)
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
def test_undo_of_any_plan_never_cross_associates(world: World) -> None:
    snap, seen, request = world
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
    # Judged on a partial view of the world after the fix, checked against the whole of it.
    back = plan_undo(seen.model_copy(update={"ticket": after}), c, request.scenario)
    if isinstance(back, Plan):
        assert_never_crossed(snap.model_copy(update={"ticket": after}), back)


@settings(max_examples=600, deadline=None)
@given(worlds())
def test_a_partner_put_on_a_ticket_is_of_the_raising_company(world: World) -> None:
    snap, seen, request = world
    outcome = plan(seen, request)
    if not isinstance(outcome, Plan):
        return
    partner_ids = {outcome.correction.cc_added}
    if request.scenario in (Scenario.PARTNER_COMMERCIAL, Scenario.PARTNER_NFR):
        partner_ids.add(outcome.correction.requester[1] if outcome.correction.requester else None)
    raising = {o.id for o in raising_orgs(snap) or ()}
    for partner_id in partner_ids - {None}:
        partner = snap.user(partner_id)
        assert partner is not None
        assert {o.id for o in snap.partner_orgs_of(partner)} & raising
