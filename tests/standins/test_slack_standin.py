"""The Slack stand-in's Web API, checked through slack_sdk's own WebClient over loopback HTTP:
if slack_sdk accepts the answers, the bot (built on slack_sdk) will too."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from standins.slack import SlackStandIn
from tests.standins.slack_kit import input_block, plain

pytestmark = pytest.mark.timeout(30)

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "partner_fix_modal",
    "title": plain("Partner fix"),
    "submit": plain("Preview"),
    "private_metadata": '{"channel": "C0SUPPORT"}',
    "blocks": [input_block("ticket", "Ticket", "plain_text_input")],
}


def error_of(call: Any) -> dict[str, Any]:
    """Run a WebClient call expected to fail; return Slack's answer body."""
    with pytest.raises(SlackApiError) as failed:
        call()
    return dict(failed.value.response.data)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# ---- auth ------------------------------------------------------------------------------------


def test_url_has_the_trailing_slash_slack_sdk_wants(slack: SlackStandIn) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:[1-9][0-9]*/api/", slack.url), slack.url


def test_auth_test_names_the_bot_and_team(client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == "U0PARTNERBOT"
    assert answer["team_id"] == "T0PARTNER"
    assert answer["bot_id"].startswith("B")


def test_wrong_or_missing_token(slack: SlackStandIn) -> None:
    wrong = WebClient(token="xoxb-wrong", base_url=slack.url)
    assert error_of(wrong.auth_test) == {"ok": False, "error": "invalid_auth"}
    missing = WebClient(base_url=slack.url)
    assert error_of(missing.auth_test)["error"] == "not_authed"


def test_token_as_form_field_and_get_query(slack: SlackStandIn) -> None:
    form = urllib.parse.urlencode({"token": slack.bot_token, "user": "U0AGENT1"}).encode()
    with urllib.request.urlopen(slack.url + "users.info", data=form, timeout=5) as answer:
        assert json.load(answer)["user"]["real_name"] == "Avery Agent"
    query = urllib.parse.urlencode({"token": slack.bot_token, "usergroup": "S0SUPPORT"})
    with urllib.request.urlopen(f"{slack.url}usergroups.users.list?{query}", timeout=5) as answer:
        assert json.load(answer)["users"] == ["U0AGENT1", "U0AGENT2"]


def test_unknown_method(client: WebClient) -> None:
    assert error_of(lambda: client.api_call("chat.teleport"))["error"] == "unknown_method"


# ---- chat ------------------------------------------------------------------------------------


def test_post_message_returns_increasing_unique_ts(client: WebClient, slack: SlackStandIn) -> None:
    stamps = [client.chat_postMessage(channel="C0SUPPORT", text=f"n{i}")["ts"] for i in range(5)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 5
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)
    answer = client.chat_postMessage(channel="C0SUPPORT", text="hello")
    assert answer["channel"] == "C0SUPPORT"
    assert answer["message"]["text"] == "hello"
    assert answer["message"]["bot_id"] == slack.bot_id
    call = slack.calls("chat.postMessage")[-1]
    assert call["args"] == {"channel": "C0SUPPORT", "text": "hello"}
    assert call["ok"] is True


def test_post_message_channel_rules(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == {
        "ok": False,
        "error": "channel_not_found",
    }
    missing = error_of(lambda: client.api_call("chat.postMessage", json={"text": "x"}))
    assert missing["error"] == "channel_not_found"
    private = error_of(lambda: client.chat_postMessage(channel="C0PRIVATE", text="x"))
    assert private["error"] == "not_in_channel"
    # Public but not joined: chat:write.public lets the bot post.
    assert client.chat_postMessage(channel="C0PUBLIC2", text="x")["ok"]
    # By name, as Slack allows.
    assert client.chat_postMessage(channel="#support-team", text="x")["channel"] == "C0SUPPORT"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_needs_text_or_blocks(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0SUPPORT"))["error"] == "no_text"
    assert client.chat_postMessage(channel="C0SUPPORT", blocks=[section("only blocks")])["ok"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_invalid_blocks_explain_the_limit(client: WebClient) -> None:
    too_many = [section(str(i)) for i in range(51)]
    answer = error_of(lambda: client.chat_postMessage(channel="C0SUPPORT", blocks=too_many))
    assert answer["error"] == "invalid_blocks"
    assert "no more than 50 items allowed" in answer["response_metadata"]["messages"][0]
    assert client.chat_postMessage(channel="C0SUPPORT", blocks=too_many[:50])["ok"]

    long_text = [section("x" * 3001)]
    answer = error_of(lambda: client.chat_postMessage(channel="C0SUPPORT", blocks=long_text))
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    button = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": "partner_fix_apply",
                "text": {"type": "plain_text", "text": "Apply"},
                "value": "v" * 2001,
            }
        ],
    }
    answer = error_of(lambda: client.chat_postMessage(channel="C0SUPPORT", blocks=[button]))
    assert "/blocks/0/elements/0/value" in answer["response_metadata"]["messages"][0]


def test_thread_ts_keeps_replies_in_the_thread(client: WebClient, slack: SlackStandIn) -> None:
    parent = slack.post_user_message("U0AGENT1", "C0SUPPORT", "please fix 123")
    reply = client.chat_postMessage(channel="C0SUPPORT", text="on it", thread_ts=parent)
    assert reply["message"]["thread_ts"] == parent
    client.chat_postMessage(channel="C0SUPPORT", text="elsewhere")
    thread = slack.thread("C0SUPPORT", parent)
    assert [m["text"] for m in thread] == ["please fix 123", "on it"]
    assert thread[0]["reply_count"] == 1
    assert thread[0]["thread_ts"] == parent


def test_update_changes_the_stored_message(client: WebClient, slack: SlackStandIn) -> None:
    ts = client.chat_postMessage(channel="C0SUPPORT", text="before", blocks=[section("a")])["ts"]
    answer = client.chat_update(channel="C0SUPPORT", ts=ts, text="after")
    assert answer["ts"] == ts
    (message,) = slack.messages("C0SUPPORT")
    assert message["text"] == "after"
    assert message["blocks"][0]["text"]["text"] == "a"  # kept, as Slack keeps them
    missing = error_of(lambda: client.chat_update(channel="C0SUPPORT", ts="1.000001", text="x"))
    assert missing["error"] == "message_not_found"
    theirs = slack.post_user_message("U0AGENT1", "C0SUPPORT", "mine")
    refused = error_of(lambda: client.chat_update(channel="C0SUPPORT", ts=theirs, text="x"))
    assert refused["error"] == "cant_update_message"


def test_ephemeral_is_stored_with_its_viewer(client: WebClient, slack: SlackStandIn) -> None:
    answer = client.chat_postEphemeral(channel="C0SUPPORT", user="U0AGENT1", text="psst")
    (message,) = slack.messages("C0SUPPORT")
    assert message["ts"] == answer["message_ts"]
    assert message["is_ephemeral"] is True
    assert message["visible_to"] == "U0AGENT1"
    nobody = error_of(
        lambda: client.chat_postEphemeral(channel="C0SUPPORT", user="U0NOBODY", text="x")
    )
    assert nobody["error"] == "user_not_found"


# ---- users, groups, conversations ------------------------------------------------------------


def test_users_info_and_usergroups(client: WebClient) -> None:
    user = client.users_info(user="U0AGENT1")["user"]
    assert user["profile"]["email"] == "avery@gitlab.example"
    assert user["real_name"] == "Avery Agent"
    assert user["tz"] == "America/New_York"
    assert error_of(lambda: client.users_info(user="U0NOBODY"))["error"] == "user_not_found"
    assert client.usergroups_users_list(usergroup="S0SUPPORT")["users"] == [
        "U0AGENT1",
        "U0AGENT2",
    ]
    unknown = error_of(lambda: client.usergroups_users_list(usergroup="S0NOPE"))
    assert unknown["error"] == "no_such_subteam"


def test_conversations_open_and_info(client: WebClient, slack: SlackStandIn) -> None:
    dm = client.conversations_open(users="U0AGENT2")["channel"]["id"]
    assert dm.startswith("D")
    assert client.chat_postMessage(channel=dm, text="just you")["channel"] == dm
    assert client.conversations_open(users=["U0AGENT2"])["channel"]["id"] == dm
    info = client.conversations_info(channel="C0SUPPORT")["channel"]
    assert info["name"] == "support-team"
    assert info["is_member"] is True
    hidden = error_of(lambda: client.conversations_info(channel="C0PRIVATE"))
    assert hidden["error"] == "channel_not_found"


# ---- views -----------------------------------------------------------------------------------


def test_views_open_returns_the_view(client: WebClient, slack: SlackStandIn) -> None:
    trigger = slack.new_trigger_id("U0AGENT1")
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V")
    assert view["hash"]
    assert view["state"] == {"values": {}}
    assert view["callback_id"] == "partner_fix_modal"
    assert view["private_metadata"] == MODAL["private_metadata"]
    assert view["blocks"][0]["block_id"] == "ticket"
    assert slack.view(view["id"])["hash"] == view["hash"]


def test_trigger_id_is_single_use_and_short_lived(client: WebClient, slack: SlackStandIn) -> None:
    trigger = slack.new_trigger_id()
    assert client.views_open(trigger_id=trigger, view=MODAL)["ok"]
    reused = error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL))
    assert reused["error"] == "exchanged_trigger_id"
    unknown = error_of(lambda: client.views_open(trigger_id="123.456.abc", view=MODAL))
    assert unknown["error"] == "invalid_trigger_id"
    stale = slack.new_trigger_id()
    slack.workspace.advance_clock(3.0)
    expired = error_of(lambda: client.views_open(trigger_id=stale, view=MODAL))
    assert expired["error"] == "expired_trigger_id"


def test_trigger_expires_in_real_time_too() -> None:
    with SlackStandIn() as slack:
        slack.workspace.trigger_ttl = 0.2
        client = WebClient(token=slack.bot_token, base_url=slack.url)
        trigger = slack.new_trigger_id()
        time.sleep(0.3)
        expired = error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL))
        assert expired["error"] == "expired_trigger_id"


def test_views_update_checks_hash(client: WebClient, slack: SlackStandIn) -> None:
    view = client.views_open(trigger_id=slack.new_trigger_id(), view=MODAL)["view"]
    changed = dict(MODAL, title={"type": "plain_text", "text": "Preview"})
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=changed)["view"]
    assert updated["id"] == view["id"]
    assert updated["hash"] != view["hash"]
    assert updated["title"]["text"] == "Preview"
    stale = error_of(lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL))
    assert stale["error"] == "hash_conflict"
    assert client.views_update(view_id=view["id"], view=MODAL)["ok"]  # no hash: last write wins
    unknown = error_of(lambda: client.views_update(view_id="V0NOPE", view=MODAL))
    assert unknown["error"] == "not_found"


def test_view_limits(client: WebClient, slack: SlackStandIn) -> None:
    long_title = dict(MODAL, title={"type": "plain_text", "text": "x" * 25})
    answer = error_of(lambda: client.views_open(trigger_id=slack.new_trigger_id(), view=long_title))
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]
    big_metadata = dict(MODAL, private_metadata="m" * 3001)
    answer = error_of(
        lambda: client.views_open(trigger_id=slack.new_trigger_id(), view=big_metadata)
    )
    assert "/view/private_metadata" in answer["response_metadata"]["messages"][0]
    many = dict(MODAL, blocks=[section(str(i)) for i in range(101)])
    answer = error_of(lambda: client.views_open(trigger_id=slack.new_trigger_id(), view=many))
    assert "no more than 100 items" in answer["response_metadata"]["messages"][0]
    fine = dict(MODAL, blocks=[section(str(i)) for i in range(100)])
    assert client.views_open(trigger_id=slack.new_trigger_id(), view=fine)["ok"]


# ---- error injection and latency -------------------------------------------------------------


def test_injected_error_then_recovery(client: WebClient, slack: SlackStandIn) -> None:
    slack.inject("chat.postMessage", "not_in_channel", count=2, channel="C0SUPPORT")
    assert client.chat_postMessage(channel="C0PUBLIC2", text="other channel")["ok"]
    for ref in ("C0SUPPORT", "#support-team"):
        failed = error_of(lambda ref=ref: client.chat_postMessage(channel=ref, text="x"))
        assert failed == {"ok": False, "error": "not_in_channel"}
    assert client.chat_postMessage(channel="C0SUPPORT", text="x")["ok"]
    assert [c["ok"] for c in slack.calls("chat.postMessage")] == [True, False, False, True]


def test_injected_rate_limit_is_a_429_with_retry_after(
    client: WebClient, slack: SlackStandIn
) -> None:
    slack.inject("users.info", "ratelimited", retry_after=7)
    with pytest.raises(SlackApiError) as failed:
        client.users_info(user="U0AGENT1")
    assert failed.value.response.status_code == 429
    assert failed.value.response.headers["Retry-After"] == "7"
    assert failed.value.response["error"] == "ratelimited"
    assert client.users_info(user="U0AGENT1")["ok"]


def test_slack_sdk_retry_handler_honours_the_429(slack: SlackStandIn) -> None:
    handler = RateLimitErrorRetryHandler(max_retry_count=1)
    client = WebClient(token=slack.bot_token, base_url=slack.url, retry_handlers=[handler])
    slack.inject("chat.postMessage", "ratelimited", retry_after=0)
    assert client.chat_postMessage(channel="C0SUPPORT", text="second try")["ok"]
    assert [c["http_status"] for c in slack.calls("chat.postMessage")] == [429, 200]


def test_injected_trigger_and_hash_errors(client: WebClient, slack: SlackStandIn) -> None:
    slack.inject("views.open", "expired_trigger_id")
    trigger = slack.new_trigger_id()
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL))["error"] == (
        "expired_trigger_id"
    )
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]  # not used up
    slack.inject("views.update", "hash_conflict")
    failed = error_of(lambda: client.views_update(view_id=view["id"], view=MODAL))
    assert failed["error"] == "hash_conflict"


def test_latency(client: WebClient, slack: SlackStandIn) -> None:
    slack.set_latency(0.3, method="auth.test")
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.users_info(user="U0AGENT1")
    assert time.monotonic() - started < 0.3


# ---- response_url ----------------------------------------------------------------------------


def post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as failed:
        return failed.code, json.load(failed)


def test_response_url_posts_and_use_limit(slack: SlackStandIn) -> None:
    url = slack.workspace.new_response_url("U0AGENT1", "C0SUPPORT")
    assert url.startswith(f"{slack.base_url}/_response/")
    assert post_json(url, {"text": "only you"}) == (200, {"ok": True})
    assert post_json(url, {"text": "everyone", "response_type": "in_channel"})[0] == 200
    first, second = slack.messages("C0SUPPORT")
    assert first["visible_to"] == "U0AGENT1"
    assert second["is_ephemeral"] is False
    for _ in range(3):
        assert post_json(url, {"text": "more"})[0] == 200
    assert post_json(url, {"text": "sixth"}) == (404, {"ok": False, "error": "used_url"})
    assert len(slack.calls("response_url")) == 6


def test_response_url_replace_original(client: WebClient, slack: SlackStandIn) -> None:
    ts = client.chat_postMessage(channel="C0SUPPORT", text="preview")["ts"]
    url = slack.workspace.new_response_url("U0AGENT1", "C0SUPPORT", source_ts=ts)
    post_json(url, {"text": "applied", "replace_original": True})
    (message,) = slack.messages("C0SUPPORT")
    assert (message["ts"], message["text"]) == (ts, "applied")


def test_response_url_expires_after_30_minutes(slack: SlackStandIn) -> None:
    url = slack.workspace.new_response_url("U0AGENT1", "C0SUPPORT")
    slack.workspace.advance_clock(31 * 60)
    assert post_json(url, {"text": "late"}) == (404, {"ok": False, "error": "expired_url"})
