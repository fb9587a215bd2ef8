"""A Slack workspace stand-in, in both directions, on loopback HTTP.

- As the Web API (what the bot calls): point slack_sdk at `SlackStandIn.url`
  (`WebClient(token=..., base_url=standin.url)`).
- As Slack calling the app: `slash_command`, `message_shortcut`, `click_button`, `submit_view`
  send signed, Slack-shaped requests to the app's Request URL.
- For tests in other processes: the admin API under `/_stand_in/` (see `ADMIN_ROUTES`).

Standard library only, and nothing from the rest of `bot/`: a stand-in that shared code with the
bot would agree with the bot's mistakes instead of catching them.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from . import render
from .interactions import Interactions
from .outgoing import AppResponse
from .server import StandInServer
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
from .webapi import WebApi, failure

__all__ = ["ADMIN_ROUTES", "AppResponse", "SlackStandIn"]

ADMIN_ROUTES = {
    "GET calls": "?method= -> {calls: [...]}",
    "GET messages": "?channel= -> {messages: [...]}",
    "GET thread": "?channel=&ts= -> {messages: [...], text}",
    "GET render": "?channel=&ts= -> the thread as plain text",
    "GET views": "-> {views: [...]}; GET views/<id> -> {view}",
    "GET config": "-> team, bot, users, channels, usergroups, urls",
    "POST reset": "-> {ok}",
    "POST inject": "{method, error, count?, channel?, http_status?, retry_after?} -> {ok}",
    "POST latency": "{seconds, method?} -> {ok}",
    "POST advance_clock": "{seconds} -> {ok}",
    "POST trigger": "{user} -> {trigger_id}",
    "POST app_url": "{url} -> {ok}",
    "POST post_user_message": "{user, channel, text, thread_ts?} -> {ts}",
    "POST slash_command": "{user, channel, text, command?, sign?, ...} -> AppResponse",
    "POST message_shortcut": "{user, channel, message_ts, callback_id?, ...} -> AppResponse",
    "POST click_button": "{user, channel, message_ts, action_id, view_id?, ...} -> AppResponse",
    "POST submit_view": "{user, view_id, values, ...} -> AppResponse",
}


class SlackStandIn:
    """One Slack workspace (team T0PARTNER) with the bot installed, served on loopback."""

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
        self._host = host
        self._port = port
        self._server: StandInServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        """Serve on a daemon thread; returns self so `standin = SlackStandIn().start()` works."""
        if self._server is not None:
            return self
        self._server = StandInServer((self._host, self._port), self.api, self._admin)
        self._port = self._server.server_address[1]
        self.workspace.base_url = self.base_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-stand-in", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT`, without a path."""
        return f"http://{self._host}:{self._port}"

    @property
    def url(self) -> str:
        """The Web API base with its trailing slash, as slack_sdk's base_url wants it."""
        return f"{self.base_url}/api/"

    @property
    def admin_url(self) -> str:
        return f"{self.base_url}/_stand_in/"

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
                if not r.deleted and (channel is None or r.channel == channel)
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

    # ---- people acting, sent to the app ----------------------------------------------------

    def post_user_message(
        self, user: str, channel: str, text: str, thread_ts: str | None = None, raw: bool = False
    ) -> str:
        return self.interactions.post_user_message(user, channel, text, thread_ts, raw)

    def slash_command(
        self,
        user: str,
        channel: str,
        text: str,
        command: str = "/partner-fix",
        *,
        sign: bool = True,
        timestamp_offset: float = 0.0,
        secret: str | None = None,
    ) -> AppResponse:
        return self.interactions.slash_command(
            user,
            channel,
            text,
            command,
            sign=sign,
            timestamp_offset=timestamp_offset,
            secret=secret,
        )

    def message_shortcut(
        self,
        user: str,
        channel: str,
        message_ts: str,
        callback_id: str = "partner_fix_message",
        *,
        sign: bool = True,
        timestamp_offset: float = 0.0,
        secret: str | None = None,
    ) -> AppResponse:
        return self.interactions.message_shortcut(
            user,
            channel,
            message_ts,
            callback_id,
            sign=sign,
            timestamp_offset=timestamp_offset,
            secret=secret,
        )

    def click_button(
        self,
        user: str,
        channel: str | None,
        message_ts: str | None,
        action_id: str,
        *,
        view_id: str | None = None,
        sign: bool = True,
        timestamp_offset: float = 0.0,
        secret: str | None = None,
    ) -> AppResponse:
        return self.interactions.click_button(
            user,
            channel,
            message_ts,
            action_id,
            view_id=view_id,
            sign=sign,
            timestamp_offset=timestamp_offset,
            secret=secret,
        )

    def submit_view(
        self,
        user: str,
        view_id: str,
        values: Mapping[str, Any],
        *,
        sign: bool = True,
        timestamp_offset: float = 0.0,
        secret: str | None = None,
    ) -> AppResponse:
        return self.interactions.submit_view(
            user, view_id, values, sign=sign, timestamp_offset=timestamp_offset, secret=secret
        )

    # ---- admin API -------------------------------------------------------------------------

    def _admin(self, http_method: str, route: str, args: dict[str, Any]) -> tuple[int, Any]:
        route = route.strip("/")
        if http_method == "GET":
            return self._admin_read(route, args)
        actions: dict[str, Callable[[dict[str, Any]], Any]] = {
            "reset": lambda a: self.reset(),
            "inject": lambda a: self.inject(**a),
            "latency": lambda a: self.set_latency(**a),
            "advance_clock": lambda a: self.advance_clock(**a),
            "app_url": lambda a: setattr(self, "app_url", a.get("url")),
            "trigger": lambda a: {"trigger_id": self.new_trigger_id(**a)},
            "post_user_message": lambda a: {"ts": self.post_user_message(**a)},
            "slash_command": lambda a: self.slash_command(**a).to_dict(),
            "message_shortcut": lambda a: self.message_shortcut(**a).to_dict(),
            "click_button": lambda a: self.click_button(**a).to_dict(),
            "submit_view": lambda a: self.submit_view(**a).to_dict(),
        }
        action = actions.get(route)
        if action is None:
            return 404, failure("unknown_admin_route")
        result = action(args)
        return 200, {"ok": True, **result} if isinstance(result, dict) else {"ok": True}

    def _admin_read(self, route: str, args: dict[str, Any]) -> tuple[int, Any]:
        if route == "calls":
            return 200, {"ok": True, "calls": self.calls(args.get("method"))}
        if route == "messages":
            return 200, {"ok": True, "messages": self.messages(args.get("channel"))}
        if route == "thread":
            channel, ts = args["channel"], args["ts"]
            return 200, {
                "ok": True,
                "messages": self.thread(channel, ts),
                "text": self.render_thread(channel, ts, args.get("for_user")),
            }
        if route == "render":
            return 200, self.render_thread(args["channel"], args["ts"], args.get("for_user"))
        if route == "views":
            return 200, {"ok": True, "views": self.views()}
        if route.startswith("views/"):
            try:
                return 200, {"ok": True, "view": self.view(route.removeprefix("views/"))}
            except KeyError:
                return 404, failure("not_found")
        if route == "config":
            return 200, self._config()
        return 404, failure("unknown_admin_route")

    def _config(self) -> dict[str, Any]:
        ws = self.workspace
        with ws.lock:
            return {
                "ok": True,
                "team_id": TEAM_ID,
                "team_domain": TEAM_DOMAIN,
                "bot_user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "app_id": APP_ID,
                "api_url": self.url,
                "app_url": self.app_url,
                "users": copy.deepcopy(list(ws.users.values())),
                "channels": [c.info() for c in ws.channels.values()],
                "usergroups": copy.deepcopy(list(ws.usergroups.values())),
                "routes": ADMIN_ROUTES,
            }
