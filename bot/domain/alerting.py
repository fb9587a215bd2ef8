"""misassociated(snapshot, suggestion, outcome) -> Suspicion | None: whether a ticket looks
mis-associated, and what looks wrong in one sentence.

The contract's rule: a ticket looks mis-associated when the bot suggests a correction (not
`unsure`) and the plan for that suggestion would change something. A refusal is no alert: the
bot could not fix it either, and the agent who looks at the ticket sees the same refusal. The
sentence names people and organizations only, as the preview does; no email address.
"""

from __future__ import annotations

from bot.domain.finding import named_customer
from bot.domain.models import Frozen, Snapshot, User
from bot.domain.planning import Inquiry, Plan, Refusal
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.domain.suggesting import Suggestion

# Tickets nobody works on any more: an alert about one would be noise.
FINISHED = ("solved", "closed")


class Suspicion(Frozen):
    ticket_id: int
    scenario: Scenario
    # What looks wrong, in one sentence.
    reason: str


def _person(snapshot: Snapshot, user: User | None) -> str:
    if user is None:
        return "nobody the bot could read"
    name = user.name or "an unnamed user"
    return f"the partner {name}" if snapshot.partner_orgs_of(user) else name


def _where(snapshot: Snapshot) -> str:
    if snapshot.ticket.form_id == snapshot.rules.partner_form_id:
        return "On the partner form"
    return "On a ticket a partner submitted"


def _what_is_wrong(snapshot: Snapshot, plan: Plan) -> str:
    """The one thing that most plainly needs changing: the requester, else the organization,
    else the Organization Email or the CC."""
    correction = plan.correction
    if correction.requester:
        return f"the requester is {_person(snapshot, snapshot.requester)}"
    if correction.organization:
        org = snapshot.ticket_organization
        return f"the ticket's organization is {org.name}" if org else "it has no organization"
    if correction.org_email:
        return "the Organization Email does not name them"
    return "the partner who asked to be CC'd is not"


def _customer_sentence(snapshot: Snapshot, plan: Plan) -> str:
    customer = snapshot.user(plan.correction.requester[1]) if plan.correction.requester else None
    customer = customer or snapshot.requester
    org = snapshot.organization(plan.organization_id)
    named = customer.name if customer else "a customer"
    if org is not None:
        named += f" of {org.name}"
    if named_customer(snapshot) is not None:
        lead = f"the Organization Email names {named}"
    else:
        lead = f"the customer looks like {named} (found from what the partner typed)"
    return f"{_where(snapshot)}, {lead}, but {_what_is_wrong(snapshot, plan)}"


def _partner_sentence(snapshot: Snapshot, plan: Plan, suggestion: Suggestion) -> str:
    why = suggestion.reason.rstrip(".")
    why = why[:1].lower() + why[1:]
    return f"{_where(snapshot)}, {why}, but {_what_is_wrong(snapshot, plan)}"


def misassociated(
    snapshot: Snapshot, suggestion: Suggestion, outcome: Plan | Refusal | Inquiry
) -> Suspicion | None:
    """A suspicion when the ticket looks mis-associated; None when it looks fine (or the bot
    cannot tell, or could not fix it either)."""
    if suggestion.scenario is Scenario.UNSURE or snapshot.ticket.status in FINISHED:
        return None
    if not isinstance(outcome, Plan) or outcome.already_correct or outcome.undo:
        return None
    if SCENARIOS[outcome.scenario].customer_is_requester:
        sentence = _customer_sentence(snapshot, outcome)
    else:
        sentence = _partner_sentence(snapshot, outcome, suggestion)
    return Suspicion(ticket_id=snapshot.ticket.id, scenario=outcome.scenario, reason=sentence + ".")
