"""`python -m bench [ack|calls|throughput|memory|all] [--quick] [--write]`."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Callable, Sequence

from bench import ack, alerts, calls, memory, throughput
from bench.report import Section, write

BENCHMARKS: dict[str, tuple[Callable[[bool], Section], str]] = {
    "ack": (
        ack.run,
        "time to the HTTP answer of 50 concurrent slash commands, shortcuts and "
        "Apply clicks while Zendesk takes 1 s per request (p50/p99/max)",
    ),
    "calls": (
        calls.run,
        "Zendesk requests per scenario for preview + apply, via Slack and via "
        "the command-line path",
    ),
    "throughput": (
        throughput.run,
        "200 corrections by 10 engineers against a 700/min rate "
        "limit: all applied exactly once? time against the floor",
    ),
    "memory": (memory.run, "RSS of the gunicorn worker before and after 1,000 corrections"),
    "alerts": (
        alerts.run,
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
  all         each of them, in that order (the default; about 3 minutes on 2 cores)

--quick runs 10 requests per surface (ack), 50 corrections by 5 engineers (throughput, where
the rate limit then never bites) and 100 corrections (memory); calls is the same either way.

Everything runs on 127.0.0.1: the Zendesk sandbox and the Slack stand-in in this process, the
bot as the Procfile's gunicorn command in a subprocess (stopped at the end). Figures are printed;
nothing is asserted.

examples:
  python -m bench ack --quick          a smaller, faster version
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
            section = BENCHMARKS[name][0](args.quick)
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
