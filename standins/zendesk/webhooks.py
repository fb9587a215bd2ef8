"""Zendesk's side of a webhook: signed calls to a URL, as a trigger's "Notify webhook" sends them.

Zendesk signs each call with the webhook's signing secret:
`X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + body)) and
`X-Zendesk-Webhook-Signature-Timestamp` = the ISO-8601 moment it signed (`2026-12-01T12:00:00Z`).
It gives up on an answer after a few seconds and retries after a non-2xx answer or a timeout,
and it delivers at least once: the same event may arrive twice, each delivery signed anew.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from standins.zendesk.world import format_time, now_utc

# Zendesk waits this long for an answer before it counts the call as failed.
TIMEOUT = 5.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def timestamp(offset: float = 0.0) -> str:
    return format_time(now_utc() + timedelta(seconds=offset))


@dataclass
class Delivery:
    """One HTTP call: when it was signed, and its answer's status (None: none in time)."""

    status: int | None
    timestamp: str

    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Webhooks:
    """The one webhook of the sandbox: where it points and its signing secret."""

    url: str | None = None
    # Zendesk shows it once the webhook exists (Admin Center > Webhooks > Reveal secret).
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    retries: int = 1
    timeout: float = TIMEOUT

    def call(self, body: bytes, stamp: str | None = None) -> Delivery:
        """One signed call, as it is (tests sign at other moments with `stamp`)."""
        if not self.url:
            raise ValueError("the webhook has no URL")
        stamp = stamp if stamp is not None else timestamp()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Zendesk Webhook",
                "X-Zendesk-Webhook-Signature": sign(self.secret, stamp, body),
                "X-Zendesk-Webhook-Signature-Timestamp": stamp,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Delivery(answer.status, stamp)
        except urllib.error.HTTPError as error:
            return Delivery(error.code, stamp)
        except OSError:
            return Delivery(None, stamp)  # no answer in time, or none at all

    def notify(self, payload: dict[str, Any], duplicate: bool = False) -> list[Delivery]:
        """Deliver one event as Zendesk does: retried after a failure, and (with `duplicate`)
        delivered a second time, both at once, each signed anew."""
        body = json.dumps(payload).encode()
        if not duplicate:
            return self._deliver(body)
        results: list[list[Delivery]] = [[], []]
        threads = [
            threading.Thread(target=lambda i=i: results[i].extend(self._deliver(body)))
            for i in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results[0] + results[1]

    def _deliver(self, body: bytes) -> list[Delivery]:
        attempts = [self.call(body)]
        while not attempts[-1].ok() and len(attempts) <= self.retries:
            attempts.append(self.call(body))
        return attempts
