"""Block Kit checks for the Slack stand-in: the limits Slack enforces and a bot can get wrong.

Each check returns Slack-style explanations ("[ERROR] ... [json-pointer:/blocks/0/text/text]"),
the same lines Slack puts in `response_metadata.messages`, so a failing test says which field
broke which limit. Only limits are checked, not every schema rule: the stand-in has to catch the
mistakes that pass a local test and then fail in a real workspace.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterator, Mapping
from typing import Any

MESSAGE_BLOCK_LIMIT = 50
MODAL_BLOCK_LIMIT = 100
MODAL_TITLE_LIMIT = 24
PRIVATE_METADATA_LIMIT = 3000
BUTTON_VALUE_LIMIT = 2000
SECTION_TEXT_LIMIT = 3000
SECTION_FIELD_LIMIT = 2000
SECTION_FIELDS_MAX = 10
HEADER_TEXT_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
ID_LIMIT = 255
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
PLACEHOLDER_LIMIT = 150
LABEL_LIMIT = 2000
MESSAGE_TEXT_LIMIT = 40000

TEXT_INPUTS = frozenset(
    {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"}
)
SINGLE_SELECTS = frozenset({"static_select", "external_select"})
MULTI_SELECTS = frozenset({"multi_static_select", "multi_external_select"})
INPUT_ELEMENTS = (
    TEXT_INPUTS
    | SINGLE_SELECTS
    | MULTI_SELECTS
    | {
        "radio_buttons",
        "checkboxes",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "file_input",
    }
)
INTERACTIVE_ELEMENTS = INPUT_ELEMENTS | {"button", "overflow", "workflow_button"}
BLOCK_TYPES = frozenset(
    {
        "section",
        "header",
        "divider",
        "context",
        "actions",
        "input",
        "image",
        "rich_text",
        "file",
        "video",
        "markdown",
    }
)

_ID_ALPHABET = string.ascii_letters + string.digits


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


def random_id(length: int = 5) -> str:
    """A block_id/action_id like the ones Slack assigns when the app leaves them out."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


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
    if block.get("type") == "actions":
        for element in block.get("elements") or []:
            if isinstance(element, dict):
                yield element
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        yield accessory
    element = block.get("element")
    if isinstance(element, dict):
        yield element


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
    problems: list[str] = []
    if len(blocks) > MESSAGE_BLOCK_LIMIT:
        problems.append(error(f"no more than {MESSAGE_BLOCK_LIMIT} items allowed", pointer))
    problems += _check_blocks(blocks, pointer)
    return problems


def check_view(view: Any, pointer: str = "/view") -> list[str]:
    """Problems with a modal (views.open, views.update, views.push, response_action)."""
    if not isinstance(view, dict):
        return [error("must be an object", pointer)]
    problems: list[str] = []
    view_type = view.get("type")
    if view_type not in ("modal", "home"):
        problems.append(error("must be one of: modal, home", f"{pointer}/type"))
    if view_type == "modal" and "title" not in view:
        problems.append(error("missing required field: title", pointer))
    for key in ("title", "submit", "close"):
        if key in view:
            problems += _check_text(
                view[key], f"{pointer}/{key}", MODAL_TITLE_LIMIT, plain_only=True
            )
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append(error("missing required field: blocks", pointer))
        blocks = []
    elif len(blocks) > MODAL_BLOCK_LIMIT:
        problems.append(
            error(f"no more than {MODAL_BLOCK_LIMIT} items allowed", f"{pointer}/blocks")
        )
    problems += _check_blocks(blocks, f"{pointer}/blocks")
    metadata = view.get("private_metadata", "")
    if not isinstance(metadata, str):
        problems.append(error("must be a string", f"{pointer}/private_metadata"))
    elif slack_length(metadata) > PRIVATE_METADATA_LIMIT:
        problems.append(_too_long(PRIVATE_METADATA_LIMIT, f"{pointer}/private_metadata"))
    for key in ("callback_id", "external_id"):
        value = view.get(key, "")
        if isinstance(value, str) and slack_length(value) > ID_LIMIT:
            problems.append(_too_long(ID_LIMIT, f"{pointer}/{key}"))
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if view_type == "modal" and has_input and "submit" not in view:
        problems.append(error("must provide submit when the view has input blocks", pointer))
    return problems


def _too_long(limit: int, pointer: str) -> str:
    # Slack words its length limits as "less than limit + 1".
    return error(f"must be less than {limit + 1} characters", pointer)


def _check_text(obj: Any, pointer: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [error("must be a text object", pointer)]
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in allowed:
        return [error(f"must be one of: {', '.join(allowed)}", f"{pointer}/type")]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [error("must be more than 0 characters", f"{pointer}/text")]
    if slack_length(text) > limit:
        return [_too_long(limit, f"{pointer}/text")]
    return []


def _check_id(obj: Mapping[str, Any], key: str, pointer: str) -> list[str]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, str) or not value:
        return [error("must be a non-empty string", f"{pointer}/{key}")]
    if slack_length(value) > ID_LIMIT:
        return [_too_long(ID_LIMIT, f"{pointer}/{key}")]
    return []


def _check_blocks(blocks: list[Any], pointer: str) -> list[str]:
    problems: list[str] = []
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict):
            problems.append(error("must be an object", where))
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_ids:
                problems.append(error(f"duplicate block_id: {block_id}", f"{where}/block_id"))
            seen_ids.add(block_id)
        problems += _check_id(block, "block_id", where)
        problems += _check_block(block, where)
    return problems


def _check_block(block: dict[str, Any], where: str) -> list[str]:
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        return [error(f"unsupported type: {kind}", f"{where}/type")]
    problems: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(error("must provide either text or fields", where))
        if "text" in block:
            problems += _check_text(block["text"], f"{where}/text", SECTION_TEXT_LIMIT)
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list) or len(fields) > SECTION_FIELDS_MAX:
                problems.append(
                    error(f"no more than {SECTION_FIELDS_MAX} items allowed", f"{where}/fields")
                )
            else:
                for i, field in enumerate(fields):
                    problems += _check_text(field, f"{where}/fields/{i}", SECTION_FIELD_LIMIT)
        if "accessory" in block:
            problems += _check_element(block["accessory"], f"{where}/accessory")
    elif kind == "header":
        problems += _check_text(
            block.get("text"), f"{where}/text", HEADER_TEXT_LIMIT, plain_only=True
        )
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
            problems.append(error("must hold 1 to 10 elements", f"{where}/elements"))
        else:
            for i, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") == "image":
                    continue
                problems += _check_text(element, f"{where}/elements/{i}", SECTION_TEXT_LIMIT)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
            problems.append(error("must hold 1 to 25 elements", f"{where}/elements"))
        else:
            problems += _check_unique_action_ids(elements, f"{where}/elements")
            for i, element in enumerate(elements):
                problems += _check_element(element, f"{where}/elements/{i}")
    elif kind == "input":
        problems += _check_text(block.get("label"), f"{where}/label", LABEL_LIMIT, plain_only=True)
        if "hint" in block:
            problems += _check_text(block["hint"], f"{where}/hint", LABEL_LIMIT, plain_only=True)
        element = block.get("element")
        if not isinstance(element, dict) or element.get("type") not in INPUT_ELEMENTS:
            problems.append(error("must be an input element", f"{where}/element"))
        else:
            problems += _check_element(element, f"{where}/element")
    return problems


def _check_unique_action_ids(elements: list[Any], pointer: str) -> list[str]:
    seen: set[str] = set()
    problems: list[str] = []
    for i, element in enumerate(elements):
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if isinstance(action_id, str):
            if action_id in seen:
                problems.append(
                    error(f"duplicate action_id: {action_id}", f"{pointer}/{i}/action_id")
                )
            seen.add(action_id)
    return problems


def _check_element(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [error("must be an object", where)]
    kind = element.get("type")
    if kind not in INTERACTIVE_ELEMENTS and kind != "image":
        return [error(f"unsupported element type: {kind}", f"{where}/type")]
    problems = _check_id(element, "action_id", where)
    if "placeholder" in element:
        problems += _check_text(
            element["placeholder"], f"{where}/placeholder", PLACEHOLDER_LIMIT, plain_only=True
        )
    if kind == "button":
        problems += _check_text(
            element.get("text"), f"{where}/text", BUTTON_TEXT_LIMIT, plain_only=True
        )
        value = element.get("value")
        if value is not None and (
            not isinstance(value, str) or slack_length(value) > BUTTON_VALUE_LIMIT
        ):
            problems.append(_too_long(BUTTON_VALUE_LIMIT, f"{where}/value"))
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(error("must be one of: primary, danger", f"{where}/style"))
    elif kind in ("radio_buttons", "checkboxes"):
        problems += _check_options(element, where, 10, allow_mrkdwn=True)
    elif kind in ("static_select", "multi_static_select"):
        if "option_groups" not in element:
            problems += _check_options(element, where, 100, allow_mrkdwn=False)
    elif kind == "overflow":
        problems += _check_options(element, where, 5, allow_mrkdwn=False)
    return problems


def _check_options(
    element: dict[str, Any], where: str, most: int, *, allow_mrkdwn: bool
) -> list[str]:
    options = element.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= most:
        return [error(f"must hold 1 to {most} options", f"{where}/options")]
    problems: list[str] = []
    values: list[Any] = []
    for i, option in enumerate(options):
        at = f"{where}/options/{i}"
        if not isinstance(option, dict):
            problems.append(error("must be an object", at))
            continue
        problems += _check_text(
            option.get("text"), f"{at}/text", OPTION_TEXT_LIMIT, plain_only=not allow_mrkdwn
        )
        if "description" in option:
            problems += _check_text(
                option["description"], f"{at}/description", OPTION_TEXT_LIMIT, plain_only=False
            )
        value = option.get("value")
        if not isinstance(value, str) or not value:
            problems.append(error("must be a non-empty string", f"{at}/value"))
        elif slack_length(value) > OPTION_VALUE_LIMIT:
            problems.append(_too_long(OPTION_VALUE_LIMIT, f"{at}/value"))
        values.append(value)
    initial = element.get("initial_option")
    if isinstance(initial, dict) and initial.get("value") not in values:
        problems.append(error("must match one of the options", f"{where}/initial_option"))
    return problems
