"""Reading a submitted modal: a FixRequest, or the errors to show inline, keyed by block id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.planning import MAX_EMAIL_LENGTH, FixRequest, valid_email
from bot.domain.refs import RefError, TicketRef
from bot.domain.scenarios import SCENARIOS, Scenario

Errors = dict[str, str]


def _value(values: Any, block: str) -> str:
    """The text of one input, or "" when the state has any other shape than Slack's
    `{block_id: {action_id: {"value": ...} or {"selected_option": {"value": ...}}}}`."""
    # Every level is checked: a missing block or a value of the wrong type is an empty field (the
    # form then says what is missing), never an exception that leaves the person without an answer.
    block_state = values.get(block) if isinstance(values, dict) else None
    element = block_state.get(block) if isinstance(block_state, dict) else None
    if not isinstance(element, dict):
        return ""
    selected = element.get("selected_option")
    value = selected.get("value") if isinstance(selected, dict) else element.get("value")
    return value.strip() if isinstance(value, str) else ""


def parse_submission(
    values: Any, parse_ref: Callable[[str], TicketRef | RefError]
) -> FixRequest | Errors:
    """The modal's state values -> a request, or every problem at once for the form."""
    errors: Errors = {}
    ticket_text = _value(values, "ticket")
    ticket_id = 0
    if not ticket_text:
        errors["ticket"] = "Give a ticket link or id."
    else:
        ref = parse_ref(ticket_text)
        if isinstance(ref, RefError):
            errors["ticket"] = ref.reason[:150]
        else:
            ticket_id = ref.id
    scenario_text = _value(values, "scenario")
    scenario: Scenario | None = None
    try:
        scenario = Scenario(scenario_text)
    except ValueError:
        errors["scenario"] = "Pick a scenario."
    emails: dict[str, str | None] = {}
    for block, who in (("customer_email", "customer"), ("partner_email", "partner")):
        text = _value(values, block)
        if text and (len(text) > MAX_EMAIL_LENGTH or not valid_email(text)):
            errors[block] = f"That is not a valid email address for the {who}."
        emails[block] = text or None
    if scenario and SCENARIOS[scenario].customer_is_requester and not emails["customer_email"]:
        errors.setdefault("customer_email", "This scenario needs the customer's email.")
    if errors or scenario is None:
        return errors
    return FixRequest(
        ticket_id=ticket_id,
        scenario=scenario,
        customer_email=emails["customer_email"],
        partner_email=emails["partner_email"],
    )
