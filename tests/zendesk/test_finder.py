"""Finding the customer over real HTTP against the stand-in: the seed's typos, a partner who is
closest, two customers equally close, the description; and what it costs in requests."""

from __future__ import annotations

import pytest
import requests

from bot.domain.refs import RefError
from bot.domain.scenarios import Scenario
from bot.fixes import Fixes, Look
from bot.wiring import build_fixes
from standins.zendesk import ZendeskSandbox
from tests.conftest import zendesk_settings


def look(fixes: Fixes, ticket_id: int) -> Look:
    result = fixes.look(ticket_id)
    assert isinstance(result, Look), result
    return result


@pytest.mark.parametrize(
    ("ticket_id", "prefill", "words"),
    [
        (512310, "jane@acmecorp.example", "Jane Doe <jane@acmecorp.example> of Acme Corp"),
        (512301, "carla@globex.example", "(globex.exmaple for globex.example)"),
        (512302, "ivan@initech.example", "a different ending (.co for .example)"),
        (512307, "hana@hooli.example", "Hana Hooli <hana@hooli.example> of Hooli Inc"),
        (512312, "ivan@initech.example", "(ivn for ivan)"),
        (512313, "uma@umbrella.example", "written in the description"),
    ],
)
def test_a_clear_candidate_is_prefilled_with_the_reason(
    zendesk: ZendeskSandbox, fixes: Fixes, ticket_id: int, prefill: str, words: str
) -> None:
    found = look(fixes, ticket_id)
    assert found.finding is not None and found.finding.clear is not None
    assert found.customer_email == prefill
    assert words in found.finding.line, found.finding.line
    assert found.suggestion.scenario in (Scenario.CUSTOMER_ACCOUNT, Scenario.SERVICES_ENGAGEMENT)


def test_a_partner_closest_to_the_typo_is_never_offered(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    # Jane Reseller (jane@acme-crop.example, of the partner Acme DevOps) is one slip from
    # jane@acmecrop.example, as close as Jane Doe.
    found = look(fixes, 512310)
    assert found.finding is not None
    assert [c.user.name for c in found.finding.candidates] == ["Jane Doe"]


def test_two_customers_equally_close_are_listed_and_nothing_is_prefilled(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    found = look(fixes, 512311)
    assert found.finding is not None and found.finding.clear is None
    assert {c.user.name for c in found.finding.candidates} == {"Alex Ames", "Alix Amis"}
    assert found.customer_email is None
    assert found.suggestion.scenario is Scenario.UNSURE


def test_a_typed_address_that_names_a_customer_needs_no_finder(
    zendesk: ZendeskSandbox, fixes: Fixes
) -> None:
    found = look(fixes, 512303)  # hana@hooli.example: Hana herself
    assert found.finding is None and found.customer_email == "hana@hooli.example"
    paths = [r["path"] for r in zendesk.requests()]
    assert paths == ["/api/v2/tickets/512303.json"]  # Hana is on the ticket: nothing to search


@pytest.mark.parametrize(
    ("ticket_id", "case", "most"),
    [(512310, "typo found", 4), (512311, "ambiguous", 5), (512304, "nobody close", 3)],
)
def test_what_the_finder_costs(
    zendesk: ZendeskSandbox,
    fixes: Fixes,
    ticket_id: int,
    case: str,
    most: int,
) -> None:
    if case == "nobody close":
        email, token = zendesk.credentials
        requests.put(
            f"{zendesk.url}/api/v2/tickets/{ticket_id}.json",
            json={"ticket": {"custom_fields": [{"id": 360012194200, "value": "zed@nowhere.io"}]}},
            auth=(f"{email}/token", token),
            timeout=5,
        ).raise_for_status()
        zendesk.clear_requests()
    found = look(fixes, ticket_id)
    if case == "nobody close":
        assert found.finding is not None and found.finding.candidates == ()
        assert "no customer comes close" in found.finding.line
    paths = [r["path"].removeprefix("/api/v2/") for r in zendesk.requests()]
    assert len(paths) <= most, paths


def test_with_zendesk_url_alone_a_link_to_another_instance_is_refused(
    zendesk: ZendeskSandbox,
) -> None:
    settings = zendesk_settings(zendesk)  # ZENDESK_URL, no ZENDESK_SUBDOMAIN
    assert settings.zendesk_instance_host is None
    fixes = build_fixes(settings)
    federal = fixes.parse("https://gitlab-federal-support.zendesk.com/agent/tickets/512301")
    assert isinstance(federal, RefError)
    assert "512301" not in federal.reason and "federal" not in federal.reason
    assert "gitlab.zendesk.com" in federal.reason  # learned from Zendesk's users/me
    ours = fixes.parse("https://gitlab.zendesk.com/agent/tickets/512301")
    assert not isinstance(ours, RefError) and ours.id == 512301
    assert (
        fixes.find("see https://gitlab-federal-support.zendesk.com/agent/tickets/5 and #7")[0].id
        == 7
    )
    # Without asking Zendesk (the path of an ack), it is let through, to be checked after.
    fresh = build_fixes(settings)
    assert not isinstance(
        fresh.parse("https://gitlab-federal-support.zendesk.com/agent/tickets/1", learn=False),
        RefError,
    )
