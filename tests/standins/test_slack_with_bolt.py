"""The stand-in against a real Bolt for Python app (not the bot: a minimal one defined here).

If Bolt verifies the stand-in's signatures, parses its payloads and its client accepts the
stand-in's answers, the bot (built on Bolt) meets the same Slack here as in a workspace.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from standins.harness import Stack
from standins.slack import SlackStandIn

pytestmark = pytest.mark.timeout(30)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


class _ThreadedWSGIServer(WSGIServer):
    # Bolt answers while its listener calls back into the stand-in; one thread per request.
    def process_request(self, request: Any, client_address: Any) -> None:
        threading.Thread(target=self._serve, args=(request, client_address), daemon=True).start()

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def build_app(client: WebClient, secret: str) -> App:
    app = App(client=client, signing_secret=secret)

    @app.command("/partner-fix")
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        if body["text"] == "help":
            ack(text="Usage: /partner-fix TICKET")
            return
        ack()
        client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "partner_fix_modal",
                "title": {"type": "plain_text", "text": "Partner fix"},
                "submit": {"type": "plain_text", "text": "Preview"},
                "private_metadata": json.dumps({"channel": body["channel_id"]}),
                "blocks": [
                    {
                        "type": "input",
                        "block_id": "ticket",
                        "label": {"type": "plain_text", "text": "Ticket"},
                        "element": {"type": "plain_text_input", "action_id": "ticket"},
                    }
                ],
            },
        )

    @app.view("partner_fix_modal")
    def submitted(ack: Ack, view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        ticket = view["state"]["values"]["ticket"]["ticket"]["value"]
        if not ticket.isdigit():
            ack(response_action="errors", errors={"ticket": "Give a ticket number"})
            return
        ack()
        channel = json.loads(view["private_metadata"])["channel"]
        client.chat_postMessage(
            channel=channel,
            text=f"Preview for {ticket}",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"Ticket {ticket}"}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "partner_fix_apply",
                            "text": {"type": "plain_text", "text": "Apply"},
                            "value": ticket,
                        }
                    ],
                },
            ],
        )

    @app.action("partner_fix_apply")
    def apply(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(text=f"Applied {action['value']}", replace_original=True)

    return app


@pytest.fixture(scope="module")
def bolt_app(stack: Stack) -> Iterator[str]:
    """A small Bolt app against the session's Slack stand-in, served over HTTP: its URL."""
    slack = stack.slack
    client = WebClient(token=slack.bot_token, base_url=slack.url, timeout=5)
    handler = SlackRequestHandler(build_app(client, slack.signing_secret))
    http = make_server(
        "127.0.0.1", 0, handler, server_class=_ThreadedWSGIServer, handler_class=_QuietHandler
    )
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}/slack/events"
    http.shutdown()
    http.server_close()


def test_bolt_round_trip(slack: SlackStandIn, bolt_app: str) -> None:
    slack.app_url = bolt_app
    assert slack.calls() == []
    reply = slack.slash_command("U0AGENT1", "C0SUPPORT", "help")
    assert (reply.status, reply.problems) == (200, [])
    assert slack.messages("C0SUPPORT")[0]["text"] == "Usage: /partner-fix TICKET"

    assert slack.slash_command("U0AGENT1", "C0SUPPORT", "").acked_in_time
    view = slack.wait_for_call("views.open", timeout=5)["response"]["view"]
    assert view["callback_id"] == "partner_fix_modal"

    refused = slack.submit_view("U0AGENT1", view["id"], {"ticket": "abc"})
    assert refused.errors == {"ticket": "Give a ticket number"}
    slack.submit_view("U0AGENT1", view["id"], {"ticket": "123"})
    preview = slack.wait_for_message(
        "C0SUPPORT", lambda m: m["text"] == "Preview for 123", timeout=5
    )

    assert (
        slack.click_button("U0AGENT1", "C0SUPPORT", preview["ts"], "partner_fix_apply").status
        == 200
    )
    slack.wait_for_message("C0SUPPORT", lambda m: m["text"] == "Applied 123", timeout=5)
    assert [m["ts"] for m in slack.messages("C0SUPPORT") if not m["is_ephemeral"]] == [
        preview["ts"]
    ]


def test_bolt_rejects_tampered_requests(slack: SlackStandIn, bolt_app: str) -> None:
    slack.app_url = bolt_app
    assert slack.slash_command("U0AGENT1", "C0SUPPORT", "help", sign=False).status == 401
    assert slack.slash_command("U0AGENT1", "C0SUPPORT", "help", timestamp_offset=-400).status == 401
    assert slack.slash_command("U0AGENT1", "C0SUPPORT", "help", secret="wrong").status == 401
    assert slack.messages() == []
