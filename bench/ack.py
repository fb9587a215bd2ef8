"""`ack`: how fast the bot answers Slack's HTTP request while Zendesk is slow.

Slack shows the person an error unless the app answers within 3 s; the bot acks first and does
the Zendesk work afterwards, on Bolt's listener executor. With every Zendesk request taking 1 s,
50 people run the slash command at once, then 50 use the message shortcut at once, then 50 click
Apply at once (on 50 previews made beforehand, one per ticket). Measured: the time to the HTTP
answer of each request (AppResponse.elapsed, taken by the Slack stand-in). What happens after
the ack (the modal opening, the write) is reported alongside but is not the measure.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.engineer import Engineer, FlowError, Preview
from bench.report import Section, command, machine, ms, percentile, table
from bench.stack import Correction, Stack
from standins.slack import AppResponse, SlackStandIn

LATENCY = 1.0
TARGET = 0.1
WARM_CORRECTIONS = 4
PREPARERS = 10
SETTLE_TIMEOUT = 90.0
FIRE_TIMEOUT = 30.0


@dataclass
class Surface:
    name: str
    answers: list[AppResponse]
    # What the bot did after acking, in words (modals opened, writes landed).
    afterwards: str


def fire(count: int, send: Callable[[int], AppResponse]) -> list[AppResponse]:
    """`send(i)` for i in range(count), all released at the same moment from their own threads."""
    barrier = threading.Barrier(count)

    def one(i: int) -> AppResponse:
        barrier.wait(FIRE_TIMEOUT)
        return send(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one, i) for i in range(count)]
        return [f.result(timeout=FIRE_TIMEOUT + 30) for f in futures]


def _settle_modals(
    slack: SlackStandIn, since: int, triggers: Sequence[str | None], started: float
) -> str:
    """Wait (bounded) until the bot opened and filled a modal for each trigger, or failed to;
    say how that went."""
    ws = slack.workspace
    wanted = set(triggers)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    opened: dict[str, str] = {}  # trigger_id -> view id
    errors: Counter[str] = Counter()
    update_errors: Counter[str] = Counter()
    filled: set[str] = set()
    last = 0.0
    while time.monotonic() < deadline:
        with ws.lock:
            calls = ws.call_log[since:]
            for call in calls:
                args = call["args"]
                if call["method"] == "views.open" and args.get("trigger_id") in wanted:
                    trigger = str(args["trigger_id"])
                    if trigger in opened or trigger in errors:
                        continue
                    if call["ok"]:
                        opened[trigger] = str(call["response"]["view"]["id"])
                    else:
                        errors[str(call["error"])] += 1
                elif call["method"] == "views.update" and args.get("view_id") not in filled:
                    if not call["ok"]:
                        # Counted once per view: the view stays unfilled.
                        update_errors[str(call["error"])] += 1
                        filled.add(str(args.get("view_id")))
                        continue
                    filled.add(str(args.get("view_id")))
                    last = max(last, float(call["at"]))
        done = len(opened) + sum(errors.values())
        if done >= len(wanted) and set(opened.values()) <= filled:
            break
        time.sleep(0.1)
    filled_ok = len(set(opened.values()) & filled) - sum(update_errors.values())
    words = f"{len(opened)}/{len(wanted)} modals opened, {filled_ok} filled in"
    for what, failures in (("views.open", errors), ("views.update", update_errors)):
        if failures:
            said = ", ".join(f"{e} x{n}" for e, n in failures.items())
            words += f" ({what} failed: {said})"
    if last:
        words += f"; the last filled {last - started:.1f} s after the requests went out"
    return words


def _settle_applies(
    slack: SlackStandIn, since: int, previews: Sequence[Preview], started: float
) -> tuple[str, Counter[str]]:
    """Wait (bounded) until each clicked preview shows its outcome; say how that went."""
    ws = slack.workspace
    wanted = {(p.channel, p.ts) for p in previews}
    outcome: dict[tuple[str, str], str] = {}
    last = 0.0
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline and len(outcome) < len(wanted):
        with ws.lock:
            for call in ws.call_log[since:]:
                args = call["args"]
                key = (str(args.get("channel")), str(args.get("ts")))
                text = str(args.get("text"))
                if call["method"] != "chat.update" or key not in wanted or key in outcome:
                    continue
                if "Applying ticket" in text:
                    continue
                outcome[key] = text.split(" ticket #")[0] if "ticket #" in text else text[:60]
                last = max(last, float(call["at"]))
        time.sleep(0.1)
    kinds = Counter(outcome.values())
    words = ", ".join(f"{n} {kind!r}" for kind, n in kinds.most_common())
    words = f"outcomes: {words or 'none'} of {len(wanted)}"
    if last:
        words += f"; the last {last - started:.1f} s after the clicks went out"
    return words, kinds


def _prepare(
    slack: SlackStandIn, people: Sequence[tuple[str, str]], corrections: Sequence[Correction]
) -> list[Preview]:
    """One preview per correction, made by the engineers in parallel (Zendesk not slowed)."""
    team = [Engineer(slack, user, channel) for user, channel in people]

    def work(engineer: Engineer, correction: Correction) -> Preview:
        return engineer.preview(engineer.open_modal(str(correction.ticket_id)), correction)

    with ThreadPoolExecutor(max_workers=PREPARERS) as pool:
        futures = [pool.submit(work, team[i % len(team)], c) for i, c in enumerate(corrections)]
        return [f.result(timeout=SETTLE_TIMEOUT) for f in futures]


def _warm(stack: Stack, corrections: Sequence[Correction]) -> None:
    """A few full corrections at once, so the first measured requests find a warm process."""
    team = [Engineer(stack.slack, u, c) for u, c in stack.people[: len(corrections)]]
    deadline = time.monotonic() + SETTLE_TIMEOUT
    with ThreadPoolExecutor(max_workers=len(team)) as pool:
        futures = [
            pool.submit(e.correct, c, deadline) for e, c in zip(team, corrections, strict=True)
        ]
        outcomes = [f.result(timeout=SETTLE_TIMEOUT + 30) for f in futures]
    if not all(o.applied for o in outcomes):
        raise FlowError(f"warm-up corrections failed: {[o.problems for o in outcomes]}")


def measure(quick: bool) -> tuple[list[Surface], int, int]:
    count = 10 if quick else 50
    # One person per request: Slack shows a person one modal at a time, so 50 modals at once
    # are 50 people's.
    with Stack(clones=WARM_CORRECTIONS + 3 * count, people=count) as stack:
        slack, zendesk, people = stack.slack, stack.zendesk, stack.people
        stack.warm_up()
        _warm(stack, stack.corrections[:WARM_CORRECTIONS])
        rest = stack.corrections[WARM_CORRECTIONS:]
        for_commands, for_shortcuts, for_applies = (
            rest[:count],
            rest[count : 2 * count],
            rest[2 * count : 3 * count],
        )

        def person(i: int) -> tuple[str, str]:
            return people[i % len(people)]

        surfaces: list[Surface] = []

        # 1. Slash commands naming a ticket: the modal opens, then the ticket is read into it.
        zendesk.set_latency(LATENCY)
        since, started = len(slack.calls()), time.time()
        answers = fire(
            count,
            lambda i: slack.slash_command(*person(i), str(for_commands[i].ticket_id)),
        )
        afterwards = _settle_modals(slack, since, [a.trigger_id for a in answers], started)
        surfaces.append(Surface("slash command", answers, afterwards))

        # 2. The message shortcut on a teammate's message that names a ticket.
        messages = [
            slack.post_user_message(
                person(i + 1)[0],
                person(i)[1],
                f"The partner opened ZD#{c.ticket_id} for their customer, can someone fix it?",
            )
            for i, c in enumerate(for_shortcuts)
        ]
        since, started = len(slack.calls()), time.time()
        answers = fire(
            count,
            lambda i: slack.message_shortcut(person(i)[0], person(i)[1], messages[i]),
        )
        afterwards = _settle_modals(slack, since, [a.trigger_id for a in answers], started)
        surfaces.append(Surface("message shortcut", answers, afterwards))

        # 3. Apply on 50 previews of 50 tickets, prepared while Zendesk answers at once.
        zendesk.set_latency(0.0)
        previews = _prepare(slack, people, for_applies)
        by_channel: dict[str, str] = {channel: user for user, channel in people}
        zendesk.set_latency(LATENCY)
        zendesk.clear_requests()
        since, started = len(slack.calls()), time.time()
        answers = fire(
            count,
            lambda i: slack.click_button(
                by_channel[previews[i].channel],
                previews[i].channel,
                previews[i].ts,
                "partner_fix_apply",
            ),
        )
        afterwards, _ = _settle_applies(slack, since, previews, started)
        puts = [r for r in zendesk.requests() if r["method"] == "PUT" and r["status"] == 200]
        afterwards += f"; {len(puts)} successful PUTs for {count} tickets"
        surfaces.append(Surface("Apply click", answers, afterwards))
        zendesk.set_latency(0.0)
        return surfaces, count, len(stack.workers())


def run(quick: bool) -> Section:
    surfaces, count, workers = measure(quick)
    rows = []
    for s in surfaces:
        elapsed = [a.elapsed for a in s.answers]
        rows.append(
            [
                s.name,
                f"{sum(a.status == 200 for a in s.answers)}/{len(s.answers)}",
                ms(percentile(elapsed, 50)),
                ms(percentile(elapsed, 90)),
                ms(percentile(elapsed, 99)),
                ms(max(elapsed)),
                sum(e >= TARGET for e in elapsed),
                sum(e >= LATENCY for e in elapsed),
                sum(not a.acked_in_time for a in s.answers),
            ]
        )
    header = ["surface", "HTTP 200", "p50", "p90", "p99", "max", "≥ 100 ms", "≥ 1 s", "≥ 3 s"]
    figures = table(header, rows)
    notes = "\n".join(f"- {s.name}: {s.afterwards}." for s in surfaces)
    body = (
        f"{count} people act at once on each surface ({count} threads released together by a "
        f"barrier), Zendesk answering every request after {LATENCY:g} s, gunicorn with "
        f"{workers} worker(s) as configured. Time to the HTTP answer of each request; p99 "
        "interpolates between the two slowest samples. Slack's limit is 3 s; the target is "
        "p99 under 100 ms on loopback.\n\n"
        f"{figures}\n\n"
        f"After the ack (not measured above):\n{notes}\n\n"
        "Before measuring: every worker has read the user group once and a few full "
        "corrections ran (steady state, not a cold start). The Apply clicks are on previews "
        "of distinct tickets (clones of the seed's tickets), prepared with Zendesk answering "
        "at once.\n"
    )
    return Section("ack", "ack: time to answer Slack", command("ack", quick), machine(), body)
