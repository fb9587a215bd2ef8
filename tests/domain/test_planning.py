from __future__ import annotations

import pytest

from bot.domain.models import User
from bot.domain.planning import (
    Correction,
    FixRequest,
    Inquiry,
    Plan,
    Refusal,
    holds,
    plan,
    plan_undo,
)
from bot.domain.scenarios import Scenario
from tests.domain.world import (
    ACME,
    AGENT,
    CARLA,
    CONTRACTOR,
    GLOBEX,
    HOOLI,
    HOOLI_EU,
    NINA,
    NORTHWIND,
    ORGS,
    PAT,
    PEOPLE,
    TYPO,
    person,
    snapshot,
    ticket,
)

CUSTOMER = Scenario.CUSTOMER_ACCOUNT
SERVICES = Scenario.SERVICES_ENGAGEMENT


def ask(scenario: Scenario, **kwargs: object) -> FixRequest:
    return FixRequest(ticket_id=512301, scenario=scenario, **kwargs)  # type: ignore[arg-type]


def must_plan(outcome: object) -> Plan:
    assert isinstance(outcome, Plan), outcome
    return outcome


def must_refuse(outcome: object, rule: str) -> Refusal:
    assert isinstance(outcome, Refusal), outcome
    assert outcome.rule == rule, outcome
    return outcome


def test_customer_account_moves_requester_org_and_email() -> None:
    p = must_plan(plan(snapshot(), ask(CUSTOMER, customer_email="Carla@Globex.example")))
    assert p.correction == Correction(
        requester=(TYPO.id, CARLA.id),
        organization=(None, GLOBEX.id),
        org_email=("carla@globex.exmaple", "carla@globex.example"),
    )
    assert p.organization_id == GLOBEX.id
    assert [c.field for c in p.changes] == ["requester", "organization", "org_email"]
    assert p.changes[1].after == "Globex (ultimate)"
    assert "Globex" in p.subscription and "customer" in p.subscription
    assert p.updated_at == "2026-11-20T10:00:00Z"


def test_services_engagement_adds_the_submitter_to_cc_once() -> None:
    p = must_plan(plan(snapshot(), ask(SERVICES, customer_email="carla@globex.example")))
    assert p.correction.cc_added == PAT.id
    already = snapshot(ticket(email_cc_ids=(PAT.id,)))
    p2 = must_plan(plan(already, ask(SERVICES, customer_email="carla@globex.example")))
    assert p2.correction.cc_added is None


def test_only_what_is_wrong_is_changed_and_correct_ticket_says_so() -> None:
    right = ticket(
        requester_id=CARLA.id, organization_id=GLOBEX.id, org_email="carla@globex.example"
    )
    p = must_plan(plan(snapshot(right), ask(CUSTOMER, customer_email="carla@globex.example")))
    assert p.already_correct and p.changes == ()
    half = ticket(requester_id=CARLA.id, organization_id=GLOBEX.id)
    p = must_plan(plan(snapshot(half), ask(CUSTOMER, customer_email="carla@globex.example")))
    assert [c.field for c in p.changes] == ["org_email"]


@pytest.mark.parametrize("scenario", [Scenario.PARTNER_COMMERCIAL, Scenario.PARTNER_NFR])
def test_partner_scenarios_put_the_partner_on_the_partner_org(scenario: Scenario) -> None:
    t = ticket(requester_id=CARLA.id, organization_id=GLOBEX.id, submitter_id=PAT.id)
    p = must_plan(plan(snapshot(t), ask(scenario)))
    assert p.correction == Correction(requester=(CARLA.id, PAT.id), organization=(GLOBEX.id, 1))
    assert p.correction.org_email is None  # left as it is


def test_partner_email_overrides_the_submitter_within_the_same_company() -> None:
    t = ticket(requester_id=CARLA.id, organization_id=GLOBEX.id)
    request = ask(Scenario.PARTNER_COMMERCIAL, partner_email=CONTRACTOR.email)
    p = must_plan(plan(snapshot(t), request))
    assert p.correction.requester == (CARLA.id, CONTRACTOR.id)
    assert p.organization_id == ACME.id


@pytest.mark.parametrize("scenario", [Scenario.PARTNER_COMMERCIAL, Scenario.SERVICES_ENGAGEMENT])
def test_another_partner_company_is_refused_naming_both(scenario: Scenario) -> None:
    # Pat (Acme) raised the ticket; Nina is with Northwind.
    t = ticket(requester_id=CARLA.id, organization_id=GLOBEX.id)
    request = ask(scenario, partner_email=NINA.email, customer_email=CARLA.email)
    outcome = plan(snapshot(t), request)
    assert isinstance(outcome, Refusal) and outcome.rule == "another_partner_company"
    assert "Northwind" in outcome.message and "Acme DevOps Partners" in outcome.message


def test_the_raising_company_is_the_tickets_partner_organization_when_staff_submitted() -> None:
    t = ticket(submitter_id=AGENT.id, requester_id=NINA.id, organization_id=NORTHWIND.id)
    wrong = plan(snapshot(t), ask(Scenario.PARTNER_COMMERCIAL, partner_email=PAT.email))
    assert isinstance(wrong, Refusal) and wrong.rule == "another_partner_company"
    right = plan(snapshot(t), ask(Scenario.PARTNER_COMMERCIAL, partner_email=NINA.email))
    assert isinstance(right, Plan) and right.organization_id == NORTHWIND.id


def test_no_partner_raised_the_ticket_is_refused() -> None:
    t = ticket(submitter_id=CARLA.id, requester_id=CARLA.id, organization_id=GLOBEX.id)
    outcome = plan(snapshot(t), ask(Scenario.PARTNER_COMMERCIAL, partner_email=PAT.email))
    assert isinstance(outcome, Refusal) and outcome.rule == "no_partner_raised"


def test_an_organization_marked_partner_in_its_field_is_a_partners() -> None:
    # Globex untagged, but the Salesforce sync marked it a partner account.
    marked = GLOBEX.model_copy(update={"account_type": "Select_Partner"})
    snap = snapshot().model_copy(
        update={"organizations": tuple(marked if o.id == GLOBEX.id else o for o in ORGS)}
    )
    outcome = plan(snap, ask(CUSTOMER, customer_email=CARLA.email))
    assert isinstance(outcome, Refusal) and outcome.rule == "never_cross_associate"
    other_kind = GLOBEX.model_copy(update={"account_type": "Customer"})
    snap = snapshot().model_copy(
        update={"organizations": tuple(other_kind if o.id == GLOBEX.id else o for o in ORGS)}
    )
    assert isinstance(plan(snap, ask(CUSTOMER, customer_email=CARLA.email)), Plan)


def _people(*changed: User) -> tuple[User, ...]:
    by_id = {u.id: u for u in changed}
    return tuple(by_id.get(u.id, u) for u in PEOPLE)


def test_a_customer_whose_memberships_are_not_all_known_is_refused() -> None:
    # As a sideload gives her: the default organization only.
    partial = CARLA.model_copy(update={"memberships_complete": False})
    snap = snapshot().model_copy(update={"users": _people(partial)})
    outcome = plan(snap, ask(CUSTOMER, customer_email=CARLA.email))
    assert isinstance(outcome, Refusal) and outcome.rule == "facts_incomplete"


def test_a_membership_of_an_organization_the_snapshot_lacks_is_refused() -> None:
    hidden = CARLA.model_copy(update={"organization_ids": (GLOBEX.id, 999)})
    snap = snapshot().model_copy(update={"users": _people(hidden)})
    outcome = plan(snap, ask(CUSTOMER, customer_email=CARLA.email))
    assert isinstance(outcome, Refusal) and outcome.rule == "facts_incomplete"


def test_a_partner_seen_on_one_partner_organization_needs_no_more() -> None:
    partial = PAT.model_copy(update={"memberships_complete": False})
    snap = snapshot().model_copy(update={"users": _people(partial)})
    assert isinstance(plan(snap, ask(CUSTOMER, customer_email=CARLA.email)), Plan)


def test_undo_refuses_a_requester_it_cannot_see_or_judge() -> None:
    done = Correction(requester=(TYPO.id, CARLA.id), organization=(None, GLOBEX.id))
    t = ticket(requester_id=CARLA.id, organization_id=GLOBEX.id)
    gone = snapshot(t).model_copy(update={"users": tuple(u for u in PEOPLE if u.id != TYPO.id)})
    outcome = plan_undo(gone, done, CUSTOMER)
    assert isinstance(outcome, Refusal) and outcome.rule == "facts_incomplete"
    # A partner put back on a customer organization is refused, not shown as "no organization".
    done = Correction(requester=(PAT.id, CARLA.id), organization=(GLOBEX.id, GLOBEX.id))
    outcome = plan_undo(snapshot(t), done, CUSTOMER)
    assert isinstance(outcome, Refusal) and outcome.rule == "never_cross_associate"


def test_an_organization_the_snapshot_lacks_is_named_not_called_none() -> None:
    done = Correction(requester=(TYPO.id, CARLA.id), organization=(777, GLOBEX.id))
    t = ticket(requester_id=CARLA.id, organization_id=GLOBEX.id)
    outcome = plan_undo(snapshot(t), done, CUSTOMER)
    assert isinstance(outcome, Refusal) and "organization 777" in outcome.message


def test_unsure_writes_nothing_and_asks() -> None:
    outcome = plan(snapshot(), ask(Scenario.UNSURE))
    assert isinstance(outcome, Inquiry)
    assert len(outcome.questions) >= 3 and "Pat Partner" in outcome.partner


def test_several_customer_orgs_choose_default_and_say_so() -> None:
    request = ask(CUSTOMER, customer_email="hana@hooli.example")
    p = must_plan(plan(snapshot(), request))
    assert p.organization_id == HOOLI.id
    assert any("Hooli EU" in note for note in p.notes)
    assert p.organization_choices == ((HOOLI.id, "Hooli Inc"), (HOOLI_EU.id, "Hooli EU"))
    picked = ask(CUSTOMER, customer_email="hana@hooli.example", organization_id=HOOLI_EU.id)
    assert must_plan(plan(snapshot(), picked)).organization_id == HOOLI_EU.id
    wrong = ask(CUSTOMER, customer_email="hana@hooli.example", organization_id=ACME.id)
    must_refuse(plan(snapshot(), wrong), "organization_not_customers")


@pytest.mark.parametrize(
    ("changes", "request_kwargs", "rule"),
    [
        ({}, {"customer_email": "nobody@nowhere.example"}, "customer_unknown"),
        ({}, {"customer_email": "contractor@globex.example"}, "never_cross_associate"),
        ({}, {"customer_email": "max@globex.example"}, "never_cross_associate"),
        ({}, {"customer_email": "olga@orgless.example"}, "customer_without_org"),
        ({}, {"customer_email": "pat@acmedevops.example"}, "never_cross_associate"),
        ({}, {"customer_email": "sam@gitlab.example"}, "customer_is_staff"),
        ({}, {}, "customer_email_missing"),
        ({}, {"customer_email": "not an email"}, "invalid_email"),
        ({"status": "closed"}, {"customer_email": "carla@globex.example"}, "ticket_closed"),
        (
            {"submitter_id": CARLA.id},
            {"customer_email": "carla@globex.example"},
            "partner_not_on_partner_org",
        ),
        (
            {},
            {"customer_email": "carla@globex.example", "partner_email": "x@y.example"},
            "partner_unknown",
        ),
        (
            {},
            {"customer_email": "carla@globex.example", "partner_email": "sam@gitlab.example"},
            "partner_is_staff",
        ),
    ],
)  # fmt: skip
def test_refusals_name_the_rule(changes: dict, request_kwargs: dict, rule: str) -> None:
    refusal = must_refuse(plan(snapshot(ticket(**changes)), ask(SERVICES, **request_kwargs)), rule)
    assert len(refusal.message) > 20


def test_customer_on_partner_domain_is_refused() -> None:
    impostor = person(999, "Impostor", "ops@acmedevops.example", GLOBEX.id)
    snap = snapshot()
    snap = snap.model_copy(
        update={"users": (*snap.users, impostor), "emails": {**snap.emails, impostor.email: 999}}
    )
    must_refuse(
        plan(snap, ask(CUSTOMER, customer_email="ops@acmedevops.example")),
        "customer_domain_is_partner",
    )


def test_refusal_words_name_the_people_and_the_org() -> None:
    refusal = must_refuse(
        plan(snapshot(), ask(CUSTOMER, customer_email="contractor@globex.example")),
        "never_cross_associate",
    )
    assert "Gary" in refusal.message and "Acme DevOps Partners" in refusal.message


def test_undo_reverses_what_the_fix_did() -> None:
    fix = must_plan(plan(snapshot(), ask(SERVICES, customer_email="carla@globex.example")))
    after = ticket(
        requester_id=CARLA.id,
        organization_id=GLOBEX.id,
        org_email="carla@globex.example",
        email_cc_ids=(PAT.id,),
        updated_at="2026-11-21T09:00:00Z",
    )
    assert holds(snapshot(after), fix)
    back = must_plan(plan_undo(snapshot(after), fix.correction, SERVICES))
    assert back.undo and back.updated_at == "2026-11-21T09:00:00Z"
    assert back.correction == Correction(
        requester=(CARLA.id, TYPO.id),
        organization=(GLOBEX.id, None),
        org_email=("carla@globex.example", "carla@globex.exmaple"),
        cc_removed=PAT.id,
    )
    assert back.organization_id is None
    assert not holds(snapshot(ticket()), fix)


def test_undo_refuses_when_someone_changed_the_ticket_since() -> None:
    fix = must_plan(plan(snapshot(), ask(CUSTOMER, customer_email="carla@globex.example")))
    edited = ticket(requester_id=NINA.id, organization_id=2, org_email="carla@globex.example")
    refusal = must_refuse(
        plan_undo(snapshot(edited), fix.correction, CUSTOMER), "changed_since_fix"
    )
    assert "requester" in refusal.message


def test_unsure_questions_go_to_the_partner_never_to_a_customer() -> None:
    t = ticket(submitter_id=CARLA.id, requester_id=CARLA.id, organization_id=GLOBEX.id)
    outcome = plan(snapshot(t), ask(Scenario.UNSURE))
    assert isinstance(outcome, Inquiry) and "Carla" not in outcome.partner
    t = ticket(submitter_id=AGENT.id, requester_id=NINA.id, organization_id=NORTHWIND.id)
    outcome = plan(snapshot(t), ask(Scenario.UNSURE))
    assert isinstance(outcome, Inquiry) and outcome.partner == "the partner at Northwind"
