"""A support engineer making whole corrections, as the benchmarks need: `standins.harness.Agent`
(safe for fifty at once) plus a correction's path through it and a person's patience: trying
again after the bot said it could not."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.slack.blocks import APPLY
from standins.harness import Agent, Correction, FlowError, Reply, has_button
from standins.slack import SlackStandIn

__all__ = ["Engineer", "FlowError", "Outcome", "Preview", "drain", "work_through"]

T = TypeVar("T")

Preview = Reply  # the bot's preview message, with an Apply button, in the engineer's thread


@dataclass
class Outcome:
    correction: Correction
    applied: bool = False
    attempts: int = 0
    # What went wrong on the way, in the bot's words (a rate-limit note, a failed preview, ...).
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Engineer(Agent):
    def __init__(
        self,
        slack: SlackStandIn,
        user: str,
        channel: str,
        timeout: float = 20.0,
        retry_wait: float = 5.0,
        max_attempts: int = 30,
    ) -> None:
        super().__init__(slack, user, channel, timeout)
        self.retry_wait = retry_wait
        self.max_attempts = max_attempts

    def preview(self, view_id: str, correction: Correction) -> Preview:
        """Submit the modal; the preview once it replaced the bot's "Reading" note.
        FlowError when the bot answered something else (a refusal, a failure)."""
        reply = self.answer(view_id, correction.modal_values())
        if not has_button(self.message(reply.ts), APPLY):
            raise FlowError(f"preview: {reply.text}")
        return reply

    def apply(self, preview: Preview) -> str | None:
        """Click Apply; None once the summary is posted, else the bot's words about why not."""
        since = self.mark()
        try:
            answer = self.slack.click_button(self.user, self.channel, preview.ts, APPLY)
        except ValueError as error:  # the button is gone from this person's Slack
            raise FlowError(f"{self.user}: {error}") from error
        if answer.status != 200:
            raise FlowError(f"{self.user}: Apply answered HTTP {answer.status}")
        text = str(self.outcome(since, preview.ts)["args"].get("text"))
        if not text.startswith("Applied to ticket"):
            return text
        self.wait_call(
            since,
            "chat.postMessage",
            lambda c: (
                c["args"].get("thread_ts") == preview.thread_ts
                and "corrected" in str(c["args"].get("text"))
            ),
        )
        return None

    def correct(self, correction: Correction, deadline: float) -> Outcome:
        """Command, modal, preview, Apply, as a person would, trying again after `retry_wait`
        when the bot says it could not (at most `max_attempts` steps, and not past `deadline`).

        A failed Apply that left the preview (and its Apply button) in place is clicked again;
        any other failure starts over with the command.
        """
        outcome = Outcome(correction)
        started = time.monotonic()
        preview: Preview | None = None
        while outcome.attempts < self.max_attempts and time.monotonic() < deadline:
            outcome.attempts += 1
            try:
                if preview is None:
                    view_id = self.command(str(correction.ticket_id))
                    if self.modal_problem:
                        # A person would still submit: the preview reads the ticket again.
                        outcome.problems.append(f"modal: {self.modal_problem}")
                    preview = self.preview(view_id, correction)
                problem = self.apply(preview)
                if problem is None:
                    outcome.applied = True
                    break
                outcome.problems.append(f"apply: {problem}")
                if not has_button(self.message(preview.ts), APPLY):
                    preview = None
            except (FlowError, ValueError, ConnectionError) as error:
                # ValueError: the stand-in refused the action (no such view or button);
                # ConnectionError: the bot did not answer Slack's request at all.
                outcome.problems.append(str(error))
                preview = None
            time.sleep(max(0.0, min(self.retry_wait, deadline - time.monotonic())))
        outcome.seconds = time.monotonic() - started
        return outcome


def drain(
    work: queue.Queue[Correction], deadline: float, step: Callable[[Correction], T]
) -> list[T]:
    """`step` on each correction from the shared queue, one after the other, until it is empty
    or time is up."""
    done: list[T] = []
    while time.monotonic() < deadline:
        try:
            correction = work.get_nowait()
        except queue.Empty:
            break
        done.append(step(correction))
    return done


def work_through(
    engineer: Engineer, work: queue.Queue[Correction], deadline: float
) -> list[Outcome]:
    """Corrections from the shared queue, each made whole (trying again), until it is empty or
    time is up."""
    return drain(work, deadline, lambda correction: engineer.correct(correction, deadline))
