"""Block Kit checks for the Slack stand-in: the limits Slack enforces and a bot can get wrong.

Each check returns Slack-style explanations ("[ERROR] ... [json-pointer:/blocks/0/text/text]"),
the same lines Slack puts in `response_metadata.messages`, so a failing test says which field
broke which limit. Only limits are checked, not every schema rule, and only for the block and
element types the bot and its tests use: the stand-in has to catch the mistakes that pass a
local test and then fail in a real workspace.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator, Mapping
from typing import Any

MESSAGE_TEXT_LIMIT = 40000
ID_LIMIT = 255

TEXT_INPUTS = frozenset({"plain_text_input", "email_text_input"})
# Elements choosing from `options`, and how many options each may hold.
OPTION_LIMITS = {"radio_buttons": 10, "static_select": 100}
INPUT_ELEMENTS = TEXT_INPUTS | set(OPTION_LIMITS)
INTERACTIVE_ELEMENTS = INPUT_ELEMENTS | {"button"}

# The optional text objects each kind holds, when present: key -> (limit, plain_text only).
# ("element": what every element may hold.)
_TEXTS: dict[str, dict[str, tuple[int, bool]]] = {
    "section": {"text": (3000, False)},
    "input": {"hint": (2000, True)},
    "modal": {"title": (24, True), "submit": (24, True), "close": (24, True)},
    "element": {"placeholder": (150, True)},
}
# The ones a kind must hold.
_REQUIRED: dict[str, dict[str, tuple[int, bool]]] = {
    "header": {"text": (150, True)},
    "input": {"label": (2000, True)},
    "button": {"text": (75, True)},
}


def slack_length(text: str) -> int:
    """A text's length as this stand-in holds Slack to count it. Slack's limits are reported as
    counted in code points, UTF-16 units or UTF-8 bytes, depending on the field; the stand-in
    takes the largest of the three (for any text, the UTF-8 bytes), so a bot that passes here
    passes in Slack whichever it is. Kept apart from the bot's own count on purpose."""
    return max(
        len(text),
        len(text.encode("utf-16-le", "surrogatepass")) // 2,
        len(text.encode("utf-8", "surrogatepass")),
    )


def error(text: str, pointer: str) -> str:
    """One explanation line in the format Slack uses in response_metadata.messages."""
    return f"[ERROR] {text} [json-pointer:{pointer}]"


def random_id() -> str:
    """A block_id/action_id like the ones Slack assigns when the app leaves them out."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(5))


def fill_missing_ids(blocks: list[dict[str, Any]]) -> None:
    """Give every block and interactive element an id, as Slack does when storing them.

    Payloads sent back to the app (block_actions, view_submission) always carry ids, so a
    stand-in that echoed the app's missing ids would hide code that relies on them.
    """
    for block in blocks:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", random_id())
        for element in block_elements(block):
            if element.get("type") in INTERACTIVE_ELEMENTS:
                element.setdefault("action_id", random_id())


def block_elements(block: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The elements a block holds: an actions block's list, an accessory or an input's element."""
    held = list(block.get("elements") or []) if block.get("type") == "actions" else []
    held += [block.get("accessory"), block.get("element")]
    yield from (element for element in held if isinstance(element, dict))


def find_button(
    blocks: list[dict[str, Any]], action_id: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(block, button) for the button with that action_id, or None."""
    for block in blocks:
        for element in block_elements(block):
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return block, element
    return None


def check_message(blocks: Any, pointer: str = "/blocks") -> list[str]:
    """Problems with a message's blocks (chat.postMessage, chat.update, response_url)."""
    if not isinstance(blocks, list):
        return [error("must be an array", pointer)]
    return _count(blocks, 50, pointer) + _check_blocks(blocks, pointer)


def check_view(view: Any, pointer: str = "/view") -> list[str]:
    """Problems with a modal (views.open, views.update, response_action update)."""
    if not isinstance(view, dict):
        return [error("must be an object", pointer)]
    problems: list[str] = []
    # Modals only: the bot opens no other kind of view (no App Home).
    if view.get("type") != "modal":
        problems.append(error("must be one of: modal", f"{pointer}/type"))
    if "title" not in view:
        problems.append(error("missing required field: title", pointer))
    problems += _check_texts(view, "modal", pointer)
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append(error("missing required field: blocks", pointer))
        blocks = []
    problems += _count(blocks, 100, f"{pointer}/blocks")
    problems += _check_blocks(blocks, f"{pointer}/blocks")
    if not isinstance(view.get("private_metadata", ""), str):
        problems.append(error("must be a string", f"{pointer}/private_metadata"))
    for key, limit in (("private_metadata", 3000), ("callback_id", ID_LIMIT)):
        value = view.get(key, "")
        if isinstance(value, str) and slack_length(value) > limit:
            problems.append(_too_long(limit, f"{pointer}/{key}"))
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if has_input and "submit" not in view:
        problems.append(error("must provide submit when the view has input blocks", pointer))
    return problems


def _too_long(limit: int, pointer: str) -> str:
    # Slack words its length limits as "less than limit + 1".
    return error(f"must be less than {limit + 1} characters", pointer)


def _count(items: Any, most: int, pointer: str) -> list[str]:
    if isinstance(items, list) and len(items) <= most:
        return []
    return [error(f"no more than {most} items allowed", pointer)]


def _check_text(obj: Any, pointer: str, limit: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [error("must be a text object", pointer)]
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in allowed:
        return [error(f"must be one of: {', '.join(allowed)}", f"{pointer}/type")]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [error("must be more than 0 characters", f"{pointer}/text")]
    return [_too_long(limit, f"{pointer}/text")] if slack_length(text) > limit else []


def _check_texts(obj: Mapping[str, Any], kind: Any, pointer: str) -> list[str]:
    """The text objects `_REQUIRED` and `_TEXTS` list for `kind`."""
    problems: list[str] = []
    for key, (limit, plain_only) in _REQUIRED.get(kind, {}).items():
        problems += _check_text(obj.get(key), f"{pointer}/{key}", limit, plain_only)
    for key, (limit, plain_only) in _TEXTS.get(kind, {}).items():
        if key in obj:
            problems += _check_text(obj[key], f"{pointer}/{key}", limit, plain_only)
    return problems


def _check_id(obj: Mapping[str, Any], key: str, pointer: str, seen: set[str]) -> list[str]:
    """A block_id or action_id: optional, else a non-empty string, within its limit, and not
    one of those `seen` already in the same list."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, str) or not value:
        return [error("must be a non-empty string", f"{pointer}/{key}")]
    problems = [error(f"duplicate {key}: {value}", f"{pointer}/{key}")] if value in seen else []
    seen.add(value)
    if slack_length(value) > ID_LIMIT:
        problems.append(_too_long(ID_LIMIT, f"{pointer}/{key}"))
    return problems


def _check_blocks(blocks: list[Any], pointer: str) -> list[str]:
    problems: list[str] = []
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict):
            problems.append(error("must be an object", where))
            continue
        problems += _check_id(block, "block_id", where, seen_ids)
        problems += _check_block(block, where)
    return problems


def _check_block(block: dict[str, Any], where: str) -> list[str]:
    kind = block.get("type")
    if kind not in ("section", "header", "divider", "context", "actions", "input"):
        return [error(f"unsupported type: {kind}", f"{where}/type")]
    problems = _check_texts(block, kind, where)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(error("must provide either text or fields", where))
        fields = block.get("fields")
        if fields is not None:
            too_many = _count(fields, 10, f"{where}/fields")
            problems += too_many
            for i, item in enumerate([] if too_many else fields):
                problems += _check_text(item, f"{where}/fields/{i}", 2000)
        if "accessory" in block:
            problems += _check_element(block["accessory"], f"{where}/accessory", set())
    elif kind in ("context", "actions"):
        most = 10 if kind == "context" else 25
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= most:
            return [*problems, error(f"must hold 1 to {most} elements", f"{where}/elements")]
        action_ids: set[str] = set()
        for i, element in enumerate(elements):
            at = f"{where}/elements/{i}"
            if kind == "actions":
                problems += _check_element(element, at, action_ids)
            else:
                problems += _check_text(element, at, 3000)
    elif kind == "input":
        element = block.get("element")
        if not isinstance(element, dict) or element.get("type") not in INPUT_ELEMENTS:
            problems.append(error("must be an input element", f"{where}/element"))
        else:
            problems += _check_element(element, f"{where}/element", set())
    return problems


def _check_element(element: Any, where: str, action_ids: set[str]) -> list[str]:
    if not isinstance(element, dict):
        return [error("must be an object", where)]
    kind = element.get("type")
    if kind not in INTERACTIVE_ELEMENTS:
        return [error(f"unsupported element type: {kind}", f"{where}/type")]
    problems = _check_id(element, "action_id", where, action_ids)
    problems += _check_texts(element, "element", where) + _check_texts(element, kind, where)
    if kind == "button":
        value = element.get("value")
        if value is not None and (not isinstance(value, str) or slack_length(value) > 2000):
            problems.append(_too_long(2000, f"{where}/value"))
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(error("must be one of: primary, danger", f"{where}/style"))
    elif kind in OPTION_LIMITS:
        problems += _check_options(element, where, OPTION_LIMITS[kind])
    return problems


def _check_options(element: dict[str, Any], where: str, most: int) -> list[str]:
    options = element.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= most:
        return [error(f"must hold 1 to {most} options", f"{where}/options")]
    # Radio buttons may show mrkdwn options; selects may not.
    plain_only = element.get("type") != "radio_buttons"
    problems: list[str] = []
    for i, option in enumerate(options):
        at = f"{where}/options/{i}"
        if not isinstance(option, dict):
            problems.append(error("must be an object", at))
            continue
        problems += _check_text(option.get("text"), f"{at}/text", 75, plain_only)
        value = option.get("value")
        if not isinstance(value, str) or not value:
            problems.append(error("must be a non-empty string", f"{at}/value"))
        elif slack_length(value) > 150:
            problems.append(_too_long(150, f"{at}/value"))
    initial = element.get("initial_option")
    values = [option.get("value") for option in options if isinstance(option, dict)]
    if isinstance(initial, dict) and initial.get("value") not in values:
        problems.append(error("must match one of the options", f"{where}/initial_option"))
    return problems
