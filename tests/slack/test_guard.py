"""The door check: signatures, content types, and replays seen by any process of the instance."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.slack.guard import Refused, RequestGuard, SeenSignatures

SECRET = "guard-test-secret"
FORM = "application/x-www-form-urlencoded"


def signed(body: bytes, secret: str = SECRET, at: float | None = None) -> tuple[str, str]:
    timestamp = str(int(at if at is not None else time.time()))
    return timestamp, SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)


def refusal(guard: RequestGuard, content_type: str, ts: str | None, sig: str | None) -> str:
    with pytest.raises(Refused) as caught:
        guard.check(content_type, ts, sig, b"command=/partner-fix")
    return caught.value.reason


def test_a_good_request_passes_once(tmp_path: Path) -> None:
    guard = RequestGuard(SECRET, SeenSignatures(tmp_path / "seen"))
    ts, sig = signed(b"command=/partner-fix")
    guard.check(FORM, ts, sig, b"command=/partner-fix")
    assert refusal(guard, FORM, ts, sig) == "replayed"


def test_forged_stale_and_odd_requests_are_refused(tmp_path: Path) -> None:
    guard = RequestGuard(SECRET, SeenSignatures(tmp_path / "seen"))
    body = b"command=/partner-fix"
    assert refusal(guard, FORM, None, None) == "missing_signature"
    assert refusal(guard, FORM, *signed(body, secret="other")) == "invalid_signature"
    assert refusal(guard, FORM, *signed(body, at=time.time() - 400)) == "invalid_signature"
    assert refusal(guard, FORM, *signed(body, at=time.time() + 400)) == "invalid_signature"
    assert refusal(guard, "text/plain", *signed(body)) == "unsupported_content_type"


def _record(path: str, signature: str, answer: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    answer.put(SeenSignatures(Path(path)).first_time(signature))


def test_a_replay_is_caught_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "seen"
    here = SeenSignatures(path)
    assert here.first_time("v0=abc")
    answer: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    process = multiprocessing.get_context("spawn").Process(
        target=_record, args=(str(path), "v0=abc", answer)
    )
    process.start()
    process.join(30)
    assert answer.get(timeout=5) is False
    assert here.first_time("v0=other")


def test_old_signatures_are_forgotten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.slack.guard as guard

    seen = SeenSignatures(tmp_path / "seen")
    assert seen.first_time("v0=old")
    later = time.time() + guard.REPLAY_WINDOW + 5
    monkeypatch.setattr(guard.time, "time", lambda: later)
    monkeypatch.setattr(guard, "SWEEP_EVERY", 1)
    assert seen.first_time("v0=new")  # sweeps the old one
    assert list((tmp_path / "seen").iterdir()) and seen.first_time("v0=old")
