"""A support engineer's flows, end to end: gunicorn + Bolt + the stand-ins, over loopback HTTP."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.slack import blocks, values
from standins.harness import Agent, ProcfileServer, Thread, has_button
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox
from tests.conftest import put_as_colleague

ORG_EMAIL = 360012194200
CARLA = {"scenario": "customer_account", "customer_email": "carla@globex.example"}
APPLY, CANCEL, UNDO = "partner_fix_apply", "partner_fix_cancel", "partner_fix_undo"


def summary_posted(messages: list[dict[str, Any]]) -> bool:
    return any(has_button(m, UNDO) for m in messages)


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(m.get("blocks") or m.get("text")) for m in messages)


def writes(zendesk: ZendeskSandbox) -> list[dict[str, Any]]:
    return [r for r in zendesk.requests() if r["method"] != "GET"]


def carla_preview(avery: Agent) -> Thread:
    """Avery's preview of the first seed ticket: Carla's account."""
    return avery.submit(avery.command("512301"), CARLA)


def field(ticket: dict[str, Any], field_id: int = ORG_EMAIL) -> Any:
    return {f["id"]: f["value"] for f in ticket["custom_fields"]}[field_id]


@pytest.mark.parametrize(
    ("ticket", "values", "requester", "organization", "cc"),
    [
        (
            "https://gitlab.zendesk.com/agent/tickets/512301",
            CARLA,
            4101000000101, 360100000011, [],
        ),
        (
            "ZD#512302",
            {"scenario": "services_engagement", "customer_email": "ivan@initech.example"},
            4101000000102, 360100000012, [4101000000001],
        ),
        ("512303", {"scenario": "partner_commercial"}, 4101000000002, 360100000002, []),
        (
            "https://support.gitlab.com/hc/en-us/requests/512304",
            {"scenario": "partner_nfr"},
            4101000000001, 360100000001, [],
        ),
    ],
)  # fmt: skip
def test_each_scenario_end_to_end(
    slack: SlackStandIn,
    zendesk: ZendeskSandbox,
    avery: Agent,
    ticket: str,
    values: dict,
    requester: int,
    organization: int,
    cc: list[int],
) -> None:
    view = avery.command(ticket)
    thread = avery.submit(view, values)
    preview = slack.thread(thread.channel, thread.ts)
    assert any(has_button(m, APPLY) for m in preview)
    assert writes(zendesk) == []  # nothing before Apply
    messages = avery.click(thread, APPLY, until=summary_posted)
    ticket_id = int("".join(ch for ch in ticket if ch.isdigit())[-6:])
    state = zendesk.ticket(ticket_id)
    assert state["requester_id"] == requester
    assert state["organization_id"] == organization
    assert state["email_cc_ids"] == cc
    (put,) = writes(zendesk)
    assert put["body"]["ticket"]["safe_update"] is True
    assert put["body"]["ticket"]["metadata"]["partner_fix"]["slack_user"] == "U0AGENT1"
    rendered = avery.render(thread)
    assert "Applied" in rendered and "Whose subscription" in rendered and "[Undo]" in rendered
    assert "Avery Agent" in rendered
    assert len(messages) == 3  # the thread's root, the preview turned outcome, the summary


def test_modal_shows_the_ticket_and_suggests_the_scenario(
    slack: SlackStandIn, avery: Agent
) -> None:
    view_id = avery.command("https://gitlab.zendesk.com/agent/tickets/512302")
    view = slack.view(view_id)
    rendered = json.dumps(view["blocks"])
    for fact in ("Pat Partner", "Acme DevOps Partners", "ivan@initech.co", "please CC me"):
        assert fact in rendered
    scenario = next(b for b in view["blocks"] if b.get("block_id") == "scenario")
    assert scenario["element"]["initial_option"]["value"] == "services_engagement"
    email = next(b for b in view["blocks"] if b.get("block_id") == "customer_email")
    # ivan@initech.co names nobody: the customer the partner meant is pre-filled, and why.
    assert email["element"]["initial_value"] == "ivan@initech.example"
    assert "ivan@initech.co, which matches nobody; Ivan Initech" in rendered


def test_shortcut_on_a_reply_previews_in_that_thread(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    root = slack.post_user_message("U0AGENT2", "C0SUPPORT", "Partner tickets today")
    reply = slack.post_user_message(
        "U0AGENT2", "C0SUPPORT", "This one: <https://gitlab.zendesk.com/agent/tickets/512304>",
        thread_ts=root,
    )  # fmt: skip
    view = avery.shortcut(reply)
    thread = avery.submit(view, {"scenario": "partner_nfr"})
    assert thread.ts == root
    avery.click(thread, APPLY, until=summary_posted)
    assert zendesk.ticket(512304)["organization_id"] == 360100000001


def test_shortcut_with_several_tickets_takes_the_first_and_says_so(
    slack: SlackStandIn, avery: Agent
) -> None:
    ts = slack.post_user_message("U0AGENT2", "C0SUPPORT", "Both #512303 and ZD#512304 need a look")
    view = slack.view(avery.shortcut(ts))
    rendered = json.dumps(view["blocks"])
    assert "2 tickets" in rendered and "#512304" in rendered
    ticket = next(b for b in view["blocks"] if b.get("block_id") == "ticket")
    assert ticket["element"]["initial_value"] == "512303"


def test_shortcut_on_a_message_without_a_ticket_says_so(slack: SlackStandIn) -> None:
    ts = slack.post_user_message("U0AGENT2", "C0SUPPORT", "We have 500 users and no ticket")
    answer = slack.message_shortcut("U0AGENT1", "C0SUPPORT", ts)
    assert answer.status == 200
    note = slack.wait_for_message("C0SUPPORT", lambda m: bool(m.get("is_ephemeral")))
    assert "no Zendesk ticket" in note["text"] and note["visible_to"] == "U0AGENT1"
    assert slack.calls("views.open") == []


def test_refusal_in_plain_words_and_nothing_to_apply(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    view = avery.command("512308")
    thread = avery.submit(
        view, {"scenario": "services_engagement", "customer_email": "contractor@globex.example"}
    )
    messages = slack.thread(thread.channel, thread.ts)
    rendered = avery.render(thread)
    assert "Refused" in rendered and "Gary Contractor" in rendered
    assert "Acme DevOps Partners" in rendered
    assert not any(has_button(m, APPLY) for m in messages)
    assert writes(zendesk) == []


def test_cancel_changes_nothing(slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent) -> None:
    thread = avery.submit(avery.command("512303"), {"scenario": "partner_commercial"})
    avery.click(thread, CANCEL)
    assert "Cancelled by @Avery Agent" in avery.render(thread)
    assert writes(zendesk) == []
    assert not any(has_button(m, APPLY) for m in slack.thread(thread.channel, thread.ts))


def test_undo_restores_and_says_so(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    before = zendesk.ticket(512301)
    thread = carla_preview(avery)
    avery.click(thread, APPLY, until=summary_posted)
    avery.click(thread, UNDO)
    after = zendesk.ticket(512301)
    assert after["requester_id"] == before["requester_id"]
    assert after["organization_id"] is None
    assert field(after) == field(before)
    rendered = avery.render(thread)
    assert "Undone" in rendered and "[Undo]" not in rendered


def test_a_ticket_changed_since_the_preview_is_not_overwritten(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = carla_preview(avery)
    put_as_colleague(
        zendesk, 512301, {"custom_fields": [{"id": ORG_EMAIL, "value": "edited@by.hand"}]}
    )
    avery.click(thread, APPLY)
    assert field(zendesk.ticket(512301)) == "edited@by.hand"
    # The hand edit; Apply read the ticket again, saw it changed, and sent nothing.
    assert [w["status"] for w in writes(zendesk)] == [200]
    rendered = avery.render(thread)
    assert "changed in Zendesk since the preview" in rendered
    assert "edited@by.hand" in rendered  # the fresh preview shows the new state
    assert "[Apply]" in rendered


def test_double_click_on_apply_writes_once(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = avery.submit(avery.command("512303"), {"scenario": "partner_commercial"})
    preview = next(m for m in slack.thread(thread.channel, thread.ts) if has_button(m, APPLY))
    barrier = threading.Barrier(2)
    answers: list[object] = []

    def click(user: str) -> None:
        barrier.wait(5)
        try:
            answers.append(slack.click_button(user, thread.channel, preview["ts"], APPLY).status)
        except ValueError:  # the button was already gone from this person's Slack
            answers.append("gone")

    clickers = [threading.Thread(target=click, args=(u,)) for u in ("U0AGENT1", "U0AGENT2")]
    for t in clickers:
        t.start()
    for t in clickers:
        t.join(10)
    assert 200 in answers
    slack.wait_for_message(thread.channel, lambda m: has_button(m, UNDO))
    time.sleep(0.5)  # let a second click, if it got through, finish its work
    assert [w["status"] for w in writes(zendesk)].count(200) == 1
    summaries = [m for m in slack.thread(thread.channel, thread.ts) if has_button(m, UNDO)]
    assert len(summaries) == 1
    rendered = avery.render(thread)
    assert "Applied" in rendered or "already shows this correction" in rendered


def test_modal_problems_come_back_inline(slack: SlackStandIn, avery: Agent) -> None:
    view = avery.command("")
    answer = slack.submit_view(
        "U0AGENT1",
        view,
        {"ticket": "https://evil.example/agent/tickets/5", "scenario": "customer_account"},
    )
    assert answer.errors is not None
    assert set(answer.errors) == {"ticket", "customer_email"}
    assert slack.calls("chat.postMessage") == []


def test_help_is_ephemeral_usage(slack: SlackStandIn) -> None:
    answer = slack.slash_command("U0AGENT1", "C0SUPPORT", "help")
    assert answer.status == 200
    assert "/partner-fix" in answer.body and "Apply" in answer.body
    assert slack.calls("views.open") == []


def _denials(slack: SlackStandIn, user: str) -> list[dict]:
    return [c for c in slack.calls("chat.postEphemeral") if c["args"].get("user") == user]


def test_outsiders_are_denied_on_every_surface(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    denied = slack.slash_command("U0OUTSIDER", "C0SUPPORT", "512301")
    assert denied.status == 200 and "only for members" in denied.body
    assert slack.calls("views.open") == []
    thread = avery.submit(avery.command("512303"), {"scenario": "partner_commercial"})
    preview = next(m for m in slack.thread(thread.channel, thread.ts) if has_button(m, APPLY))
    click = slack.click_button("U0OUTSIDER", thread.channel, preview["ts"], APPLY)
    assert click.status == 200
    note = slack.wait_for_message("C0SUPPORT", lambda m: m.get("visible_to") == "U0OUTSIDER")
    assert "only for members" in note["text"]
    ts = slack.post_user_message("U0AGENT2", "C0SUPPORT", "ZD#512304")
    assert slack.message_shortcut("U0OUTSIDER", "C0SUPPORT", ts).status == 200
    # The note follows the answer; waited for (as a recorded call: the stand-in records it
    # after storing the message), so that it cannot land in the next test's call log.
    notes = slack.workspace.wait_for(lambda: _denials(slack, "U0OUTSIDER")[1:] or None, 10)
    assert notes, "no denial for the shortcut"
    assert writes(zendesk) == []
    assert len(slack.calls("views.open")) == 1  # Avery's only


def test_outsiders_cannot_submit_a_modal_or_undo(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    # A modal opened for someone who has since left the group can't be submitted.
    client = WebClient(token=slack.bot_token, base_url=slack.url)
    modal = blocks.modal(values.ModalContext(channel="C0SUPPORT", user="U0OUTSIDER"), "512304")
    view_id = client.views_open(trigger_id=slack.new_trigger_id("U0OUTSIDER"), view=modal)["view"][
        "id"
    ]
    answer = slack.submit_view(
        "U0OUTSIDER", view_id, {"ticket": "512304", "scenario": "partner_nfr"}
    )
    assert answer.errors and "only for members" in answer.errors["ticket"]
    thread = avery.submit(avery.command("512304"), {"scenario": "partner_nfr"})
    avery.click(thread, APPLY, until=summary_posted)
    summary = next(m for m in slack.thread(thread.channel, thread.ts) if has_button(m, UNDO))
    assert slack.click_button("U0OUTSIDER", thread.channel, summary["ts"], UNDO).status == 200
    slack.wait_for_message("C0SUPPORT", lambda m: m.get("visible_to") == "U0OUTSIDER")
    # Recorded after the message is stored: waited for, or it lands in the next test's log.
    slack.wait_for_call("chat.postEphemeral", lambda c: c["args"].get("user") == "U0OUTSIDER")
    assert zendesk.ticket(512304)["organization_id"] == 360100000001  # not undone


@pytest.mark.parametrize(
    "tamper", [{"sign": False}, {"timestamp_offset": -600.0}, {"timestamp_offset": 600.0},
               {"secret": "not-the-secret"}]
)  # fmt: skip
def test_forged_or_stale_requests_get_401_and_do_nothing(
    slack: SlackStandIn, zendesk: ZendeskSandbox, tamper: dict
) -> None:
    answer = slack.slash_command("U0AGENT1", "C0SUPPORT", "512301", **tamper)
    assert answer.status == 401
    assert slack.calls() == [] and zendesk.requests() == []


def test_mrkdwn_from_zendesk_is_escaped(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    hostile = "<!channel> <@U0AGENT2> &amp; <https://evil.example|click>"
    put_as_colleague(zendesk, 512301, {"custom_fields": [{"id": ORG_EMAIL, "value": hostile}]})
    thread = carla_preview(avery)
    posted = [c["args"] for c in slack.calls() if c["method"].startswith(("chat.", "views."))]
    blob = json.dumps(posted)
    for raw in ("<!channel>", "<@U0AGENT2>", "<https://evil.example"):
        assert raw not in blob
    assert "&lt;!channel&gt;" in avery.render(thread)


def test_healthz_touches_nothing(
    bot: ProcfileServer, slack: SlackStandIn, zendesk: ZendeskSandbox
) -> None:
    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as answer:
        assert answer.status == 200
        assert json.loads(answer.read())["ok"] is True
    assert slack.calls() == [] and zendesk.requests() == []


def test_a_customer_in_two_organizations_can_be_put_on_the_other(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = avery.submit(
        avery.command("512307"),
        {"scenario": "customer_account", "customer_email": "hana@hooli.example"},
    )
    rendered = avery.render(thread)
    assert "Hooli Inc" in rendered and "[Use Hooli EU GmbH]" in rendered
    avery.click(thread, "partner_fix_pick_org_0")
    assert "Hooli EU GmbH (premium)" in avery.render(thread)
    avery.click(thread, APPLY, until=summary_posted)
    assert zendesk.ticket(512307)["organization_id"] == 360100000014
