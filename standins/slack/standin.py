"""A Slack workspace stand-in, in both directions, on loopback HTTP.

- As the Web API (what the bot calls): point slack_sdk at `SlackStandIn.url`
  (`WebClient(token=..., base_url=standin.url)`).
- As Slack calling the app: `slash_command`, `message_shortcut`, `click_button`, `submit_view`
  (the `Interactions`' own methods, bound here) send signed, Slack-shaped requests to the app's
  Request URL.

Standard library only, and nothing from the rest of `bot/`: a stand-in that shared code with the
bot would agree with the bot's mistakes instead of catching them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from standins.loopback import Loopback

from . import render
from .interactions import Interactions
from .outgoing import AppResponse
from .server import Handler
from .state import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    TRIGGER_TTL,
    Injection,
    Workspace,
)
from .webapi import WebApi

__all__ = ["AppResponse", "SlackStandIn"]


class SlackStandIn(Loopback):
    """One Slack workspace (team T0PARTNER) with the bot installed, served on loopback."""

    handler = Handler

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        signing_secret: str = "stand-in-signing-secret",
        app_url: str | None = None,
        users: Sequence[Mapping[str, Any]] | None = None,
        channels: Sequence[Mapping[str, Any]] | None = None,
        usergroups: Mapping[str, Any] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        trigger_ttl: float = TRIGGER_TTL,
        app_timeout: float = 10.0,
    ) -> None:
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.team_id = TEAM_ID
        self.team_domain = TEAM_DOMAIN
        self.bot_user_id = BOT_USER_ID
        self.bot_id = BOT_ID
        self.app_id = APP_ID
        self.workspace = Workspace(bot_token, users, channels, usergroups, trigger_ttl)
        self.api = WebApi(self.workspace)
        self.interactions = Interactions(
            self.workspace, self.api, signing_secret, app_url, app_timeout
        )
        # People acting in the workspace, sent to the app: Interactions' methods, not wrappers.
        self.post_user_message = self.interactions.post_user_message
        self.slash_command = self.interactions.slash_command
        self.message_shortcut = self.interactions.message_shortcut
        self.click_button = self.interactions.click_button
        self.submit_view = self.interactions.submit_view
        Loopback.__init__(self, host, port)

    # ---- lifecycle: start, stop, port and base_url are Loopback's ----------------------

    def _bound(self) -> None:
        self.workspace.base_url = self.base_url

    @property
    def url(self) -> str:
        """The Web API base with its trailing slash, as slack_sdk's base_url wants it."""
        return f"{self.base_url}/api/"

    @property
    def app_url(self) -> str | None:
        return self.interactions.app_url

    @app_url.setter
    def app_url(self, value: str | None) -> None:
        self.interactions.app_url = value

    # ---- state -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, views, calls, injections and latency; keep people and channels."""
        self.workspace.reset()

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Every Web API call (and response_url POST, as method "response_url"), in order:
        {method, args, ok, error, http_status, response, at}."""
        with self.workspace.lock:
            return [
                copy.deepcopy(c)
                for c in self.workspace.call_log
                if method is None or c["method"] == method
            ]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Current state of every message, oldest first, Slack-shaped plus `channel`,
        `is_ephemeral` and, for ephemeral ones, `visible_to`."""
        with self.workspace.lock:
            return [
                r.public()
                for r in self.workspace.messages
                if channel is None or r.channel == channel
            ]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The parent message and its replies (ephemeral replies included), oldest first."""
        with self.workspace.lock:
            return [r.public() for r in self.workspace.thread_records(channel, ts)]

    def view(self, view_id: str) -> dict[str, Any]:
        with self.workspace.lock:
            record = self.workspace.views.get(view_id)
            if record is None:
                raise KeyError(f"no view {view_id}")
            return copy.deepcopy(record.view)

    def views(self, open_only: bool = False) -> list[dict[str, Any]]:
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
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next `count` calls of `method` (only those for `channel`, if given) fail with
        `error`. `ratelimited` defaults to HTTP 429 with Retry-After: 1, as Slack answers."""
        if error == "ratelimited":
            http_status = 429 if http_status is None else http_status
            retry_after = 1 if retry_after is None else retry_after
        self.workspace.inject(
            Injection(
                method=method,
                error=error,
                remaining=max(int(count), 1),
                channel=channel,
                http_status=200 if http_status is None else int(http_status),
                retry_after=None if retry_after is None else float(retry_after),
            )
        )

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay answers of `method` (or every method, and response URLs, when None)."""
        with self.workspace.lock:
            self.workspace.latency[method] = max(float(seconds), 0.0)

    def advance_clock(self, seconds: float) -> None:
        """Age trigger_ids and response URLs without sleeping."""
        self.workspace.advance_clock(seconds)

    def new_trigger_id(self, user: str = "U0AGENT1") -> str:
        """A fresh trigger_id, for calling views.open directly in tests."""
        self.workspace.require_user(user)
        return self.workspace.new_trigger(user)

    # ---- waiting for the bot's asynchronous work -------------------------------------------

    def wait_for_message(
        self,
        channel: str | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """The first message (oldest first) matching; raises TimeoutError after `timeout`."""

        def probe() -> dict[str, Any] | None:
            for message in self.messages(channel):
                if predicate is None or predicate(message):
                    return message
            return None

        found = self.workspace.wait_for(probe, timeout)
        if found is None:
            raise TimeoutError(f"no matching message in {channel or 'any channel'}")
        return found

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """The first recorded call of `method` matching; raises TimeoutError after `timeout`."""

        def probe() -> dict[str, Any] | None:
            for call in self.calls(method):
                if predicate is None or predicate(call):
                    return call
            return None

        found = self.workspace.wait_for(probe, timeout)
        if found is None:
            raise TimeoutError(f"no matching {method} call")
        return found

    # ---- rendering -------------------------------------------------------------------------

    def render_message(self, msg: Mapping[str, Any]) -> str:
        return render.render_message(msg, self.workspace.directory())

    def render_thread(self, channel: str, ts: str, for_user: str | None = None) -> str:
        """The thread as text: the parent, then each reply indented with `  | `. With
        `for_user`, only what that person sees (others' ephemeral messages left out)."""
        names = self.workspace.directory()
        parts: list[str] = []
        for message in self.thread(channel, ts):
            if for_user is not None and message.get("visible_to") not in (None, for_user):
                continue
            text = render.render_message(message, names)
            if message["ts"] != ts:
                text = "\n".join("  | " + line for line in text.splitlines())
            parts.append(text)
        return "\n".join(parts)

    def render_view(self, view_id: str) -> str:
        return render.render_view(self.view(view_id), self.workspace.directory())
