"""The listeners as Bolt sees them: what each ack says, before any slow work, in process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from bot.slack.access import Access
from bot.wiring import build_access, build_fixes, build_slack_app
from standins.harness import ALLOWED_GROUP, stand_in_settings
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

# dispatch() signs what it hands the app itself; the stand-in sends nothing here.
SECRET = "listener-secret"


@pytest.fixture
def restricted(slack: SlackStandIn, zendesk: ZendeskSandbox) -> Settings:
    """Settings on both stand-ins, restricted to Support's user group, signed with SECRET."""
    return stand_in_settings(
        zendesk, slack, SLACK_ALLOWED_USERGROUP=ALLOWED_GROUP, SLACK_SIGNING_SECRET=SECRET
    )


@pytest.fixture
def access(restricted: Settings) -> Iterator[Access]:
    access = build_access(restricted)
    yield access
    access.directory.stop()


@pytest.fixture
def app(restricted: Settings, access: Access) -> App:
    # As a worker some moments after its start: the team and the group are known.
    assert access.directory.wait_ready(5)
    return build_slack_app(restricted, build_fixes(restricted), access=access)


def dispatch(app: App, body: str, content_type: str) -> Any:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "content-type": [content_type],
        "x-slack-request-timestamp": [timestamp],
        "x-slack-signature": [signature],
    }
    return app.dispatch(BoltRequest(body=body, headers=headers))


def command(app: App, text: str, user: str = "U0AGENT1") -> Any:
    body = urlencode({
        "command": "/partner-fix", "text": text, "user_id": user, "channel_id": "C0SUPPORT",
        "team_id": "T0PARTNER", "trigger_id": "t", "response_url": "http://127.0.0.1:9/r",
    })  # fmt: skip
    return dispatch(app, body, "application/x-www-form-urlencoded")


def submission(app: App, values: dict[str, Any], user: str = "U0AGENT1") -> Any:
    state = {
        "ticket": {"ticket": {"type": "plain_text_input", "value": values.get("ticket")}},
        "scenario": {"scenario": {"type": "radio_buttons", "selected_option": (
            {"value": values["scenario"]} if values.get("scenario") else None)}},
        "customer_email": {"customer_email": {"type": "email_text_input",
                                              "value": values.get("customer_email")}},
    }  # fmt: skip
    payload = {
        "type": "view_submission",
        "user": {"id": user},
        "team": {"id": "T0PARTNER"},
        "view": {"type": "modal", "callback_id": "partner_fix_modal", "state": {"values": state},
                 "private_metadata": ""},
    }  # fmt: skip
    return dispatch(
        app, urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    )


def test_help_is_answered_in_the_ack(app: App, slack: SlackStandIn) -> None:
    response = command(app, "help")
    assert response.status == 200 and "/partner-fix" in response.body
    assert slack.calls("views.open") == []


def test_a_command_acks_empty_and_does_the_rest_later(app: App, slack: SlackStandIn) -> None:
    response = command(app, "512304")
    assert response.status == 200 and response.body == ""
    # Later: the modal is opened (this made-up trigger is refused, and the person is told).
    assert slack.wait_for_call("views.open")["error"] == "invalid_trigger_id"
    slack.wait_for_call("chat.postEphemeral")


def test_a_submission_with_problems_is_answered_inline(app: App, slack: SlackStandIn) -> None:
    response = submission(app, {"ticket": "not a ticket", "scenario": "customer_account"})
    errors = json.loads(response.body)
    assert errors["response_action"] == "errors"
    assert set(errors["errors"]) == {"ticket", "customer_email"}
    assert slack.calls("chat.postMessage") == []


def test_a_good_submission_acks_empty(app: App, slack: SlackStandIn) -> None:
    response = submission(app, {"ticket": "512304", "scenario": "partner_nfr"})
    assert response.status == 200 and response.body == ""
    # Later: the preview, by DM here (this made-up view names no channel).
    slack.wait_for_message(None, lambda m: "Preview" in str(m.get("text")))


def test_outsiders_are_denied_in_the_ack(app: App, slack: SlackStandIn) -> None:
    calls = len(slack.calls())
    assert "only for members" in command(app, "512304", user="U0OUTSIDER").body
    denied = json.loads(submission(app, {"ticket": "512304"}, user="U0OUTSIDER").body)
    assert "only for members" in denied["errors"]["ticket"]
    assert len(slack.calls()) == calls  # decided from the cache: no Slack call at all
    assert slack.calls("views.open") == []


def test_a_cold_cache_acks_first_and_denies_after(
    slack: SlackStandIn, zendesk: ZendeskSandbox
) -> None:
    settings = stand_in_settings(zendesk, slack, SLACK_SIGNING_SECRET=SECRET)
    access = build_access(settings)
    try:
        cold = build_slack_app(settings, build_fixes(settings), access=access)
        response = command(cold, "512304", user="U0GUEST1")
        assert response.status == 200 and response.body == ""
        note = slack.wait_for_message("C0SUPPORT", lambda m: m.get("visible_to") == "U0GUEST1")
        assert "guests and people from other organizations" in note["text"]
        assert slack.calls("views.open") == []
    finally:
        access.directory.stop()


# ---- each handler alone: module-level functions, their dependencies passed in --------------


class Handed:
    """Stands in for a pool: records what an ack handed over, runs nothing."""

    def __init__(self) -> None:
        self.handed: list[tuple[Any, ...]] = []

    def later(self, function: Any, *args: Any) -> None:
        self.handed.append((function, *args))


class Acks:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def test_the_command_handler_acks_help_itself_and_hands_the_rest_over() -> None:
    from bot.slack.listeners import commands

    opener, ack, gated = Handed(), Acks(), object()
    commands.acknowledge(opener, gated, ack, {"text": " help "}, None)  # type: ignore[arg-type]
    assert "/partner-fix" in ack.calls[0]["text"] and opener.handed == []
    body = {"text": "512304"}
    commands.acknowledge(opener, gated, ack, body, "client")  # type: ignore[arg-type]
    assert ack.calls[1] == {} and opener.handed == [(gated, body, "client")]


def test_the_submission_handler_answers_problems_in_the_ack(
    zendesk: ZendeskSandbox, slack: SlackStandIn
) -> None:
    from bot.slack.conversation import Conversation
    from bot.slack.listeners import views

    settings = stand_in_settings(zendesk, slack)
    handoff, ack, gated = Handed(), Acks(), object()
    conversation = Conversation(build_fixes(settings), None, None, None, handoff)  # type: ignore[arg-type]
    body = {"view": {"state": {"values": {}}}}
    views.acknowledge(conversation, gated, ack, body, "client")  # type: ignore[arg-type]
    assert ack.calls[0]["response_action"] == "errors" and handoff.handed == []
