"""A small Open Partner world as domain values, for planning and suggestion tests."""

from __future__ import annotations

from typing import Any

from bot.domain.models import Organization, ProcessRules, Snapshot, Ticket, User

PARTNER_FORM = 360000818199
RULES = ProcessRules(
    partner_org_tags=frozenset({"open_partner", "select_partner"}), partner_form_id=PARTNER_FORM
)

ACME = Organization(
    id=1, name="Acme DevOps Partners", tags=frozenset({"open_partner"}), plan="premium",
    domain_names=("acmedevops.example",),
)  # fmt: skip
NORTHWIND = Organization(
    id=2, name="Northwind", tags=frozenset({"select_partner"}), plan="ultimate"
)
GLOBEX = Organization(id=11, name="Globex", plan="ultimate", domain_names=("globex.example",))
HOOLI = Organization(id=13, name="Hooli Inc", plan="ultimate")
HOOLI_EU = Organization(id=14, name="Hooli EU", plan="premium")
ORGS = (ACME, NORTHWIND, GLOBEX, HOOLI, HOOLI_EU)

PAT = User(id=101, name="Pat Partner", email="pat@acmedevops.example", organization_ids=(1,))
NINA = User(id=102, name="Nina", email="nina@northwind.example", organization_ids=(2,))
CONTRACTOR = User(id=103, name="Gary", email="contractor@globex.example", organization_ids=(1,))
CARLA = User(id=201, name="Carla", email="carla@globex.example", organization_ids=(11,))
HANA = User(id=202, name="Hana", email="hana@hooli.example", organization_ids=(13, 14))
OLGA = User(id=203, name="Olga", email="olga@orgless.example")
MIXED = User(id=204, name="Max", email="max@globex.example", organization_ids=(11, 1))
TYPO = User(id=301, name="carla@globex.exmaple", email="carla@globex.exmaple")
AGENT = User(id=900, name="Sam", email="sam@gitlab.example", role="agent")
# As the gateway hands them to the planner: every membership read.
PEOPLE = tuple(
    u.model_copy(update={"memberships_complete": True})
    for u in (PAT, NINA, CONTRACTOR, CARLA, HANA, OLGA, MIXED, TYPO, AGENT)
)
PAT, NINA, CONTRACTOR, CARLA, HANA, OLGA, MIXED, TYPO, AGENT = PEOPLE


def person(user_id: int, name: str, email: str, *org_ids: int) -> User:
    """Someone of a test's own, read in full (every membership) as the gateway reads people."""
    return User(
        id=user_id, name=name, email=email, organization_ids=org_ids, memberships_complete=True
    )


def ticket(**changes: Any) -> Ticket:
    base: dict[str, Any] = {
        "id": 512301,
        "subject": "Pipelines fail",
        "description": "On behalf of Carla at Globex: pipelines fail since the upgrade.",
        "status": "open",
        "form_id": PARTNER_FORM,
        "requester_id": TYPO.id,
        "submitter_id": PAT.id,
        "organization_id": None,
        "org_email": "carla@globex.exmaple",
        "updated_at": "2026-11-20T10:00:00Z",
    }
    base.update(changes)
    return Ticket(**base)


def snapshot(t: Ticket | None = None, *, rules: ProcessRules = RULES) -> Snapshot:
    """Every person of the world is known by email, as if the gateway had looked them all up."""
    emails = {u.email.lower(): u.id for u in PEOPLE if u.email}
    return Snapshot(
        ticket=t or ticket(), users=PEOPLE, organizations=ORGS, emails=emails, rules=rules
    )
