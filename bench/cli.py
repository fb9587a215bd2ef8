"""`python -m bench [ack|calls|throughput|memory|all] [--quick] [--write] [ack options]`."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Callable, Sequence

from bench import ack, alerts, calls, faults, finder, memory, throughput
from bench.report import Section, write


def _ack(args: argparse.Namespace) -> Section:
    return ack.run(args.quick, args.rounds, args.part or ack.PARTS, args.baseline_worker)


BENCHMARKS: dict[str, tuple[Callable[[argparse.Namespace], Section], str]] = {
    "ack": (
        _ack,
        "time to the HTTP answer while Zendesk takes 1 s per request, the bot against a "
        "minimal Bolt app on the same gunicorn, in the same run: cold (fresh processes, 20 "
        "slash commands at once), cold-access (the same with Slack slow on the access "
        "lookups) and warm (50 at once per surface: slash command, shortcut, Apply); "
        "p50/p99/max and the bot's p50 and p99 as ratios to the baseline's",
    ),
    "calls": (
        lambda args: calls.run(args.quick),
        "Zendesk requests per scenario for preview + apply, via Slack and via "
        "the command-line path",
    ),
    "finder": (
        lambda args: finder.run(args.quick),
        "what finding the customer adds to filling the modal: Zendesk requests per case (typo "
        "found, ambiguous, none) and the time, p50/p99 over the seed's open partner tickets",
    ),
    "throughput": (
        lambda args: throughput.run(args.quick),
        "200 corrections by 10 engineers against a 700/min rate "
        "limit: all applied exactly once? time against the floor",
    ),
    "faults": (
        lambda args: faults.run(args.quick),
        "200 corrections by 10 engineers while Zendesk answers 5% of requests with faults (cut "
        "bodies, 5xx after commit, timeouts, 429): each ends applied once, reported not applied "
        "or unconfirmed, none twice, none silent? the counts of each outcome",
    ),
    "memory": (
        lambda args: memory.run(args.quick),
        "RSS of the gunicorn worker before and after 1,000 corrections",
    ),
    "alerts": (
        lambda args: alerts.run(args.quick),
        "time from Zendesk's webhook call to the alert (p50/p99, Zendesk at 1 s a request), and "
        "the sweep's Zendesk requests and time over 1,000 open tickets",
    ),
}
ORDER = list(BENCHMARKS)
EPILOG = (
    "benchmarks:\n"
    + "\n".join(
        textwrap.fill(
            d, 96, break_on_hyphens=False, initial_indent=f"  {n:<11} ", subsequent_indent=" " * 14
        )
        for n, (_, d) in BENCHMARKS.items()
    )
    + """
  all         each of them, in that order (the default; about 5 minutes on 2 cores)

--quick runs 10 requests per warm burst and one round (ack), 50 corrections by 5 engineers
(throughput, where the rate limit then never bites) and 100 corrections (memory); calls is the
same either way.

Everything runs on 127.0.0.1: the Zendesk stand-in and the Slack stand-in in this process, the
bot as the Procfile's gunicorn command in a subprocess (stopped at the end). Figures are printed;
nothing is asserted.

ack options (ignored by the others):
  --rounds N             rounds of each part, the apps alternating burst by burst (default 5;
                         1 with --quick); more rounds, steadier ratios on a shared machine
  --part P               only this part (repeatable): cold, cold-access, warm (default all)
  --baseline-worker W    procfile (default): the baseline on the Procfile's worker class, so
                         only the app differs; gthread: on gunicorn's own gthread, to see what
                         the bot's buffering worker costs

examples:
  python -m bench ack --quick          a smaller, faster version
  python -m bench ack --part cold --rounds 5
                                       five fresh-process bursts of each app
  python -m bench all --write          run everything and refresh BENCHMARKS.md
"""
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Performance benchmarks of partner-fix against its stand-ins.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "benchmark", nargs="?", default="all", choices=[*ORDER, "all"], help="what to run"
    )
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    parser.add_argument(
        "--rounds", type=int, default=None, metavar="N", help="ack: rounds of each part"
    )
    parser.add_argument(
        "--part", action="append", choices=ack.PARTS, help="ack: only this part (repeatable)"
    )
    parser.add_argument(
        "--baseline-worker",
        choices=sorted(ack.BASELINE_WORKERS),
        default="procfile",
        help="ack: the baseline's gunicorn worker class",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="also put the figures, the machine and the command into BENCHMARKS.md",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    names = ORDER if args.benchmark == "all" else [args.benchmark]
    sections: list[Section] = []
    failed: list[str] = []
    for name in names:
        started = time.monotonic()
        print(f"== {name}{' (quick)' if args.quick else ''} ...", flush=True)
        try:
            section = BENCHMARKS[name][0](args)
        except Exception as error:  # one broken benchmark should not hide the others' figures
            print(f"{name} failed: {type(error).__name__}: {error}", file=sys.stderr)
            failed.append(name)
            continue
        print(section.markdown())
        print(f"({name} took {time.monotonic() - started:.0f} s)\n", flush=True)
        sections.append(section)
    if args.write and sections:
        write(sections, ORDER)
        print(f"BENCHMARKS.md updated: {', '.join(s.name for s in sections)}.")
    return 1 if failed else 0
