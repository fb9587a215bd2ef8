"""The reply fallbacks, against the Slack stand-in over HTTP."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.slack import blocks, replies
from bot.slack.replies import Where
from standins.slack import SlackStandIn


def test_post_starts_a_thread_then_replies_in_it(slack: SlackStandIn, client: WebClient) -> None:
    where, ts = replies.post(
        client, Where(user="U0AGENT1", channel="C0SUPPORT"), blocks.notice("a")
    )
    assert where.thread_ts == ts
    where, reply = replies.post(client, where, blocks.notice("b"))
    assert [m["ts"] for m in slack.thread("C0SUPPORT", ts)] == [ts, reply]


def test_post_falls_back_to_a_dm_then_to_response_url(
    slack: SlackStandIn, client: WebClient
) -> None:
    slack.inject("chat.postMessage", "not_in_channel", channel="C0SUPPORT")
    where, ts = replies.post(
        client, Where(user="U0AGENT1", channel="C0SUPPORT"), blocks.notice("a")
    )
    assert where.channel is not None and where.channel.startswith("D") and ts
    slack.inject("chat.postMessage", "invalid_auth", count=2)
    slack.inject("conversations.open", "invalid_auth")
    trigger = slack.slash_command  # noqa: F841 (response URLs come from real interactions)
    url = f"{slack.base_url}_response/none"
    where, ts = replies.post(
        client, Where(user="U0AGENT1", channel="C0SUPPORT", response_url=url), blocks.notice("b")
    )
    assert ts is None


def test_update_posts_anew_when_the_message_is_gone(slack: SlackStandIn, client: WebClient) -> None:
    where, ts = replies.post(
        client, Where(user="U0AGENT1", channel="C0SUPPORT"), blocks.notice("a")
    )
    slack.inject("chat.update", "message_not_found")
    where, new_ts = replies.update(client, where, ts, blocks.notice("b"))
    assert new_ts != ts
    assert "b" in slack.thread("C0SUPPORT", ts)[-1]["text"]


def test_tell_is_ephemeral_first(slack: SlackStandIn, client: WebClient) -> None:
    replies.tell(client, Where(user="U0AGENT1", channel="C0SUPPORT"), blocks.notice("only you"))
    (note,) = slack.messages("C0SUPPORT")
    assert note["is_ephemeral"] and note["visible_to"] == "U0AGENT1"
