"""The stack every benchmark runs against: `standins.harness.Stack` with the bot started exactly
as production starts it (the Procfile's gunicorn), restricted to Support's user group as in
production, plus what only the benchmarks look at: gunicorn's workers, their memory, a warm-up.

Benchmarks that need many corrections get a seed with clones of the six template tickets (new
ids, same people, fields and organizations), so each correction lands on its own ticket, as in
production, with no reset or undo in between. The ack benchmark also starts a baseline
(bench/baseline_app.py) with the same gunicorn command line and environment, the app aside.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from standins import harness
from standins.harness import TEMPLATES, Correction

__all__ = ["TEMPLATES", "Correction", "Stack", "children", "memory_kib"]

BASELINE_APP = "bench.baseline_app:create()"


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


class Stack(harness.Stack):
    """`with Stack(clones=200, people=10) as stack:` then `stack.zendesk`, `stack.slack`,
    `stack.corrections` (one per cloned ticket), `stack.people`, `stack.workers()`."""

    def __init__(
        self,
        clones: int = 0,
        people: int = 10,
        *,
        baseline: bool = False,
        baseline_options: Sequence[str] = (),
    ) -> None:
        super().__init__(
            bot="procfile",
            clones=clones,
            people=people,
            allowed_group=harness.ALLOWED_GROUP,
            baseline_app=BASELINE_APP if baseline else None,
            baseline_options=baseline_options,
        )

    def workers(self) -> list[int]:
        """The pids of gunicorn's workers (the master's children)."""
        server = self.server
        assert isinstance(server, harness.ProcfileServer) and server.process is not None
        return children(server.process.pid)

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
