"""Finding the customer through the real bot (the Procfile's gunicorn) and the Slack stand-in:
what the modal prefills and says, and a fix of the typo case from the modal to Undo."""

from __future__ import annotations

import json
from typing import Any

from standins.harness import Agent, has_button
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

APPLY, UNDO = "partner_fix_apply", "partner_fix_undo"
JANE, ACME_CORP = 4101000000106, 360100000016


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_the_typo_case_is_found_prefilled_and_fixed(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    view_id = avery.command("512310")
    view = slack.view(view_id)
    said = json.dumps(view["blocks"])
    assert block(view, "customer_email")["element"]["initial_value"] == "jane@acmecorp.example"
    assert block(view, "scenario")["element"]["initial_option"]["value"] == "customer_account"
    assert (
        "Organization Email says jane@acmecrop.example, which matches nobody; Jane Doe "
        "&lt;jane@acmecorp.example&gt; of Acme Corp (premium) is the closest customer"
    ) in said
    assert "Jane Reseller" not in said  # a partner's user, one slip away too
    thread = avery.submit(view_id, {})  # as prefilled
    avery.click(thread, APPLY, until=lambda ms: any(has_button(m, UNDO) for m in ms))
    ticket = zendesk.ticket(512310)
    assert (ticket["requester_id"], ticket["organization_id"]) == (JANE, ACME_CORP)
    rendered = avery.render(thread)
    assert "20 MB" in rendered and "providing-large-files" in rendered  # how to send files


def test_two_customers_equally_close_are_listed_and_nothing_is_prefilled(
    slack: SlackStandIn, avery: Agent
) -> None:
    view = slack.view(avery.command("512311"))
    said = json.dumps(view["blocks"])
    assert "initial_value" not in block(view, "customer_email")["element"]
    assert "Alex Ames &lt;alex@initech.example&gt; of Initech" in said
    assert "Alix Amis &lt;alix@initech.example&gt; of Initech" in said
    assert block(view, "scenario")["element"]["initial_option"]["value"] == "unsure"


def test_nobody_close_is_said_and_nothing_is_prefilled(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    view = slack.view(avery.command("512304"))  # no Organization Email at all
    assert "initial_value" not in block(view, "customer_email")["element"]


def test_the_shortcut_finds_a_ticket_linked_only_in_an_attachment(
    slack: SlackStandIn, avery: Agent
) -> None:
    # As Zendesk's own Slack notification posts it: no link in the text.
    ts = slack.post_user_message("U0AGENT2", "C0SUPPORT", "Ticket updated")
    message = next(m for m in slack.workspace.messages if m.ts == ts)
    message.body["attachments"] = [
        {
            "fallback": "Ticket #512310 updated",
            "title": "Merge trains stall",
            "title_link": "https://gitlab.zendesk.com/agent/tickets/512310",
        }
    ]
    view = slack.view(avery.shortcut(ts))
    assert block(view, "ticket")["element"]["initial_value"] == "512310"
