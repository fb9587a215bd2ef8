"""The modal: the ticket, what it looks like now, the scenarios (one suggested), the emails."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.finding import Finding
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.domain.wording import ticket_facts
from bot.fixes import Look
from bot.slack import values
from bot.slack.blocks.kit import (
    FIELD_LIMIT,
    HINT_LIMIT,
    INPUT_VALUE_LIMIT,
    TITLE_LIMIT,
    Block,
    clip,
    context,
    escape,
    plain,
    section,
    ticket_link,
)

MODAL_CALLBACK = "partner_fix_modal"
MAX_FIELDS = 10


def modal(
    context_value: values.ModalContext,
    ticket_text: str = "",
    look: Look | None = None,
    problem: str | None = None,
    loading: bool = False,
) -> dict[str, Any]:
    suggestion = look.suggestion if look else None
    prefill = look.customer_email if look else None
    blocks: list[Block] = []
    if context_value.note:
        blocks.append(context(escape(context_value.note)))
    ticket_input: Block = {
        "type": "plain_text_input",
        "action_id": "ticket",
        "placeholder": plain("https://gitlab.zendesk.com/agent/tickets/123456 or 123456"),
    }
    if ticket_text:
        ticket_input["initial_value"] = clip(ticket_text, INPUT_VALUE_LIMIT)
    blocks.append(
        {"type": "input", "block_id": "ticket", "label": plain("Ticket"), "element": ticket_input}
    )
    if loading:
        blocks.append(context(":hourglass_flowing_sand: Reading the ticket from Zendesk…"))
    if problem:
        blocks.append(context(f":warning: {escape(problem)}"))
    if look:
        blocks.extend(_facts(look))
    options = [_scenario_option(s) for s in Scenario]
    radio: Block = {"type": "radio_buttons", "action_id": "scenario", "options": options}
    if suggestion:
        radio["initial_option"] = _scenario_option(suggestion.scenario)
    label = "Scenario"
    if suggestion:
        label = f"Scenario (suggested: {SCENARIOS[suggestion.scenario].title})"
    blocks.append(
        {"type": "input", "block_id": "scenario", "label": plain(label), "element": radio}
    )
    if suggestion:
        blocks.append(context(f"Why: {escape(suggestion.reason)}"))
    if look and look.finding:
        blocks.append(_finding(look.finding))
    customer: Block = {
        "type": "email_text_input",
        "action_id": "customer_email",
        "placeholder": plain("customer@example.com"),
    }
    if prefill and _looks_like_email(prefill):
        customer["initial_value"] = prefill
    blocks.append(
        {
            "type": "input",
            "block_id": "customer_email",
            "optional": True,
            "label": plain("Customer's email"),
            "hint": plain(
                "For the two customer scenarios. Pre-filled when the ticket names a customer, "
                "or the bot found the one the partner meant.",
                HINT_LIMIT,
            ),
            "element": customer,
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": "partner_email",
            "optional": True,
            "label": plain("Partner's email"),
            "hint": plain(
                "The partner to CC or make requester. Defaults to the submitter.", HINT_LIMIT
            ),
            "element": {
                "type": "email_text_input",
                "action_id": "partner_email",
                "placeholder": plain("partner@example.com"),
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": plain("Partner fix", TITLE_LIMIT),
        "submit": plain("Preview", TITLE_LIMIT),
        "close": plain("Cancel", TITLE_LIMIT),
        "private_metadata": values.encode_context(context_value),
        "blocks": blocks,
    }


def modal_problem(context_value: values.ModalContext, reason: str) -> dict[str, Any]:
    """The modal when Slack refused to show the filled one: what went wrong, nothing else that
    could fail again (no inputs, so no submit)."""
    text = (
        f":warning: Slack refused to show the ticket in this form ({escape(reason)}). "
        "Nothing was changed: close this and run /partner-fix again."
    )
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": plain("Partner fix", TITLE_LIMIT),
        "close": plain("Close", TITLE_LIMIT),
        "private_metadata": values.encode_context(context_value),
        "blocks": [section(text)],
    }


def _finding(finding: Finding) -> Block:
    """The finder's sentence, and the candidates when none is clearly the one."""
    lines = [f":mag: {escape(finding.line)}"]
    if finding.clear is None:
        lines += [f"• {escape(c.describe())}" for c in finding.candidates]
    return context("\n".join(lines))


def _looks_like_email(text: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]{1,64}@[^@\s]{1,189}\.[A-Za-z]{2,24}", text))


def _scenario_option(scenario: Scenario) -> Block:
    info = SCENARIOS[scenario]
    return {
        "text": plain(info.title),
        "value": scenario.value,
        "description": plain(f"Subscription: {info.subscription}. Talks to: {info.contact}."),
    }


def _facts(look: Look) -> list[Block]:
    facts = ticket_facts(look.snapshot)
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{label}*\n{escape(value)}", FIELD_LIMIT)}
        for label, value in facts[1:]
    ]
    subject = escape(facts[0][1])
    head = f"*{ticket_link(look.snapshot.ticket.id, look.url)}* {subject}"
    return [{**section(head), "fields": fields[:MAX_FIELDS]}]
