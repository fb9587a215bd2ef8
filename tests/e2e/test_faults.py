"""Faults in Zendesk and Slack, driven through the real bot: the ticket ends fully corrected once
or untouched, and the person who asked learns which, in words."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from standins.harness import Agent, ProcfileServer, has_button
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

APPLY, UNDO = "partner_fix_apply", "partner_fix_undo"
PUT = r"/api/v2/tickets/\d+\.json"
NFR = {"scenario": "partner_nfr"}


def writes(zendesk: ZendeskSandbox) -> list[dict[str, Any]]:
    return [r for r in zendesk.requests() if r["method"] != "GET"]


def landed(zendesk: ZendeskSandbox) -> int:
    return sum(1 for r in writes(zendesk) if r["status"] == 200)


def everything_said(slack: SlackStandIn) -> str:
    return json.dumps([m.get("blocks") or m.get("text") for m in slack.messages()])


def summary_or_failure(messages: list[dict[str, Any]]) -> bool:
    return any(has_button(m, UNDO) or ":warning:" in json.dumps(m.get("blocks")) for m in messages)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ({"status": 401}, "credentials"),
        ({"status": 403}, "may not do this"),
        ({"status": 404}, "Zendesk has no ticket 512304"),
        ({"status": 422}, "Zendesk refused the change"),
        ({"status": 429, "retry_after": 30}, "rate-limiting"),
    ],
)
def test_a_failed_put_changes_nothing_says_so_and_keeps_the_request(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent, fault: dict, words: str
) -> None:
    thread = avery.submit(avery.command("512304"), NFR)
    before = zendesk.ticket(512304)
    zendesk.inject("PUT", PUT, **fault)
    messages = avery.click(thread, APPLY, until=summary_or_failure)
    assert zendesk.ticket(512304) == before
    said = json.dumps([m.get("blocks") for m in messages])
    assert words in said and "Nothing was changed" in said
    # The preview (with Apply) stays under the failure, so one more click can finish the job.
    zendesk.clear_faults()
    avery.click(thread, APPLY, until=lambda ms: any(has_button(m, UNDO) for m in ms))
    assert zendesk.ticket(512304)["organization_id"] == 360100000001
    assert landed(zendesk) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 502, "body": "<html>Bad Gateway</html>"},
        {"status": 503},
        {"status": 504, "body": "<html>Gateway Timeout</html>"},
    ],
)
@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-committed"])
def test_a_5xx_to_the_put_is_never_called_nothing_changed(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent, fault: dict, committed: bool
) -> None:
    # A 5xx (a proxy's above all) may come after Zendesk saved the update: the bot reads the
    # ticket back after a wait and reports what it shows, with the summary and Undo.
    thread = avery.submit(avery.command("512304"), NFR)
    zendesk.inject("PUT", PUT, apply_first=committed, **fault)
    avery.timeout = 20
    messages = avery.click(thread, APPLY, until=summary_or_failure)
    said = json.dumps([m.get("blocks") for m in messages])
    assert any(has_button(m, UNDO) for m in messages), said
    assert "Nothing was changed" not in said
    assert zendesk.ticket(512304)["organization_id"] == 360100000001
    # Landed with the 5xx: confirmed by reading, never sent again; not landed: sent once more.
    status = fault["status"]
    assert [w["status"] for w in writes(zendesk)] == ([status] if committed else [status, 200])


@pytest.mark.parametrize("fault", [{"cut": True}, {"drip": 0.5}], ids=["cut", "drip"])
def test_a_put_answer_cut_off_or_dripping_ends_applied_within_the_deadline(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent, fault: dict
) -> None:
    thread = avery.submit(avery.command("512304"), NFR)
    zendesk.inject("PUT", PUT, apply_first=True, **fault)
    avery.timeout = 30  # the 8 s deadline, then the 3 s settle wait
    messages = avery.click(thread, APPLY, until=summary_or_failure)
    assert "confirmed by re-reading the ticket" in json.dumps([m.get("blocks") for m in messages])
    assert len(writes(zendesk)) == 1


def test_429_once_is_waited_out(slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent) -> None:
    thread = avery.submit(avery.command("512304"), NFR)
    zendesk.inject("PUT", PUT, status=429, retry_after=1)
    avery.click(thread, APPLY, until=lambda ms: any(has_button(m, UNDO) for m in ms))
    assert [w["status"] for w in writes(zendesk)] == [429, 200]


def test_a_put_whose_answer_is_lost_after_landing_is_reported_applied_once(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = avery.submit(avery.command("512304"), NFR)
    zendesk.inject("PUT", PUT, apply_first=True, drop=True)
    messages = avery.click(thread, APPLY, until=summary_or_failure)
    assert "confirmed by re-reading the ticket" in json.dumps([m.get("blocks") for m in messages])
    assert len(writes(zendesk)) == 1  # never sent twice
    assert zendesk.ticket(512304)["organization_id"] == 360100000001


def test_a_put_lost_before_landing_is_sent_once_more(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = avery.submit(avery.command("512304"), NFR)
    zendesk.inject("PUT", PUT, drop=True)
    avery.click(thread, APPLY, until=summary_or_failure)
    assert [w["status"] for w in writes(zendesk)] == [None, 200]
    assert landed(zendesk) == 1


def test_a_lost_answer_and_an_unreadable_ticket_say_it_is_unknown(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    thread = avery.submit(avery.command("512304"), NFR)
    zendesk.inject("PUT", PUT, apply_first=True, drop=True)
    zendesk.inject("GET", PUT, delay=0.01)  # Apply's fresh read of the ticket goes through
    zendesk.inject("GET", PUT, status=503, count=5)  # every read after the lost answer fails
    messages = avery.click(thread, APPLY, until=summary_or_failure)
    said = json.dumps([m.get("blocks") for m in messages])
    assert "may or may not have been applied" in said and "check the ticket" in said
    assert len(writes(zendesk)) == 1


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ({"status": 500}, "(500)"),
        ({"status": 404}, "Zendesk has no ticket"),
        ({"delay": 6.0}, "did not answer in time"),
        ({"cut": True}, "cut off"),
        # Each byte within the read timeout, the whole far beyond the 8 s deadline.
        ({"drip": 0.5}, "did not answer in time"),
    ],
)
def test_a_failed_read_is_said_in_the_modal_and_the_thread(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent, fault: dict, words: str
) -> None:
    zendesk.inject("GET", PUT, count=2, **fault)
    avery.timeout = 30
    view_id = avery.command("512304")
    assert words in json.dumps(slack.view(view_id)["blocks"])
    thread = avery.submit(view_id, NFR)
    rendered = avery.render(thread)
    assert words in rendered and "Nothing was changed" in rendered
    assert writes(zendesk) == []


def test_zendesk_down_is_said(avery: Agent, start_bot: Callable[..., ProcfileServer]) -> None:
    start_bot(ZENDESK_URL="http://127.0.0.1:9")
    thread = avery.submit(avery.command("512304"), NFR)
    assert "could not be reached" in avery.render(thread)


def test_apply_on_another_instance_after_a_restart(
    zendesk: ZendeskSandbox, avery: Agent, start_bot: Callable[..., ProcfileServer]
) -> None:
    thread = avery.submit(avery.command("512304"), NFR)
    start_bot()  # another instance, and Slack's requests go there: the first one is gone
    avery.click(thread, APPLY, until=lambda ms: any(has_button(m, UNDO) for m in ms))
    avery.click(thread, UNDO)
    assert zendesk.ticket(512304)["organization_id"] is None
    assert landed(zendesk) == 2


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "invalid_auth"])
def test_when_the_thread_cannot_be_posted_the_preview_still_reaches_the_person(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent, error: str
) -> None:
    slack.inject("chat.postMessage", error, count=1, channel="C0SUPPORT")
    view = avery.command("512304")
    answer = slack.submit_view("U0AGENT1", view, {"ticket": "512304", **NFR})
    assert answer.status == 200
    dm = slack.wait_for_message(
        None,
        lambda m: (
            m["channel"].startswith("D")
            and any(has_button(m, APPLY) or "Preview" in str(m.get("text")) for _ in [0])
        ),
    )
    assert dm is not None
    assert writes(zendesk) == []


def test_a_private_channel_without_the_bot_gets_the_preview_by_dm(
    slack: SlackStandIn, zendesk: ZendeskSandbox
) -> None:
    agent = Agent(slack, "U0AGENT1", "C0PRIVATE")
    view = agent.command("512304")
    slack.submit_view("U0AGENT1", view, {"ticket": "512304", **NFR})
    preview = slack.wait_for_message(None, lambda m: has_button(m, APPLY))
    assert preview["channel"].startswith("D")
    answer = slack.click_button("U0AGENT1", preview["channel"], preview["ts"], APPLY)
    assert answer.status == 200
    slack.wait_for_message(preview["channel"], lambda m: has_button(m, UNDO))
    assert zendesk.ticket(512304)["organization_id"] == 360100000001


def test_slack_rate_limit_is_retried(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    slack.inject("chat.postMessage", "ratelimited", count=1, retry_after=1)
    thread = avery.submit(avery.command("512304"), NFR)
    assert "Preview" in avery.render(thread)


def test_nobody_reachable_still_answers_through_response_url(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    slack.inject("chat.postMessage", "invalid_auth", count=10)
    slack.inject("conversations.open", "invalid_auth", count=10)
    view = avery.command("512304")
    answer = slack.submit_view("U0AGENT1", view, {"ticket": "512304", **NFR})
    assert answer.status == 200
    slack.wait_for_call("response_url")
    note = slack.wait_for_message("C0SUPPORT", lambda m: bool(m.get("is_ephemeral")))
    assert note["visible_to"] == "U0AGENT1"


def test_an_expired_trigger_tells_the_person_to_try_again(
    slack: SlackStandIn, zendesk: ZendeskSandbox
) -> None:
    slack.inject("views.open", "expired_trigger_id")
    answer = slack.slash_command("U0AGENT1", "C0SUPPORT", "512304")
    assert answer.status == 200
    note = slack.wait_for_message("C0SUPPORT", lambda m: bool(m.get("is_ephemeral")))
    assert "expired_trigger_id" in note["text"] and "Nothing was changed" in note["text"]
    assert writes(zendesk) == []


def test_a_views_update_conflict_leaves_the_person_a_working_modal(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    slack.inject("views.update", "hash_conflict")
    answer = slack.slash_command("U0AGENT1", "C0SUPPORT", "512304")
    assert answer.status == 200
    call = slack.wait_for_call("views.update")
    assert call["error"] == "hash_conflict"
    thread = avery.submit(str(call["args"]["view_id"]), {"ticket": "512304", **NFR})
    avery.click(thread, APPLY, until=lambda ms: any(has_button(m, UNDO) for m in ms))
    assert landed(zendesk) == 1


def test_a_failed_preview_offers_try_again_with_the_request_kept(
    slack: SlackStandIn, zendesk: ZendeskSandbox, avery: Agent
) -> None:
    view = avery.command("512304")
    zendesk.inject("GET", PUT, status=503)
    thread = avery.submit(view, NFR)
    assert "(503)" in avery.render(thread) and "[Try again]" in avery.render(thread)
    avery.click(thread, "partner_fix_retry")
    avery.click(thread, APPLY, until=lambda ms: any(has_button(m, UNDO) for m in ms))
    assert zendesk.ticket(512304)["organization_id"] == 360100000001
