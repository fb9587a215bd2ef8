"""Block Kit pieces the Slack stand-in's tests build modals from."""

from __future__ import annotations

from typing import Any


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def option(value: str, label: str | None = None) -> dict[str, Any]:
    """An option whose label is its value with spaces, unless given."""
    return {"text": plain(label or value.replace("_", " ")), "value": value}


def input_block(block_id: str, label: str, kind: str, **element: Any) -> dict[str, Any]:
    """An input block whose element's action_id is the block's id (as the bot names them)."""
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {"type": kind, "action_id": block_id, **element},
    }
