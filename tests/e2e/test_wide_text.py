"""A ticket whose every text is emoji, accents and CJK, end to end: the bot's messages and views
all pass the Slack stand-in, which counts lengths the strictest way Slack may (UTF-8 bytes).

The ticket, its people and their organizations are added to the shared Zendesk stand-in for this
test alone (the next test's reset takes them away), so the seed other tests count on stays as
it is."""

from __future__ import annotations

from typing import Any

import pytest

from standins.harness import Agent, Stack, has_button
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

TICKET = 512390
WIDE = "Zoë 😀 中文の件名 ékö 👩‍👩‍👧 🇫🇷 "
CREATED = "2026-11-20T08:00:00Z"


def add_organization(zendesk: ZendeskSandbox, name: str, partner: bool) -> int:
    org_id = zendesk.world.add_organization(name, ["open_partner"] if partner else [])
    fields = {"support_level": "premium", "account_type": "Reseller" if partner else "Customer"}
    zendesk.world.update_organization(org_id, fields=fields)
    return org_id


def add_wide_ticket(zendesk: ZendeskSandbox) -> None:
    """A partner in two partner organizations raises a ticket for a customer; every name and
    text is wide. Organization names are short in code points (a button label fits 75 of them)
    and long in bytes."""
    partner = zendesk.world.create_end_user((WIDE * 3).strip(), "zoe.partner@acme-wide.example").id
    customer = zendesk.world.create_end_user((WIDE * 3).strip(), "zoe@globex-wide.example").id
    for index, name in enumerate(("Ácmé 😀 合作伙伴 ", "Nørđ 🚀 パートナー ")):
        org_id = add_organization(zendesk, (name * 6).strip(), partner=True)
        zendesk.world.add_membership(partner, org_id, default=index == 0)
    org_id = add_organization(zendesk, (WIDE * 8).strip(), partner=False)
    zendesk.world.add_membership(customer, org_id, default=True)
    zendesk.add_ticket(
        {
            "id": TICKET,
            "ticket_form_id": 360000818199,
            "status": "open",
            "requester_id": partner,
            "submitter_id": partner,
            "organization_id": None,
            "subject": WIDE * 150,
            "description": WIDE * 600,
            "custom_fields": [
                {"id": 360012194200, "value": WIDE * 90},
                {"id": 360012167559, "value": WIDE * 40},
                {"id": 360012167579, "value": WIDE * 40},
                {"id": 360012194220, "value": WIDE * 200},
            ],
            "created_at": CREATED,
        },
        notify=False,  # no alert: this test is about the command's flow alone
    )


@pytest.fixture
def engineer(stack: Stack, zendesk: ZendeskSandbox, slack: SlackStandIn) -> Agent:
    add_wide_ticket(zendesk)
    return stack.agent(timeout=20)


def refused(slack: SlackStandIn) -> list[dict[str, Any]]:
    return [
        {"method": c["method"], "error": c["error"], "why": c["response"].get("response_metadata")}
        for c in slack.calls()
        if not c["ok"]
    ]


def test_every_message_and_view_about_a_wide_ticket_is_accepted(engineer: Agent) -> None:
    slack = engineer.slack
    view = engineer.command(str(TICKET))
    assert "Reading the ticket" not in str(slack.view(view)["blocks"])
    nfr = engineer.submit(view, {"scenario": "partner_nfr"})
    assert has_button(slack.thread(nfr.channel, nfr.ts)[-1], "partner_fix_apply")
    engaged = engineer.submit(
        engineer.command(str(TICKET)),
        {"scenario": "services_engagement", "customer_email": "zoe@globex-wide.example"},
    )
    assert has_button(slack.thread(engaged.channel, engaged.ts)[-1], "partner_fix_apply")
    shared = slack.post_user_message("U0AGENT2", "C0SUPPORT", f"{WIDE * 300} #{TICKET}")
    engineer.shortcut(shared)
    engineer.click(
        nfr,
        "partner_fix_apply",
        until=lambda ms: any(has_button(m, "partner_fix_undo") for m in ms),
    )
    # Undo first takes the button off the summary, then posts its reply: wait for the reply.
    # (The summary's own update says "Correction undone"; the reply names the ticket.)
    engineer.click(
        nfr,
        "partner_fix_undo",
        until=lambda ms: any("Correction of ticket" in str(m.get("text")) for m in ms),
    )
    assert refused(slack) == []
    assert len(slack.calls("views.update")) == 3 and len(slack.calls("chat.postMessage")) >= 6
