"""The door check on POST /slack/events, before Bolt sees anything.

Signature and timestamp are verified here so that a forged request is refused without its body
ever reaching a log line (Bolt logs the body of a request it rejects), and a verified request
that arrives a second time (a replay) is refused too. Signatures seen are kept in a folder that
every gunicorn worker of the instance shares, so a replay is caught whichever worker it reaches.
Another instance keeps its own: the store is per instance and only defence in depth (the
signature and the 5-minute window are the door); exactly-once writes across instances rest on
Zendesk's `safe_update`. So a store that fails lets the request through, with a warning.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import itertools
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
# Slack signs with a timestamp at most 5 minutes off; remember signatures a little longer.
REPLAY_WINDOW = 6 * 60.0
# Forget old signatures every this many requests.
SWEEP_EVERY = 500
CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")
# What Slack sends: Unix seconds, and `v0=` with a hex SHA-256. Anything else is refused before
# the verifier sees it (it would raise on `abc`, `1.5` or non-ASCII text, which means a 500).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _remove_if_owner(folder: Path, owner: int) -> None:
    # gunicorn workers are forks of the master and inherit its atexit handlers: only the process
    # that made the folder removes it, or the first worker to exit would pull it from under the
    # others.
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


# A file per request, made before the ack: in memory where the platform has a tmpfs (Linux's
# /dev/shm), it costs about half the CPU of a disk filesystem's create and no journal writes. The
# store is only kept for REPLAY_WINDOW anyway.
SHM = Path("/dev/shm")


def _memory_folder() -> str | None:
    """/dev/shm when this process may make folders there, else the usual temp folder."""
    return str(SHM) if SHM.is_dir() and os.access(SHM, os.W_OK | os.X_OK) else None


class SeenSignatures:
    """Signatures seen in the replay window, shared by the processes that share `folder`.

    One empty file per signature, created with O_EXCL: the kernel makes "first time?" atomic
    across processes without locks, so a burst of requests never waits on another.
    """

    def __init__(
        self, folder: Path | None = None, window: float = REPLAY_WINDOW, prefix: str = "seen"
    ) -> None:
        self.window = window
        # Made before gunicorn forks (the app is preloaded), so every worker gets this folder.
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix=f"partner-fix-{prefix}-", dir=_memory_folder()))
            atexit.register(_remove_if_owner, folder, os.getpid())
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._count = itertools.count(1)

    def usable(self) -> bool:
        """The folder is there (made again if someone removed it) and this process may write."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.folder, os.W_OK | os.X_OK)

    def first_time(self, signature: str) -> bool:
        """Record `signature`; False when it was already seen within the window."""
        now = time.time()
        if next(self._count) % SWEEP_EVERY == 0:
            self._sweep(now)
        path = self._path(signature)
        try:
            self._create(path)
            return True
        except FileNotFoundError:
            # The folder went away (a cleaner, an operator): make it again, once.
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                self._create(path)
                return True
            except FileExistsError:
                return False  # another worker recorded it in between
        except FileExistsError:
            try:
                if now - path.stat().st_mtime <= self.window:
                    return False
                os.utime(path, (now, now))  # seen long ago and forgotten: new again
            except FileNotFoundError:
                pass  # swept meanwhile
            return True

    def _path(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode()).hexdigest()

    def recently(self, key: str) -> bool:
        """Whether `key` was recorded within the window (records nothing)."""
        try:
            return time.time() - self._path(key).stat().st_mtime <= self.window
        except FileNotFoundError:
            return False

    def forget(self, key: str) -> None:
        """Undo a `first_time` whose purpose failed, so the next try counts as the first."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(key))

    @staticmethod
    def _create(path: Path) -> None:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))

    def _sweep(self, now: float) -> None:
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.folder):
                with contextlib.suppress(FileNotFoundError):
                    if now - entry.stat().st_mtime > self.window:
                        os.unlink(entry.path)


class RequestGuard:
    def __init__(self, signing_secret: str, seen: SeenSignatures | None = None) -> None:
        self._verifier = SignatureVerifier(signing_secret) if signing_secret.strip() else None
        self._seen = seen or SeenSignatures()

    def ready(self) -> bool:
        """Whether this process can check a request: a signing secret, and a usable store."""
        return self._verifier is not None and self._seen.usable()

    def check(
        self, content_type: str, timestamp: str | None, signature: str | None, body: bytes
    ) -> None:
        """Raise Refused(status, reason) unless the request is Slack's and new."""
        if not timestamp or not signature:
            raise Refused(401, "missing_signature")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise Refused(401, "malformed_timestamp")
        if not _SIGNATURE.fullmatch(signature):
            raise Refused(401, "malformed_signature")
        if not self._verified(body, timestamp, signature):
            raise Refused(401, "invalid_signature")
        if content_type.split(";")[0].strip().lower() not in CONTENT_TYPES:
            raise Refused(400, "unsupported_content_type")
        if not self._first_time(signature):
            raise Refused(401, "replayed")

    def _verified(self, body: bytes, timestamp: str, signature: str) -> bool:
        if self._verifier is None:
            return False
        try:
            return self._verifier.is_valid(body, timestamp, signature)
        except ValueError:  # a body that is not UTF-8 cannot be what Slack signed
            return False

    def _first_time(self, signature: str) -> bool:
        try:
            return self._seen.first_time(signature)
        except OSError as error:
            # Fail open: the signature and the timestamp window above already held.
            log.warning(
                "replay store unusable; request let through",
                extra={"error": type(error).__name__, "store": str(self._seen.folder)},
            )
            return True
