"""A Slack workspace stand-in, in both directions, on loopback HTTP.

- As the Web API (what the bot calls): point slack_sdk at `SlackStandIn.url`
  (`WebClient(token=..., base_url=standin.url)`).
- As Slack calling the app: `slash_command`, `message_shortcut`, `click_button`, `submit_view`
  (from `Interactions`) send signed, Slack-shaped requests to the app's Request URL, `app_url`.

Standard library only, and nothing from the rest of `bot/`: a stand-in that shared code with the
bot would agree with the bot's mistakes instead of catching them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from standins.loopback import Loopback

from .interactions import Interactions
from .state import (
    APP_ID,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    TRIGGER_TTL,
    Injection,
    Workspace,
)
from .webapi import Handler, WebApi

Found = dict[str, Any]
Matcher = Callable[[Found], bool] | None


class SlackStandIn(Interactions, Loopback):
    """One Slack workspace (team T0PARTNER) with the bot installed, served on loopback."""

    handler = Handler
    team_id, team_domain, app_id = TEAM_ID, TEAM_DOMAIN, APP_ID
    bot_user_id, bot_id, bot_token = BOT_USER_ID, BOT_ID, BOT_TOKEN

    def __init__(
        self,
        signing_secret: str = "stand-in-signing-secret",
        users: Sequence[Mapping[str, Any]] | None = None,
        channels: Sequence[Mapping[str, Any]] | None = None,
        usergroups: Mapping[str, Any] | None = None,
        trigger_ttl: float = TRIGGER_TTL,
    ) -> None:
        workspace = Workspace(users, channels, usergroups, trigger_ttl)
        Interactions.__init__(self, workspace, WebApi(workspace), signing_secret)
        Loopback.__init__(self)

    # ---- lifecycle: start, stop, port and base_url are Loopback's ----------------------

    def _bound(self) -> None:
        self.workspace.base_url = self.base_url

    @property
    def url(self) -> str:
        """The Web API base with its trailing slash, as slack_sdk's base_url wants it."""
        return f"{self.base_url}/api/"

    # ---- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, views, calls, injections and latency; keep people and channels."""
        self.workspace.reset()

    def calls(self, method: str | None = None) -> list[Found]:
        """Every Web API call (and response_url POST, as method "response_url"), in order:
        {method, args, ok, error, http_status, response, at}."""
        with self.workspace.lock:
            log = self.workspace.call_log
            return [copy.deepcopy(c) for c in log if method in (None, c["method"])]

    def messages(self, channel: str | None = None) -> list[Found]:
        """Current state of every message, oldest first, Slack-shaped plus `channel`,
        `is_ephemeral` and, for ephemeral ones, `visible_to`."""
        with self.workspace.lock:
            return [r.public() for r in self.workspace.messages if channel in (None, r.channel)]

    def thread(self, channel: str, ts: str) -> list[Found]:
        """The parent message and its replies (ephemeral replies included), oldest first."""
        with self.workspace.lock:
            return [r.public() for r in self.workspace.thread_records(channel, ts)]

    def view(self, view_id: str) -> Found:
        with self.workspace.lock:
            record = self.workspace.views.get(view_id)
            if record is None:
                raise KeyError(f"no view {view_id}")
            return copy.deepcopy(record.view)

    def views(self, open_only: bool = False) -> list[Found]:
        """Every view opened so far (with `is_open` and `user` added), oldest first."""
        with self.workspace.lock:
            return [
                {**copy.deepcopy(r.view), "is_open": r.open, "user": r.user}
                for r in self.workspace.views.values()
                if r.open or not open_only
            ]

    # ---- failure injection and time --------------------------------------------------------

    def inject(
        self,
        method: str,
        error: str,
        count: int = 1,
        channel: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next `count` calls of `method` (only those for `channel`, if given) fail with
        `error`. `ratelimited` answers HTTP 429 with Retry-After (1 by default), as Slack does."""
        if retry_after is None and error == "ratelimited":
            retry_after = 1
        injection = Injection(method, error, max(int(count), 1), channel, retry_after)
        with self.workspace.lock:
            self.workspace.injections.append(injection)

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay answers of `method` (or every method, and response URLs, when None)."""
        with self.workspace.lock:
            self.workspace.latency[method] = max(float(seconds), 0.0)

    def new_trigger_id(self, user: str = "U0AGENT1") -> str:
        """A fresh trigger_id, for calling views.open directly in tests."""
        self.workspace.require_user(user)
        return self.workspace.new_trigger(user)

    # ---- waiting for the bot's asynchronous work -------------------------------------------

    def wait_for_message(
        self, channel: str | None = None, predicate: Matcher = None, timeout: float = 5.0
    ) -> Found:
        """The first message (oldest first) matching; raises TimeoutError after `timeout`."""
        where = channel or "any channel"
        return self._wait(lambda: self.messages(channel), predicate, timeout, f"message in {where}")

    def wait_for_call(self, method: str, predicate: Matcher = None, timeout: float = 5.0) -> Found:
        """The first recorded call of `method` matching; raises TimeoutError after `timeout`."""
        return self._wait(lambda: self.calls(method), predicate, timeout, f"{method} call")

    def _wait(
        self, items: Callable[[], list[Found]], predicate: Matcher, timeout: float, what: str
    ) -> Found:
        def probe() -> Found | None:
            return next((item for item in items() if predicate is None or predicate(item)), None)

        found = self.workspace.wait_for(probe, timeout)
        if found is None:
            raise TimeoutError(f"no matching {what}")
        return found
