"""Getting a message to the person who asked, whatever Slack says.

The thread first; when the bot cannot post there (not in the channel, channel gone, rate limit,
...), the interaction's `response_url` (ephemeral, works without channel membership), then a DM.
The bot never stays silent, and it never loses what it was going to say.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Where:
    """Where a conversation about one ticket lives."""

    user: str
    channel: str | None = None
    # The thread's root message; None until the bot has one.
    thread_ts: str | None = None
    response_url: str | None = None
    # Set when the thread itself had to fall back to a DM or an ephemeral message.
    ephemeral: bool = False


def slack_error(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "unknown")
    return type(error).__name__


def _respond(where: Where, msg: dict[str, Any], replace_original: bool = False) -> bool:
    if not where.response_url:
        return False
    try:
        response = WebhookClient(where.response_url, timeout=5).send(
            text=msg["text"],
            blocks=msg.get("blocks"),
            response_type="ephemeral",
            replace_original=replace_original,
        )
    except Exception as error:
        log.warning("response_url failed", extra={"error": type(error).__name__})
        return False
    return response.status_code == 200


def _dm(client: WebClient, where: Where, msg: dict[str, Any]) -> Where | None:
    try:
        channel = client.conversations_open(users=where.user)["channel"]["id"]
        posted = client.chat_postMessage(channel=channel, **msg)
    except Exception as error:
        log.warning("direct message failed", extra={"error": slack_error(error)})
        return None
    return Where(user=where.user, channel=channel, thread_ts=posted["ts"])


def post(client: WebClient, where: Where, msg: dict[str, Any]) -> tuple[Where, str | None]:
    """Post into the thread (starting it if `thread_ts` is None). Returns where it landed and the
    message's ts (None when it could only be shown ephemerally)."""
    if where.channel and not where.ephemeral:
        try:
            posted = client.chat_postMessage(
                channel=where.channel, thread_ts=where.thread_ts, **msg
            )
        except Exception as error:
            log.warning("posting in the channel failed", extra={"error": slack_error(error)})
        else:
            ts = posted["ts"]
            return (where if where.thread_ts else replace(where, thread_ts=ts)), ts
    dm = _dm(client, where, msg)
    if dm is not None:
        return dm, dm.thread_ts
    if _respond(where, msg):
        return replace(where, ephemeral=True), None
    log.error("could not reach the user by any route", extra={"user": where.user})
    return where, None


def update(
    client: WebClient, where: Where, ts: str | None, msg: dict[str, Any]
) -> tuple[Where, str | None]:
    """Replace message `ts`; when that fails, post the new state instead (never lose it)."""
    if ts and where.channel and not where.ephemeral:
        try:
            client.chat_update(channel=where.channel, ts=ts, **msg)
        except Exception as error:
            log.warning("updating a message failed", extra={"error": slack_error(error)})
        else:
            return where, ts
    if where.ephemeral and _respond(where, msg, replace_original=True):
        return where, None
    return post(client, where, msg)


def tell(client: WebClient, where: Where, msg: dict[str, Any]) -> None:
    """A note only the user sees: ephemeral in the channel, else response_url, else a DM."""
    if where.channel:
        try:
            client.chat_postEphemeral(
                channel=where.channel, user=where.user, thread_ts=where.thread_ts, **msg
            )
            return
        except Exception as error:
            log.warning("ephemeral message failed", extra={"error": slack_error(error)})
    if _respond(where, msg):
        return
    if _dm(client, where, msg) is None:
        log.error("could not reach the user by any route", extra={"user": where.user})
