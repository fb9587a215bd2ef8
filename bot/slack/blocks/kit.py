"""The shared kit of every Block Kit builder: the one mrkdwn escape, Slack's lengths and the one
clipping, and the small pieces (section, context, plain text, button, message, mention, link).

Every piece of text that came from a person or from Zendesk goes through `escape` before it is
put into mrkdwn, and every text is clipped to Slack's limits, so no message breaks Slack.
"""

from __future__ import annotations

import re
from typing import Any

Block = dict[str, Any]

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
CONTEXT_LIMIT = 2000
PLAIN_LIMIT = 75  # button and option labels
HINT_LIMIT = 150
TITLE_LIMIT = 24  # modal title, submit and close
INPUT_VALUE_LIMIT = 3000
# Slack cuts a message's text at 40,000; the fallback needs far less.
MESSAGE_TEXT_LIMIT = 3000

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def escape(text: str) -> str:
    """The one mrkdwn escape: `<!channel>` typed into a ticket is shown, never executed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


ELLIPSIS = "…"
# What a cut may leave at the end that mrkdwn would show broken: half an entity (`&am`), half a
# mention or link (`<@U12`, `<https://…|#12`). Every `&` and `<` in the text is one of these,
# since `escape` turned the ones people typed into entities.
_CUT_ENTITY = re.compile(r"&[a-z]{0,3}$")
_CUT_LINK = re.compile(r"<[^<>]*$")


def slack_length(text: str) -> int:
    """Text as long as Slack may count it: its limits are reported in code points, UTF-16 units
    or UTF-8 bytes, so the largest of the three (for any text, the UTF-8 bytes) is the safe one."""
    utf16 = len(text.encode("utf-16-le", "surrogatepass")) // 2
    return max(len(text), utf16, len(text.encode("utf-8", "surrogatepass")))


def clip(text: str, limit: int) -> str:
    """The one clipping for every Block Kit text: at most `limit` by `slack_length`, cut between
    characters (a surrogate pair or an entity stays whole), ending in an ellipsis when cut."""
    if slack_length(text) <= limit:
        return text
    budget = limit - slack_length(ELLIPSIS)
    end = used = 0
    for char in text:
        used += slack_length(char)
        if used > budget:
            break
        end += 1
    head = text[:end]
    if head and "\ud800" <= head[-1] <= "\udbff":  # a lone high surrogate: its pair was cut
        head = head[:-1]
    head = _CUT_ENTITY.sub("", _CUT_LINK.sub("", head))
    return head + ELLIPSIS


def mention(user_id: str) -> str:
    # Only a well-formed Slack user id becomes a mention; anything else is shown as text.
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def ticket_link(ticket_id: int, url: str) -> str:
    return f"<{url}|#{ticket_id}>"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, CONTEXT_LIMIT)}]}


def plain(text: str, limit: int = PLAIN_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def message(text: str, blocks: list[Block]) -> dict[str, Any]:
    """A message: `text` is the notification fallback, plain words, escaped here like the rest."""
    return {"text": clip(escape(text), MESSAGE_TEXT_LIMIT), "blocks": blocks[:50]}
