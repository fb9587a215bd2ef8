"""How a person reads the Slack stand-in's workspace: its messages, threads and modals as plain
text, for the demo, the harness's `Agent.render` and assertions. It reads the stand-in; the
stand-in does not need it (Slack's server renders nothing).

mrkdwn is shown as written (so `&lt;!channel&gt;` escaped by the bot stays visibly escaped, and
a raw `<!channel>` shows as the `@channel` broadcast it would trigger); only Slack's angle-bracket
references are resolved to what a person would see (`<@U0AGENT1>` -> `@Avery Agent`).

`names` maps every id (people, channels, user groups, the bot) to the name shown for it: Slack's
ids never collide across kinds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from standins.slack import SlackStandIn
from standins.slack.state import BOT_ID, BOT_NAME

Names = Mapping[str, str]

DIVIDER = "-" * 40

# <@U…>, <#C…|name>, <!here>, <!subteam^S…|@handle>, <https://…|label>, <mailto:…>
_REFERENCE = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
# How a reference starts, and what is shown before the name it refers to.
_SIGILS = (("@", "@"), ("#", "#"), ("!subteam^", "@"))


def render_mrkdwn(text: str, names: Names) -> str:
    """Resolve Slack references the way the client displays them; leave the rest as written."""

    def replace(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        for sigil, shown in _SIGILS:
            if target.startswith(sigil):
                found = target.removeprefix(sigil)
                # A user group's label is its handle with the @ already.
                if label and sigil == "!subteam^":
                    return label
                return shown + (label or names.get(found, found))
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]
        if label:
            return f"{label} ({target})"
        return target.removeprefix("mailto:")

    return _REFERENCE.sub(replace, text)


def render_message(message: Mapping[str, Any], names: Names) -> str:
    """A heading line (author, and who alone sees an ephemeral message) and the content: the
    blocks when there are any (Slack shows those, not `text`)."""
    user = message.get("user", "")
    bot_id = message.get("bot_id")
    heading = f"{names.get(bot_id) or names.get(user, bot_id)} [app]" if bot_id else None
    heading = heading or names.get(user, user or "unknown")
    visible_to = message.get("visible_to")
    if message.get("is_ephemeral") and visible_to:
        heading += f" (only visible to {names.get(visible_to, visible_to)})"
    blocks = message.get("blocks")
    if isinstance(blocks, list) and blocks:
        lines = render_blocks(blocks, names)
    else:
        lines = render_mrkdwn(str(message.get("text") or ""), names).splitlines()
    return "\n".join([heading + ":", *_indent(lines)])


def render_view(view: Mapping[str, Any], names: Names) -> str:
    """A modal: its title, its blocks, then its buttons."""
    lines = [f"[Modal: {_plain(view.get('title'))}]"]
    lines += _indent(render_blocks(view.get("blocks") or [], names))
    buttons = [f"[{_plain(view[key])}]" for key in ("close", "submit") if view.get(key)]
    if buttons:
        lines.append("  " + " ".join(buttons))
    return "\n".join(lines)


def render_blocks(blocks: list[Any], names: Names) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, dict):
            lines += _render_block(block, names)
    return lines


def _indent(lines: list[str]) -> list[str]:
    return ["  " + line if line else "" for line in lines]


def _render_block(block: Mapping[str, Any], names: Names) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return ["# " + _plain(block.get("text"))]
    if kind == "divider":
        return [DIVIDER]
    if kind == "section":
        lines = _text_lines(block.get("text"), names)
        for item in block.get("fields") or []:
            first, *more = _text_lines(item, names) or [""]
            lines += ["- " + first, *("  " + line for line in more)]
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            lines.append(_element(accessory))
        return lines
    if kind == "context":
        return ["  ".join(" ".join(_text_lines(e, names)) for e in block.get("elements") or [])]
    if kind == "actions":
        elements = [e for e in block.get("elements") or [] if isinstance(e, dict)]
        return [" ".join(_element(element) for element in elements)]
    if kind == "input":
        label = _plain(block.get("label")) + (" (optional)" if block.get("optional") else "")
        element = block.get("element") or {}
        if element.get("type") != "radio_buttons":
            return [f"{label}: {_element(element)}"]
        chosen = (element.get("initial_option") or {}).get("value")
        return [label + ":"] + [
            f"  {'(o)' if option.get('value') == chosen else '( )'} "
            + " ".join(_text_lines(option.get("text"), names))
            for option in element.get("options") or []
        ]
    if kind == "rich_text":
        return _rich_text(block, names).splitlines()
    return [f"[{kind}]"]


def _element(element: Mapping[str, Any]) -> str:
    if element.get("type") == "button":
        return f"[{_plain(element.get('text'))}]"
    initial = element.get("initial_value")
    if isinstance(initial, str) and initial:
        return f"[{initial}]"
    chosen = element.get("initial_option")
    if isinstance(chosen, dict):
        return f"[{_plain(chosen.get('text'))} v]"
    placeholder = _plain(element.get("placeholder"))
    if element.get("type") == "static_select":
        return f"[{placeholder or 'Select'} v]"
    return f"[{placeholder or '____'}]"


def _text_lines(obj: Any, names: Names) -> list[str]:
    if not isinstance(obj, dict):
        return []
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        text = render_mrkdwn(text, names)
    return text.splitlines()


def _plain(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


# What the rich_text elements people's messages hold show: (sigil, the key of the id).
_RICH_REFERENCES = {
    "user": ("@", "user_id"),
    "channel": ("#", "channel_id"),
    "usergroup": ("@", "usergroup_id"),
}


def _rich_text(node: Any, names: Names) -> str:
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
    if kind in _RICH_REFERENCES:
        sigil, key = _RICH_REFERENCES[kind]
        found = str(node.get(key, ""))
        return sigil + names.get(found, found)
    if kind == "broadcast":
        return "@" + str(node.get("range", ""))
    inner = _rich_text(node.get("elements") or [], names)
    return inner + "\n" if kind == "rich_text_section" else inner


# ---- the workspace as one person sees it ------------------------------------------------------


def names_of(slack: SlackStandIn) -> dict[str, str]:
    """The name shown for every id in the workspace: people, channels, user groups, the bot."""
    ws = slack.workspace
    with ws.lock:
        return {
            **{u: str(obj["real_name"] or obj["name"]) for u, obj in ws.users.items()},
            **{c.id: c.name for c in ws.channels.values()},
            **{g: str(spec["handle"]) for g, spec in ws.usergroups.items()},
            BOT_ID: BOT_NAME,
        }


def message(slack: SlackStandIn, msg: Mapping[str, Any]) -> str:
    return render_message(msg, names_of(slack))


def thread(slack: SlackStandIn, channel: str, ts: str, for_user: str | None = None) -> str:
    """The thread as text: the parent, then each reply indented with `  | `. With `for_user`,
    only what that person sees (others' ephemeral messages left out)."""
    names = names_of(slack)
    parts: list[str] = []
    for msg in slack.thread(channel, ts):
        if for_user is not None and msg.get("visible_to") not in (None, for_user):
            continue
        text = render_message(msg, names)
        if msg["ts"] != ts:
            text = "\n".join("  | " + line for line in text.splitlines())
        parts.append(text)
    return "\n".join(parts)


def view(slack: SlackStandIn, view_id: str) -> str:
    return render_view(slack.view(view_id), names_of(slack))
