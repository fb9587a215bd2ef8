"""The finder: the customer the partner meant, from near misses, names and the description."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.finding import find, named_customer, search_terms, shortlist
from bot.domain.models import Organization, Snapshot, User
from tests.domain.world import (
    ACME,
    CARLA,
    GLOBEX,
    ORGS,
    PAT,
    PEOPLE,
    RULES,
    person,
    snapshot,
    ticket,
)

ACME_CORP = Organization(id=21, name="Acme Corp", plan="premium")
JANE = person(401, "Jane Doe", "jane@acmecorp.example", ACME_CORP.id)
JANET = person(402, "Janet Dow", "jane@acmecorp.exampel", ACME_CORP.id)
# A partner user whose address is the closest of all to the typo: never offered.
JANE_AT_PARTNER = person(403, "Jane Partner", "jane@acmecrop.exampl", ACME.id)


def world(*people: User, **changes: object) -> Snapshot:
    base = snapshot(ticket(**changes))  # type: ignore[arg-type]
    return base.model_copy(
        update={"users": (*PEOPLE, *people), "organizations": (*ORGS, ACME_CORP)}
    )


def test_a_domain_typo_finds_the_one_customer_and_says_why() -> None:
    snap = world(JANE, JANE_AT_PARTNER, org_email="jane@acmecrop.example")
    finding = find(snap, [JANE.id, JANE_AT_PARTNER.id])
    assert finding.clear is not None and finding.clear.user == JANE
    assert [c.user.id for c in finding.candidates] == [JANE.id]
    assert finding.line.startswith(
        "Organization Email says jane@acmecrop.example, which matches nobody; "
        "Jane Doe <jane@acmecorp.example> of Acme Corp (premium) is the closest customer"
    )
    assert "acmecrop.example for acmecorp.example" in finding.line


def test_a_swapped_letter_a_missing_one_and_a_wrong_ending_are_near_misses() -> None:
    for typed in ("carla@globex.exmaple", "carl@globex.example", "carla@globex.co"):
        finding = find(world(org_email=typed), [CARLA.id])
        assert finding.clear is not None and finding.clear.user == CARLA, typed
    assert "different ending" in find(world(org_email="carla@globex.co"), [CARLA.id]).line


def test_more_than_two_slips_is_nobody() -> None:
    finding = find(world(org_email="karl@globe.exmaple"), [CARLA.id])
    assert finding.clear is None and finding.candidates == ()
    assert "no customer comes close" in finding.line


def test_two_customers_equally_close_are_listed_and_none_is_clear() -> None:
    snap = world(JANE, JANET, org_email="jane@acmecorp.exampl")
    finding = find(snap, [JANE.id, JANET.id])
    assert finding.clear is None and {c.user.id for c in finding.candidates} == {401, 402}
    assert "as close as each other" in finding.line


def test_a_customer_named_only_in_the_description_is_found() -> None:
    snap = world(
        JANE,
        org_email=None,
        description="Our customer Jane (jane@acmecorp.example) reports failing pipelines.",
    )
    assert "jane@acmecorp.example" in search_terms(snap)
    finding = find(snap, [JANE.id])
    assert finding.clear is not None and finding.clear.user == JANE
    assert "written in the description" in finding.line


def test_the_name_fields_add_evidence_and_can_find_alone() -> None:
    snap = world(JANE, org_email="someone@elsewhere.example", customer_name="jane DOE")
    finding = find(snap, [JANE.id])
    assert finding.clear is not None and "Customer Name field" in finding.line
    both = world(
        JANE, JANET, org_email="jane@acmecorp.exampl", customer_name="Janet Dow",
        customer_org="Acme Corp",
    )  # fmt: skip
    finding = find(both, [JANE.id, JANET.id])
    assert finding.clear is not None and finding.clear.user == JANET


def test_agents_partners_and_people_not_read_completely_are_never_offered() -> None:
    agent = User(id=404, name="Jane Agent", email="jane@acmecorp.exampl", role="agent")
    unread = JANE.model_copy(update={"memberships_complete": False})
    snap = world(agent, unread, JANE_AT_PARTNER, org_email="jane@acmecrop.example")
    assert find(snap, [404, 401, 403]).candidates == ()
    # ...but someone not read completely may be short-listed, to be read.
    assert shortlist(snap, [404, 401, 403]) == [401]


def test_the_organization_email_naming_a_customer_is_seen() -> None:
    assert named_customer(world(org_email="CARLA@globex.example")) == CARLA
    # The typo's own user (Zendesk made it from the typed address) has no organization.
    assert named_customer(world(org_email="carla@globex.exmaple")) is None
    assert named_customer(world(org_email=PAT.email)) is None


emails = st.emails().map(str.lower)


@settings(max_examples=300, deadline=None)
@given(
    typed=st.one_of(st.none(), emails, st.sampled_from(["jane@acmecrop.example", PAT.email])),
    extra=st.lists(
        st.builds(
            lambda i, email, role, org, complete: User(
                id=500 + i,
                name=f"Person {i}",
                email=email,
                role=role,
                organization_ids=(org,),
                memberships_complete=complete,
            ),
            st.integers(0, 50),
            st.one_of(emails, st.sampled_from(["jane@acmecorp.example", "jane@acmecrop.exampl"])),
            st.sampled_from(["end-user", "agent", "admin"]),
            st.sampled_from([o.id for o in (*ORGS, ACME_CORP)]),
            st.booleans(),
        ),
        max_size=8,
        unique_by=lambda u: u.id,
    ),
)
def test_no_candidate_is_ever_a_partner_user_an_agent_or_not_read(
    typed: str | None, extra: list[User]
) -> None:
    snap = world(*extra, org_email=typed, description=" ".join(u.email or "" for u in extra))
    finding = find(snap, [u.id for u in (*PEOPLE, *extra)])
    for candidate in finding.candidates:
        user = candidate.user
        assert user.role == "end-user" and user.memberships_complete
        assert not snap.partner_orgs_of(user)
        assert not RULES.is_partner_org(candidate.organization)
    if finding.clear is not None:
        assert finding.clear in finding.candidates
    assert GLOBEX.id  # the world keeps its customer organizations


def test_someone_found_twice_is_one_candidate() -> None:
    finding = find(world(org_email="carla@globex.exmaple"), [CARLA.id, CARLA.id])
    assert [c.user.id for c in finding.candidates] == [CARLA.id]
    assert "globex.exmaple for globex.example" in finding.line  # a swap, not a new ending
