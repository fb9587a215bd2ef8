"""The rule at the moment of writing, end to end: the Procfile's gunicorn, the Slack stand-in and
the Zendesk stand-in over loopback HTTP. Each case of issue #7 as a support engineer meets it in
Slack: refused (or handled) with the reason in the thread, and nothing written to Zendesk.

The world moves between two clicks through the stand-in's admin calls (memberships, organization
tags and fields), which touch no ticket, so `safe_update` alone could never see it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.slack import blocks
from bot.zendesk.records import MAX_METADATA_BYTES
from standins.harness import Agent, Thread, has_button
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox
from tests.conftest import put_as_colleague

APPLY, UNDO = blocks.APPLY, blocks.UNDO
PAT, NINA, CARLA, IVAN, HANA = (
    4101000000001, 4101000000002, 4101000000101, 4101000000102, 4101000000103,
)  # fmt: skip
ACME, NORTHWIND, GLOBEX, INITECH = 360100000001, 360100000002, 360100000011, 360100000012
ORG_EMAIL = 360012194200
BIG = 9007199254740993  # 2^53 + 1: a float anywhere on the way would turn it into ...992
CARLA_ON_GLOBEX = {"scenario": "customer_account", "customer_email": "carla@globex.example"}


def writes(zendesk: ZendeskSandbox) -> list[dict[str, Any]]:
    return [r for r in zendesk.requests() if r["method"] != "GET"]


def summary_posted(messages: list[dict[str, Any]]) -> bool:
    return any(has_button(m, UNDO) for m in messages)


def undo_answered(before: int) -> Callable[[list[dict[str, Any]]], bool]:
    """Undo's answer is a new message in the thread."""
    return lambda messages: len(messages) > before


def field(ticket: dict[str, Any]) -> Any:
    return {f["id"]: f["value"] for f in ticket["custom_fields"]}[ORG_EMAIL]


def fixed(avery: Agent, ticket: str, values: dict[str, Any]) -> Thread:
    """A correction applied through Slack: command, submit, Apply, the summary posted."""
    thread = avery.submit(avery.command(ticket), values)
    avery.click(thread, APPLY, until=summary_posted)
    return thread


def undo_clicked(avery: Agent, thread: Thread) -> str:
    """Click Undo on the thread's summary; the thread as rendered once Undo has answered."""
    before = len(avery.slack.thread(thread.channel, thread.ts))
    avery.click(thread, UNDO, until=undo_answered(before))
    return avery.render(thread)


def request_id_of_summary(slack: SlackStandIn, thread: Thread) -> str:
    summary = next(m for m in slack.thread(thread.channel, thread.ts) if has_button(m, UNDO))
    value = next(
        element["value"]
        for block in summary["blocks"]
        for element in block.get("elements") or []
        if isinstance(element, dict) and element.get("action_id") == UNDO
    )
    return str(json.loads(value)["request_id"])


# 1. Apply trusts the button: the world moves between the preview and the click.


@pytest.mark.parametrize(
    "move",
    [
        lambda z: z.world.add_membership(CARLA, ACME),
        lambda z: z.world.add_membership(
            CARLA, NORTHWIND, default=False
        ),  # not the default: no sideload
        lambda z: z.world.update_organization(GLOBEX, tags=["open_partner"]),
        lambda z: z.world.update_organization(GLOBEX, fields={"account_type": "open_partner"}),
    ],
    ids=["joins-partner-org", "joins-partner-org-not-default", "org-tagged", "org-field-set"],
)
def test_apply_refuses_a_customer_who_turned_partner_after_the_preview(
    slack: SlackStandIn,
    zendesk: ZendeskSandbox,
    avery: Agent,
    move: Callable[[ZendeskSandbox], None],
) -> None:
    thread = avery.submit(avery.command("512301"), CARLA_ON_GLOBEX)
    assert "[Apply]" in avery.render(thread)
    before = zendesk.ticket(512301)
    move(zendesk)
    avery.click(thread, APPLY)
    rendered = avery.render(thread)
    assert "the fix is now refused, so nothing was written" in rendered
    assert "Refused" in rendered and "Carla Customer" in rendered
    assert "A partner's user is never made the customer of a ticket" in rendered
    assert "[Apply]" not in rendered and "[Undo]" not in rendered
    assert writes(zendesk) == [] and zendesk.ticket(512301) == before


# 2. The guard fails closed on memberships that no sideload shows.


def test_undo_never_puts_a_partner_user_back_on_a_customer_organization(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = fixed(avery, "512303", {"scenario": "partner_commercial"})
    assert zendesk.ticket(512303)["requester_id"] == NINA
    # Since the fix, Hana (whom Undo would make requester again, on Hooli) joined Northwind, as a
    # membership that is not her default and so is in no sideload.
    zendesk.world.add_membership(HANA, NORTHWIND, default=False)
    zendesk.clear_requests()
    rendered = undo_clicked(avery, thread)
    assert "would associate a customer with a partner's organization" in rendered
    assert "is a partner's user (Northwind Integrations) and Hooli Inc is a customer" in rendered
    assert "no organization" not in rendered
    assert writes(zendesk) == []
    assert zendesk.ticket(512303)["requester_id"] == NINA


# 3. Undo trusts only the bot's own, still-standing record.


def test_a_planted_record_is_ignored_by_the_undo_of_a_real_summary(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = fixed(avery, "512304", {"scenario": "partner_nfr"})
    request_id = request_id_of_summary(slack, thread)
    # Another API client writes records in the bot's format, carrying the summary's request id:
    # one on Carla's own ticket 512309, claiming the bot moved it from Ivan at Initech, and two
    # newer ones on 512304 that would make the real fix look undone or superseded.
    claim = {
        "version": 2,
        "action": "fix",
        "scenario": "customer_account",
        "request_id": request_id,
        "requested_by": "someone",
        "correction": {"requester": [IVAN, CARLA], "organization": [INITECH, GLOBEX]},
    }
    note = {"body": "sync", "public": False}
    put_as_colleague(zendesk, 512309, {"comment": note, "metadata": {"partner_fix": claim}})
    undo_claim = {**claim, "action": "undo", "undoes": request_id}
    put_as_colleague(zendesk, 512304, {"comment": note, "metadata": {"partner_fix": claim}})
    put_as_colleague(zendesk, 512304, {"comment": note, "metadata": {"partner_fix": undo_claim}})
    zendesk.clear_requests()

    rendered = undo_clicked(avery, thread)

    assert "Undone" in rendered
    (put,) = writes(zendesk)
    assert put["path"] == "/api/v2/tickets/512304.json"
    assert zendesk.ticket(512304)["organization_id"] is None  # the real fix, reversed
    assert zendesk.ticket(512309)["requester_id"] == CARLA  # the planted claim moved nothing


def test_undo_refuses_after_a_colleague_edited_what_the_fix_wrote(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = fixed(
        avery,
        "512302",
        {"scenario": "services_engagement", "customer_email": "ivan@initech.example"},
    )
    assert PAT in zendesk.ticket(512302)["email_cc_ids"]
    put_as_colleague(zendesk, 512302, {"email_ccs": [{"user_id": PAT, "action": "delete"}]})
    zendesk.clear_requests()
    rendered = undo_clicked(avery, thread)
    assert "changed since the fix (CC edited by someone else)" in rendered
    assert "undoing now would overwrite their change. Nothing was changed." in rendered
    assert writes(zendesk) == []
    assert zendesk.ticket(512302)["requester_id"] == IVAN


def test_undo_of_an_older_summary_after_a_newer_fix_is_refused_as_superseded(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    older = fixed(avery, "512301", CARLA_ON_GLOBEX)
    fixed(
        avery,
        "512301",
        {"scenario": "services_engagement", "customer_email": "carla@globex.example"},
    )
    assert PAT in zendesk.ticket(512301)["email_cc_ids"]
    zendesk.clear_requests()
    rendered = undo_clicked(avery, older)
    assert "changed ticket 512301 again after that correction" in rendered
    assert "undo the newest one instead. Nothing was changed." in rendered
    assert writes(zendesk) == []
    assert PAT in zendesk.ticket(512301)["email_cc_ids"]


# 4. One partner company per ticket: the modal's partner_email.


@pytest.mark.parametrize(
    ("ticket", "values", "theirs", "raised_by"),
    [
        (
            "512302",
            {"scenario": "services_engagement", "customer_email": "ivan@initech.example",
             "partner_email": "nina@northwind-int.example"},
            "Northwind Integrations", "Acme DevOps Partners",
        ),
        (
            "512303",
            {"scenario": "partner_commercial", "partner_email": "pat@acmedevops.example"},
            "Acme DevOps Partners", "Northwind Integrations",
        ),
    ],
)  # fmt: skip
def test_a_partner_of_another_company_is_refused_in_the_preview(
    slack: SlackStandIn,
    zendesk: ZendeskSandbox,
    avery: Agent,
    ticket: str,
    values: dict[str, Any],
    theirs: str,
    raised_by: str,
) -> None:
    thread = avery.submit(avery.command(ticket), values)
    rendered = avery.render(thread)
    assert "Refused" in rendered and "another_partner_company" in rendered
    assert f"is with {theirs}, but ticket {ticket} was raised by {raised_by}" in rendered
    assert "[Apply]" not in rendered
    assert writes(zendesk) == []


# 5. A partner organization marked by its account_type field alone.


def test_a_customer_organization_marked_partner_in_its_field_is_refused(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    zendesk.world.update_organization(GLOBEX, fields={"account_type": "Open_Partner"})
    thread = avery.submit(avery.command("512301"), CARLA_ON_GLOBEX)
    rendered = avery.render(thread)
    assert "belongs to the partner organization Globex Corporation" in rendered
    assert "[Apply]" not in rendered and writes(zendesk) == []


def test_an_untagged_partner_organization_marked_in_its_field_is_the_partners(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    zendesk.world.update_organization(ACME, tags=[], fields={"account_type": "select_partner"})
    thread = fixed(avery, "512304", {"scenario": "partner_nfr"})
    assert "Acme DevOps Partners: the partner's NFR licences" in avery.render(thread)
    assert zendesk.ticket(512304)["organization_id"] == ACME


# 6. The audit record stays within 1 KB; Undo restores the whole value.


def test_a_long_accented_organization_email_fits_the_record_and_comes_back_whole(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    typed = "Ærøskøbing-é😀" * 120 + "@globex.exmaple"
    put_as_colleague(zendesk, 512301, {"custom_fields": [{"id": ORG_EMAIL, "value": typed}]})
    zendesk.clear_requests()
    thread = fixed(avery, "512301", CARLA_ON_GLOBEX)
    (put,) = writes(zendesk)
    metadata = put["body"]["ticket"]["metadata"]
    assert len(json.dumps(metadata).encode()) <= MAX_METADATA_BYTES
    assert len(json.dumps(metadata, ensure_ascii=False).encode()) <= MAX_METADATA_BYTES
    assert field(zendesk.ticket(512301)) == "carla@globex.example"
    assert "Undone" in undo_clicked(avery, thread)
    assert field(zendesk.ticket(512301)) == typed


# 7. Zendesk's ticket ids are 64-bit.


def test_a_16_digit_ticket_id_goes_through_modal_preview_apply_and_undo(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    view_id = avery.command(str(BIG))
    view = slack.view(view_id)
    ticket = next(b for b in view["blocks"] if b.get("block_id") == "ticket")
    assert ticket["element"]["initial_value"] == str(BIG)
    assert "Workshop runners time out" in json.dumps(view["blocks"])
    thread = avery.submit(view_id, {"scenario": "partner_nfr"})
    assert f"#{BIG}" in avery.render(thread) or str(BIG) in avery.render(thread)
    avery.click(thread, APPLY, until=summary_posted)
    (put,) = writes(zendesk)
    assert put["path"] == f"/api/v2/tickets/{BIG}.json"
    assert zendesk.ticket(BIG)["organization_id"] == ACME
    rendered = undo_clicked(avery, thread)
    assert "Undone" in rendered and str(BIG) in rendered
    assert [w["path"] for w in writes(zendesk)] == [f"/api/v2/tickets/{BIG}.json"] * 2
    assert zendesk.ticket(BIG)["organization_id"] is None
    for call in slack.calls("chat.postMessage") + slack.calls("chat.update"):
        assert str(BIG - 1) not in json.dumps(call["args"])  # never rounded through a float
