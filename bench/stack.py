"""The stack every benchmark runs against: Zendesk stand-in, Slack stand-in, and the real bot.

The bot is started exactly as production starts it, with the Procfile's gunicorn command line in a
subprocess (its own process group, so SIGTERM reaches the master and its workers), and the same
environment as tests/e2e/conftest.py. Only the bind host differs: the Procfile binds 0.0.0.0, the
benchmarks bind 127.0.0.1 because nothing here may listen beyond loopback.

The bundled seed has six tickets that a correction applies to. Benchmarks that need many
corrections get a seed with clones of those six (new ids, same people, fields and organizations),
so each correction lands on its own ticket, as in production, with no reset or undo in between.

The ack benchmark also starts a baseline (bench/baseline_app.py) with the same gunicorn command
line and environment, the app aside, and restarts either one for a cold start.
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from standins.harness import ProcfileServer, free_port, new_signing_secret, stand_in_environment
from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox
from standins.zendesk.world import bundled_seed

ROOT = Path(__file__).resolve().parents[1]
GROUP = "S0SUPPORT"
FIRST_CLONE_ID = 700001
START_TIMEOUT = 30.0
BOT_APP = "bot.wiring:create()"
BASELINE_APP = "bench.baseline_app:create()"


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
    """The bundled seed plus `copies` clones of the template tickets (round robin), and the
    correction that applies to each clone, in id order."""
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


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (gunicorn's workers, for the master)."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # it exited while we looked
        # The command name is in parentheses and may hold spaces; the ppid follows the ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB, from /proc/<pid>/status."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


class BaselineServer(ProcfileServer):
    """The Procfile's gunicorn command line serving bench/baseline_app.py instead of the bot;
    `extra` options go after the config file, so they win (gunicorn reads the command line
    last)."""

    extra: tuple[str, ...] = ()

    def argv(self, port: str) -> list[str]:  # type: ignore[override]
        argv = [BASELINE_APP if arg == BOT_APP else arg for arg in ProcfileServer.argv(port)]
        if BASELINE_APP not in argv:
            raise RuntimeError(f"the Procfile's web: line no longer serves {BOT_APP}")
        return [*argv[:-1], *self.extra, argv[-1]]


class Stack:
    """Zendesk stand-in + Slack stand-in + the Procfile's gunicorn, started and stopped together.

    `with Stack(clones=200, people=10) as stack:` then `stack.zendesk`, `stack.slack`,
    `stack.corrections` (one per cloned ticket), `stack.people`, `stack.workers()`.
    """

    def __init__(
        self,
        clones: int = 0,
        people: int = 10,
        log_level: str = "INFO",
        *,
        baseline: bool = False,
        baseline_options: tuple[str, ...] = (),
    ) -> None:
        seed, self.corrections = cloned_seed(clones)
        self.people = engineers(people)
        users = [
            {"id": user, "name": f"eng{i}", "real_name": f"Engineer {i}", "tz": "UTC"}
            for i, (user, _) in enumerate(self.people, 1)
        ]
        channels = [
            {"id": channel, "name": f"support-{i}", "is_private": False, "bot_member": True}
            for i, (_, channel) in enumerate(self.people, 1)
        ]
        self.zendesk = ZendeskSandbox(seed)
        self.slack = SlackStandIn(
            signing_secret=new_signing_secret(),
            users=users,
            channels=channels,
            usergroups={GROUP: {"handle": "support-team", "users": [u for u, _ in self.people]}},
        )
        self.log_level = log_level
        self.server: ProcfileServer | None = None
        self.baseline: BaselineServer | None = None
        self._with_baseline = baseline
        self._baseline_options = baseline_options
        self._logdir = tempfile.TemporaryDirectory(prefix="partner-fix-bench-")
        self.log_path = Path(self._logdir.name) / "bot.log"
        self.baseline_log_path = Path(self._logdir.name) / "baseline.log"
        self.url = ""
        self.baseline_url = ""

    # ---- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None and self.server is not None:
            # The log goes with the stack; what the bot said is the first thing to look at.
            print(f"--- the bot's last log lines ---\n{self.server.log_tail()}", file=sys.stderr)
        self.stop()

    def start(self) -> None:
        self.zendesk.start()
        self.slack.start()
        self.start_bot()
        if self._with_baseline:
            self.start_baseline()
        self.aim("bot")

    def _environment(self) -> dict[str, str]:
        # As in tests/e2e: production restricts the bot to Support's user group, and the
        # membership check sits in front of every ack.
        return stand_in_environment(
            self.zendesk,
            self.slack,
            free_port(),
            SLACK_ALLOWED_USERGROUP=GROUP,
            LOG_LEVEL=self.log_level,
        )

    def start_bot(self) -> None:
        """A fresh bot: the Procfile's gunicorn, on a new port (stopping the previous one)."""
        self.stop_bot()
        self.server = ProcfileServer(self._environment(), self.log_path, START_TIMEOUT).start()
        self.url = self.server.url

    def start_baseline(self) -> None:
        """A fresh baseline: the same command line and environment, the app aside."""
        self.stop_baseline()
        server = BaselineServer(self._environment(), self.baseline_log_path, START_TIMEOUT)
        server.extra = self._baseline_options
        server.start()
        self.baseline = server
        self.baseline_url = server.url

    def stop_bot(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop()

    def stop_baseline(self) -> None:
        server, self.baseline = self.baseline, None
        if server is not None:
            server.stop()

    def aim(self, which: str) -> None:
        """Point the Slack stand-in's requests at "bot" or "baseline"."""
        url = self.url if which == "bot" else self.baseline_url
        self.slack.app_url = f"{url}/slack/events"

    def stop(self) -> None:
        self.stop_bot()
        self.stop_baseline()
        self.slack.stop()
        self.zendesk.stop()
        self._logdir.cleanup()

    # ---- looking at the bot ---------------------------------------------------------------

    def workers(self) -> list[int]:
        """The pids of gunicorn's workers (the master's children)."""
        assert self.server is not None and self.server.process is not None
        return children(self.server.process.pid)

    def warm_up(self, timeout: float = 15.0) -> int:
        """Send `/partner-fix help` until every worker has fetched the user group once.

        The first request in each worker reads the group from Slack before it can ack; that is
        start-up cost, not the steady state the benchmarks measure. Returns requests sent.
        """
        workers = len(self.workers())
        user, channel = self.people[0]
        deadline = time.monotonic() + timeout
        sent = 0
        # A few at once: one request at a time may always be accepted by the same worker.
        with ThreadPoolExecutor(max_workers=4) as pool:
            while time.monotonic() < deadline and sent < 200:
                if len(self.slack.calls("usergroups.users.list")) >= workers:
                    return sent
                burst = [
                    pool.submit(self.slack.slash_command, user, channel, "help") for _ in range(4)
                ]
                for future in burst:
                    answer = future.result()
                    if answer.status != 200:
                        raise RuntimeError(f"warm-up: the bot answered {answer.status}")
                sent += len(burst)
        raise RuntimeError("warm-up: not every worker read the user group in time")
