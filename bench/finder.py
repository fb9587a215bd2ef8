"""`finder`: what finding the customer adds to opening the form, in Zendesk requests and time.

`fixes.look` is what fills the modal: the ticket, and only when its Organization Email names no
customer, the finder's user searches and the organization lists of the few it would show. Run in
this process against the Zendesk stand-in, on each open partner ticket of the seed, once with
Zendesk answering at once (what the bot itself costs) and once with every request taking
`LATENCY` (what a person waits for, where Zendesk's own time dominates).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench.report import Section, ms, percentile, section, table
from bot.fixes import Look
from bot.wiring import build_fixes
from standins.harness import Stack

LATENCY = 0.1
# The seed's open tickets on the partner form, and what the finder meets on each.
CASES = (
    (512303, "names a customer (no finder)"),
    (512304, "empty (nothing to find)"),
    (512301, "typo found: a swapped letter in the domain"),
    (512310, "typo found: acmecrop, a partner's user as close"),
    (512312, "typo found: a letter missing in the local part"),
    (512313, "found in the description"),
    (512311, "ambiguous: two customers as close"),
)


def measure(quick: bool) -> list[dict[str, Any]]:
    runs = 5 if quick else 30
    rows: list[dict[str, Any]] = []
    with Stack(bot=None) as stack:
        zendesk = stack.zendesk
        fixes = build_fixes(stack.settings())
        for ticket_id, case in CASES:
            zendesk.clear_requests()
            look = fixes.look(ticket_id)
            assert isinstance(look, Look), look
            paths = [r["path"].removeprefix("/api/v2/") for r in zendesk.requests()]
            timings: dict[float, list[float]] = {}
            for latency in (0.0, LATENCY):
                zendesk.set_latency(latency)
                samples = []
                for _ in range(runs if latency == 0 else max(3, runs // 5)):
                    started = time.perf_counter()
                    fixes.look(ticket_id)
                    samples.append(time.perf_counter() - started)
                timings[latency] = samples
            zendesk.set_latency(0)
            finding = look.finding
            rows.append(
                {
                    "ticket": ticket_id,
                    "case": case,
                    "requests": len(paths),
                    "paths": paths,
                    "prefilled": look.customer_email or "—",
                    "candidates": len(finding.candidates) if finding else 0,
                    "timings": timings,
                }
            )
    return rows


def run(quick: bool) -> Section:
    rows = measure(quick)
    base = next(r for r in rows if r["ticket"] == 512303)["requests"]

    lines = [
        [
            f"#{r['ticket']} {r['case']}",
            r["requests"],
            r["requests"] - base,
            r["prefilled"],
            ms(percentile(r["timings"][0.0], 50)),
            ms(percentile(r["timings"][0.0], 99)),
            ms(percentile(r["timings"][LATENCY], 50)),
        ]
        for r in rows
    ]
    extra = [r["requests"] - base for r in rows if r["candidates"] or "found" in r["case"]]
    found = [r for r in rows if "typo" in r["case"] or "description" in r["case"]]
    added = [
        statistics.median(r["timings"][0.0]) - statistics.median(rows[0]["timings"][0.0])
        for r in found
    ]
    detail = "\n".join(f"- #{r['ticket']}: {', '.join(r['paths'])}" for r in rows)
    body = (
        "`fixes.look` (what fills the modal) on each open partner ticket of the seed, against the "
        "Zendesk stand-in in this process: the requests it makes, how many more than a ticket "
        "whose Organization Email names a customer (the finder's cost), what it prefills, and "
        f"the time it takes with Zendesk answering at once and at {LATENCY * 1000:.0f} ms a "
        "request.\n\n"
        + table(
            [
                "ticket and case",
                "requests",
                "added by the finder",
                "prefilled",
                "p50, instant Zendesk",
                "p99, instant Zendesk",
                f"p50, {LATENCY * 1000:.0f} ms a request",
            ],
            lines,
        )
        + f"\n\nThe finder adds at most {max(extra, default=0)} requests, and only when the "
        "Organization Email names no customer. With Zendesk answering at once it adds "
        f"{min(added) * 1000:.1f}-{max(added) * 1000:.1f} ms (p50) to filling the modal on the "
        "tickets where it finds someone; with a real Zendesk its cost is its requests times "
        "Zendesk's latency.\n\nThe requests, in order:\n" + detail + "\n"
    )
    title = "finder: what finding the customer adds to opening the form"
    return section("finder", title, quick, body)
