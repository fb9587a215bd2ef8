"""The conversation after the ack, step by step: the in-memory Zendesk (tests/fakes.py) and the
Slack stand-in, the Zendesk half of each step run at once instead of on the pool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec

import pytest
from slack_sdk import WebClient

from bot.domain.planning import FixRequest, Plan
from bot.domain.scenarios import Scenario
from bot.fixes import Fixes, Preview
from bot.ports import Applied, Recorded, Trace
from bot.slack import blocks
from bot.slack.conversation import Conversation
from bot.slack.replies import Where
from bot.slack.sharing import MOVED_TO_DM, Rooms
from bot.slack.turn import Turn
from bot.slack.values import ModalContext, decode_apply, decode_ticket, encode_context
from bot.slack.work import Work
from standins.slack import SlackStandIn
from tests.domain.world import CARLA, snapshot
from tests.fakes import FakeZendesk

P = ParamSpec("P")
REQUEST = FixRequest(
    ticket_id=512301, scenario=Scenario.CUSTOMER_ACCOUNT, customer_email=CARLA.email
)
USER = "U0AGENT1"


class AtOnce(Work):
    """The Zendesk half of a step, run in the caller's thread."""

    def __init__(self) -> None:
        super().__init__(1)

    def later(self, function: Callable[P, None], /, *args: P.args, **kwargs: P.kwargs) -> None:
        function(*args, **kwargs)


class Audited(FakeZendesk):
    """The fake, keeping each write in its audit trail as the gateway does (what Undo reads)."""

    def apply(self, plan: Plan, note: str, trace: Trace, undoes: str | None = None) -> Applied:
        applied = super().apply(plan, note, trace, undoes)
        self.records.append(
            Recorded(
                action="undo" if plan.undo else "fix",
                scenario=plan.scenario,
                correction=plan.correction,
                requested_by=trace.requested_by,
                created_at=applied.updated_at,
                request_id=trace.request_id,
                undoes=undoes,
            )
        )
        return applied


@pytest.fixture
def zendesk() -> FakeZendesk:
    return Audited(snapshot())


@pytest.fixture
def conversation(client: WebClient, zendesk: FakeZendesk) -> Conversation:
    return Conversation(Fixes(zendesk), AtOnce(), Rooms(client))


def submitted(channel: str, request_id: str = "rid000000001") -> Turn:
    opened = ModalContext(channel=channel, user=USER, request_id=request_id)
    body = {
        "type": "view_submission",
        "user": {"id": USER, "username": "avery"},
        "team": {"id": "T0PARTNER"},
        "view": {"private_metadata": encode_context(opened)},
    }
    return Turn.of(body, "view_submission")


def clicked(message: dict[str, Any], action_id: str, surface: str) -> tuple[Turn, str]:
    """The Turn of a click on `message`'s `action_id` button, and the button's value."""
    value = next(
        element["value"]
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    )
    body = {
        "type": "block_actions",
        "user": {"id": USER, "username": "avery", "team_id": "T0PARTNER"},
        "team": {"id": "T0PARTNER"},
        "channel": {"id": message["channel"]},
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": message["channel"],
            "thread_ts": message.get("thread_ts"),
        },
        "message": message,
        "actions": [{"action_id": action_id, "value": value}],
    }
    carried = decode_apply(value) if action_id == blocks.APPLY else decode_ticket(value)
    return Turn.of(body, surface, carried.request_id if carried else None), value


def find(slack: SlackStandIn, channel: str, text: str) -> dict[str, Any]:
    (found,) = [m for m in slack.messages(channel) if text in str(m.get("text"))]
    return found


def previewed(slack: SlackStandIn, client: WebClient, conversation: Conversation) -> dict[str, Any]:
    """The preview of REQUEST submitted in C0SUPPORT, as it stands once shown."""
    conversation.preview(client, submitted("C0SUPPORT"), REQUEST)
    return find(slack, "C0SUPPORT", "Preview for ticket #512301")


def test_preview_apply_and_undo_in_a_new_thread(
    slack: SlackStandIn, client: WebClient, conversation: Conversation, zendesk: FakeZendesk
) -> None:
    preview = previewed(slack, client, conversation)
    parent = find(slack, "C0SUPPORT", "Partner fix for ticket #512301")
    assert preview["thread_ts"] == parent["ts"]
    assert not [m for m in slack.messages("C0SUPPORT") if "Reading ticket" in str(m["text"])]

    turn, value = clicked(preview, blocks.APPLY, "apply")
    assert turn.request_id == "rid000000001"  # from the command, through the button
    conversation.apply(client, turn, decode_apply(value))
    assert len(zendesk.landed) == 1
    assert zendesk.records[-1].request_id == "rid000000001"
    assert "Applied to ticket #512301" in find(slack, "C0SUPPORT", "Applied")["text"]
    summary = find(slack, "C0SUPPORT", "corrected")
    assert summary["thread_ts"] == parent["ts"]

    turn, value = clicked(summary, blocks.UNDO, "undo")
    conversation.undo(client, turn, decode_ticket(value))
    assert "undone" in find(slack, "C0SUPPORT", "Correction of ticket #512301 undone")["text"]
    stripped = find(slack, "C0SUPPORT", "Correction undone")  # the summary, without Undo
    assert all(b.get("type") != "actions" for b in stripped["blocks"])


def test_cancel_says_so_in_place_of_the_preview(
    slack: SlackStandIn, client: WebClient, conversation: Conversation, zendesk: FakeZendesk
) -> None:
    preview = previewed(slack, client, conversation)
    turn, value = clicked(preview, blocks.CANCEL, "cancel")
    conversation.cancel(client, turn, decode_ticket(value))
    assert "Cancelled" in find(slack, "C0SUPPORT", "Cancelled")["text"]
    assert zendesk.sent == []


def test_a_shared_channel_gets_a_note_and_the_preview_goes_by_dm(
    slack: SlackStandIn, client: WebClient, conversation: Conversation
) -> None:
    conversation.preview(client, submitted("C0SHARED"), REQUEST)
    (note,) = slack.messages("C0SHARED")
    assert note["is_ephemeral"] and note["visible_to"] == USER
    assert MOVED_TO_DM.format(what="the preview") in note["text"]
    previews = [m for m in slack.messages() if "Preview for ticket" in str(m.get("text"))]
    assert [m["channel"][0] for m in previews] == ["D"]


def test_a_damaged_button_is_told_and_changes_nothing(
    slack: SlackStandIn, client: WebClient, conversation: Conversation, zendesk: FakeZendesk
) -> None:
    preview = previewed(slack, client, conversation)
    turn, _ = clicked(preview, blocks.APPLY, "apply")
    conversation.apply(client, turn, None)
    told = [m for m in slack.messages("C0SUPPORT") if m.get("is_ephemeral")]
    assert "damaged" in told[-1]["text"] and zendesk.sent == []


# ---- no silent thread: whatever a background step raises, its progress note becomes an outcome


class Broken(FakeZendesk):
    """A Zendesk port with a bug in it: every read raises something nobody foresaw."""

    def snapshot(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")


class BrokenWrite(FakeZendesk):
    """Reads fine; the write raises something nobody foresaw, after it may have been sent."""

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")


def with_fixes(client: WebClient, fixes: Fixes) -> Conversation:
    return Conversation(fixes, Work(1), Rooms(client))


def progress(client: WebClient, text: str) -> tuple[Where, str]:
    posted = client.chat_postMessage(channel="C0SUPPORT", text=text)
    return Where(user="U0AGENT1", channel="C0SUPPORT", thread_ts=posted["ts"]), posted["ts"]


def shown(slack: SlackStandIn, ts: str) -> str:
    (message,) = [m for m in slack.messages("C0SUPPORT") if m["ts"] == ts]
    return str(message.get("text"))


def test_a_read_that_raises_ends_the_reading_note(slack: SlackStandIn, client: WebClient) -> None:
    where, ts = progress(client, "Reading ticket #512301…")
    with_fixes(client, Fixes(Broken(snapshot()))).read_preview(client, where, REQUEST, ts)
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
    with_fixes(client, broken).write(client, where, ts, preview.outcome, REQUEST, trace, [])
    text = shown(slack, ts)
    assert "could not be confirmed" in text and "Applying" not in text


def test_a_message_that_cannot_be_built_still_ends_the_note(
    slack: SlackStandIn, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError("a builder bug")

    monkeypatch.setattr(blocks, "preview", explode)
    where, ts = progress(client, "Reading ticket #512301…")
    with_fixes(client, Fixes(FakeZendesk(snapshot()))).read_preview(client, where, REQUEST, ts)
    assert "went wrong inside partner-fix" in shown(slack, ts)
