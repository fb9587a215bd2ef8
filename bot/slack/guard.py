"""The door check on POST /slack/events, before Bolt sees anything.

Signature and timestamp are verified here so that a forged request is refused without its body
ever reaching a log line (Bolt logs the body of a request it rejects), and a verified request
that arrives a second time (a replay) is refused too. Signatures seen are kept in a folder that
every gunicorn worker of the instance shares, so a replay is caught whichever worker it reaches.
Another instance keeps its own: this is defence in depth, and writes are idempotent anyway
(safe_update).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import itertools
import os
import shutil
import tempfile
import time
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

MAX_BODY = 1024 * 1024
# Slack signs with a timestamp at most 5 minutes off; remember signatures a little longer.
REPLAY_WINDOW = 6 * 60.0
# Forget old signatures every this many requests.
SWEEP_EVERY = 500
CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SeenSignatures:
    """Signatures seen in the replay window, shared by the processes that share `folder`.

    One empty file per signature, created with O_EXCL: the kernel makes "first time?" atomic
    across processes without locks, so a burst of requests never waits on another.
    """

    def __init__(self, folder: Path | None = None) -> None:
        # Made before gunicorn forks (the app is preloaded), so every worker gets this folder.
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="partner-fix-seen-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._count = itertools.count(1)

    def first_time(self, signature: str) -> bool:
        """Record `signature`; False when it was already seen within the window."""
        now = time.time()
        if next(self._count) % SWEEP_EVERY == 0:
            self._sweep(now)
        path = self.folder / hashlib.sha256(signature.encode()).hexdigest()
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return True
        except FileExistsError:
            try:
                if now - path.stat().st_mtime <= REPLAY_WINDOW:
                    return False
                os.utime(path, (now, now))  # seen long ago and forgotten: new again
            except FileNotFoundError:
                pass  # swept meanwhile
            return True

    def _sweep(self, now: float) -> None:
        for entry in os.scandir(self.folder):
            with contextlib.suppress(FileNotFoundError):
                if now - entry.stat().st_mtime > REPLAY_WINDOW:
                    os.unlink(entry.path)


class RequestGuard:
    def __init__(self, signing_secret: str, seen: SeenSignatures | None = None) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._seen = seen or SeenSignatures()

    def check(
        self, content_type: str, timestamp: str | None, signature: str | None, body: bytes
    ) -> None:
        """Raise Refused(status, reason) unless the request is Slack's and new."""
        if not timestamp or not signature:
            raise Refused(401, "missing_signature")
        if not self._verifier.is_valid(body, timestamp, signature):
            raise Refused(401, "invalid_signature")
        if content_type.split(";")[0].strip().lower() not in CONTENT_TYPES:
            raise Refused(400, "unsupported_content_type")
        if not self._seen.first_time(signature):
            raise Refused(401, "replayed")
