from __future__ import annotations

import pytest

from bot.domain.scenarios import Scenario
from bot.domain.suggesting import suggest
from tests.domain.world import CARLA, NINA, PAT, snapshot, ticket


@pytest.mark.parametrize(
    ("changes", "expected", "evidence"),
    [
        ({}, Scenario.CUSTOMER_ACCOUNT, "did not ask for CC"),
        ({"cc_requests": ("Yes, please CC me",)}, Scenario.SERVICES_ENGAGEMENT, "CC-request"),
        ({"cc_requests": ("No",)}, Scenario.CUSTOMER_ACCOUNT, "did not ask"),
        ({"cc_requests": ("n/a",)}, Scenario.CUSTOMER_ACCOUNT, "did not ask"),
        (
            {"cc_requests": ("Restarted the runner; no change.",)},
            Scenario.CUSTOMER_ACCOUNT,
            "did not",
        ),
        ({"cc_requests": ("pat@acmedevops.example",)}, Scenario.SERVICES_ENGAGEMENT, "CC-request"),
        ({"cc_requests": ("Please keep me in CC",)}, Scenario.SERVICES_ENGAGEMENT, "CC-request"),
        (
            {"description": "We deliver a services engagement for Globex, keep me in CC."},
            Scenario.SERVICES_ENGAGEMENT,
            "description",
        ),
        (
            {"description": "Runner question for our internal training lab on NFR licences."},
            Scenario.PARTNER_NFR,
            "NFR",
        ),
        (
            {"description": "We bought this subscription for a commercial engagement."},
            Scenario.PARTNER_COMMERCIAL,
            "bought",
        ),
        ({"org_email": None}, Scenario.UNSURE, "names no customer"),
        ({"org_email": "someone@acmedevops.example"}, Scenario.UNSURE, "names no customer"),
        # A valid address of nobody (the partner's typo) names no customer either.
        ({"org_email": "carla@globex.exmaple"}, Scenario.UNSURE, "names no customer"),
        ({"org_email": PAT.email}, Scenario.UNSURE, "names no customer"),  # a partner's
        ({"form_id": 1, "submitter_id": CARLA.id}, Scenario.UNSURE, "not on the Open Partner"),
    ],
)
def test_suggestion_and_its_reason(changes: dict, expected: Scenario, evidence: str) -> None:
    s = suggest(snapshot(ticket(**{"org_email": CARLA.email, **changes})))
    assert s.scenario is expected
    assert evidence.lower() in s.reason.lower()


def test_off_form_ticket_from_a_partner_is_still_read() -> None:
    s = suggest(snapshot(ticket(form_id=None, submitter_id=NINA.id, org_email=CARLA.email)))
    assert s.scenario is Scenario.CUSTOMER_ACCOUNT


def test_words_inside_other_words_do_not_count() -> None:
    # "nfr" must be a word: "conference" or "infrastructure" say nothing about NFR licences.
    s = suggest(
        snapshot(
            ticket(
                description="Infrastructure conference demo failed",
                submitter_id=PAT.id,
                org_email=CARLA.email,
            )
        )
    )
    assert s.scenario is Scenario.CUSTOMER_ACCOUNT
