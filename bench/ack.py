"""`ack`: how fast the bot answers Slack's HTTP request, next to a minimal Bolt app.

Slack shows the person an error unless the app answers within 3 s. The bot acks first and does
the Zendesk work afterwards; what it does before the answer (the door check, the access
decision, Bolt) is what this measures, against bench/baseline_app.py: the smallest Bolt app
that acks the same surfaces, served by the same gunicorn command line, signed with the same
secret, talking to the same Slack stand-in. The two run in the same benchmark, burst by burst,
in alternating order, so that the noise of a shared machine falls on both alike.

Parts (each with Zendesk answering every request after 1 s):
- cold: fresh gunicorn processes; the first burst right after /healthz answers, 20 slash
  commands at once. A fresh pair of processes for every round.
- cold-access: the same, with the Slack stand-in slow on the access lookups (auth.test,
  usergroups.users.list, users.info): the bot's access caches are empty and its warm-up has not
  finished when the burst arrives. The ack must not wait on Slack.
- warm: steady state, 50 at once per surface (slash command, message shortcut, Apply click),
  after warm-up corrections and an unmeasured burst on each app.

Measured: the time to the HTTP answer of each request (AppResponse.elapsed, taken by the Slack
stand-in). Ratios are the bot's percentile over the baseline's, on the samples of all rounds.
What happens after the ack is reported alongside but is not the measure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench import settle
from bench.engineer import Engineer, FlowError, Preview
from bench.report import Section, ms, percentile, section, table
from bench.stack import Correction, Stack
from standins.slack import AppResponse, SlackStandIn

LATENCY = 1.0
TARGET = 0.1
RATIO_TARGET = 1.2
WARM_CORRECTIONS = 4
PREPARERS = 10
FIRE_TIMEOUT = 30.0
COLD_COUNT = 20
ROUNDS = 5
# Slow enough that the bot's warm-up (auth.test, then the group) is still running when the burst
# arrives, quick enough that the lookups after the ack finish within the trigger's 3 s.
LOOKUP_LATENCY = 0.5
LOOKUPS = ("auth.test", "usergroups.users.list", "users.info")
PARTS = ("cold", "cold-access", "warm")
APPS = ("bot", "baseline")
COMMAND, SHORTCUT, APPLY = "slash command", "message shortcut", "Apply click"
# gunicorn options the baseline gets on top of the Procfile's, by --baseline-worker.
BASELINE_WORKERS: dict[str, tuple[str, ...]] = {
    "procfile": (),
    "gthread": ("--worker-class", "gthread"),
}


@dataclass
class Samples:
    """The answers of one (part, surface, app), over all rounds, and per round."""

    rounds: list[list[AppResponse]] = field(default_factory=list)
    afterwards: list[str] = field(default_factory=list)

    @property
    def answers(self) -> list[AppResponse]:
        return [a for r in self.rounds for a in r]

    def elapsed(self) -> list[float]:
        return [a.elapsed for a in self.answers]


Key = tuple[str, str, str]  # part, surface, app
Results = dict[Key, Samples]


def fire(count: int, send: Callable[[int], AppResponse]) -> list[AppResponse]:
    """`send(i)` for i in range(count), all released at the same moment from their own threads."""
    barrier = threading.Barrier(count)

    def one(i: int) -> AppResponse:
        barrier.wait(FIRE_TIMEOUT)
        return send(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one, i) for i in range(count)]
        return [f.result(timeout=FIRE_TIMEOUT + 30) for f in futures]


def order(round_: int) -> tuple[str, ...]:
    """Bot first in even rounds, baseline first in odd ones."""
    return APPS if round_ % 2 == 0 else APPS[::-1]


def _prepare(
    slack: SlackStandIn, people: Sequence[tuple[str, str]], corrections: Sequence[Correction]
) -> list[Preview]:
    """One preview per correction, made by the engineers in parallel (Zendesk not slowed)."""
    team = [Engineer(slack, user, channel) for user, channel in people]

    def work(engineer: Engineer, correction: Correction) -> Preview:
        return engineer.preview(engineer.command(str(correction.ticket_id)), correction)

    with ThreadPoolExecutor(max_workers=PREPARERS) as pool:
        futures = [pool.submit(work, team[i % len(team)], c) for i, c in enumerate(corrections)]
        return [f.result(timeout=settle.SETTLE_TIMEOUT) for f in futures]


def _warm(stack: Stack, corrections: Sequence[Correction]) -> None:
    """A few full corrections at once, so the first measured requests find a warm process."""
    team = [Engineer(stack.slack, u, c) for u, c in stack.people[: len(corrections)]]
    deadline = time.monotonic() + settle.SETTLE_TIMEOUT
    with ThreadPoolExecutor(max_workers=len(team)) as pool:
        futures = [
            pool.submit(e.correct, c, deadline) for e, c in zip(team, corrections, strict=True)
        ]
        outcomes = [f.result(timeout=settle.SETTLE_TIMEOUT + 30) for f in futures]
    if not all(o.applied for o in outcomes):
        raise FlowError(f"warm-up corrections failed: {[o.problems for o in outcomes]}")


class Bench:
    """One run: the stack, the tickets and messages the bursts use, and the samples."""

    def __init__(self, stack: Stack, count: int, rounds: int) -> None:
        self.stack, self.count, self.rounds = stack, count, rounds
        self.results: Results = {}
        rest = stack.corrections[WARM_CORRECTIONS:]
        self.for_commands = rest[:count]
        self.for_applies = rest[count:]
        self.messages: list[str] = []
        self.workers = 0  # gunicorn workers the bot ran with, counted while it runs

    def person(self, i: int) -> tuple[str, str]:
        return self.stack.people[i % len(self.stack.people)]

    def record(self, key: Key, answers: list[AppResponse], afterwards: str) -> None:
        samples = self.results.setdefault(key, Samples())
        samples.rounds.append(answers)
        samples.afterwards.append(afterwards)

    # ---- the bursts ------------------------------------------------------------------------

    def commands(self, app: str, count: int) -> tuple[list[AppResponse], str]:
        slack = self.stack.slack
        self.stack.aim(app)
        since, started = len(slack.calls()), time.time()
        answers = fire(
            count,
            lambda i: slack.slash_command(*self.person(i), str(self.for_commands[i].ticket_id)),
        )
        triggers = [a.trigger_id for a in answers]
        return answers, settle.modals(slack, since, triggers, started, filled=app == "bot")

    def shortcuts(self, app: str) -> tuple[list[AppResponse], str]:
        slack = self.stack.slack
        self.stack.aim(app)
        since, started = len(slack.calls()), time.time()
        answers = fire(
            self.count,
            lambda i: slack.message_shortcut(
                self.person(i)[0], self.person(i)[1], self.messages[i]
            ),
        )
        triggers = [a.trigger_id for a in answers]
        return answers, settle.modals(slack, since, triggers, started, filled=app == "bot")

    def clicks(self, app: str, previews: Sequence[Preview]) -> tuple[list[AppResponse], str]:
        slack, zendesk = self.stack.slack, self.stack.zendesk
        by_channel = {channel: user for user, channel in self.stack.people}
        self.stack.aim(app)
        zendesk.clear_requests()
        since, started = len(slack.calls()), time.time()
        answers = fire(
            len(previews),
            lambda i: slack.click_button(
                by_channel[previews[i].channel],
                previews[i].channel,
                previews[i].ts,
                "partner_fix_apply",
            ),
        )
        if app == "baseline":  # it opens a modal on each click and leaves the preview alone
            triggers = [a.trigger_id for a in answers]
            return answers, settle.modals(slack, since, triggers, started, filled=False)
        words, _ = settle.applies(slack, since, previews, started)
        puts = [r for r in zendesk.requests() if r["method"] == "PUT" and r["status"] == 200]
        return answers, f"{words}; {len(puts)} successful PUTs for {len(previews)} tickets"

    # ---- the parts -------------------------------------------------------------------------

    def cold(self, part: str) -> None:
        """Fresh processes, one burst of slash commands right after each start."""
        stack = self.stack
        slow = part == "cold-access"
        for method in LOOKUPS:
            stack.slack.set_latency(LOOKUP_LATENCY if slow else 0.0, method)
        stack.zendesk.set_latency(LATENCY)
        count = min(COLD_COUNT, self.count)
        try:
            for round_ in range(self.rounds):
                for app in order(round_):
                    if app == "bot":
                        stack.start_bot()
                    else:
                        stack.start_baseline()
                    answers, afterwards = self.commands(app, count)
                    self.record((part, COMMAND, app), answers, afterwards)
                    if app == "bot":  # counted now: /healthz answers after the first worker
                        self.workers = len(stack.workers())
                    # Stopped, so that its after-ack work cannot slow the other's burst.
                    stack.stop_bot() if app == "bot" else stack.stop_baseline()
        finally:
            for method in LOOKUPS:
                stack.slack.set_latency(0.0, method)
            stack.zendesk.set_latency(0.0)

    def warm(self) -> None:
        """Both running, warmed up; then each surface in bursts, alternating the apps."""
        stack = self.stack
        stack.start_bot()
        stack.start_baseline()
        stack.aim("bot")
        stack.warm_up()
        self.workers = len(stack.workers())
        _warm(stack, stack.corrections[:WARM_CORRECTIONS])
        for app in APPS:  # gunicorn's and the pools' threads exist in both before measuring
            self.commands(app, self.count)
        self.messages = [
            stack.slack.post_user_message(
                self.person(i + 1)[0],
                self.person(i)[1],
                f"The partner opened ZD#{c.ticket_id} for their customer, can someone fix it?",
            )
            for i, c in enumerate(self.for_commands)
        ]
        stack.aim("bot")
        previews = _prepare(stack.slack, stack.people, self.for_applies)
        # The baseline leaves a preview as it was: one set serves its every round.
        for_baseline = previews[: self.count]
        for_bot = [
            previews[(r + 1) * self.count : (r + 2) * self.count] for r in range(self.rounds)
        ]
        stack.zendesk.set_latency(LATENCY)
        try:
            for round_ in range(self.rounds):
                for surface in (COMMAND, SHORTCUT, APPLY):
                    for app in order(round_):
                        if surface == COMMAND:
                            answers, afterwards = self.commands(app, self.count)
                        elif surface == SHORTCUT:
                            answers, afterwards = self.shortcuts(app)
                        else:
                            chosen = for_bot[round_] if app == "bot" else for_baseline
                            answers, afterwards = self.clicks(app, chosen)
                        self.record(("warm", surface, app), answers, afterwards)
        finally:
            stack.zendesk.set_latency(0.0)


def measure(
    quick: bool, rounds: int, parts: Sequence[str], baseline_worker: str
) -> tuple[Results, int, int]:
    count = 10 if quick else 50
    # One person per request: Slack shows a person one modal at a time, so 50 modals at once
    # are 50 people's. Tickets: the warm-up's, one per command, then one per Apply click (the
    # baseline's set and one set per round for the bot).
    clones = WARM_CORRECTIONS + count + count * (rounds + 1)
    with Stack(
        clones=clones,
        people=count,
        baseline=True,
        baseline_options=BASELINE_WORKERS[baseline_worker],
    ) as stack:
        bench = Bench(stack, count, rounds)
        for part in PARTS:
            if part not in parts:
                continue
            if part == "warm":
                bench.warm()
            else:
                bench.cold(part)
        return bench.results, count, bench.workers


# ---- the report ----------------------------------------------------------------------------


def _ratio(bot: float, baseline: float) -> str:
    return f"{bot / baseline:.2f}x" if baseline > 0 else "-"


def _rows(results: Results) -> tuple[list[list[object]], list[str]]:
    rows: list[list[object]] = []
    notes: list[str] = []
    for part in PARTS:
        for surface in (COMMAND, SHORTCUT, APPLY):
            bot, base = (
                results.get((part, surface, "bot")),
                results.get((part, surface, "baseline")),
            )
            if bot is None or base is None:
                continue
            b, a = bot.elapsed(), base.elapsed()
            ok = f"{sum(x.status == 200 for x in bot.answers)}/{len(b)}"
            ok += f" · {sum(x.status == 200 for x in base.answers)}/{len(a)}"
            per_round = ", ".join(
                _ratio(
                    percentile([x.elapsed for x in r1], 50), percentile([x.elapsed for x in r2], 50)
                )
                for r1, r2 in zip(bot.rounds, base.rounds, strict=True)
            )
            rows.append(
                [
                    part,
                    surface,
                    ok,
                    ms(percentile(b, 50)),
                    ms(percentile(b, 99)),
                    ms(max(b)),
                    ms(percentile(a, 50)),
                    ms(percentile(a, 99)),
                    ms(max(a)),
                    _ratio(percentile(b, 50), percentile(a, 50)),
                    _ratio(percentile(b, 99), percentile(a, 99)),
                    sum(e >= TARGET for e in b),
                ]
            )
            # After the ack, as the last round went (the others are printed alike).
            notes.append(
                f"- {part}, {surface}: p50 ratio by round {per_round}; after the ack (last "
                f"round), bot: {bot.afterwards[-1]}; baseline: {base.afterwards[-1]}."
            )
    return rows, notes


def run(
    quick: bool,
    rounds: int | None = None,
    parts: Sequence[str] = PARTS,
    baseline_worker: str = "procfile",
) -> Section:
    """Measure `parts` (all of PARTS by default) over `rounds` rounds (ROUNDS, or 1 with
    `quick`, which also makes the warm bursts 10 requests)."""
    rounds = rounds or (1 if quick else ROUNDS)
    results, count, workers = measure(quick, rounds, parts, baseline_worker)
    rows, notes = _rows(results)
    header = [
        "part",
        "surface",
        "HTTP 200 bot · base",
        "bot p50",
        "bot p99",
        "bot max",
        "base p50",
        "base p99",
        "base max",
        "p50 x",
        "p99 x",
        "bot ≥ 100 ms",
    ]
    worker = "the Procfile's worker class" if baseline_worker == "procfile" else "plain gthread"
    body = (
        f"The bot against a minimal Bolt app (bench/baseline_app.py: `ack()`, then a lazy "
        f"`views.open`), both served by the Procfile's gunicorn command line ({workers} workers; "
        f"the baseline with {worker}), same signing secret, same Slack stand-in, Zendesk "
        f"answering every request after {LATENCY:g} s. {rounds} round(s), the two apps "
        "alternating burst by burst (bot first in even rounds). **cold**: fresh processes for "
        f"every burst, {min(COLD_COUNT, count)} slash commands at once as soon as /healthz "
        "answers. **cold-access**: the same, with the Slack stand-in answering auth.test, "
        f"usergroups.users.list and users.info after {LOOKUP_LATENCY:g} s, so the bot's access "
        f"caches are empty. **warm**: steady state, {count} at once per surface. Time to the "
        "HTTP answer; p99 interpolates between the two slowest samples; ratios are bot over "
        f"baseline on all rounds' samples (target ≤ {RATIO_TARGET:g}x); the absolute target is "
        "a p99 under 100 ms on loopback.\n\n"
        f"{table(header, rows)}\n\n"
        + "\n".join(notes)
        + "\n\nWhat the bot has before its answer and the baseline has not: the door "
        "(signature, 5-minute window, content type, replay store), the access middleware's "
        "decision from its caches, its routes and JSON logs. In warm, the bot ran a few full "
        "corrections first and both apps had one unmeasured burst of slash commands.\n"
    )
    title = "ack: time to answer Slack, against a minimal Bolt app"
    return section("ack", title, quick, body, _options(quick, rounds, parts, baseline_worker))


def _options(quick: bool, rounds: int, parts: Sequence[str], baseline_worker: str) -> str:
    """The options that reproduce this run, besides --quick."""
    words = ""
    if rounds != (1 if quick else ROUNDS):
        words += f" --rounds {rounds}"
    if tuple(p for p in PARTS if p in parts) != PARTS:
        words += "".join(f" --part {p}" for p in parts)
    if baseline_worker != "procfile":
        words += f" --baseline-worker {baseline_worker}"
    return words
