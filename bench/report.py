"""Figures as text: percentiles, the machine they ran on, and the sections of BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"

INTRO = """\
# Benchmarks

Figures from `python -m bench` (see `bench/`): the real bot, started with the Procfile's gunicorn
command line, against the Zendesk stand-in and the Slack stand-in on 127.0.0.1. Each section says
the machine it ran on and the exact command that reproduces it; `python -m bench all --write`
refreshes them all (about 5 minutes on 2 cores), `--quick` runs smaller versions. The stand-ins
run inside the benchmark process, so on a small machine they compete with the bot for CPU:
figures are for comparing runs on one machine, not promises about production.
"""


@dataclass
class Section:
    """One benchmark's figures: printed as they are, and kept in BENCHMARKS.md under `name`."""

    name: str
    title: str
    command: str
    machine: str
    body: str

    def markdown(self) -> str:
        return (
            f"## {self.title}\n\n"
            f"Reproduce: `{self.command}`  \n"
            f"Ran on: {self.machine}\n\n"
            f"{self.body.rstrip()}\n"
        )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), interpolating between the two nearest ranks, so that p99
    of 50 samples is not simply the maximum."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, which also reads well in a terminal."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return "unknown RAM"


def machine() -> str:
    # nproc counts the CPUs this process may use, which is what the bot gets too.
    cpus = len(os.sched_getaffinity(0))
    python = platform.python_version()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"nproc {cpus}, {_cpu_model()}, {_memory()}, Python {python} "
        f"({platform.system()} {platform.release()}), {when}"
    )


def section(name: str, title: str, quick: bool, body: str, options: str = "") -> Section:
    """The section of a run just now: on this machine, reproduced from the repository's root by
    `python -m bench NAME [--quick]` and `options`."""
    python = ".venv/bin/python" if ".venv" in sys.executable else "python"
    reproduce = f"{python} -m bench {name}" + (" --quick" if quick else "") + options
    return Section(name, title, reproduce, machine(), body)


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write(sections: Sequence[Section], order: Sequence[str], path: Path = BENCHMARKS) -> None:
    """Replace each section's block in BENCHMARKS.md (kept in `order`), leaving the rest."""
    text = path.read_text() if path.exists() else INTRO
    for section in sections:
        start, end = _markers(section.name)
        block = f"{start}\n{section.markdown()}{end}"
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        found = pattern.search(text)
        if found:
            text = text[: found.start()] + block + text[found.end() :]
            continue
        # A new section goes before the first section that comes after it in `order`.
        later = order[order.index(section.name) + 1 :] if section.name in order else []
        position = len(text)
        for name in later:
            at = text.find(_markers(name)[0])
            if at != -1:
                position = at
                break
        head, tail = text[:position].rstrip("\n"), text[position:]
        text = f"{head}\n\n{block}\n\n{tail}".rstrip("\n") + "\n"
    path.write_text(text)
