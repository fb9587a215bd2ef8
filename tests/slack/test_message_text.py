"""Ticket links anywhere in a message: its text, blocks and attachments, first one wins."""

from __future__ import annotations

from typing import Any

from bot.domain.refs import find_ticket_refs
from bot.slack.message_text import message_text

LINK = "https://gitlab.zendesk.com/agent/tickets/{}"


def ids(message: dict[str, Any]) -> list[int]:
    return [r.id for r in find_ticket_refs(message_text(message))]


def test_a_link_in_a_zendesk_notification_attachment_is_found() -> None:
    # As Zendesk's Slack integration posts them: the link is the attachment's title link.
    message = {
        "text": "",
        "attachments": [
            {
                "fallback": "Ticket updated",
                "title": "Pipelines stuck",
                "title_link": LINK.format(512301),
                "fields": [{"title": "Status", "value": "Open"}],
            }
        ],
    }
    assert ids(message) == [512301]


def test_links_in_blocks_are_found_in_order_after_the_text() -> None:
    message = {
        "text": "see below",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"<{LINK.format(512302)}|#1>"}},
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "link", "url": LINK.format(512303)}],
                    }
                ],
            },
            {
                "type": "actions",
                "elements": [{"type": "button", "url": LINK.format(512304), "text": {}}],
            },
        ],
    }
    assert ids(message) == [512302, 512303, 512304]
    assert ids({**message, "text": f"first {LINK.format(512305)}"})[0] == 512305


def test_a_hostile_message_is_read_within_bounds() -> None:
    deep: dict[str, Any] = {"text": LINK.format(512301)}
    for _ in range(1000):
        deep = {"elements": [deep]}
    assert ids({"blocks": [deep]}) == []  # too deep to be a real message: not read
    wide = {"attachments": [{"text": "x"} for _ in range(100_000)]}
    assert len(message_text(wide)) < 10_000
