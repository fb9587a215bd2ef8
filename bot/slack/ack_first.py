"""Answers first: work after the ack waits, briefly, while the instance is answering Slack.

Every check stays before the answer (bot/web.py, bot/slack/access.py); this is only about what
runs after it. A burst of requests (20 people at once) lands on processes that share a couple
of cores, and within a process one GIL: the first acks' after-ack work (opening a modal,
"Applying…", reading the ticket, the access lookups) started at once and competed with the acks
still being answered, in this worker and in the other, which is most of why the bot answered a
burst about 2x slower than a bare Bolt app (see BENCHMARKS.md, ack). So the pools that start
after-ack work hold each task while any worker of the instance is answering a request, or
began one less than QUIET ago (a burst arrives over tens of milliseconds, not at once), for
HOLD_MAX at most: a trigger_id lives 3 s, and a steady stream of requests must not starve the
work behind it.

Across workers without a lock: each process publishes its own state (requests in hand, when it
last began one) in a slot of an array shared by the fork of the preloaded app. A slot that was
not written for HOLD_MAX (a worker that died mid-request) no longer counts, and two processes
that happen to share a slot can only make a task wait less, or HOLD_MAX at most.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# Long enough to outlast the answers of a burst (a hundred ms or so on 2 cores), short against
# the 3 s of a trigger_id and the 1.8 s the modal's access check may wait (access.py).
HOLD_MAX = 0.25
# A burst's requests arrive spread over tens of ms: a worker briefly idle is not done.
QUIET = 0.02
POLL = 0.005
SLOTS = 64


class Answering:
    """How many requests the instance is answering now; after-ack work waits for none."""

    def __init__(self, hold_max: float = HOLD_MAX, quiet: float = QUIET) -> None:
        self.hold_max = hold_max
        self.quiet = quiet
        # Per slot: requests in hand, when that process last began one, when it last changed.
        self._shared = multiprocessing.RawArray("d", SLOTS * 3)
        self._reset()
        # gunicorn forks the preloaded app: each worker gets fresh locks and its own slot.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._turn = threading.Condition(threading.Lock())
        self._wanted = threading.Event()
        self._waiting = 0
        self._poller: threading.Thread | None = None
        self._count = 0
        self._slot = (os.getpid() % SLOTS) * 3

    def _publish(self, began: bool) -> None:
        now = time.monotonic()
        self._shared[self._slot] = self._count
        if began:
            self._shared[self._slot + 1] = now
        self._shared[self._slot + 2] = now

    def enter(self) -> None:
        with self._lock:
            self._count += 1
            self._publish(began=True)

    def leave(self) -> None:
        with self._lock:
            self._count = max(self._count - 1, 0)
            self._publish(began=False)

    def busy(self) -> bool:
        """Whether any process of the instance is answering, or began to less than QUIET ago."""
        now = time.monotonic()
        shared = self._shared
        for at in range(0, SLOTS * 3, 3):
            count, began, changed = shared[at], shared[at + 1], shared[at + 2]
            if now - began < self.quiet or (count > 0 and now - changed < self.hold_max):
                return True
        return False

    def wait_turn(self) -> None:
        """Block until the instance is not answering, or `hold_max` seconds."""
        if not self.busy():
            return
        deadline = time.monotonic() + self.hold_max
        with self._turn:
            self._start_poller()
            self._waiting += 1
            self._wanted.set()  # the poller, if it sleeps for want of waiters
            try:
                while self.busy():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._turn.wait(left)
            finally:
                self._waiting -= 1

    def _start_poller(self) -> None:
        # One thread per process looks at the shared slots for all waiting tasks, so that a
        # burst's held tasks do not each wake up every few milliseconds.
        if self._poller is None:
            self._poller = threading.Thread(target=self._poll, name="ack-first", daemon=True)
            self._poller.start()

    def _poll(self) -> None:
        turn, wanted = self._turn, self._wanted
        while turn is self._turn:  # a fork made a new one: this thread is not there
            wanted.wait()
            with turn:
                if not self._waiting:
                    wanted.clear()  # asleep until the next waiter (set under this lock)
                    continue
                if not self.busy():
                    turn.notify_all()
            # Outside the lock, and not on the waiters' condition: their wait_turn wakes
            # them only when it is their turn (or their time is up), not for each other.
            time.sleep(POLL)

    def track(self, body: Iterable[bytes]) -> Iterable[bytes]:
        """A WSGI response body that counts as being answered until the server closes it
        (after writing it: PEP 3333), entered by the caller beforehand."""
        return _Tracked(body, self)


class _Tracked:
    def __init__(self, body: Iterable[bytes], answering: Answering) -> None:
        self._body = body
        self._answering: Answering | None = answering

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        answering, self._answering = self._answering, None
        if answering is not None:  # close() may be called twice; leave once
            answering.leave()
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


# One per instance (made before gunicorn forks): the WSGI app counts, the pools below wait.
answering = Answering()


class AfterAnswers(ThreadPoolExecutor):
    """A ThreadPoolExecutor whose tasks wait their turn (`answering.wait_turn`) on the pool's
    thread before they run: the submitter, an ack, returns at once as before."""

    def __init__(self, *args: Any, answers: Answering | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answers = answers or answering

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        answers = self._answers

        def in_turn() -> T:
            answers.wait_turn()
            return fn(*args, **kwargs)

        return super().submit(in_turn)
