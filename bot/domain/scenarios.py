"""The scenarios of the Open Partner process: who is entitled, who Support talks to, what to ask."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scenario(StrEnum):
    CUSTOMER_ACCOUNT = "customer_account"
    SERVICES_ENGAGEMENT = "services_engagement"
    PARTNER_COMMERCIAL = "partner_commercial"
    PARTNER_NFR = "partner_nfr"
    UNSURE = "unsure"


@dataclass(frozen=True)
class ScenarioInfo:
    scenario: Scenario
    title: str
    situation: str
    # Whose subscription (support plan) applies.
    subscription: str
    # Who Support works with on the ticket.
    contact: str
    # The customer becomes the requester (the two customer scenarios).
    customer_is_requester: bool = False
    # The partner is added to CC.
    adds_partner_cc: bool = False
    # The partner becomes the requester (the two partner scenarios).
    partner_is_requester: bool = False
    # What to ask the partner when nothing is clear.
    questions: tuple[str, ...] = ()

    @property
    def writes(self) -> bool:
        return self.customer_is_requester or self.partner_is_requester


SCENARIOS: dict[Scenario, ScenarioInfo] = {
    info.scenario: info
    for info in (
        ScenarioInfo(
            Scenario.CUSTOMER_ACCOUNT,
            title="Customer account",
            situation=(
                "The partner raised it on the customer's behalf, under the customer's account."
            ),
            subscription="the customer's",
            contact="the customer, directly",
            customer_is_requester=True,
        ),
        ScenarioInfo(
            Scenario.SERVICES_ENGAGEMENT,
            title="Services engagement",
            situation=(
                "The partner raised it for the customer and is delivering a services engagement, "
                "so they stay in the loop."
            ),
            subscription="the customer's",
            contact="the customer, with the partner on CC",
            customer_is_requester=True,
            adds_partner_cc=True,
        ),
        ScenarioInfo(
            Scenario.PARTNER_COMMERCIAL,
            title="Partner commercial",
            situation=(
                "The partner does commercial work for a customer on a subscription the partner "
                "bought, under its own account."
            ),
            subscription="the partner's",
            contact="the partner",
            partner_is_requester=True,
        ),
        ScenarioInfo(
            Scenario.PARTNER_NFR,
            title="Partner NFR",
            situation="The partner's own training, testing or knowledge building.",
            subscription="the partner's NFR (not-for-resale) licences",
            contact="the partner",
            partner_is_requester=True,
        ),
        ScenarioInfo(
            Scenario.UNSURE,
            title="Unsure: ask the partner",
            situation="None of the scenarios is clear yet. Nothing is changed in Zendesk.",
            subscription="not known yet",
            contact="the partner, until it is clear",
            questions=(
                "Is this ticket about your customer's GitLab subscription, or one your company "
                "bought?",
                "If it is your customer's: what is the customer's organization name and the email "
                "of their contact who should work with Support?",
                "Are you delivering a services engagement for this customer, and should we keep "
                "you in CC?",
                "If it is your own: is it for a customer engagement (commercial) or for your own "
                "training and testing on NFR licences?",
            ),
        ),
    )
}
