"""`faults`: 200 corrections by 10 engineers while Zendesk answers 5% of requests with faults.

Each correction is the full Slack flow (command, modal, submit, preview, Apply) on a ticket of
its own, tried once: the point is what the engineer is told, not getting it done. The faults are
the ones a production bot meets every week, chosen at random (seeded) for 5% of the API
requests: an answer cut off mid-body (on a PUT, after the update landed), a 5xx (on a PUT, after
it landed: what a proxy does), an answer slower than the bot's read timeout, and a 429. What each
engineer read is sorted into applied, not applied (the bot said nothing was changed) and
unconfirmed (the bot said it could not confirm), or silent (no outcome at all). Zendesk's own
record decides what really happened: the audits the bot's updates left on each ticket.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.engineer import Engineer, FlowError, drain
from bench.report import Section, section, table
from bench.stack import Correction, Stack
from standins.zendesk.faults import Fault

RATE = 0.05
SEED = 20261201
# Longer than the bot's 5 s read timeout (a "timeout"), short enough to keep the run bounded.
SLOW = 6.0
RUN_LIMIT = 420.0


class Chaos:
    """Picks a fault for RATE of the requests, reproducibly."""

    def __init__(self, rate: float, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._rate = rate
        self.dealt: Counter[str] = Counter()

    def __call__(self, method: str, path: str) -> Fault | None:
        with self._lock:
            if self._random.random() >= self._rate:
                return None
            kind = self._random.choice(("cut", "5xx", "slow", "429"))
        self.dealt[f"{kind} on {method}"] += 1
        writing = method == "PUT"
        if kind == "cut":
            return Fault.build(method, ".*", apply_first=writing, cut=True)
        if kind == "5xx":
            status = 502 if writing else 503
            return Fault.build(method, ".*", apply_first=writing, status=status)
        if kind == "slow":
            return Fault.build(method, ".*", apply_first=writing, delay=SLOW)
        return Fault.build(method, ".*", status=429, retry_after=1)


def told(engineer: Engineer, correction: Correction) -> str:
    """One try at the correction; what the engineer was told, sorted."""
    try:
        view_id = engineer.command(str(correction.ticket_id))
        preview = engineer.preview(view_id, correction)
    except FlowError as error:
        text = str(error)
        if "no " in text and "call within" in text:
            return "silent"
        return "not applied (before Apply: the bot said why)"
    try:
        problem = engineer.apply(preview)
    except FlowError:
        return "silent"
    if problem is None:
        return "applied"
    if "could not be confirmed" in problem or "may or may not" in problem:
        return "unconfirmed"
    if "Nothing was changed" in problem or "nothing was written" in problem:
        return "not applied"
    return f"other: {problem[:60]}"


def bot_audits(stack: Stack, ticket_id: int) -> int:
    """How many updates by the bot landed on the ticket, by Zendesk's own audit trail."""
    world = stack.zendesk._api.world
    with world.lock:
        audits = world.audits.get(ticket_id, [])
        return sum(
            1 for a in audits if "partner_fix" in (a.get("metadata") or {}).get("custom", {})
        )


def measure(quick: bool) -> dict[str, Any]:
    total, people = (40, 4) if quick else (200, 10)
    with Stack(clones=total, people=people) as stack:
        stack.warm_up()
        team = [Engineer(stack.slack, user, channel, timeout=60) for user, channel in stack.people]
        work: queue.Queue[Correction] = queue.Queue()
        for correction in stack.corrections[:total]:
            work.put(correction)
        chaos = Chaos(RATE, SEED)
        stack.zendesk.clear_requests()
        stack.zendesk.set_chaos(chaos)
        started = time.monotonic()
        deadline = started + RUN_LIMIT

        def work_through(engineer: Engineer) -> list[tuple[Correction, str]]:
            return drain(work, deadline, lambda c: (c, told(engineer, c)))

        with ThreadPoolExecutor(max_workers=len(team)) as pool:
            results = [r for f in [pool.submit(work_through, e) for e in team] for r in f.result()]
        elapsed = time.monotonic() - started
        stack.zendesk.set_chaos(None)
        landed = {c.ticket_id: bot_audits(stack, c.ticket_id) for c, _ in results}
        requests = len(stack.zendesk.requests())
    return {
        "total": total,
        "people": people,
        "results": results,
        "landed": landed,
        "elapsed": elapsed,
        "dealt": chaos.dealt,
        "requests": requests,
    }


def run(quick: bool) -> Section:
    m = measure(quick)
    results: list[tuple[Correction, str]] = m["results"]
    landed: dict[int, int] = m["landed"]
    said = Counter(outcome for _, outcome in results)
    truth: Counter[tuple[str, str]] = Counter()
    for correction, outcome in results:
        count = landed[correction.ticket_id]
        truth[(outcome, "landed twice or more" if count > 1 else f"landed {count}")] += 1
    rows: list[list[object]] = [[outcome, n] for outcome, n in said.most_common()]
    checks: list[list[object]] = [
        [f"{outcome}, and Zendesk shows it {landing}", n]
        for (outcome, landing), n in sorted(truth.items())
    ]
    wrong = sum(
        n
        for (outcome, landing), n in truth.items()
        if (outcome == "applied" and landing != "landed 1")
        or (outcome.startswith("not applied") and landing != "landed 0")
        or landing == "landed twice or more"
    )
    dealt = ", ".join(f"{n} {kind}" for kind, n in sorted(m["dealt"].items())) or "none"
    body = (
        f"{m['total']} corrections by {m['people']} engineers at once, each tried once, while "
        f"the sandbox answered {RATE:.0%} of API requests (seeded) with a fault: an answer cut "
        "off mid-body, a 5xx, an answer slower than the bot's 5 s read timeout, or a 429; on a "
        "PUT the first three came after the update landed. What the engineers read:\n\n"
        f"{table(['outcome', 'corrections'], rows)}\n\n"
        "Against Zendesk's own record (the bot's audits on each ticket):\n\n"
        f"{table(['told, and what really happened', 'corrections'], checks)}\n\n"
        f"Told wrongly (applied but not landed once, not applied but landed, or landed twice): "
        f"**{wrong}**. Silent: **{said.get('silent', 0)}**. Faults dealt: {dealt}, over "
        f"{m['requests']} API requests in {m['elapsed']:.0f} s.\n"
    )
    title = "faults: corrections while Zendesk misbehaves"
    return section("faults", title, quick, body)
