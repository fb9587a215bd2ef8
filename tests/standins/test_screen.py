"""Plain-text rendering of stored messages, threads and modals."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from standins import screen
from standins.slack import SlackStandIn
from tests.standins.slack_kit import input_block, option, plain

pytestmark = pytest.mark.timeout(30)


def test_render_thread(slack: SlackStandIn, client: WebClient) -> None:
    parent = slack.post_user_message(
        "U0AGENT1", "C0SUPPORT", "can <@U0AGENT2> fix https://x.example/t/1?", raw=True
    )
    preview = [
        {"type": "header", "text": {"type": "plain_text", "text": "Ticket 1"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Asked by <@U0AGENT1>: &lt;!channel&gt;"},
            "fields": [
                {"type": "mrkdwn", "text": "*Before*\npartner org"},
                {"type": "mrkdwn", "text": "*After*\ncustomer org"},
            ],
        },
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "Scenario: customer_account"},
                {"type": "plain_text", "text": "in <#C0SUPPORT>"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "partner_fix_apply",
                    "text": {"type": "plain_text", "text": "Apply"},
                },
                {
                    "type": "button",
                    "action_id": "partner_fix_cancel",
                    "text": {"type": "plain_text", "text": "Cancel"},
                },
            ],
        },
    ]
    client.chat_postMessage(channel="C0SUPPORT", thread_ts=parent, text="Preview", blocks=preview)
    client.chat_postEphemeral(
        channel="C0SUPPORT", user="U0AGENT1", thread_ts=parent, text="Only <!here> for you"
    )
    assert screen.thread(slack, "C0SUPPORT", parent) == "\n".join(
        [
            "Avery Agent:",
            "  can @Blake Agent fix https://x.example/t/1?",
            "  | Partner Fix [app]:",
            "  |   # Ticket 1",
            "  |   Asked by @Avery Agent: &lt;!channel&gt;",
            "  |   - *Before*",
            "  |     partner org",
            "  |   - *After*",
            "  |     customer org",
            "  |   " + "-" * 40,
            "  |   Scenario: customer_account  in <#C0SUPPORT>",
            "  |   [Apply] [Cancel]",
            "  | Partner Fix [app] (only visible to Avery Agent):",
            "  |   Only @here for you",
        ]
    )
    # Blake does not see Avery's ephemeral message.
    assert "only visible" not in screen.thread(slack, "C0SUPPORT", parent, for_user="U0AGENT2")


def test_render_message_references(slack: SlackStandIn, client: WebClient) -> None:
    text = "<!subteam^S0SUPPORT> see <https://x.example/t/1|ticket 1> in <#C0SUPPORT|support>"
    client.chat_postMessage(channel="C0SUPPORT", text=text)
    (message,) = slack.messages("C0SUPPORT")
    assert screen.message(slack, message) == (
        "Partner Fix [app]:\n  @support-team see ticket 1 (https://x.example/t/1) in #support"
    )


def test_render_view(slack: SlackStandIn, client: WebClient) -> None:
    view = {
        "type": "modal",
        "title": plain("Partner fix"),
        "submit": plain("Preview"),
        "close": plain("Cancel"),
        "blocks": [
            input_block("ticket", "Ticket", "plain_text_input", initial_value="123"),
            input_block(
                "scenario",
                "Scenario",
                "radio_buttons",
                initial_option=option("unsure", "Unsure"),
                options=[option("customer", "Customer"), option("unsure", "Unsure")],
            ),
        ],
    }
    opened = client.views_open(trigger_id=slack.new_trigger_id(), view=view)["view"]
    assert screen.view(slack, opened["id"]) == "\n".join(
        [
            "[Modal: Partner fix]",
            "  Ticket: [123]",
            "  Scenario:",
            "    ( ) Customer",
            "    (o) Unsure",
            "  [Cancel] [Preview]",
        ]
    )
