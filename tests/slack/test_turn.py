"""The Turn of each surface's payload: who, the team, where replies go, the clicked message,
the request id (carried or new) and the trace written into the ticket."""

from __future__ import annotations

import contextvars
import re
from typing import Any

from bot.logs import request_id
from bot.slack import blocks
from bot.slack.replies import Where
from bot.slack.turn import Turn, note_where_of
from bot.slack.values import ModalContext, encode_context

NEW_ID = re.compile(r"^[0-9a-f]{12}$")
COMMAND_URL = "https://hooks.slack.test/commands/1"
SHORTCUT_URL = "https://hooks.slack.test/shortcut/1"
ACTIONS_URL = "https://hooks.slack.test/actions/1"


def to_avery(**where: Any) -> Where:
    """Where a reply to Avery in C0SUPPORT goes; `where` adds the thread, the response URL…"""
    return Where(user="U0AGENT1", channel="C0SUPPORT", **where)


def command(**changes: Any) -> dict[str, Any]:
    body = {
        "command": "/partner-fix", "text": "512301", "user_id": "U0AGENT1",
        "user_name": "avery", "channel_id": "C0SUPPORT", "team_id": "T0PARTNER",
        "trigger_id": "1.2.abc", "response_url": COMMAND_URL,
    }  # fmt: skip
    return {**body, **changes}


def click(container: dict[str, Any], message: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": "U0AGENT1", "username": "avery", "team_id": "T0PARTNER"},
        "team": {"id": "T0PARTNER"},
        "channel": {"id": container.get("channel_id")} if container.get("channel_id") else None,
        "container": container,
        "message": message if message is not None else {"ts": container.get("message_ts")},
        "response_url": ACTIONS_URL,
        "actions": [{"action_id": blocks.APPLY, "value": "v"}],
    }


def submission(metadata: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": "U0AGENT1", "name": "avery", "team_id": "T0PARTNER"},
        "team": {"id": "T0PARTNER"},
        "view": {"callback_id": blocks.MODAL_CALLBACK, "private_metadata": metadata},
    }


def test_a_command_replies_in_its_channel_and_starts_a_thread() -> None:
    turn = Turn.of(command(), "command")
    assert turn.where == to_avery(response_url=COMMAND_URL)
    assert turn.user == "U0AGENT1" and turn.team == "T0PARTNER" and turn.ts is None
    assert turn.trigger_id == "1.2.abc" and NEW_ID.match(turn.request_id)
    assert turn.trace.request_id == turn.request_id
    assert turn.trace.requested_by == "avery (Slack U0AGENT1)"
    assert turn.trace.slack_user == "U0AGENT1" and turn.trace.slack_team == "T0PARTNER"


def test_each_turn_gets_its_own_new_request_id() -> None:
    assert Turn.of(command(), "command").request_id != Turn.of(command(), "command").request_id


def test_a_shortcut_replies_in_the_message_thread() -> None:
    body = {
        "type": "message_action",
        "callback_id": "partner_fix_message",
        "user": {"id": "U0AGENT1", "username": "avery"},
        "team": {"id": "T0PARTNER"},
        "channel": {"id": "C0SUPPORT"},
        "message": {"ts": "200.2", "thread_ts": "100.1", "text": "#512301"},
        "response_url": SHORTCUT_URL,
        "trigger_id": "2.3.def",
    }
    turn = Turn.of(body, "shortcut")
    assert turn.where == to_avery(thread_ts="100.1", response_url=SHORTCUT_URL)
    assert turn.trigger_id == "2.3.def"
    # A message that starts no thread is the thread's parent itself.
    body["message"] = {"ts": "200.2"}
    assert Turn.of(body, "shortcut").where.thread_ts == "200.2"
    # A note (no ticket in the message) goes to the channel, not the thread.
    assert turn.note_where == to_avery(response_url=SHORTCUT_URL)


def test_a_submission_replies_where_its_modal_was_opened_and_keeps_its_request_id() -> None:
    opened = ModalContext(
        channel="C0SUPPORT",
        thread_ts="100.1",
        response_url=COMMAND_URL,
        user="U0AGENT1",
        request_id="abc123abc123",
    )
    turn = Turn.of(submission(encode_context(opened)), "view_submission")
    assert turn.where == to_avery(thread_ts="100.1", response_url=COMMAND_URL)
    assert turn.request_id == "abc123abc123" == turn.trace.request_id
    assert turn.opened == opened and turn.ts is None
    assert turn.note_where.thread_ts is None


def test_a_submission_with_unreadable_metadata_replies_by_dm_with_a_new_id() -> None:
    turn = Turn.of(submission("{not json"), "view_submission")
    assert turn.where == Where(user="U0AGENT1") and turn.opened is None
    assert NEW_ID.match(turn.request_id)
    assert note_where_of(submission("")) == Where(user="U0AGENT1")


def test_a_button_in_a_thread_answers_there_and_carries_its_request_id() -> None:
    message = {"ts": "300.3", "thread_ts": "100.1", "blocks": [{"type": "section"}]}
    container = {"type": "message", "message_ts": "300.3", "channel_id": "C0SUPPORT"}
    turn = Turn.of(click(container, message), "apply", carried="carried12345")
    assert turn.where == to_avery(thread_ts="100.1", response_url=ACTIONS_URL)
    assert turn.ts == "300.3" and turn.message == message
    assert turn.request_id == "carried12345" == turn.trace.request_id
    assert turn.trace.slack_team == "T0PARTNER"


def test_a_button_on_a_thread_parent_answers_in_its_thread() -> None:
    container = {"type": "message", "message_ts": "300.3", "channel_id": "C0SUPPORT"}
    assert Turn.of(click(container), "cancel").where.thread_ts == "300.3"


def test_a_button_in_an_ephemeral_message_answers_through_its_response_url() -> None:
    container = {
        "type": "message",
        "message_ts": "400.4",
        "channel_id": "C0SUPPORT",
        "thread_ts": "100.1",
        "is_ephemeral": True,
    }
    turn = Turn.of(click(container, message={}), "undo")
    assert turn.where == to_avery(thread_ts="100.1", response_url=ACTIONS_URL, ephemeral=True)
    assert turn.ts == "400.4" and NEW_ID.match(turn.request_id)


def test_a_button_in_a_dm_container_without_a_channel_object() -> None:
    body = click({"type": "message", "message_ts": "500.5", "channel_id": "D0AGENT1"})
    body["channel"] = None
    assert Turn.of(body, "apply").where.channel == "D0AGENT1"


def test_begin_sets_the_request_id_for_the_logs() -> None:
    turn = Turn.of(command(), "command")

    def begun() -> str | None:
        assert turn.begin() is turn
        return request_id.get()

    assert contextvars.copy_context().run(begun) == turn.request_id
