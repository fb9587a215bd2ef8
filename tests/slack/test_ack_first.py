"""After-ack work waits while the process answers requests, never longer than its cap; the
WSGI route counts a request as being answered until the server closes its body."""

from __future__ import annotations

import io
import threading
from typing import Any

from bot.config import Settings
from bot.slack import ack_first
from bot.slack.ack_first import AfterAnswers, Answering
from bot.slack.guard import RequestGuard, SeenSignatures
from bot.wiring import build_fixes, build_wsgi

# Generous: the tests check order, not speed.
LONG = 30.0


def test_work_submitted_while_answering_runs_after_the_answer() -> None:
    answers = Answering(hold_max=LONG)
    ran = threading.Event()
    with AfterAnswers(max_workers=1, answers=answers) as pool:
        answers.enter()
        future = pool.submit(ran.set)
        assert not ran.wait(0.2)  # held while a request is being answered
        answers.leave()
        future.result(timeout=LONG)
    assert ran.is_set()


def test_work_waits_no_longer_than_the_cap() -> None:
    answers = Answering(hold_max=0.05)
    answers.enter()  # never left: a stream of requests that does not stop
    with AfterAnswers(max_workers=1, answers=answers) as pool:
        assert pool.submit(lambda x: x + 1, 1).result(timeout=LONG) == 2


def test_work_runs_at_once_when_nothing_is_being_answered() -> None:
    answers = Answering(hold_max=LONG)
    with AfterAnswers(max_workers=1, answers=answers) as pool:
        assert pool.submit(lambda: "done").result(timeout=LONG) == "done"


def test_a_tracked_body_leaves_once_however_often_it_is_closed() -> None:
    answers = Answering(hold_max=LONG)
    answers.enter()
    answers.enter()
    body = answers.track([b"a"])
    assert list(body) == [b"a"]
    body.close()  # type: ignore[attr-defined]
    body.close()  # type: ignore[attr-defined]
    assert answers._count == 1


def test_the_events_route_is_answering_until_its_body_is_closed(
    settings: Settings, tmp_path: Any
) -> None:
    app = build_wsgi(
        settings,
        build_fixes(settings),
        RequestGuard("test-signing-secret", SeenSignatures(tmp_path / "seen")),
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": "0",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(b""),
    }
    before = ack_first.answering._count
    body = app(environ, lambda status, headers: None)  # unsigned: a 401, still counted
    assert ack_first.answering._count == before + 1
    body.close()  # type: ignore[attr-defined]
    assert ack_first.answering._count == before
    healthz = {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz"}
    app(healthz, lambda status, headers: None)
    assert ack_first.answering._count == before  # only Slack's requests count
