"""The demo is deterministic: every episode ends as it should, run after run, on a busy machine.

20 runs of the whole demo against one Stack (the bot in-process), while two processes busy-loop
on the machine's cores; each run starts from freshly reset stand-ins.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from standins import demo
from standins.harness import Stack

RUNS = 20
BUSY = "import time\nend = time.monotonic() + 90\nwhile time.monotonic() < end:\n    pass\n"


@pytest.fixture
def cpu_pressure() -> Iterator[None]:
    """Two busy-looping processes for the test's duration (each gives up after 90 s anyway)."""
    busy = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
    try:
        yield
    finally:
        for process in busy:
            process.kill()
            process.wait(5)


@pytest.mark.timeout(150)
def test_every_episode_ends_as_it_should_20_runs_under_cpu_pressure(cpu_pressure: None) -> None:
    started = time.monotonic()
    with Stack(bot="in-process") as stack:
        for run in range(RUNS):
            stack.reset()
            out = io.StringIO()
            played = demo.Demo(stack.zendesk, stack.slack, out)
            threads = played.run()
            assert len(threads) == len(demo.EPISODES)
            for episode, thread in zip(demo.EPISODES, threads, strict=True):
                ending = played.endings[episode.title]
                assert episode.ended(ending), (run, episode.title, played.render(thread))
            # The last episode undid the first: that thread ends undone, as the demo showed.
            assert demo.UNDONE(stack.slack.thread(threads[0].channel, threads[0].ts))
            text = out.getvalue()
            assert text.count("no write)") == 2 and text.count("1 write)") == 7, text
            assert "0 write" not in text
            # The finder's typo case: the modal prefilled the customer and said why.
            assert "Customer's email (optional): [jane@acmecorp.example]" in text
            assert "jane@acmecrop.example, which matches nobody" in text
    print(f"{RUNS} demo runs in {time.monotonic() - started:.1f} s")


def test_the_demo_ends_with_a_hint_that_works_as_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert "`.venv/bin/python -m bot sandbox`" in out and "`python -m bot" not in out
