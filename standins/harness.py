"""Playing a support engineer against the real bot: both stand-ins and the WSGI app, on loopback.

`python -m bot demo` and the end-to-end tests use it. The bot is the real one (settings ->
wiring -> Bolt -> WSGI) behind a real HTTP server; only Slack and Zendesk are stand-ins.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.config import Settings
from bot.wiring import build_wsgi
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

# Messages the bot shows while it works; a thread is settled once none of them is left.
PROGRESS_MARKS = ("Reading ticket", "Applying ticket", "Undoing ticket")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request is noise
        pass


ROOT = Path(__file__).resolve().parent.parent
ALERT_CHANNEL = "C0ALERTS"


def _stand_in_values(zendesk: ZendeskSandbox, slack: SlackStandIn) -> dict[str, str]:
    email, token = zendesk.credentials
    return {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.url,
        "ZENDESK_URL": zendesk.url,
        "ZENDESK_SUBDOMAIN": "gitlab",
        "ZENDESK_EMAIL": email,
        "ZENDESK_API_TOKEN": token,
        # The webhook (POST /zendesk/events) and where its alerts go.
        "ZENDESK_WEBHOOK_SECRET": zendesk.webhooks.secret,
        "SLACK_ALERT_CHANNEL": ALERT_CHANNEL,
    }


def stand_in_settings(zendesk: ZendeskSandbox, slack: SlackStandIn, **extra: Any) -> Settings:
    """Settings that point an in-process bot at both stand-ins (no environment is read)."""
    return Settings.model_validate({**_stand_in_values(zendesk, slack), **extra})


def stand_in_environment(
    zendesk: ZendeskSandbox, slack: SlackStandIn, port: int, **extra: str
) -> dict[str, str]:
    """The whole environment of a bot process pointed at both stand-ins (nothing inherited)."""
    return {
        "PYTHONPATH": str(ROOT),
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        **_stand_in_values(zendesk, slack),
        **extra,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProcfileServer:
    """The bot as production starts it: the Procfile's web: line (gunicorn), in a process group
    of its own so that SIGTERM reaches the master and its workers. Only the bind address differs:
    127.0.0.1, since nothing here may listen beyond loopback."""

    def __init__(self, env: dict[str, str], log_path: Path, start_timeout: float = 30.0) -> None:
        self.env = env
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self._start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def argv(port: str) -> list[str]:
        lines = (ROOT / "Procfile").read_text().splitlines()
        command = next(
            line.removeprefix("web:").strip() for line in lines if line.startswith("web:")
        )
        command = command.replace("${PORT:-3000}", port).replace("0.0.0.0:", "127.0.0.1:")
        argv = shlex.split(command)
        argv[0] = str(Path(sys.executable).parent / argv[0])  # this virtualenv's gunicorn
        return argv

    def start(self) -> ProcfileServer:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.argv(self.env["PORT"]),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.log_tail())

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class BotServer:
    """The bot's WSGI app on a threaded loopback HTTP server."""

    def __init__(self, settings: Settings) -> None:
        self._server = make_server(
            "127.0.0.1",
            0,
            build_wsgi(settings),
            _ThreadingServer,
            handler_class=_QuietHandler,
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> BotServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Thread:
    channel: str
    ts: str


class Agent:
    """One support engineer in the stand-in workspace."""

    def __init__(self, slack: SlackStandIn, user: str, channel: str, timeout: float = 10.0) -> None:
        self.slack = slack
        self.user = user
        self.channel = channel
        self.timeout = timeout

    def _known(self) -> set[str]:
        return {m["ts"] for m in self.slack.messages(self.channel)}

    def _opened_view(self, known_views: int, fill: bool) -> str:
        deadline = time.monotonic() + self.timeout
        while len(opened := self.slack.calls("views.open")) <= known_views:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot opened no modal")
            time.sleep(0.02)
        call = opened[known_views]
        assert call["ok"], call
        view_id = str(call["response"]["view"]["id"])
        if fill:
            self.slack.wait_for_call(
                "views.update", lambda c: c["args"].get("view_id") == view_id, self.timeout
            )
        return view_id

    def opened_view(self, known_views: int) -> str:
        """The modal opened after `known_views` were, once the ticket is filled in."""
        return self._opened_view(known_views, fill=True)

    def command(self, text: str) -> str:
        """`/partner-fix text`; returns the modal's view id once the ticket is filled in."""
        known_views = len(self.slack.calls("views.open"))
        answer = self.slack.slash_command(self.user, self.channel, text)
        assert answer.status == 200, answer.body
        return self._opened_view(known_views, fill=bool(text.strip()))

    def shortcut(self, message_ts: str) -> str:
        known_views = len(self.slack.calls("views.open"))
        answer = self.slack.message_shortcut(self.user, self.channel, message_ts)
        assert answer.status == 200, answer.body
        return self._opened_view(known_views, fill=True)

    def submit(self, view_id: str, values: dict[str, Any]) -> Thread:
        """Submit the modal; returns the thread once the preview (or refusal) has settled."""
        known = self._known()
        view = self.slack.view(view_id)
        current = {
            "ticket": _initial(view, "ticket"),
            "customer_email": _initial(view, "customer_email"),
        }
        current["scenario"] = _initial(view, "scenario")
        answer = self.slack.submit_view(self.user, view_id, {**current, **values})
        assert answer.status == 200 and not answer.errors, (answer.body, answer.errors)
        message = self.settled(known)
        return Thread(self.channel, str(message.get("thread_ts") or message["ts"]))

    def settled(self, known: set[str]) -> dict[str, Any]:
        """The first new reply whose text is no longer a progress note."""
        return self.slack.wait_for_message(
            self.channel,
            lambda m: (
                m["ts"] not in known
                and m.get("thread_ts") not in (None, m["ts"])
                and not any(mark in str(m.get("text")) for mark in PROGRESS_MARKS)
            ),
            self.timeout,
        )

    def click(
        self,
        thread: Thread,
        action_id: str,
        until: Callable[[list[dict[str, Any]]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Click the newest `action_id` button in the thread; returns the thread once settled:
        `until` holds, or (by default) something changed and no progress note is left."""
        messages = self.slack.thread(thread.channel, thread.ts)
        target = next(m for m in reversed(messages) if has_button(m, action_id))
        before = [_shape(m) for m in messages]
        answer = self.slack.click_button(self.user, thread.channel, target["ts"], action_id)
        assert answer.status == 200, answer.body

        def settled(now: list[dict[str, Any]]) -> bool:
            if any(mark in str(m.get("text")) for m in now for mark in PROGRESS_MARKS):
                return False
            return until(now) if until else [_shape(m) for m in now] != before

        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            now = self.slack.thread(thread.channel, thread.ts)
            if settled(now):
                return now
            time.sleep(0.02)
        raise TimeoutError(f"the thread did not settle after clicking {action_id}")

    def render(self, thread: Thread) -> str:
        return self.slack.render_thread(thread.channel, thread.ts)


def _initial(view: dict[str, Any], block_id: str) -> Any:
    for block in view.get("blocks") or []:
        if block.get("block_id") == block_id:
            element = block.get("element") or {}
            option = element.get("initial_option")
            return option["value"] if option else element.get("initial_value")
    return None


def _shape(message: dict[str, Any]) -> tuple[str, str]:
    return str(message["ts"]), json.dumps([message.get("text"), message.get("blocks")])


def has_button(message: dict[str, Any], action_id: str) -> bool:
    return any(
        element.get("action_id") == action_id
        for block in message.get("blocks") or []
        for element in block.get("elements") or []
        if isinstance(element, dict)
    )


def new_signing_secret() -> str:
    return secrets.token_hex(16)
