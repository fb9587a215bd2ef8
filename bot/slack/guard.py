"""The door check on POST /slack/events, before Bolt sees anything.

Signature and timestamp are verified here so that a forged request is refused without its body
ever reaching a log line (Bolt logs the body of a request it rejects), and a verified request
that arrives a second time (a replay) is refused too. A replay can only reach the instance that
saw the original, so this is defence in depth: writes are idempotent anyway (safe_update).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from slack_sdk.signature import SignatureVerifier

MAX_BODY = 1024 * 1024
# Slack signs with a timestamp at most 5 minutes off; remember signatures a little longer.
REPLAY_WINDOW = 6 * 60.0
MAX_REMEMBERED = 100_000
CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class RequestGuard:
    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

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
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= MAX_REMEMBERED
                or now - next(iter(self._seen.values())) > REPLAY_WINDOW
            ):
                self._seen.popitem(last=False)
            if signature in self._seen:
                raise Refused(401, "replayed")
            self._seen[signature] = now
