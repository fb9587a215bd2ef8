"""Customer data stays out of channels shared with another organization (Slack Connect).

Before the bot posts a preview or a summary, `Rooms.route` asks whether the channel is shared
(`conversations.info`, after the ack, cached per channel for a short while). In a shared
channel the conversation moves to the person's DM, and they are told so in the channel, in a
note only they see. When Slack cannot say, the channel counts as shared: a DM too many is
harmless, a customer's name in another company's Slack is not.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.replies import Where, slack_error, tell

log = logging.getLogger(__name__)

CHANNEL_TTL = 60.0
MOVED_TO_DM = (
    "This channel is shared with another organization, so I sent {what} to you in a direct message."
)


def shared_with_another_org(channel: dict[str, Any]) -> bool:
    if channel.get("is_ext_shared") or channel.get("is_pending_ext_shared"):
        return True
    # Shared, but not only within this company's Enterprise Grid: count it as outside.
    return bool(channel.get("is_shared")) and not channel.get("is_org_shared")


class Rooms:
    """Channel sharedness, cached for `ttl` seconds per channel."""

    def __init__(
        self,
        client: WebClient,
        ttl: float = CHANNEL_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[bool, float]] = {}

    def is_shared(self, channel: str) -> bool:
        # The bot's own DM with the person is between the two of them (an outsider is never let
        # in by access.py); conversations.info on it would need im:read for nothing.
        if channel.startswith("D"):
            return False
        now = self._clock()
        with self._lock:
            cached = self._known.get(channel)
        if cached is not None and now - cached[1] <= self._ttl:
            return cached[0]
        try:
            shared = shared_with_another_org(
                self._client.conversations_info(channel=channel)["channel"]
            )
        except Exception as error:
            log.warning("conversations.info failed", extra={"error": slack_error(error)})
            return True  # not cached: the next message asks again
        with self._lock:
            self._known[channel] = (shared, now)
        return shared

    def route(self, client: WebClient, where: Where, what: str = "the preview") -> Where:
        """`where` itself, or, for a shared channel, the person's DM (and a note in the channel).
        Only ever called after the ack."""
        if not where.channel or where.ephemeral or not self.is_shared(where.channel):
            return where
        log.info("shared channel: the thread goes by DM", extra={"channel": where.channel})
        tell(client, replace(where, thread_ts=None), blocks.notice(MOVED_TO_DM.format(what=what)))
        # No channel: replies.post opens the DM. No response_url either: its fallback would
        # show the message in the shared channel.
        return Where(user=where.user)
