"""The door check under bad input and a broken replay store: 401 for anything malformed, never
an exception; a store that fails lets a verified request through (it is defence in depth)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.slack import guard as guard_module
from bot.slack.guard import Refused, RequestGuard, SeenSignatures

SECRET = "guard-test-secret"
FORM = "application/x-www-form-urlencoded"
BODY = b"command=/partner-fix"


def signed(body: bytes = BODY) -> tuple[str, str]:
    timestamp = str(int(time.time()))
    return timestamp, SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)


GOOD_TS, GOOD_SIG = signed()


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("abc", GOOD_SIG),
        ("", GOOD_SIG),
        ("9" * 400, GOOD_SIG),
        (f"{GOOD_TS}.5", GOOD_SIG),
        ("-1", GOOD_SIG),
        (" " + GOOD_TS, GOOD_SIG),
        ("\u0661\u0667" + "\u0660" * 8, GOOD_SIG),  # Arabic-Indic digits: int() takes them
        (GOOD_TS, GOOD_SIG.removeprefix("v0=")),
        (GOOD_TS, "v1=" + GOOD_SIG[3:]),
        (GOOD_TS, GOOD_SIG[:-1] + "é"),
        (GOOD_TS, "v0=" + "ü" * 64),
        (GOOD_TS, ""),
        ("é", "é"),
    ],
)
def test_every_malformed_door_header_is_a_401(
    tmp_path: Path, timestamp: str, signature: str
) -> None:
    door = RequestGuard(SECRET, SeenSignatures(tmp_path / "seen"))
    with pytest.raises(Refused) as caught:
        door.check(FORM, timestamp, signature, BODY)
    assert caught.value.status == 401


def test_a_body_that_is_not_utf8_is_a_401(tmp_path: Path) -> None:
    door = RequestGuard(SECRET, SeenSignatures(tmp_path / "seen"))
    with pytest.raises(Refused) as caught:
        door.check(FORM, GOOD_TS, GOOD_SIG, b"\xff\xfe")
    assert caught.value.status == 401


def test_a_removed_store_is_made_again(tmp_path: Path) -> None:
    seen = SeenSignatures(tmp_path / "seen")
    shutil.rmtree(tmp_path / "seen")
    assert seen.first_time("v0=one")
    assert not seen.first_time("v0=one")  # and it still catches the replay
    shutil.rmtree(tmp_path / "seen")
    assert seen.usable() and (tmp_path / "seen").is_dir()


def test_a_broken_store_fails_open_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seen = SeenSignatures(tmp_path / "seen")

    def broken(signature: str) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(seen, "first_time", broken)
    door = RequestGuard(SECRET, seen)
    with caplog.at_level(logging.WARNING, logger="bot.slack.guard"):
        door.check(FORM, *signed(), BODY)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "let through" in caplog.records[0].getMessage()


def test_ready_only_with_a_usable_store_and_a_secret(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    seen = SeenSignatures(tmp_path / "seen")
    assert RequestGuard(SECRET, seen).ready()
    assert not RequestGuard("", seen).ready()
    seen.folder = blocker / "seen"  # cannot be made: a file is in the way
    assert not RequestGuard(SECRET, seen).ready()


def test_only_the_process_that_made_the_store_removes_it(tmp_path: Path) -> None:
    folder = tmp_path / "seen"
    folder.mkdir()
    guard_module._remove_if_owner(folder, os.getpid() + 1)  # a forked worker exiting
    assert folder.is_dir()
    guard_module._remove_if_owner(folder, os.getpid())  # the master exiting
    assert not folder.exists()


def test_a_forked_worker_exiting_leaves_the_store(tmp_path: Path) -> None:
    seen = SeenSignatures()  # made as in production: a temp folder with an atexit
    try:
        pid = os.fork()
        if pid == 0:  # the "worker": run the inherited atexit handlers as sys.exit would
            import atexit
            import weakref

            # The child is a copy of the whole test process: the finalizers of its temporary
            # folders (the session's stand-ins' logs) are not a worker's to run, and running
            # them here would delete the parent's.
            atexit.unregister(weakref.finalize._exitfunc)  # type: ignore[attr-defined]
            atexit._run_exitfuncs()
            os._exit(0)
        os.waitpid(pid, 0)
        assert seen.folder.is_dir()
        assert seen.first_time("v0=after-a-worker-exit")
    finally:
        shutil.rmtree(seen.folder, ignore_errors=True)
