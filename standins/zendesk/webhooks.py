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
from datetime import UTC, datetime, timedelta
from typing import Any

# Zendesk waits this long for an answer before it counts the call as failed.
TIMEOUT = 5.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def timestamp(offset: float = 0.0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=offset)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Delivery:
    """One HTTP call: its answer's status, or None when there was none in time."""

    status: int | None
    timestamp: str
    signature: str
    body: bytes

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
    sent: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def call(
        self,
        body: bytes,
        *,
        stamp: str | None = None,
        signature: str | None = None,
        secret: str | None = None,
        url: str | None = None,
    ) -> Delivery:
        """One signed call, as it is (tests vary the stamp, the signature or the secret)."""
        target = url or self.url
        if not target:
            raise ValueError("the webhook has no URL")
        stamp = stamp if stamp is not None else timestamp()
        if signature is None:
            signature = sign(secret if secret is not None else self.secret, stamp, body)
        request = urllib.request.Request(
            target,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Zendesk Webhook",
                "X-Zendesk-Webhook-Signature": signature,
                "X-Zendesk-Webhook-Signature-Timestamp": stamp,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                status: int | None = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = None  # no answer in time, or none at all
        delivery = Delivery(status, stamp, signature, body)
        with self._lock:
            self.sent.append(delivery)
        return delivery

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
