"""The pool for slow work (Zendesk), apart from the pools that talk to Slack after an ack.

Waiting on Zendesk can then neither delay an ack nor make a modal miss its 3-second trigger.
The request id travels with the work: contextvars don't cross threads by themselves.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


def submit_logged(
    pool: Executor,
    logger: logging.Logger,
    what: str,
    function: Callable[P, None],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> None:
    """`function(*args, **kwargs)` on `pool`, in this thread's context (the request id), and
    logged on `logger` as `what` should it raise: nobody waits on these futures."""
    context = contextvars.copy_context()

    def run() -> None:
        try:
            context.run(function, *args, **kwargs)
        except Exception:
            logger.exception(what)

    pool.submit(run)


class Work:
    """The pool for slow work (Zendesk), apart from the one Bolt runs lazy functions on."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zendesk")

    def later(self, function: Callable[P, None], /, *args: P.args, **kwargs: P.kwargs) -> None:
        submit_logged(self._pool, log, "background work failed", function, *args, **kwargs)
