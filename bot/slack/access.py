"""Who may use the bot: members of SLACK_ALLOWED_USERGROUP (everyone when unset), as middleware.

Membership is cached so the check costs no Slack call on the path of an ack; a stale cache is
served while it refreshes in the background. A denied user sees a denial only they can see, and
nothing else happens.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltResponse
from slack_sdk import WebClient

from bot.slack import blocks
from bot.slack.replies import Where, tell

log = logging.getLogger(__name__)

DENIAL = (
    "Sorry, partner-fix is only for members of the Support team's user group. Nothing was done. "
    "Ask Support Ops to add you if you need it."
)


class Members:
    """The user group's members, cached for `ttl` seconds."""

    def __init__(self, client: WebClient, group: str, ttl: float = 300.0) -> None:
        self._client = client
        self._group = group
        self._ttl = ttl
        self._members: frozenset[str] | None = None
        self._fetched = 0.0
        self._lock = threading.Lock()
        self._refreshing = False

    def _fetch(self) -> None:
        try:
            users = self._client.usergroups_users_list(usergroup=self._group)["users"]
            with self._lock:
                self._members = frozenset(users)
                self._fetched = time.monotonic()
        except Exception as error:
            log.warning("could not read the user group", extra={"error": type(error).__name__})
        finally:
            self._refreshing = False

    def allows(self, user: str) -> bool:
        if self._members is None:
            self._fetch()
        elif time.monotonic() - self._fetched > self._ttl and not self._refreshing:
            self._refreshing = True
            threading.Thread(target=self._fetch, daemon=True).start()
        # Unknown membership (Slack unreachable at first use) denies: the safe side.
        return self._members is not None and user in self._members


def _user_of(body: dict[str, Any]) -> str | None:
    user = body.get("user_id") or body.get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return str(user) if user else None


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = body.get("channel_id") or body.get("channel")
    if isinstance(channel, dict):
        channel = channel.get("id")
    return str(channel) if channel else None


def middleware(members: Members | None) -> Callable[..., BoltResponse | None]:
    def check_access(
        body: dict[str, Any], ack: Ack, client: WebClient, next: Callable[[], None]
    ) -> BoltResponse | None:
        user = _user_of(body)
        if members is None or (user is not None and members.allows(user)):
            next()
            return None
        log.info("denied", extra={"user": user, "type": body.get("type") or "command"})
        if body.get("type") == "view_submission":
            return ack(response_action="errors", errors={"ticket": DENIAL[:150]})
        if "command" in body:
            return ack(text=DENIAL)
        response = ack()
        where = Where(
            user=user or "", channel=_channel_of(body), response_url=body.get("response_url")
        )
        if user:
            tell(client, where, blocks.notice(DENIAL))
        return response

    return check_access
