"""A support engineer driving the real bot through the Slack stand-in, safe to run concurrently.

`standins.harness.Agent` finds "the modal" and "the reply" by counting what is new in the workspace,
which is right for one person at a time. Here several engineers act at once, so each step is
matched by what identifies it: the trigger_id of the command, the view id, the ts of the message
the bot posted. The waits read the stand-in's call log from a mark onward, under its lock and
without copying it, so that the benchmark process spends its CPU on the stand-ins rather than
on polling (it shares two cores with the bot).
"""

from __future__ import annotations

import copy
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.stack import Correction
from bot.slack.blocks import APPLY
from standins.harness import PROGRESS_MARKS, has_button
from standins.slack import SlackStandIn

Call = dict[str, Any]


class FlowError(Exception):
    """A step did not go as a person would expect (the bot's words are in the message)."""


@dataclass(frozen=True)
class Preview:
    """The bot's preview message, with an Apply button, in the engineer's thread."""

    channel: str
    ts: str
    thread_ts: str
    text: str


@dataclass
class Outcome:
    correction: Correction
    applied: bool = False
    attempts: int = 0
    # What went wrong on the way, in the bot's words (a rate-limit note, a failed preview, ...).
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _progress(text: str) -> bool:
    return any(mark in text for mark in PROGRESS_MARKS)


def _warning(view: Any) -> str | None:
    """The problem a modal shows (":warning: ..."), if any: the ticket could not be read."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    for block in blocks or []:
        for element in block.get("elements") or []:
            text = str(element.get("text") if isinstance(element, dict) else "")
            if text.startswith(":warning:"):
                return text.removeprefix(":warning:").strip()
    return None


class Engineer:
    def __init__(
        self,
        slack: SlackStandIn,
        user: str,
        channel: str,
        timeout: float = 20.0,
        retry_wait: float = 5.0,
        max_attempts: int = 30,
    ) -> None:
        self.slack = slack
        self.user = user
        self.channel = channel
        self.timeout = timeout
        self.retry_wait = retry_wait
        self.max_attempts = max_attempts
        # What the last modal said instead of the ticket's facts (None: it showed them).
        self.modal_problem: str | None = None

    # ---- waiting on the stand-in ----------------------------------------------------------

    def mark(self) -> int:
        """Where the call log ends now; later waits look only past it."""
        ws = self.slack.workspace
        with ws.lock:
            return len(ws.call_log)

    def wait_call(self, since: int, method: str, match: Callable[[Call], bool]) -> Call:
        """The first `method` call after `since` that matches (a copy)."""
        ws = self.slack.workspace

        def probe() -> Call | None:
            for call in ws.call_log[since:]:
                if call["method"] == method and match(call):
                    return copy.deepcopy(call)
            return None

        found = ws.wait_for(probe, self.timeout)
        if found is None:
            raise FlowError(f"{self.user}: no {method} call within {self.timeout:g}s")
        return found

    def _final_update(self, since: int, ts: str) -> Call:
        """The bot's first chat.update of message `ts` after `since` that is not a progress
        note: the step's outcome."""
        return self.wait_call(
            since,
            "chat.update",
            lambda c: (
                c["args"].get("ts") == ts
                and c["args"].get("channel") == self.channel
                and not _progress(str(c["args"].get("text")))
            ),
        )

    def _message(self, ts: str) -> dict[str, Any]:
        ws = self.slack.workspace
        with ws.lock:
            record = ws.find_message(self.channel, ts)
            if record is None:
                raise FlowError(f"{self.user}: message {ts} is gone")
            return record.public()

    # ---- the steps ------------------------------------------------------------------------

    def _modal(self, since: int, trigger_id: str | None) -> str:
        opened = self.wait_call(
            since, "views.open", lambda c: c["args"].get("trigger_id") == trigger_id
        )
        if not opened["ok"]:
            raise FlowError(f"{self.user}: views.open failed: {opened['error']}")
        view_id = str(opened["response"]["view"]["id"])
        # The modal is filled in (or shows why not) once the ticket has been read.
        filled = self.wait_call(
            since, "views.update", lambda c: c["args"].get("view_id") == view_id
        )
        self.modal_problem = _warning(filled["args"].get("view"))
        return view_id

    def open_modal(self, text: str) -> str:
        """`/partner-fix text`; returns the view id once the bot has filled the modal in."""
        since = self.mark()
        answer = self.slack.slash_command(self.user, self.channel, text)
        if answer.status != 200:
            raise FlowError(f"{self.user}: /partner-fix answered HTTP {answer.status}")
        return self._modal(since, answer.trigger_id)

    def open_from_message(self, message_ts: str) -> str:
        """The message shortcut on a message; returns the filled modal's view id."""
        since = self.mark()
        answer = self.slack.message_shortcut(self.user, self.channel, message_ts)
        if answer.status != 200:
            raise FlowError(f"{self.user}: the shortcut answered HTTP {answer.status}")
        return self._modal(since, answer.trigger_id)

    def preview(self, view_id: str, correction: Correction) -> Preview:
        """Submit the modal; returns the preview once it replaced the bot's "Reading" note.
        FlowError when the bot answered something else (a refusal, a failure)."""
        since = self.mark()
        answer = self.slack.submit_view(self.user, view_id, correction.modal_values())
        if answer.status != 200 or answer.errors:
            raise FlowError(f"{self.user}: the modal was refused: {answer.errors or answer.body}")
        working = self.wait_call(
            since,
            "chat.postMessage",
            lambda c: (
                c["args"].get("channel") == self.channel
                and bool(c["args"].get("thread_ts"))
                and f"#{correction.ticket_id}" in str(c["args"].get("text"))
            ),
        )
        if not working["ok"]:
            raise FlowError(f"{self.user}: the bot could not post: {working['error']}")
        ts = str(working["response"]["ts"])
        final = self._final_update(since, ts)
        text = str(final["args"].get("text"))
        if not has_button(self._message(ts), APPLY):
            raise FlowError(f"preview: {text}")
        return Preview(self.channel, ts, str(working["args"]["thread_ts"]), text)

    def apply(self, preview: Preview) -> str | None:
        """Click Apply; None once the summary is posted, else the bot's words about why not."""
        since = self.mark()
        try:
            answer = self.slack.click_button(self.user, self.channel, preview.ts, APPLY)
        except ValueError as error:  # the button is gone from this person's Slack
            raise FlowError(f"{self.user}: {error}") from error
        if answer.status != 200:
            raise FlowError(f"{self.user}: Apply answered HTTP {answer.status}")
        final = self._final_update(since, preview.ts)
        text = str(final["args"].get("text"))
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
                    view_id = self.open_modal(str(correction.ticket_id))
                    if self.modal_problem:
                        # A person would still submit: the preview reads the ticket again.
                        outcome.problems.append(f"modal: {self.modal_problem}")
                    preview = self.preview(view_id, correction)
                problem = self.apply(preview)
                if problem is None:
                    outcome.applied = True
                    break
                outcome.problems.append(f"apply: {problem}")
                if not has_button(self._message(preview.ts), APPLY):
                    preview = None
            except (FlowError, ValueError, ConnectionError) as error:
                # ValueError: the stand-in refused the action (no such view or button);
                # ConnectionError: the bot did not answer Slack's request at all.
                outcome.problems.append(str(error))
                preview = None
            time.sleep(max(0.0, min(self.retry_wait, deadline - time.monotonic())))
        outcome.seconds = time.monotonic() - started
        return outcome


def work_through(
    engineer: Engineer, work: queue.Queue[Correction], deadline: float
) -> list[Outcome]:
    """Corrections from the shared queue, one after the other, until it is empty or time is up."""
    done: list[Outcome] = []
    while time.monotonic() < deadline:
        try:
            correction = work.get_nowait()
        except queue.Empty:
            break
        done.append(engineer.correct(correction, deadline))
    return done
