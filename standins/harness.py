"""Playing a support engineer against the real bot: both stand-ins and the WSGI app, on loopback.

`python -m bot demo` and the end-to-end tests use it. The bot is the real one (settings ->
wiring -> Bolt -> WSGI) behind a real HTTP server; only Slack and Zendesk are stand-ins.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, Self, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from bot.config import Settings
from bot.wiring import build_wsgi
from standins import screen
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox
from standins.zendesk.world import bundled_seed

# Messages the bot shows while it works; a thread is settled once none of them is left.
PROGRESS_MARKS = ("Reading ticket", "Applying ticket", "Undoing ticket")

Call = dict[str, Any]
T = TypeVar("T")
QUIET = 0.3  # seconds without a change after which a click with no named ending has settled


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # one line per request is noise
        pass


ROOT = Path(__file__).resolve().parent.parent
ALERT_CHANNEL = "C0ALERTS"
BOT_APP = "bot.wiring:create()"  # what the Procfile's web: line serves


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

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        start_timeout: float = 30.0,
        *,
        app: str | None = None,
        options: Sequence[str] = (),
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self._start_timeout = start_timeout
        self.app = app
        self.options = tuple(options)
        self.process: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        """The web: line; `app` serves another WSGI app with the same command line (a
        baseline), and `options` go after the config file, so they win."""
        lines = (ROOT / "Procfile").read_text().splitlines()
        command = next(
            line.removeprefix("web:").strip() for line in lines if line.startswith("web:")
        )
        port = self.env["PORT"]
        command = command.replace("${PORT:-3000}", port).replace("0.0.0.0:", "127.0.0.1:")
        argv = shlex.split(command)
        argv[0] = str(Path(sys.executable).parent / argv[0])  # this virtualenv's gunicorn
        if self.app is not None:
            if BOT_APP not in argv:
                raise RuntimeError(f"the Procfile's web: line no longer serves {BOT_APP}")
            argv = [self.app if arg == BOT_APP else arg for arg in argv]
        return [*argv[:-1], *self.options, argv[-1]]

    def start(self) -> ProcfileServer:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.argv(),
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


ALLOWED_GROUP = "S0SUPPORT"  # the user group production restricts the bot to
FIRST_CLONE_ID = 700001


@dataclass(frozen=True)
class Correction:
    """One correction an engineer asks for: which ticket, which scenario, which customer."""

    ticket_id: int
    scenario: str
    customer_email: str | None = None

    def modal_values(self) -> dict[str, Any]:
        # Every value is given, so what the modal pre-filled from the ticket does not matter.
        return {
            "ticket": str(self.ticket_id),
            "scenario": self.scenario,
            "customer_email": self.customer_email or "",
        }


# The seed tickets a correction applies to, with what makes a plan (checked with fixes.preview).
TEMPLATES: tuple[Correction, ...] = (
    Correction(512301, "customer_account", "carla@globex.example"),
    Correction(512302, "services_engagement", "ivan@initech.example"),
    Correction(512303, "partner_commercial"),
    Correction(512304, "partner_nfr"),
    Correction(512305, "customer_account", "uma@umbrella.example"),
    Correction(512307, "services_engagement", "hana@hooli.example"),
)


def cloned_seed(copies: int) -> tuple[dict[str, Any], list[Correction]]:
    """The bundled seed plus `copies` clones of the template tickets (round robin: new ids, same
    people, fields and organizations), and the correction that applies to each, in id order."""
    seed = bundled_seed()
    by_id = {t["id"]: t for t in seed["tickets"]}
    corrections: list[Correction] = []
    for index in range(copies):
        template = TEMPLATES[index % len(TEMPLATES)]
        ticket = copy.deepcopy(by_id[template.ticket_id])
        ticket["id"] = FIRST_CLONE_ID + index
        seed["tickets"].append(ticket)
        corrections.append(Correction(ticket["id"], template.scenario, template.customer_email))
    return seed, corrections


def engineers(count: int) -> list[tuple[str, str]]:
    """(user id, channel id) of `count` support engineers, each working in a channel of their own
    so that concurrent engineers never read each other's threads."""
    return [(f"U0BENCH{i:02d}", f"C0BENCH{i:02d}") for i in range(1, count + 1)]


def _workspace(people: list[tuple[str, str]]) -> dict[str, Any]:
    """A Slack workspace of `people`, each in a channel of their own, all in ALLOWED_GROUP."""
    return {
        "users": [
            {"id": user, "name": f"eng{i}", "real_name": f"Engineer {i}", "tz": "UTC"}
            for i, (user, _) in enumerate(people, 1)
        ],
        "channels": [
            {"id": channel, "name": f"support-{i}", "is_private": False, "bot_member": True}
            for i, (_, channel) in enumerate(people, 1)
        ],
        "usergroups": {ALLOWED_GROUP: {"handle": "support-team", "users": [u for u, _ in people]}},
    }


class Stack:
    """The Zendesk stand-in, the Slack stand-in and the bot, started and stopped together.

    `bot` is "procfile" (the Procfile's gunicorn, as production starts it), "in-process" (the
    WSGI app on a loopback thread, ~1 s faster to start) or None (stand-ins only; start one
    later with `start_bot`). `clones` adds that many copies of the template tickets
    (`stack.corrections`, one per clone); `people` gives the workspace that many engineers, each
    in a channel of their own (`stack.people`), instead of the stand-in's own people;
    `allowed_group` restricts the bot to a user group; `env` is more of the bot's environment
    (or settings); `baseline_app` also starts that WSGI app with the Procfile's command line
    (`baseline_options` appended), for comparing against.

        with Stack(bot="in-process") as stack:
            avery = stack.agent()
    """

    def __init__(
        self,
        *,
        bot: str | None = "procfile",
        clones: int = 0,
        people: int = 0,
        allowed_group: str | None = None,
        env: dict[str, str] | None = None,
        baseline_app: str | None = None,
        baseline_options: Sequence[str] = (),
        start_timeout: float = 30.0,
    ) -> None:
        if bot not in ("procfile", "in-process", None):
            raise ValueError(f"bot: 'procfile', 'in-process' or None, not {bot!r}")
        seed, self.corrections = cloned_seed(clones) if clones else (None, [])
        self.people = engineers(people)
        self.zendesk = ZendeskSandbox(seed)
        self.slack = SlackStandIn(
            signing_secret=new_signing_secret(), **(_workspace(self.people) if people else {})
        )
        self.bot_kind = bot
        self.allowed_group = allowed_group
        self.env = dict(env or {})
        self.baseline_app = baseline_app
        self.baseline_options = tuple(baseline_options)
        self.start_timeout = start_timeout
        self.server: ProcfileServer | BotServer | None = None
        self.baseline: ProcfileServer | None = None
        self._logdir = tempfile.TemporaryDirectory(prefix="partner-fix-stack-")
        self.log_path = Path(self._logdir.name) / "bot.log"
        self.baseline_log_path = Path(self._logdir.name) / "baseline.log"
        self.url = ""
        self.baseline_url = ""

    # ---- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is not None and isinstance(self.server, ProcfileServer):
            # The log goes with the stack; what the bot said is the first thing to look at.
            print(f"--- the bot's last log lines ---\n{self.server.log_tail()}", file=sys.stderr)
        self.stop()

    def start(self) -> Self:
        self.zendesk.start()
        self.slack.start()
        if self.bot_kind is not None:
            self.start_bot()
        if self.baseline_app is not None:
            self.start_baseline()
        return self

    def stop(self) -> None:
        self.stop_bot()
        self.stop_baseline()
        self.slack.stop()
        self.zendesk.stop()
        self._logdir.cleanup()

    def reset(self) -> None:
        """Both stand-ins as they started (the bot keeps running), Slack aimed at the bot."""
        self.zendesk.reset()
        self.slack.reset()
        self.aim("bot")

    # ---- the bot --------------------------------------------------------------------------

    def _extra(self, extra: dict[str, str]) -> dict[str, str]:
        group = {"SLACK_ALLOWED_USERGROUP": self.allowed_group} if self.allowed_group else {}
        return {**group, **self.env, **extra}

    def environment(self, **extra: str) -> dict[str, str]:
        """The whole environment of a bot process pointed at this stack's stand-ins (on a free
        port of its own)."""
        return stand_in_environment(self.zendesk, self.slack, free_port(), **self._extra(extra))

    def settings(self, **extra: Any) -> Settings:
        """Settings for an in-process bot pointed at this stack's stand-ins."""
        return stand_in_settings(self.zendesk, self.slack, **self._extra(extra))

    def procfile(
        self, log_path: Path | None = None, env: dict[str, str] | None = None
    ) -> ProcfileServer:
        """A Procfile gunicorn pointed at this stack, `env` added (not started: the caller
        owns it)."""
        return ProcfileServer(
            self.environment(**(env or {})), log_path or self.log_path, self.start_timeout
        )

    def start_bot(self, **extra: str) -> ProcfileServer | BotServer:
        """A fresh bot (stopping the previous one) on a new port, with Slack aimed at it."""
        self.stop_bot()
        if self.bot_kind == "in-process":
            self.server = BotServer(self.settings(**extra)).start()
        else:
            self.server = self.procfile(env=extra).start()
        self.url = self.server.url
        self.aim("bot")
        # Zendesk's trigger (the stand-in's webhook calls) goes to the bot's webhook door.
        self.zendesk.webhooks.url = f"{self.url}/zendesk/events"
        return self.server

    def stop_bot(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop()

    def start_baseline(self) -> ProcfileServer:
        """A fresh baseline: the same command line and environment, the app aside."""
        self.stop_baseline()
        server = ProcfileServer(
            self.environment(),
            self.baseline_log_path,
            self.start_timeout,
            app=self.baseline_app,
            options=self.baseline_options,
        )
        self.baseline = server.start()
        self.baseline_url = server.url
        return server

    def stop_baseline(self) -> None:
        server, self.baseline = self.baseline, None
        if server is not None:
            server.stop()

    def aim(self, which: str = "bot") -> None:
        """Point the Slack stand-in's requests at "bot" or "baseline" (if running)."""
        url = self.url if which == "bot" else self.baseline_url
        if url:
            self.slack.app_url = f"{url}/slack/events"

    # ---- the people -----------------------------------------------------------------------

    def agent(
        self, user: str = "U0AGENT1", channel: str = "C0SUPPORT", timeout: float = 10.0
    ) -> Agent:
        return Agent(self.slack, user, channel, timeout)


class FlowError(AssertionError):
    """A step did not go as a person would expect (the bot's words, or what was missing)."""


@dataclass(frozen=True)
class Thread:
    channel: str
    ts: str


@dataclass(frozen=True)
class Reply:
    """A message the bot posted in a thread, as it stood once settled (no progress note)."""

    channel: str
    ts: str
    thread_ts: str
    text: str

    @property
    def thread(self) -> Thread:
        return Thread(self.channel, self.thread_ts)


def _progress(text: object) -> bool:
    return any(mark in str(text) for mark in PROGRESS_MARKS)


def _warning(view: Any) -> str | None:
    """The problem a modal shows (":warning: ..."), if any: the ticket could not be read."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    for block in blocks or []:
        for element in block.get("elements") or []:
            text = str(element.get("text") if isinstance(element, dict) else "")
            if text.startswith(":warning:"):
                return text.removeprefix(":warning:").strip()
    return None


class Agent:
    """One support engineer in the stand-in workspace, safe to run beside many others.

    Each step is matched by what identifies it, never by counting what is new: the trigger_id
    of its command (the modal), the view id (its filling in), the ts of the message the bot
    posted (its outcome). The waits read the stand-in's call log from a mark onward, under its
    lock and without copying it, so fifty agents spend their CPU on the bot, not on polling.
    """

    def __init__(self, slack: SlackStandIn, user: str, channel: str, timeout: float = 10.0) -> None:
        self.slack = slack
        self.user = user
        self.channel = channel
        self.timeout = timeout
        # What the last modal said instead of the ticket's facts (None: it showed them).
        self.modal_problem: str | None = None

    # ---- waiting on the stand-in ----------------------------------------------------------

    def mark(self) -> int:
        """Where the call log ends now; later waits look only past it."""
        ws = self.slack.workspace
        with ws.lock:
            return len(ws.call_log)

    def wait_call(self, since: int, method: str, match: Callable[[Call], bool]) -> Call:
        """The first `method` call after `since` that matches (a copy)."""
        ws = self.slack.workspace

        def probe() -> Call | None:
            for call in ws.call_log[since:]:
                if call["method"] == method and match(call):
                    return copy.deepcopy(call)
            return None

        return self._awaited(probe, f"no {method} call within {self.timeout:g}s")

    def _awaited(self, probe: Callable[[], T | None], missing: str) -> T:
        """What `probe` finds within the timeout, else a FlowError saying what was `missing`."""
        found = self.slack.workspace.wait_for(probe, self.timeout)
        if found is None:
            raise FlowError(f"{self.user}: {missing}")
        return found

    def message(self, ts: str, channel: str | None = None) -> dict[str, Any]:
        """Message `ts` as it stands now."""
        ws = self.slack.workspace
        with ws.lock:
            record = ws.find_message(channel or self.channel, ts)
            if record is None:
                raise FlowError(f"{self.user}: message {ts} is gone")
            return record.public()

    def outcome(self, since: int, ts: str, channel: str | None = None) -> Call:
        """The bot's first chat.update of message `ts` after `since` that is not a progress
        note: the step's outcome."""
        where = channel or self.channel
        return self.wait_call(
            since,
            "chat.update",
            lambda c: (
                c["args"].get("ts") == ts
                and c["args"].get("channel") == where
                and not _progress(c["args"].get("text"))
            ),
        )

    # ---- the steps ------------------------------------------------------------------------

    def _modal(self, since: int, trigger_id: str | None, fill: bool) -> str:
        opened = self.wait_call(
            since, "views.open", lambda c: c["args"].get("trigger_id") == trigger_id
        )
        if not opened["ok"]:
            raise FlowError(f"{self.user}: views.open failed: {opened['error']}")
        view_id = str(opened["response"]["view"]["id"])
        self.modal_problem = None
        if fill:  # filled in (or showing why not) once the bot has read the ticket
            filled = self.wait_call(
                since, "views.update", lambda c: c["args"].get("view_id") == view_id
            )
            self.modal_problem = _warning(filled["args"].get("view"))
        return view_id

    def open_from_button(self, ts: str, action_id: str, channel: str | None = None) -> str:
        """Click a button that opens the modal (an alert's Review); the modal's view id once the
        ticket is filled in."""
        since = self.mark()
        answer = self.slack.click_button(self.user, channel or self.channel, ts, action_id)
        if answer.status != 200:
            raise FlowError(f"{self.user}: {action_id} answered HTTP {answer.status}")
        return self._modal(since, answer.trigger_id, fill=True)

    def command(self, text: str) -> str:
        """`/partner-fix text`; returns the modal's view id once the ticket is filled in."""
        since = self.mark()
        answer = self.slack.slash_command(self.user, self.channel, text)
        if answer.status != 200:
            raise FlowError(
                f"{self.user}: /partner-fix answered HTTP {answer.status}: {answer.body}"
            )
        return self._modal(since, answer.trigger_id, fill=bool(text.strip()))

    def shortcut(self, message_ts: str) -> str:
        """The message shortcut on a message; returns the filled modal's view id."""
        since = self.mark()
        answer = self.slack.message_shortcut(self.user, self.channel, message_ts)
        if answer.status != 200:
            raise FlowError(f"{self.user}: the shortcut answered HTTP {answer.status}")
        return self._modal(since, answer.trigger_id, fill=True)

    def answer(self, view_id: str, values: dict[str, Any]) -> Reply:
        """Submit the modal (what it shows, overridden by `values`); returns the bot's reply in
        this channel once it is no longer a progress note (a preview, refusal or failure)."""
        view = self.slack.view(view_id)
        current = {key: _initial(view, key) for key in ("ticket", "customer_email", "scenario")}
        values = {**current, **values}
        since = self.mark()
        answer = self.slack.submit_view(self.user, view_id, values)
        if answer.status != 200 or answer.errors:
            raise FlowError(f"{self.user}: the modal was refused: {answer.errors or answer.body}")
        ticket = str(values.get("ticket") or "").strip().lstrip("#")
        ws = self.slack.workspace

        def mine(text: str) -> bool:
            return not ticket.isdigit() or f"#{ticket}" in text

        def probe() -> Reply | None:
            # Read from the call log, not the messages: a step that follows marks the log, and
            # must not find this step's last update past its mark.
            notes: dict[str, str] = {}  # progress notes posted: ts -> thread_ts
            for call in ws.call_log[since:]:
                args = call["args"]
                if not call["ok"] or args.get("channel") != self.channel:
                    continue
                text = str(args.get("text"))
                if call["method"] == "chat.postMessage" and args.get("thread_ts") and mine(text):
                    ts, thread_ts = str(call["response"]["ts"]), str(args["thread_ts"])
                    if not _progress(text):
                        return Reply(self.channel, ts, thread_ts, text)
                    notes[ts] = thread_ts
                elif (
                    call["method"] == "chat.update"
                    and str(args.get("ts")) in notes
                    and not _progress(text)
                ):
                    ts = str(args["ts"])
                    return Reply(self.channel, ts, notes[ts], text)
            return None

        return self._awaited(probe, f"no settled reply within {self.timeout:g}s")

    def submit(self, view_id: str, values: dict[str, Any]) -> Thread:
        """Submit the modal; returns the thread once the preview (or refusal) has settled."""
        return self.answer(view_id, values).thread

    def settled(self, known: set[str]) -> dict[str, Any]:
        """The first reply in this channel, not among `known` ts, that is no longer a progress
        note (for replies that no step of this agent's caused)."""
        return self.slack.wait_for_message(
            self.channel,
            lambda m: (
                m["ts"] not in known
                and m.get("thread_ts") not in (None, m["ts"])
                and not _progress(m.get("text"))
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
        ws = self.slack.workspace
        messages = self.slack.thread(thread.channel, thread.ts)
        target = next((m for m in reversed(messages) if has_button(m, action_id)), None)
        if target is None:
            raise FlowError(f"{self.user}: no {action_id} button in the thread")
        before = [_shape(m) for m in messages]
        answer = self.slack.click_button(self.user, thread.channel, target["ts"], action_id)
        if answer.status != 200:
            raise FlowError(f"{self.user}: {action_id} answered HTTP {answer.status}")

        seen = (before, time.monotonic())

        def probe() -> list[dict[str, Any]] | None:
            nonlocal seen
            now = [r.public() for r in ws.thread_records(thread.channel, thread.ts)]
            if any(_progress(m.get("text")) for m in now):
                return None
            if until is not None:
                return now if until(now) else None
            # No ending named: something changed, then nothing more for QUIET seconds (a click
            # may update its message and then post a reply).
            shape = [_shape(m) for m in now]
            if shape != seen[0]:
                seen = (shape, time.monotonic())
                return None
            return now if shape != before and time.monotonic() - seen[1] >= QUIET else None

        return self._awaited(probe, f"the thread did not settle after clicking {action_id}")

    def render(self, thread: Thread) -> str:
        return screen.thread(self.slack, thread.channel, thread.ts)


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
