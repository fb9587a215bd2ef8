"""A ticket whose every text is emoji, accents and CJK, end to end: the bot's messages and views
all pass the Slack stand-in, which counts lengths the strictest way Slack may (UTF-8 bytes).

The ticket lives in a Zendesk stand-in of this test's own (the bundled seed plus a few records),
so the shared seed, which other tests count on, stays as it is."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from standins.harness import Agent, ProcfileServer, free_port, has_button, stand_in_environment
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox
from standins.zendesk.world import bundled_seed

TICKET = 512390
WIDE = "Zoë 😀 中文の件名 ékö 👩‍👩‍👧 🇫🇷 "
PARTNER, CUSTOMER = 4101000000990, 4101000000991
PARTNER_ORGS = (360100000090, 360100000091)
CUSTOMER_ORG = 360100000092
CREATED = "2026-11-20T08:00:00Z"


def _org(org_id: int, name: str, partner: bool) -> dict[str, Any]:
    return {
        "id": org_id,
        "name": name,
        "tags": ["open_partner"] if partner else [],
        "organization_fields": {
            "support_level": "premium",
            "account_type": "Reseller" if partner else "Customer",
        },
        "domain_names": [],
        "created_at": CREATED,
        "updated_at": CREATED,
    }


def wide_seed() -> dict[str, Any]:
    seed = copy.deepcopy(bundled_seed())
    seed["organizations"] += [
        # Names short in code points (a button label fits 75 of them) and long in bytes.
        _org(PARTNER_ORGS[0], ("Ácmé 😀 合作伙伴 " * 6).strip(), partner=True),
        _org(PARTNER_ORGS[1], ("Nørđ 🚀 パートナー " * 6).strip(), partner=True),
        _org(CUSTOMER_ORG, (WIDE * 8).strip(), partner=False),
    ]
    seed["users"] += [
        {
            "id": PARTNER,
            "name": (WIDE * 3).strip(),
            "email": "zoe.partner@acme-wide.example",
            "created_at": CREATED,
            "updated_at": CREATED,
        },
        {
            "id": CUSTOMER,
            "name": (WIDE * 3).strip(),
            "email": "zoe@globex-wide.example",
            "created_at": CREATED,
            "updated_at": CREATED,
        },
    ]
    seed["organization_memberships"] += [
        {
            "id": 361000000990,
            "user_id": PARTNER,
            "organization_id": PARTNER_ORGS[0],
            "default": True,
            "created_at": CREATED,
        },
        {
            "id": 361000000991,
            "user_id": PARTNER,
            "organization_id": PARTNER_ORGS[1],
            "default": False,
            "created_at": CREATED,
        },
        {
            "id": 361000000992,
            "user_id": CUSTOMER,
            "organization_id": CUSTOMER_ORG,
            "default": True,
            "created_at": CREATED,
        },
    ]
    seed["tickets"].append(
        {
            "id": TICKET,
            "ticket_form_id": 360000818199,
            "status": "open",
            "type": "question",
            "priority": "normal",
            "requester_id": PARTNER,
            "submitter_id": PARTNER,
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
            "updated_at": CREATED,
        }
    )
    return seed


@pytest.fixture
def wide_bot(slack: SlackStandIn, tmp_path: Path) -> Iterator[Agent]:
    with ZendeskSandbox(seed=wide_seed()) as zendesk:
        env = stand_in_environment(zendesk, slack, free_port())
        server = ProcfileServer(env, tmp_path / "bot.log").start()
        slack.app_url = f"{server.url}/slack/events"
        try:
            yield Agent(slack, "U0AGENT1", "C0SUPPORT", timeout=20)
        finally:
            server.stop()


def refused(slack: SlackStandIn) -> list[dict[str, Any]]:
    return [
        {"method": c["method"], "error": c["error"], "why": c["response"].get("response_metadata")}
        for c in slack.calls()
        if not c["ok"]
    ]


def test_every_message_and_view_about_a_wide_ticket_is_accepted(wide_bot: Agent) -> None:
    slack = wide_bot.slack
    view = wide_bot.command(str(TICKET))
    assert "Reading the ticket" not in str(slack.view(view)["blocks"])
    nfr = wide_bot.submit(view, {"scenario": "partner_nfr"})
    assert has_button(slack.thread(nfr.channel, nfr.ts)[-1], "partner_fix_apply")
    engaged = wide_bot.submit(
        wide_bot.command(str(TICKET)),
        {"scenario": "services_engagement", "customer_email": "zoe@globex-wide.example"},
    )
    assert has_button(slack.thread(engaged.channel, engaged.ts)[-1], "partner_fix_apply")
    shared = slack.post_user_message("U0AGENT2", "C0SUPPORT", f"{WIDE * 300} #{TICKET}")
    wide_bot.shortcut(shared)
    wide_bot.click(
        nfr,
        "partner_fix_apply",
        until=lambda ms: any(has_button(m, "partner_fix_undo") for m in ms),
    )
    # Undo first takes the button off the summary, then posts its reply: wait for the reply.
    # (The summary's own update says "Correction undone"; the reply names the ticket.)
    wide_bot.click(
        nfr,
        "partner_fix_undo",
        until=lambda ms: any("Correction of ticket" in str(m.get("text")) for m in ms),
    )
    assert refused(slack) == []
    assert len(slack.calls("views.update")) == 3 and len(slack.calls("chat.postMessage")) >= 6
