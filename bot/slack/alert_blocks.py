"""Block Kit builders of the alert: a ticket that looks mis-associated, and the alert once
reviewed. Pure, like bot/slack/blocks.py, whose escaping and clipping they use."""

from __future__ import annotations

from typing import Any

from bot.domain.alerting import Suspicion
from bot.domain.scenarios import SCENARIOS, Scenario
from bot.slack import values
from bot.slack.blocks import button, context, escape, mention, message, section, ticket_link

REVIEW = "partner_fix_review"


def alert(suspicion: Suspicion, url: str) -> dict[str, Any]:
    """The ticket link, what looks wrong, the suggested scenario, and Review: no more than the
    preview shows (names and organizations; no email address)."""
    ticket_id = suspicion.ticket_id
    title = SCENARIOS[suspicion.scenario].title
    blocks = [
        section(
            f":rotating_light: Ticket {ticket_link(ticket_id, url)} looks mis-associated. "
            f"{escape(suspicion.reason)}"
        ),
        context(
            f"Suggested scenario: *{escape(title)}* (`{suspicion.scenario.value}`). Nothing was "
            "changed: *Review* opens the form, and the preview comes into this thread."
        ),
        {
            "type": "actions",
            "block_id": "partner_fix_alert",
            "elements": [button("Review", REVIEW, values.encode_ticket(ticket_id), "primary")],
        },
    ]
    return message(f"Ticket #{ticket_id} looks mis-associated: {suspicion.reason}", blocks)


def reviewed(ticket_id: int, url: str, user_id: str, scenario: Scenario) -> dict[str, Any]:
    """What the alert turns into once a correction was applied from its thread."""
    title = SCENARIOS[scenario].title
    text = (
        f":white_check_mark: Ticket {ticket_link(ticket_id, url)}: reviewed by "
        f"{mention(user_id)}, corrected as *{escape(title)}* (see the thread)."
    )
    return message(f"Ticket #{ticket_id} reviewed", [section(text)])
