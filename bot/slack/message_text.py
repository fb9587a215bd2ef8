"""Every piece of text a Slack message carries, in reading order: its text, its blocks and its
attachments. Zendesk's own Slack notifications put the ticket link in blocks or attachments
(a title link, a button's url), not in the message's text."""

from __future__ import annotations

from typing import Any

# Bounds on what is read of a message: a hostile one can nest deeply or be huge.
MAX_DEPTH = 12
MAX_PIECES = 500
# Keys whose values are text a person reads, or a link.
_TEXT_KEYS = ("text", "pretext", "title", "title_link", "fallback", "url", "value", "footer")


def message_text(message: dict[str, Any]) -> str:
    pieces: list[str] = []
    _collect(message.get("text"), pieces, 0)
    _collect(message.get("blocks"), pieces, 0)
    _collect(message.get("attachments"), pieces, 0)
    return "\n".join(pieces[:MAX_PIECES])


def _collect(value: Any, pieces: list[str], depth: int) -> None:
    if depth > MAX_DEPTH or len(pieces) >= MAX_PIECES:
        return
    if isinstance(value, str):
        pieces.append(value)
    elif isinstance(value, list):
        for item in value:
            _collect(item, pieces, depth + 1)
    elif isinstance(value, dict):
        for key in _TEXT_KEYS:
            if key in value:
                _collect(value[key], pieces, depth + 1)
        # Nested structures: rich_text elements, section fields, actions' elements, ...
        for key in ("elements", "fields", "blocks", "actions", "accessory"):
            if key in value:
                _collect(value[key], pieces, depth + 1)
