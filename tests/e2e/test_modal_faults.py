"""The modal when Slack misbehaves: a views.update refused is said to the person, and a burst of
slow chat.update calls never makes the next modal miss its 3-second trigger."""

from __future__ import annotations

import json
import time

import pytest

from bot.slack.blocks import CANCEL
from bot.slack.values import encode_ticket
from standins.harness import ProcfileServer
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

USER, CHANNEL = "U0AGENT1", "C0SUPPORT"


def updates(slack: SlackStandIn, view_id: str) -> list[dict]:
    return [c for c in slack.calls("views.update") if c["args"].get("view_id") == view_id]


def opened_view(slack: SlackStandIn) -> str:
    call = slack.wait_for_call("views.open")
    assert call["ok"], call
    return str(call["response"]["view"]["id"])


@pytest.mark.parametrize("error", ["internal_error", "invalid_blocks", "not_found"])
def test_a_refused_views_update_is_said_in_the_modal(
    slack: SlackStandIn, zendesk: ZendeskSandbox, error: str
) -> None:
    slack.inject("views.update", error, count=1)
    assert slack.slash_command(USER, CHANNEL, "512304").status == 200
    view_id = opened_view(slack)
    slack.wait_for_call("views.update", lambda c: c["ok"], timeout=10)
    assert [c["error"] for c in updates(slack, view_id)] == [error, None]
    shown = json.dumps(slack.view(view_id)["blocks"])
    assert error in shown and "Nothing was changed" in shown and "Reading the ticket" not in shown


def test_when_the_modal_cannot_be_updated_at_all_the_person_is_told(
    slack: SlackStandIn, zendesk: ZendeskSandbox
) -> None:
    slack.inject("views.update", "internal_error", count=2)
    assert slack.slash_command(USER, CHANNEL, "512304").status == 200
    note = slack.wait_for_message(CHANNEL, lambda m: bool(m.get("is_ephemeral")), timeout=10)
    assert note["visible_to"] == USER
    assert "internal_error" in note["text"] and "Nothing was changed" in note["text"]
    assert len(slack.calls("views.update")) == 2


def test_a_hash_conflict_is_still_left_alone(slack: SlackStandIn, zendesk: ZendeskSandbox) -> None:
    slack.inject("views.update", "hash_conflict", count=1)
    assert slack.slash_command(USER, CHANNEL, "512304").status == 200
    slack.wait_for_call("views.update", timeout=10)
    time.sleep(0.5)
    assert len(slack.calls("views.update")) == 1  # no note over the person's own view
    assert not [m for m in slack.messages(CHANNEL) if m.get("is_ephemeral")]


# Enough clicks to fill both workers' Bolt pools (2 x 32 threads) whichever worker each reaches.
CANCEL_BURST = 120


def test_slow_chat_updates_never_make_the_next_modal_miss_its_trigger(
    fresh_bot: ProcfileServer, slack: SlackStandIn
) -> None:
    for _ in range(CANCEL_BURST):  # previews, each with its Cancel button, as the bot posts them
        value = encode_ticket(512304)
        button = {
            "type": "button",
            "action_id": CANCEL,
            "text": {"type": "plain_text", "text": "Cancel"},
            "value": value,
        }
        posted = slack.api.handle(
            "chat.postMessage",
            {
                "channel": CHANNEL,
                "text": "Preview",
                "blocks": [{"type": "actions", "elements": [button]}],
            },
            slack.bot_token,
        )
        assert posted.body["ok"], posted.body
    slack.set_latency(4.0, "chat.update")
    previews = [m["ts"] for m in slack.messages(CHANNEL)]
    for ts in previews:
        assert slack.click_button(USER, CHANNEL, ts, CANCEL).status == 200
    answer = slack.slash_command(USER, CHANNEL, "512304")
    assert answer.status == 200
    call = slack.wait_for_call("views.open", timeout=10)
    assert call["ok"], call["error"]  # not expired_trigger_id
