"""`memory`: the gunicorn worker's resident memory before and after 1,000 corrections.

Each correction is the full flow through Slack (`/partner-fix <id>`, the modal read, submit and
preview, Apply and summary), on a ticket of its own, by 10 engineers at once, in batches of 100.
Between batches the Slack stand-in forgets its messages (it lives in this process, not in the
bot, and would otherwise slow the run down); the bot keeps running throughout. RSS is VmRSS from
/proc/<pid>/status of each worker (the master's children), read after a warm-up of 20
corrections, after every batch, and at the end.
"""

from __future__ import annotations

import queue
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.engineer import Engineer, Outcome, work_through
from bench.report import Section, section, table
from bench.stack import Correction, Stack, memory_kib

WARM_CORRECTIONS = 20
PEOPLE = 10
BATCH_LIMIT = 300.0  # seconds per batch, at most
SETTLE = 1.0  # seconds for the last summaries' threads to wind down before reading RSS


def _batch(team: list[Engineer], corrections: list[Correction]) -> list[Outcome]:
    work: queue.Queue[Correction] = queue.Queue()
    for correction in corrections:
        work.put(correction)
    deadline = time.monotonic() + BATCH_LIMIT

    with ThreadPoolExecutor(max_workers=len(team)) as pool:
        futures = [pool.submit(work_through, e, work, deadline) for e in team]
        return [o for f in futures for o in f.result(timeout=BATCH_LIMIT + 60)]


def _rss(workers: list[int]) -> dict[int, dict[str, int]]:
    return {pid: memory_kib(pid) for pid in workers}


def measure(quick: bool) -> dict[str, Any]:
    total, batch = (100, 50) if quick else (1000, 100)
    with Stack(clones=WARM_CORRECTIONS + total, people=PEOPLE) as stack:
        stack.warm_up()
        team = [Engineer(stack.slack, user, channel) for user, channel in stack.people]
        warm = _batch(team, stack.corrections[:WARM_CORRECTIONS])
        if not all(o.applied for o in warm):
            raise RuntimeError(f"warm-up corrections failed: {[o.problems for o in warm]}")
        time.sleep(SETTLE)
        stack.slack.reset()
        stack.zendesk.clear_requests()
        workers = stack.workers()
        before = _rss(workers)
        samples: list[tuple[int, dict[int, dict[str, int]]]] = [(0, before)]
        landed: Counter[str] = Counter()
        outcomes: list[Outcome] = []
        started = time.monotonic()
        corrections = stack.corrections[WARM_CORRECTIONS:]
        for first in range(0, total, batch):
            outcomes += _batch(team, corrections[first : first + batch])
            time.sleep(SETTLE)
            landed.update(
                r["path"]
                for r in stack.zendesk.requests()
                if r["method"] == "PUT" and r["status"] == 200
            )
            stack.zendesk.clear_requests()
            stack.slack.reset()
            samples.append((len(outcomes), _rss(workers)))
        elapsed = time.monotonic() - started
        return {
            "total": total,
            "batch": batch,
            "workers": workers,
            "workers_after": stack.workers(),
            "samples": samples,
            "outcomes": outcomes,
            "once": sum(1 for n in landed.values() if n == 1),
            "more": sum(1 for n in landed.values() if n > 1),
            "elapsed": elapsed,
        }


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def run(quick: bool) -> Section:
    m = measure(quick)
    samples: list[tuple[int, dict[int, dict[str, int]]]] = m["samples"]
    before, after = samples[0][1], samples[-1][1]
    applied = sum(o.applied for o in m["outcomes"])
    rows = []
    for pid in m["workers"]:
        growth = after[pid]["VmRSS"] - before[pid]["VmRSS"]
        rows.append(
            [
                pid,
                mib(before[pid]["VmRSS"]),
                mib(after[pid]["VmRSS"]),
                f"{growth / 1024:+.1f} MiB",
                f"{growth / max(applied, 1):+.2f} KiB",
                mib(after[pid]["VmHWM"]),
            ]
        )
    header = ["worker pid", "RSS before", "RSS after", "growth", "per correction", "peak RSS"]
    trend = "; ".join(
        f"{done}: " + "/".join(mib(v["VmRSS"]) for v in rss.values()) for done, rss in samples
    )
    restarted = (
        ""
        if m["workers_after"] == m["workers"]
        else (f" Workers changed during the run: {m['workers']} -> {m['workers_after']}.")
    )
    body = (
        f"{m['total']} corrections, each the full flow through Slack (command, modal read, "
        "submit and preview, Apply and summary) on a ticket of its own, by 10 engineers at "
        f"once, in batches of {m['batch']}; the Slack stand-in forgets its messages between "
        "batches, the bot keeps running. RSS read after 20 warm-up corrections and after "
        "every batch. With several workers, the corrections are split between them by the "
        'kernel; "per correction" divides by all of them.\n\n'
        f"{table(header, rows)}\n\n"
        f"Applied: {applied}/{m['total']} (tickets with exactly one successful PUT: "
        f"{m['once']}, with more: {m['more']}), in {m['elapsed']:.0f} s.{restarted}\n\n"
        f"RSS after N corrections: {trend}\n"
    )
    title = "memory: worker RSS over 1,000 corrections"
    return section("memory", title, quick, body)
