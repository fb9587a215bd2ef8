"""`throughput`: 200 corrections by 10 engineers at once, under Zendesk's 700 requests a minute.

Design: every correction is the real flow through Slack (`/partner-fix <id>`, the modal, submit,
the preview, Apply) on a ticket of its own (200 clones of the seed's six correctable tickets), so
nothing is reset or undone during the run and "applied exactly once" is simply one successful
PUT per ticket in the stand-in's log. The stand-in enforces 700 requests per sliding minute with
429s; the bot's client waits a 429 out only when Retry-After fits its 10 s cap per call, and
otherwise tells the engineer "try again in a minute". An engineer told so waits `RETRY_WAIT` and
does the step again: Apply again when the preview (with its button) is still there, else the
command again. The floor is requests needed / (700 per minute); since the window is sliding,
the first 700 requests pass at once, so past 700 the run cannot end before the first minute is
over either.
"""

from __future__ import annotations

import math
import queue
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.engineer import Engineer, Outcome, work_through
from bench.report import Section, section, table
from bench.stack import Correction, Stack

PER_MINUTE = 700
RETRY_WAIT = 5.0
RUN_LIMIT = 240.0  # seconds; the run stops there, whatever is left undone
WARM_CORRECTIONS = 4


def measure(quick: bool) -> dict[str, Any]:
    total, people = (50, 5) if quick else (200, 10)
    with Stack(clones=WARM_CORRECTIONS + total, people=people) as stack:
        stack.warm_up()
        team = [
            Engineer(stack.slack, user, channel, retry_wait=RETRY_WAIT)
            for user, channel in stack.people
        ]
        warm_deadline = time.monotonic() + 60
        for engineer, correction in zip(team, stack.corrections[:WARM_CORRECTIONS], strict=False):
            engineer.correct(correction, warm_deadline)
        corrections = stack.corrections[WARM_CORRECTIONS:]
        work: queue.Queue[Correction] = queue.Queue()
        for correction in corrections:
            work.put(correction)
        stack.zendesk.clear_requests()
        stack.zendesk.set_rate_limit(PER_MINUTE)  # also empties the window: a fresh minute
        started, started_wall = time.monotonic(), time.time()
        deadline = started + RUN_LIMIT
        with ThreadPoolExecutor(max_workers=len(team)) as pool:
            futures = [pool.submit(work_through, e, work, deadline) for e in team]
            outcomes = [o for f in futures for o in f.result(timeout=RUN_LIMIT + 60)]
        elapsed = time.monotonic() - started
        log = stack.zendesk.requests()
        stack.zendesk.set_rate_limit(None)
        return {
            "total": total,
            "people": people,
            "elapsed": elapsed,
            "started_wall": started_wall,
            "outcomes": outcomes,
            "log": log,
            "tickets": [c.ticket_id for c in corrections],
            "left": work.qsize(),
        }


def _ticket_of(path: str) -> int | None:
    parts = path.split("/")
    if len(parts) >= 5 and parts[3] == "tickets":
        digits = parts[4].removesuffix(".json")
        return int(digits) if digits.isdigit() else None
    return None


def run(quick: bool) -> Section:
    m = measure(quick)
    log: list[dict[str, Any]] = m["log"]
    outcomes: list[Outcome] = m["outcomes"]
    admitted = [r for r in log if r["status"] != 429]
    refused = len(log) - len(admitted)
    landed = Counter(
        _ticket_of(r["path"]) for r in log if r["method"] == "PUT" and r["status"] == 200
    )
    once = sum(1 for t in m["tickets"] if landed[t] == 1)
    never = [t for t in m["tickets"] if landed[t] == 0]
    twice = [t for t in m["tickets"] if landed[t] > 1]
    floor = len(admitted) / PER_MINUTE * 60
    window = 60.0 * math.floor((len(admitted) - 1) / PER_MINUTE) if admitted else 0.0
    said = Counter(
        p.split(":")[0] + ": " + ("rate limit" if "rate-limit" in p else p.split(":", 1)[-1][:60])
        for o in outcomes
        for p in o.problems
    )
    retried = sum(1 for o in outcomes if o.attempts > 1)
    put_times = sorted(
        r["at"] - m["started_wall"] for r in log if r["method"] == "PUT" and r["status"] == 200
    )
    by = ", ".join(
        f"{sum(t <= mark for t in put_times)} by {mark} s" for mark in (5, 15, 30, 45, 60)
    )
    rows: list[list[object]] = [
        ["corrections asked", f"{m['total']} by {m['people']} engineers at once"],
        ["applied (summary posted)", sum(o.applied for o in outcomes)],
        ["tickets with exactly one successful PUT", f"{once}/{m['total']}"],
        ["tickets with none / with more than one", f"{len(never)} / {len(twice)}"],
        ["time taken", f"{m['elapsed']:.1f} s"],
        ["successful PUTs landed", by],
        ["Zendesk requests needed (admitted)", len(admitted)],
        ["floor: needed / (700 per minute)", f"{floor:.1f} s"],
        ["least a sliding minute allows (700 at once)", f"{window:.0f} s"],
        ["requests refused with 429", refused],
        ["corrections that needed a retry", retried],
        ["left undone at the time limit", m["left"]],
    ]
    problems = "\n".join(f"- {n} x {what}" for what, n in said.most_common(8)) or "- none"
    body = (
        "Design: each correction is the full Slack flow on a ticket of its own (clones of the "
        "seed's six correctable tickets, all scenarios), 10 engineers working through a shared "
        "list, no reset or undo during the run; exactly-once is checked in the stand-in's log "
        "(successful PUTs per ticket). The stand-in admits 700 requests per sliding minute and "
        "answers 429 with Retry-After beyond; an engineer whose step the bot reported as "
        f"rate-limited waits {RETRY_WAIT:g} s and does it again (Apply again if the preview is "
        f"still there, else the command). The run stops at {RUN_LIMIT:g} s whatever is left.\n\n"
        f"{table(['', 'figure'], rows)}\n\n"
        f"What the bot told the engineers on the way (step: words):\n{problems}\n"
    )
    title = "throughput: corrections under Zendesk's rate limit"
    return section("throughput", title, quick, body)
