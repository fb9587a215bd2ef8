"""Requests from the stand-in (acting as Slack) to the app: signing and delivery.

Slack signs every request with `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` using the app's
signing secret. The tampering options exist so tests can prove the app rejects unsigned, stale
or wrongly signed requests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

ACK_DEADLINE = 3.0
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Slack-Signature value for a body sent at `timestamp`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class AppResponse:
    """What the app answered, and what the stand-in sent and made of the answer."""

    status: int
    body: str
    elapsed: float
    headers: dict[str, str]
    sent: dict[str, Any]
    trigger_id: str | None = None
    response_url: str | None = None
    # submit_view: the stored view after applying the app's response_action.
    view: dict[str, Any] | None = None
    # submit_view: the `errors` of `response_action: errors`.
    errors: dict[str, str] | None = None
    # Things Slack would refuse or show the user as an error (bad ack body, invalid update...).
    problems: list[str] = field(default_factory=list)

    @property
    def acked_in_time(self) -> bool:
        """Slack shows the user an error unless the app answers 200 within 3 seconds."""
        return self.status == 200 and self.elapsed < ACK_DEADLINE

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None


def post_signed(
    url: str,
    fields: dict[str, str],
    secret: str,
    *,
    sign: bool = True,
    timestamp_offset: float = 0.0,
    timeout: float = 10.0,
) -> tuple[int, str, dict[str, str], float]:
    """POST a form body as Slack does; returns (status, body, headers, elapsed seconds).

    The timestamp is real wall-clock time (not the workspace clock), because the app checks it
    against its own clock.
    """
    body = urllib.parse.urlencode(fields).encode()
    timestamp = str(int(time.time() + timestamp_offset))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": USER_AGENT,
        "X-Slack-Request-Timestamp": timestamp,
    }
    if sign:
        headers["X-Slack-Signature"] = signature(secret, timestamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, answer_headers = exc.code, exc.read(), exc.headers
    except (urllib.error.URLError, OSError) as exc:
        raise ConnectionError(f"the app at {url} did not answer: {exc}") from exc
    elapsed = time.monotonic() - started
    return status, raw.decode("utf-8", "replace"), dict(answer_headers.items()), elapsed
