"""suggest(snapshot) -> Suggestion: which scenario the ticket looks like, and why.

It suggests; the agent decides. The evidence is what partners write: the form, the Organization
Email field, the CC-request fields, the description, and whose organizations are involved.
"""

from __future__ import annotations

import re

from bot.domain.finding import Finding, named_customer
from bot.domain.models import Frozen, Snapshot
from bot.domain.scenarios import Scenario


class Suggestion(Frozen):
    scenario: Scenario
    reason: str


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


_NFR = _words(
    r"nfr", r"not[- ]for[- ]resale", r"internal (?:training|testing|lab)", r"training lab",
    r"our own (?:training|testing|lab|enablement)", r"knowledge building",
)  # fmt: skip
_COMMERCIAL = _words(
    r"(?:we|our company) (?:bought|purchased|own) (?:this|the|our) (?:subscription|licen[cs]e)",
    r"our own subscription", r"on our (?:own )?account", r"commercial (?:engagement|work)",
    r"(?:the |a )?partner(?:'s)? (?:own )?subscription", r"be the contact",
)  # fmt: skip
_CC = _words(
    r"cc me", r"cc us", r"keep me in (?:the )?cc", r"keep me (?:in the loop|informed)",
    r"add me (?:to|in|as) (?:the )?cc", r"copy me", r"services engagement", r"please cc",
    r"include me", r"in cc",
)  # fmt: skip
# A CC-request field asks for CC when it says yes, names an address, or uses CC words; the
# older "Partner troubleshooting" field mostly holds troubleshooting notes, which do not.
_YES = re.compile(r"^\s*(?:yes|y|yep|please|sure|ok)\b", re.IGNORECASE)
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def asks_for_cc(value: str) -> bool:
    return bool(_YES.match(value) or _ADDRESS.search(value) or _CC.search(value))


def _names_a_customer(snapshot: Snapshot, finding: Finding | None) -> str | None:
    """How the Organization Email points at a customer, in words; None when it does not: it
    must name an existing customer user, or be a near miss of one the finder is sure of."""
    named = named_customer(snapshot)
    if named is not None:
        if (
            named.is_staff
            or snapshot.partner_orgs_of(named)
            or not snapshot.customer_orgs_of(named)
        ):
            return None
        return f"The Organization Email names a customer, {named.name}"
    if finding is not None and finding.clear is not None:
        return (
            f"The Organization Email is a near miss of a customer's address "
            f"({finding.clear.user.name})"
        )
    return None


def suggest(snapshot: Snapshot, finding: Finding | None = None) -> Suggestion:
    ticket = snapshot.ticket
    text = "\n".join((ticket.subject, ticket.description))
    cc_fields = [value for value in ticket.cc_requests if asks_for_cc(value)]
    partner = snapshot.submitter
    if ticket.form_id != snapshot.rules.partner_form_id and not (
        partner and snapshot.partner_orgs_of(partner)
    ):
        return Suggestion(
            scenario=Scenario.UNSURE,
            reason="The ticket is not on the Open Partner form and no partner submitted it.",
        )
    if match := _NFR.search(text):
        return Suggestion(
            scenario=Scenario.PARTNER_NFR,
            reason=f"The partner writes about their own training or NFR use (“{match.group(0)}”).",
        )
    if match := _COMMERCIAL.search(text):
        return Suggestion(
            scenario=Scenario.PARTNER_COMMERCIAL,
            reason=f"The partner says the subscription is theirs (“{match.group(0)}”).",
        )
    customer = _names_a_customer(snapshot, finding)
    if customer and (cc_fields or _CC.search(text)):
        where = "a CC-request field" if cc_fields else "the description"
        return Suggestion(
            scenario=Scenario.SERVICES_ENGAGEMENT,
            reason=f"{customer}, and the partner asks to be CC'd in {where}.",
        )
    if customer:
        return Suggestion(
            scenario=Scenario.CUSTOMER_ACCOUNT,
            reason=f"{customer}, and the partner did not ask for CC.",
        )
    return Suggestion(
        scenario=Scenario.UNSURE,
        reason="The Organization Email names no customer the bot could find, and the "
        "description does not say whose subscription this is.",
    )
