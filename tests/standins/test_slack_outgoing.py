"""The stand-in acting as Slack: signed, Slack-shaped requests to an app.

The app here is a tiny stdlib HTTP server that records what it receives and answers what each
test tells it to, so these tests check the stand-in alone, not the bot.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from standins.slack import SlackStandIn
from tests.standins.slack_kit import input_block, option, plain

pytestmark = pytest.mark.timeout(30)


# What the app answers: (status, body); a dict body is sent as JSON.
Answer = tuple[int, Any]


class RecordingApp:
    """Records every request; answers with `self.answer(request)`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answer: Callable[[dict[str, Any]], Answer] = lambda request: (200, "")
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                form = dict(urllib.parse.parse_qsl(raw.decode()))
                request = {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "raw": raw,
                    "form": form,
                    "payload": json.loads(form["payload"]) if "payload" in form else None,
                }
                app.received.append(request)
                status, body = app.answer(request)
                data = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def last(self) -> dict[str, Any]:
        return self.received[-1]


@pytest.fixture(scope="module")
def recording_app() -> Iterator[RecordingApp]:
    recorder = RecordingApp()
    yield recorder
    recorder.stop()


@pytest.fixture(autouse=True)
def app(recording_app: RecordingApp, slack: SlackStandIn) -> RecordingApp:
    """The recording app, emptied, answering 200, with the Slack stand-in aimed at it."""
    recording_app.received.clear()
    recording_app.answer = lambda request: (200, "")
    slack.app_url = recording_app.url
    return recording_app


def verifies(request: dict[str, Any], secret: str) -> bool:
    headers = request["headers"]
    return SignatureVerifier(secret).is_valid(
        body=request["raw"],
        timestamp=headers.get("X-Slack-Request-Timestamp", ""),
        signature=headers.get("X-Slack-Signature", ""),
    )


def post_json(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as failed:
        return failed.code


# ---- signatures ------------------------------------------------------------------------------


def test_requests_are_signed_as_slack_signs(slack: SlackStandIn, app: RecordingApp) -> None:
    reply = slack.slash_command("U0AGENT1", "C0SUPPORT", "123")
    assert reply.status == 200
    assert reply.elapsed >= 0
    assert app.last["path"] == "/slack/events"
    assert app.last["headers"]["X-Slack-Signature"].startswith("v0=")
    assert verifies(app.last, slack.signing_secret)
    assert app.last["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_tampering_options_break_the_signature(slack: SlackStandIn, app: RecordingApp) -> None:
    slack.slash_command("U0AGENT1", "C0SUPPORT", "x", sign=False)
    assert "X-Slack-Signature" not in app.last["headers"]
    assert not verifies(app.last, slack.signing_secret)
    slack.slash_command("U0AGENT1", "C0SUPPORT", "x", timestamp_offset=-600)
    assert not verifies(app.last, slack.signing_secret)  # stale: more than 5 minutes old
    slack.slash_command("U0AGENT1", "C0SUPPORT", "x", timestamp_offset=600)
    assert not verifies(app.last, slack.signing_secret)  # from the future
    slack.slash_command("U0AGENT1", "C0SUPPORT", "x", secret="someone-else")
    assert not verifies(app.last, slack.signing_secret)
    assert verifies(app.last, "someone-else")


def test_app_refusal_is_reported(slack: SlackStandIn, app: RecordingApp) -> None:
    app.answer = lambda request: (401, "")
    reply = slack.slash_command("U0AGENT1", "C0SUPPORT", "x", sign=False)
    assert reply.status == 401
    assert not reply.acked_in_time
    assert "HTTP 401" in reply.problems[0]


# ---- slash command ---------------------------------------------------------------------------


def test_slash_command_form(slack: SlackStandIn, app: RecordingApp, client: WebClient) -> None:
    reply = slack.slash_command("U0AGENT1", "C0SUPPORT", "https://x.zendesk.com/agent/tickets/7")
    form = app.last["form"]
    assert form["command"] == "/partner-fix"
    assert form["text"] == "https://x.zendesk.com/agent/tickets/7"
    assert (form["user_id"], form["user_name"]) == ("U0AGENT1", "avery")
    assert (form["channel_id"], form["channel_name"]) == ("C0SUPPORT", "support-team")
    assert (form["team_id"], form["team_domain"]) == ("T0PARTNER", "partner-sandbox")
    assert form["api_app_id"].startswith("A")
    assert {"token", "response_url", "trigger_id"} <= form.keys()
    assert reply.trigger_id == form["trigger_id"]
    # The trigger works once, within 3 s; the response_url posts into the channel.
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Partner fix"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Loading..."}}],
    }
    assert client.views_open(trigger_id=form["trigger_id"], view=modal)["ok"]
    assert post_json(form["response_url"], {"text": "working on it"}) == 200
    (message,) = slack.messages("C0SUPPORT")
    assert message["visible_to"] == "U0AGENT1"


def test_slash_command_ack_body_is_shown_ephemerally(
    slack: SlackStandIn, app: RecordingApp
) -> None:
    app.answer = lambda request: (200, {"text": "Usage: /partner-fix TICKET"})
    slack.slash_command("U0AGENT2", "C0SUPPORT", "help")
    (message,) = slack.messages("C0SUPPORT")
    assert message["text"] == "Usage: /partner-fix TICKET"
    assert message["visible_to"] == "U0AGENT2"


def test_app_opening_a_modal_while_handling_the_command(
    slack: SlackStandIn, app: RecordingApp, client: WebClient
) -> None:
    def open_modal(request: dict[str, Any]) -> Answer:
        view = {
            "type": "modal",
            "callback_id": "partner_fix_modal",
            "title": {"type": "plain_text", "text": "Partner fix"},
            "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "hi"}}],
        }
        opened = client.views_open(trigger_id=request["form"]["trigger_id"], view=view)
        return 200, "" if opened["ok"] else "failed"

    app.answer = open_modal
    reply = slack.slash_command("U0AGENT1", "C0SUPPORT", "")
    assert reply.status == 200
    (view,) = slack.views()
    assert (view["callback_id"], view["user"], view["is_open"]) == (
        "partner_fix_modal",
        "U0AGENT1",
        True,
    )


# ---- message shortcut ------------------------------------------------------------------------


def test_message_shortcut_payload(slack: SlackStandIn, app: RecordingApp) -> None:
    parent = slack.post_user_message("U0AGENT1", "C0SUPPORT", "ticket https://x.example/t/9 & co")
    reply_ts = slack.post_user_message("U0AGENT2", "C0SUPPORT", "see 9", thread_ts=parent)
    slack.message_shortcut("U0AGENT2", "C0SUPPORT", parent)
    payload = app.last["payload"]
    assert payload["type"] == "message_action"
    assert payload["callback_id"] == "partner_fix_message"
    assert payload["message_ts"] == parent
    # As Slack stores typed text: & escaped, links wrapped.
    assert payload["message"]["text"] == "ticket <https://x.example/t/9> &amp; co"
    assert payload["message"]["thread_ts"] == parent  # a parent with replies carries it
    assert payload["channel"] == {"id": "C0SUPPORT", "name": "support-team"}
    assert payload["user"]["id"] == "U0AGENT2"
    assert payload["team"]["id"] == "T0PARTNER"
    assert {"trigger_id", "response_url"} <= payload.keys()
    slack.message_shortcut("U0AGENT1", "C0SUPPORT", reply_ts)
    assert app.last["payload"]["message"]["thread_ts"] == parent
    assert verifies(app.last, slack.signing_secret)


def test_shortcut_on_a_missing_message_is_a_test_error(slack: SlackStandIn) -> None:
    with pytest.raises(ValueError):
        slack.message_shortcut("U0AGENT1", "C0SUPPORT", "1.000001")


# ---- modal submission ------------------------------------------------------------------------

SCENARIOS = ["customer_account", "services_engagement", "partner_commercial", "unsure"]


FORM_VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "partner_fix_modal",
    "title": plain("Partner fix"),
    "submit": plain("Preview"),
    "private_metadata": json.dumps({"channel": "C0SUPPORT", "thread_ts": "1.2"}),
    "blocks": [
        input_block("ticket", "Ticket", "plain_text_input"),
        input_block(
            "scenario", "Scenario", "radio_buttons", options=[option(v) for v in SCENARIOS]
        ),
        {**input_block("customer_email", "Customer email", "email_text_input"), "optional": True},
        {
            **input_block(
                "region",
                "Region",
                "static_select",
                options=[option("amer"), option("emea")],
                initial_option=option("amer"),
            ),
            "optional": True,
        },
    ],
}


def open_form(client: WebClient, slack: SlackStandIn, user: str = "U0AGENT1") -> dict[str, Any]:
    trigger = slack.new_trigger_id(user)
    return dict(client.views_open(trigger_id=trigger, view=FORM_VIEW)["view"])


def test_submit_view_builds_state_values(
    slack: SlackStandIn, app: RecordingApp, client: WebClient
) -> None:
    view = open_form(client, slack)
    reply = slack.submit_view(
        "U0AGENT1",
        view["id"],
        {"ticket": "123", "scenario": "services_engagement", "customer_email": "c@x.example"},
    )
    payload = app.last["payload"]
    assert payload["type"] == "view_submission"
    assert payload["response_urls"] == []
    submitted = payload["view"]
    assert submitted["id"] == view["id"]
    assert submitted["hash"] == view["hash"]
    assert submitted["callback_id"] == "partner_fix_modal"
    assert submitted["private_metadata"] == FORM_VIEW["private_metadata"]
    values = submitted["state"]["values"]
    assert values["ticket"] == {"ticket": {"type": "plain_text_input", "value": "123"}}
    assert values["scenario"] == {
        "scenario": {"type": "radio_buttons", "selected_option": option("services_engagement")}
    }
    assert values["customer_email"] == {
        "customer_email": {"type": "email_text_input", "value": "c@x.example"}
    }
    # Left out: the initial option, as a person who did not touch it submits.
    assert values["region"]["region"] == {
        "type": "static_select",
        "selected_option": option("amer"),
    }
    # A plain ack closes the modal.
    assert reply.view is not None and reply.view["state"]["values"] == values
    assert slack.views(open_only=True) == []


def test_submit_view_empty_inputs_are_null(
    slack: SlackStandIn, app: RecordingApp, client: WebClient
) -> None:
    view = open_form(client, slack)
    slack.submit_view("U0AGENT1", view["id"], {"ticket": "1"})
    values = app.last["payload"]["view"]["state"]["values"]
    assert values["customer_email"]["customer_email"]["value"] is None
    assert values["scenario"]["scenario"]["selected_option"] is None


def test_submit_view_refuses_what_a_person_could_not_enter(
    slack: SlackStandIn, client: WebClient
) -> None:
    view = open_form(client, slack)
    with pytest.raises(ValueError, match="not an option"):
        slack.submit_view("U0AGENT1", view["id"], {"scenario": "partner_free"})
    with pytest.raises(ValueError, match="no input blocks"):
        slack.submit_view("U0AGENT1", view["id"], {"tiket": "1"})
    with pytest.raises(ValueError, match="opened for U0AGENT1"):
        slack.submit_view("U0AGENT2", view["id"], {"ticket": "1"})


def test_response_action_errors_keeps_the_modal(
    slack: SlackStandIn, app: RecordingApp, client: WebClient
) -> None:
    view = open_form(client, slack)
    app.answer = lambda request: (
        200,
        {"response_action": "errors", "errors": {"ticket": "Not a ticket link"}},
    )
    reply = slack.submit_view("U0AGENT1", view["id"], {"ticket": "nope"})
    assert reply.errors == {"ticket": "Not a ticket link"}
    assert reply.problems == []
    assert slack.view(view["id"])["id"] in [v["id"] for v in slack.views(open_only=True)]
    app.answer = lambda request: (200, {"response_action": "errors", "errors": {"bogus": "x"}})
    reply = slack.submit_view("U0AGENT1", view["id"], {"ticket": "nope"})
    assert "not the block_id of an input block" in reply.problems[0]


def test_response_actions_the_bot_never_sends_are_reported(
    slack: SlackStandIn, app: RecordingApp, client: WebClient
) -> None:
    view = open_form(client, slack)
    for action in ("update", "clear"):
        app.answer = lambda request, a=action: (200, {"response_action": a})
        reply = slack.submit_view("U0AGENT1", view["id"], {"ticket": "1", "scenario": "unsure"})
        assert reply.problems == [f"response_action {action!r} is not modelled"]
        assert slack.view(view["id"])["id"] in [v["id"] for v in slack.views(open_only=True)]


# ---- buttons ---------------------------------------------------------------------------------

PREVIEW_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Apply this change?"}},
    {
        "type": "actions",
        "block_id": "preview_actions",
        "elements": [
            {
                "type": "button",
                "action_id": "partner_fix_apply",
                "text": {"type": "plain_text", "text": "Apply"},
                "style": "primary",
                "value": '{"ticket": 123}',
            },
            {
                "type": "button",
                "action_id": "partner_fix_cancel",
                "text": {"type": "plain_text", "text": "Cancel"},
                "value": "cancel",
            },
        ],
    },
]


def test_click_button_in_a_thread(
    slack: SlackStandIn, app: RecordingApp, client: WebClient
) -> None:
    parent = slack.post_user_message("U0AGENT1", "C0SUPPORT", "fix 123")
    ts = client.chat_postMessage(
        channel="C0SUPPORT", thread_ts=parent, text="Preview", blocks=PREVIEW_BLOCKS
    )["ts"]
    reply = slack.click_button("U0AGENT2", "C0SUPPORT", ts, "partner_fix_apply")
    payload = app.last["payload"]
    assert payload["type"] == "block_actions"
    (action,) = payload["actions"]
    assert action["action_id"] == "partner_fix_apply"
    assert action["block_id"] == "preview_actions"
    assert action["value"] == '{"ticket": 123}'
    assert action["type"] == "button"
    assert "action_ts" in action
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": "C0SUPPORT",
        "is_ephemeral": False,
        "thread_ts": parent,
    }
    assert payload["channel"]["id"] == "C0SUPPORT"
    assert payload["message"]["ts"] == ts
    assert payload["user"]["id"] == "U0AGENT2"
    assert reply.response_url == payload["response_url"]
    # replace_original through the click's response_url edits the preview in place.
    assert post_json(payload["response_url"], {"text": "Applied", "replace_original": True}) == 200
    assert [m["text"] for m in slack.thread("C0SUPPORT", parent)] == ["fix 123", "Applied"]


def test_click_button_on_an_ephemeral_message(
    slack: SlackStandIn, app: RecordingApp, client: WebClient
) -> None:
    client.chat_postEphemeral(
        channel="C0SUPPORT", user="U0AGENT1", text="Preview", blocks=PREVIEW_BLOCKS
    )
    with pytest.raises(ValueError):  # nobody else sees it
        slack.click_button("U0AGENT2", "C0SUPPORT", None, "partner_fix_cancel")
    slack.click_button("U0AGENT1", "C0SUPPORT", None, "partner_fix_cancel")
    payload = app.last["payload"]
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload  # Slack leaves it out for ephemeral messages
    assert payload["actions"][0]["value"] == "cancel"


def test_click_button_in_a_view(slack: SlackStandIn, app: RecordingApp, client: WebClient) -> None:
    view = dict(FORM_VIEW, blocks=FORM_VIEW["blocks"] + PREVIEW_BLOCKS[1:])
    opened = client.views_open(trigger_id=slack.new_trigger_id(), view=view)["view"]
    slack.click_button("U0AGENT1", None, None, "partner_fix_apply", view_id=opened["id"])
    payload = app.last["payload"]
    assert payload["container"] == {"type": "view", "view_id": opened["id"]}
    assert payload["view"]["hash"] == opened["hash"]
    assert "response_url" not in payload


def test_missing_button_is_a_test_error(slack: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0SUPPORT", text="x", blocks=PREVIEW_BLOCKS)["ts"]
    with pytest.raises(ValueError, match="partner_fix_undo"):
        slack.click_button("U0AGENT1", "C0SUPPORT", ts, "partner_fix_undo")


# ---- timing --------------------------------------------------------------


def test_elapsed_measures_the_app(slack: SlackStandIn, app: RecordingApp) -> None:
    def slow(request: dict[str, Any]) -> Answer:
        time.sleep(0.2)
        return 200, ""

    app.answer = slow
    reply = slack.slash_command("U0AGENT1", "C0SUPPORT", "x")
    assert 0.2 <= reply.elapsed < 3
    assert reply.acked_in_time
