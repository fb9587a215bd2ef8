"""Who may act and where customer data may go, end to end through the Procfile's gunicorn.

This module's bot runs without SLACK_ALLOWED_USERGROUP (every full member may act); the cold
worker's test starts one of its own, restricted, after it has made Slack slow or rate-limited.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.slack import blocks, values
from standins.harness import ALLOWED_GROUP, Agent, ProcfileServer, Stack, Thread, has_button
from standins.slack import AppResponse, SlackStandIn
from standins.zendesk import ZendeskSandbox

APPLY, CANCEL, UNDO = blocks.APPLY, blocks.CANCEL, blocks.UNDO
MEMBERS_ONLY = "guests and people from other organizations can't use partner-fix"
STRANGERS = ["U0GUEST1", "U0GUEST2", "U0EXTERNAL", "U0DEPARTED"]
SHARED_NOTE = "shared with another organization"


@pytest.fixture(scope="module")
def bot(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProcfileServer]:
    """(Overrides the e2e package's.) The Procfile bot, without a user group."""
    server = stack.procfile(tmp_path_factory.mktemp("members-bot") / "bot.log").start()
    yield server
    server.stop()


def writes(zendesk: ZendeskSandbox) -> list[dict[str, Any]]:
    return [r for r in zendesk.requests() if r["method"] != "GET"]


def dm_of(user: str) -> str:
    return "D" + user.removeprefix("U")


def denial_for(slack: SlackStandIn, user: str, answer: AppResponse, words: str) -> None:
    """The denial reached `user` alone: in the ack, in the modal, or in a note only they see
    (ephemeral, or their DM with the bot)."""
    if words in answer.body or words in json.dumps(answer.errors or {}):
        return
    slack.wait_for_message(
        None,
        lambda m: (
            words in str(m.get("text"))
            and (m.get("visible_to") == user or m["channel"] == dm_of(user))
        ),
    )


def previews(slack: SlackStandIn) -> list[dict[str, Any]]:
    return [m for m in slack.messages() if has_button(m, APPLY)]


def previews_shown(slack: SlackStandIn) -> set[str]:
    """The ts of every message the bot ever gave an Apply button."""
    return {
        str(call["response"].get("ts"))
        for method in ("chat.postMessage", "chat.update")
        for call in slack.calls(method)
        if call["ok"] and APPLY in json.dumps(call["args"].get("blocks"))
    }


def settled_preview(slack: SlackStandIn, channel: str) -> Thread:
    message = slack.wait_for_message(channel, lambda m: has_button(m, APPLY), timeout=10)
    return Thread(channel, str(message.get("thread_ts") or message["ts"]))


def summary_posted(messages: list[dict[str, Any]]) -> bool:
    return any(has_button(m, UNDO) for m in messages)


@pytest.mark.parametrize("stranger", STRANGERS)
def test_guests_outsiders_and_the_departed_are_denied_on_every_surface(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent, stranger: str
) -> None:
    # A member's preview and summary, for the stranger to click on.
    thread = avery.submit(avery.command("512304"), {"scenario": "partner_nfr"})
    opened = len(slack.calls("views.open"))

    # Slash command (twice: the first may be decided after the ack, the second from the cache).
    for _ in range(2):
        answer = slack.slash_command(stranger, "C0SUPPORT", "512303")
        assert answer.status == 200 and answer.acked_in_time
        denial_for(slack, stranger, answer, MEMBERS_ONLY)

    # Message shortcut.
    ts = slack.post_user_message("U0AGENT2", "C0SUPPORT", "ZD#512303 needs a look")
    answer = slack.message_shortcut(stranger, "C0SUPPORT", ts)
    assert answer.status == 200
    denial_for(slack, stranger, answer, MEMBERS_ONLY)

    # Modal submission (a modal opened for them before they lost access).
    client = WebClient(token=slack.bot_token, base_url=slack.url)
    modal = blocks.modal(values.ModalContext(channel="C0SUPPORT", user=stranger), "512303")
    view = client.views_open(trigger_id=slack.new_trigger_id(stranger), view=modal)["view"]
    answer = slack.submit_view(
        stranger, view["id"], {"ticket": "512303", "scenario": "partner_commercial"}
    )
    assert answer.status == 200
    denial_for(slack, stranger, answer, MEMBERS_ONLY)

    # Cancel and Apply on the member's preview: it stays as it was.
    preview = next(m for m in slack.thread(thread.channel, thread.ts) if has_button(m, APPLY))
    for action in (CANCEL, APPLY):
        answer = slack.click_button(stranger, thread.channel, preview["ts"], action)
        assert answer.status == 200
        denial_for(slack, stranger, answer, MEMBERS_ONLY)
    still = next(m for m in slack.thread(thread.channel, thread.ts) if m["ts"] == preview["ts"])
    assert still["blocks"] == preview["blocks"] and has_button(still, APPLY)

    # Undo on the member's summary: the correction stands.
    avery.click(thread, APPLY, until=summary_posted)
    summary = next(m for m in slack.thread(thread.channel, thread.ts) if has_button(m, UNDO))
    done = writes(zendesk)
    answer = slack.click_button(stranger, thread.channel, summary["ts"], UNDO)
    assert answer.status == 200
    denial_for(slack, stranger, answer, MEMBERS_ONLY)

    # Try again, and any other button (the alert's review button among them).
    for action in (blocks.RETRY, f"{blocks.PICK_ORG}_0", "partner_fix_review"):
        button = {"type": "button", "text": {"type": "plain_text", "text": "Go"}}
        posted = client.chat_postMessage(
            channel="C0SUPPORT",
            text="a button",
            blocks=[{"type": "actions", "elements": [{**button, "action_id": action}]}],
        )
        answer = slack.click_button(stranger, "C0SUPPORT", posted["ts"], action)
        assert answer.status == 200
        denial_for(slack, stranger, answer, MEMBERS_ONLY)

    assert writes(zendesk) == done  # Avery's Apply, nothing more
    assert len(slack.calls("views.open")) == opened + 1  # only the modal the test opened
    assert previews_shown(slack) == {preview["ts"]}  # Avery's preview, no other
    assert zendesk.ticket(512304)["organization_id"] == 360100000001  # not undone


def test_a_shared_channel_gets_no_customer_data_the_thread_goes_by_dm(
    stack: Stack, slack: SlackStandIn, zendesk: ZendeskSandbox
) -> None:
    avery = stack.agent("U0AGENT1", "C0SHARED")
    view = avery.command("512304")
    answer = slack.submit_view("U0AGENT1", view, {"scenario": "partner_nfr"})
    assert answer.status == 200 and not answer.errors
    thread = settled_preview(slack, dm_of("U0AGENT1"))
    note = slack.wait_for_message("C0SHARED", lambda m: SHARED_NOTE in str(m.get("text")))
    assert note["visible_to"] == "U0AGENT1"
    # Apply from the DM works, and the outcome and the summary stay there.
    in_dm = stack.agent("U0AGENT1", thread.channel)
    in_dm.click(thread, APPLY, until=summary_posted)
    assert zendesk.ticket(512304)["organization_id"] == 360100000001
    assert len(writes(zendesk)) == 1
    # The shortcut on a message of the shared channel: not in that message's thread either.
    ts = slack.post_user_message("U0AGENT2", "C0SHARED", "Could someone check ZD#512303?")
    view = avery.shortcut(ts)
    slack.submit_view("U0AGENT1", view, {"scenario": "partner_commercial"})
    slack.wait_for_message(
        dm_of("U0AGENT1"), lambda m: has_button(m, APPLY) and "512303" in json.dumps(m)
    )
    shown = [m for m in slack.messages("C0SHARED") if m.get("user") == slack.bot_user_id]
    assert shown and all(m["is_ephemeral"] and SHARED_NOTE in m["text"] for m in shown)
    assert slack.thread("C0SHARED", ts) == [m for m in slack.messages("C0SHARED") if m["ts"] == ts]


def test_when_slack_cannot_say_whether_a_channel_is_shared_it_counts_as_shared(
    stack: Stack, slack: SlackStandIn
) -> None:
    # A channel no earlier test used: the bot caches what it learned of a channel for a while.
    slack.inject("conversations.info", "internal_error", count=5, channel="C0PUBLIC2")
    avery = stack.agent("U0AGENT1", "C0PUBLIC2")
    view = avery.command("512304")
    slack.submit_view("U0AGENT1", view, {"scenario": "partner_nfr"})
    settled_preview(slack, dm_of("U0AGENT1"))
    assert not any(m["channel"] == "C0PUBLIC2" for m in previews(slack))
    assert slack.calls("conversations.info")[0]["error"] == "internal_error"


# ---- a cold worker and a slow or rate-limited Slack ----------------------------------------


def acks(slack: SlackStandIn, user: str) -> dict[str, float]:
    """Each surface once, as `user`; the time each HTTP answer took."""
    client = WebClient(token=slack.bot_token, base_url=slack.url)
    took: dict[str, float] = {}
    answer = slack.slash_command(user, "C0SUPPORT", "512304")
    took["command"] = answer.elapsed
    ts = slack.post_user_message("U0AGENT2", "C0SUPPORT", "ZD#512303")
    took["shortcut"] = slack.message_shortcut(user, "C0SUPPORT", ts).elapsed
    modal = blocks.modal(values.ModalContext(channel="C0SUPPORT", user=user), "512303")
    view = client.views_open(trigger_id=slack.new_trigger_id(user), view=modal)["view"]
    took["submit"] = slack.submit_view(
        user, view["id"], {"ticket": "512303", "scenario": "partner_commercial"}
    ).elapsed
    posted = client.chat_postMessage(
        channel="C0SUPPORT",
        text="a button",
        blocks=[{"type": "actions", "elements": [{"type": "button", "action_id": CANCEL,
                 "text": {"type": "plain_text", "text": "Cancel"}, "value": "x"}]}],
    )  # fmt: skip
    took["button"] = slack.click_button(user, "C0SUPPORT", posted["ts"], CANCEL).elapsed
    return took


@pytest.mark.parametrize("trouble", ["slow", "ratelimited"])
def test_a_cold_worker_acks_at_once_whatever_slack_does(
    slack: SlackStandIn,
    zendesk: ZendeskSandbox,
    start_bot: Callable[..., ProcfileServer],
    trouble: str,
) -> None:
    for method in ("auth.test", "usergroups.users.list", "users.info"):
        if trouble == "slow":
            slack.set_latency(4.0, method)
        else:
            slack.inject(method, "ratelimited", count=1000, retry_after=12)
    start_bot(SLACK_ALLOWED_USERGROUP=ALLOWED_GROUP)  # started into that Slack: cold
    guest = acks(slack, "U0GUEST1")
    member = acks(slack, "U0AGENT1")
    print(f"\nack seconds, cold worker, {trouble} Slack: guest {guest}, member {member}")
    for took in (guest, member):
        assert all(seconds < 2.5 for seconds in took.values()), took
    # The answers came first; the verdict follows, and nothing happens without one.
    for user in ("U0GUEST1", "U0AGENT1"):
        slack.wait_for_message(
            "C0SUPPORT",
            lambda m, user=user: m.get("visible_to") == user and "Sorry" in m["text"],
            timeout=15,
        )
    # Nothing but the denials: the bot opened no modal and wrote nothing.
    assert len(slack.calls("views.open")) == 2  # the two the test opened itself
    assert slack.calls("views.update") == []
    assert writes(zendesk) == []
    # Once Slack answers again, the member gets the modal: at once, or (when the check still
    # waited out Slack's Retry-After and the trigger died) on running the command again, as the
    # bot's note tells them to.
    slack.reset()
    tries = []
    for _ in range(3):
        answer = slack.slash_command("U0AGENT1", "C0SUPPORT", "")
        assert answer.status == 200
        trigger = answer.trigger_id
        call = slack.wait_for_call(
            "views.open", lambda c, t=trigger: c["args"].get("trigger_id") == t, 15
        )
        tries.append(call["error"])
        if call["ok"]:
            break
        time.sleep(2)
    assert tries[-1] is None, tries
