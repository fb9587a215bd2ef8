"""No silent thread: whatever a background step raises, its progress note becomes an outcome."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient

from bot.domain.planning import FixRequest, Plan
from bot.domain.scenarios import Scenario
from bot.fixes import Fixes, Preview
from bot.ports import Trace
from bot.slack import blocks, flows
from bot.slack.listeners import actions
from bot.slack.replies import Where
from standins.slack import SlackStandIn
from tests.domain.world import CARLA, snapshot
from tests.fakes import FakeZendesk

REQUEST = FixRequest(
    ticket_id=512301, scenario=Scenario.CUSTOMER_ACCOUNT, customer_email=CARLA.email
)


class Broken(FakeZendesk):
    """A Zendesk port with a bug in it: every read raises something nobody foresaw."""

    def snapshot(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")


class BrokenWrite(FakeZendesk):
    """Reads fine; the write raises something nobody foresaw, after it may have been sent."""

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")


def progress(client: WebClient, text: str) -> tuple[Where, str]:
    posted = client.chat_postMessage(channel="C0SUPPORT", text=text)
    return Where(user="U0AGENT1", channel="C0SUPPORT", thread_ts=posted["ts"]), posted["ts"]


def shown(slack: SlackStandIn, ts: str) -> str:
    (message,) = [m for m in slack.messages("C0SUPPORT") if m["ts"] == ts]
    return str(message.get("text"))


def test_a_read_that_raises_ends_the_reading_note(slack: SlackStandIn, client: WebClient) -> None:
    where, ts = progress(client, "Reading ticket #512301…")
    flows._preview(client, Fixes(Broken(snapshot())), where, REQUEST, ts)
    text = shown(slack, ts)
    assert "went wrong inside partner-fix" in text and "Nothing was changed" in text


def test_an_apply_that_raises_says_it_could_not_be_confirmed(
    slack: SlackStandIn, client: WebClient
) -> None:
    broken = Fixes(BrokenWrite(snapshot()))
    preview = broken.preview(REQUEST)
    assert isinstance(preview, Preview) and isinstance(preview.outcome, Plan)
    where, ts = progress(client, "Applying ticket #512301…")
    trace = Trace(request_id="r1", requested_by="Avery")
    actions._apply(client, broken, where, ts, preview.outcome, REQUEST, trace, [], "r1")
    text = shown(slack, ts)
    assert "could not be confirmed" in text and "Applying" not in text


def test_a_message_that_cannot_be_built_still_ends_the_note(
    slack: SlackStandIn, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError("a builder bug")

    monkeypatch.setattr(blocks, "preview", explode)
    where, ts = progress(client, "Reading ticket #512301…")
    flows._preview(client, Fixes(FakeZendesk(snapshot())), where, REQUEST, ts)
    assert "went wrong inside partner-fix" in shown(slack, ts)
