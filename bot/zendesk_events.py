"""POST /zendesk/events: the door for Zendesk's webhook.

Nothing of a call is read before its signature and timestamp verify: Zendesk signs each call
with the webhook's secret, `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret,
`X-Zendesk-Webhook-Signature-Timestamp` + raw body)), and the timestamp (ISO-8601, such as
`2026-12-01T12:00:00Z`) must be within 5 minutes. A verified call is answered 200 at once and
handled after the answer on a pool of its own (Zendesk gives up after a few seconds and retries).

- A call seen before (the same signature within the window: a replay, or a retry whose answer was
  lost) answers 200 and does nothing.
- A verified body that is not `{"ticket_id": <id>}` (a string or a number: Zendesk's placeholder
  `{{ticket.id}}` renders as text) answers 400: Zendesk does not retry a 4xx, and its webhook
  activity log shows the misconfigured trigger.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import hashlib
import hmac
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from bot.domain.refs import MAX_TICKET_ID
from bot.logs import request_id
from bot.slack.guard import SeenSignatures

log = logging.getLogger(__name__)

WINDOW = 5 * 60.0
# Zendesk's bodies are small; a large one is not Zendesk's.
MAX_BODY = 64 * 1024
WORKERS = 8
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{43}=")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_timestamp(text: str) -> float | None:
    """Unix seconds of Zendesk's ISO-8601 timestamp; None for anything else."""
    if not _TIMESTAMP.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:  # 2026-13-45T…: the right shape, no such moment
        return None


def ticket_id_of(body: bytes) -> int | None:
    """The ticket id of `{"ticket_id": "123"}` (or 123); None for anything else."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    value = data.get("ticket_id") if isinstance(data, dict) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,19}\s*", value):
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_TICKET_ID:
        return value
    return None


class WebhookCheck:
    def __init__(
        self,
        secret: str,
        seen: SeenSignatures | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = secret.encode()
        self._seen = seen or SeenSignatures(window=WINDOW + 60, prefix="zendesk-seen")
        self._clock = clock

    def check(self, timestamp: str | None, signature: str | None, body: bytes) -> bool:
        """True for a new verified call, False for one seen before; Refused otherwise."""
        if not timestamp or not signature:
            raise Refused("missing_signature")
        moment = parse_timestamp(timestamp)
        if moment is None:
            raise Refused("malformed_timestamp")
        if not _SIGNATURE.fullmatch(signature):
            raise Refused("malformed_signature")
        expected = hmac.new(self._key, timestamp.encode() + body, hashlib.sha256).digest()
        try:
            given = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise Refused("malformed_signature") from None
        if not hmac.compare_digest(expected, given):
            raise Refused("invalid_signature")
        if abs(self._clock() - moment) > WINDOW:
            raise Refused("stale_timestamp")
        try:
            return self._seen.first_time(signature)
        except OSError:
            return True  # the signature and the window held; the store is defence in depth


class ZendeskEvents:
    """The route's logic, apart from WSGI: check, answer, and hand the ticket to `handle`."""

    def __init__(
        self, check: WebhookCheck, handle: Callable[[int], object], workers: int = WORKERS
    ) -> None:
        self._check = check
        self._handle = handle
        # Made lazily by the first call: threads made before gunicorn forks would not survive it.
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def answer(
        self, timestamp: str | None, signature: str | None, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        try:
            new = self._check.check(timestamp, signature, body)
        except Refused as refused:
            log.info("refused a webhook call", extra={"reason": refused.reason})
            return 401, {"error": refused.reason}
        if not new:
            log.info("webhook call seen before: nothing done")
            return 200, {"ok": True, "duplicate": True}
        ticket_id = ticket_id_of(body)
        if ticket_id is None:
            log.warning('webhook body is not {"ticket_id": …}: check the trigger\'s JSON body')
            return 400, {"error": "bad_body", "expected": {"ticket_id": "{{ticket.id}}"}}
        self.later(ticket_id)
        return 200, {"ok": True}

    def later(self, ticket_id: int) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="zendesk-events")
            pool = self._pool
        rid = uuid.uuid4().hex[:12]
        pool.submit(_logged, contextvars.copy_context(), rid, self._handle, ticket_id)


def _logged(
    context: contextvars.Context, rid: str, handle: Callable[[int], object], ticket_id: int
) -> None:
    def run() -> None:
        request_id.set(rid)
        try:
            handle(ticket_id)
        except Exception:
            log.exception("handling a webhook call failed", extra={"ticket_id": ticket_id})

    context.run(run)
