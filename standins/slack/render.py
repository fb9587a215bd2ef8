"""Plain-text rendering of Block Kit messages and modals, for the demo and for assertions.

mrkdwn is shown as written (so `&lt;!channel&gt;` escaped by the bot stays visibly escaped, and
a raw `<!channel>` shows as the `@channel` broadcast it would trigger); only Slack's angle-bracket
references are resolved to what a person would see (`<@U0AGENT1>` -> `@Avery Agent`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DIVIDER = "-" * 40

# <@U…>, <#C…|name>, <!here>, <!subteam^S…|@handle>, <https://…|label>, <mailto:…>
_REFERENCE = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


@dataclass(frozen=True)
class Directory:
    """Names to show for ids: users (real names), channels and user groups (handles)."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    usergroups: Mapping[str, str] = field(default_factory=dict)
    bots: Mapping[str, str] = field(default_factory=dict)


def render_mrkdwn(text: str, names: Directory) -> str:
    """Resolve Slack references the way the client displays them; leave the rest as written."""

    def replace(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or names.users.get(target[1:], target[1:]))
        if target.startswith("#"):
            return "#" + (label or names.channels.get(target[1:], target[1:]))
        if target.startswith("!subteam^"):
            group = target.removeprefix("!subteam^")
            return label or "@" + names.usergroups.get(group, group)
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]
        if label:
            return f"{label} ({target})"
        return target.removeprefix("mailto:")

    return _REFERENCE.sub(replace, text)


def author(message: Mapping[str, Any], names: Directory) -> str:
    """Who a message appears to come from."""
    bot_id = message.get("bot_id")
    if bot_id:
        return f"{names.bots.get(bot_id) or names.users.get(message.get('user', ''), bot_id)} [app]"
    user = message.get("user", "")
    return names.users.get(user, user or "unknown")


def render_message(message: Mapping[str, Any], names: Directory) -> str:
    """A heading line (author, and who alone sees an ephemeral message) and the content."""
    heading = author(message, names)
    visible_to = message.get("visible_to")
    if message.get("is_ephemeral") and visible_to:
        heading += f" (only visible to {names.users.get(visible_to, visible_to)})"
    lines = content_lines(message, names)
    return "\n".join([heading + ":"] + ["  " + line if line else "" for line in lines])


def content_lines(message: Mapping[str, Any], names: Directory) -> list[str]:
    """The readable body: blocks when there are any (Slack shows those, not `text`)."""
    blocks = message.get("blocks")
    if isinstance(blocks, list) and blocks:
        return render_blocks(blocks, names)
    return render_mrkdwn(str(message.get("text") or ""), names).splitlines()


def render_view(view: Mapping[str, Any], names: Directory) -> str:
    """A modal: its title, its blocks, then its buttons."""
    title = _plain(view.get("title"))
    lines = [f"[Modal: {title}]"]
    lines += [
        "  " + line if line else "" for line in render_blocks(view.get("blocks") or [], names)
    ]
    buttons = [f"[{_plain(view[key])}]" for key in ("close", "submit") if view.get(key)]
    if buttons:
        lines.append("  " + " ".join(buttons))
    return "\n".join(lines)


def render_blocks(blocks: list[Any], names: Directory) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, dict):
            lines += _render_block(block, names)
    return lines


def _render_block(block: Mapping[str, Any], names: Directory) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return ["# " + _plain(block.get("text"))]
    if kind == "divider":
        return [DIVIDER]
    if kind == "section":
        lines = _text_lines(block.get("text"), names)
        for item in block.get("fields") or []:
            field_lines = _text_lines(item, names) or [""]
            lines.append("- " + field_lines[0])
            lines += ["  " + line for line in field_lines[1:]]
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            lines.append(_element(accessory, names))
        return lines
    if kind == "context":
        parts = []
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("type") == "image":
                parts.append(f"[image: {element.get('alt_text', '')}]")
            else:
                parts.append(" ".join(_text_lines(element, names)))
        return ["  ".join(parts)]
    if kind == "actions":
        elements = [e for e in block.get("elements") or [] if isinstance(e, dict)]
        return [" ".join(_element(element, names) for element in elements)]
    if kind == "input":
        return _input(block, names)
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "markdown":
        return str(block.get("text", "")).splitlines()
    if kind == "rich_text":
        return _rich_text(block, names).splitlines()
    return [f"[{kind}]"]


def _input(block: Mapping[str, Any], names: Directory) -> list[str]:
    label = _plain(block.get("label"))
    if block.get("optional"):
        label += " (optional)"
    element = block.get("element") or {}
    kind = element.get("type")
    if kind in ("radio_buttons", "checkboxes"):
        chosen = _initial_values(element)
        lines = [label + ":"]
        for option in element.get("options") or []:
            mark = "(o)" if option.get("value") in chosen else "( )"
            if kind == "checkboxes":
                mark = "[x]" if option.get("value") in chosen else "[ ]"
            lines.append(f"  {mark} {' '.join(_text_lines(option.get('text'), names))}")
        return lines
    return [f"{label}: {_element(element, names)}"]


def _initial_values(element: Mapping[str, Any]) -> set[str]:
    initial = element.get("initial_option")
    chosen = [initial] if isinstance(initial, dict) else element.get("initial_options") or []
    return {option.get("value", "") for option in chosen if isinstance(option, dict)}


def _element(element: Mapping[str, Any], names: Directory) -> str:
    kind = element.get("type")
    if kind == "button":
        return f"[{_plain(element.get('text'))}]"
    if kind == "overflow":
        return "[...]"
    initial = element.get("initial_value")
    if isinstance(initial, str) and initial:
        return f"[{initial}]"
    chosen = element.get("initial_option")
    if isinstance(chosen, dict):
        return f"[{_plain(chosen.get('text'))} v]"
    placeholder = _plain(element.get("placeholder"))
    if kind in ("static_select", "multi_static_select", "external_select", "users_select"):
        return f"[{placeholder or 'Select'} v]"
    return f"[{placeholder or '____'}]"


def _text_lines(obj: Any, names: Directory) -> list[str]:
    if not isinstance(obj, dict):
        return []
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        text = render_mrkdwn(text, names)
    return text.splitlines()


def _plain(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _rich_text(node: Any, names: Directory) -> str:
    """Flatten a rich_text tree (what Slack stores for messages people type) to its text."""
    if isinstance(node, list):
        return "".join(_rich_text(item, names) for item in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "link":
        return str(node.get("text") or node.get("url", ""))
    if kind == "user":
        user = str(node.get("user_id", ""))
        return "@" + names.users.get(user, user)
    if kind == "channel":
        channel = str(node.get("channel_id", ""))
        return "#" + names.channels.get(channel, channel)
    if kind == "usergroup":
        group = str(node.get("usergroup_id", ""))
        return "@" + names.usergroups.get(group, group)
    if kind == "broadcast":
        return "@" + str(node.get("range", ""))
    if kind == "emoji":
        return f":{node.get('name', '')}:"
    inner = _rich_text(node.get("elements") or [], names)
    return inner + "\n" if kind in ("rich_text_section", "rich_text_preformatted") else inner
