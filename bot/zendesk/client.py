"""A zenpy client built for a long-running bot, and zenpy's role in the bot, said once.

What goes through zenpy's object API: the one write (`tickets.update` of a fresh Ticket that
carries only what changes, `safe_update`, `updated_stamp`, the internal note and `metadata`), the
audit trail (`tickets.audits`, whose pagination zenpy follows) and the ticket field that `check`
reads. What goes through zenpy's own session as raw JSON instead (ZendeskGateway._get_json): every
read that needs sideloads or pages (the ticket with its users and organizations, user searches,
a user's whole list of organizations, show_many, users/me), because with its cache off zenpy
throws sideloaded records away, and reading them ourselves keeps a snapshot to the fewest
requests. Both use the same session, so both get the same bounds.

zenpy's defaults suit scripts: its cache keeps users forever and re-sends a failed update's
changes, it waits 60 s per request, and it obeys `Retry-After` without end. Here the cache is off,
every request has a short timeout per read and a total deadline (bot/zendesk/deadline.py), 429s
are honoured only up to a cap per call (never a process-wide budget that runs dry), and each
thread gets its own client because zenpy's state is not locked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from zenpy import Zenpy

from bot.zendesk.deadline import DeadlineAdapter, DeadlineExceeded, within

DEFAULT_TIMEOUT = 5.0
# The whole of one exchange (connect, send, every read), whatever each read takes.
DEFAULT_DEADLINE = 8.0
DEFAULT_RETRY_CAP = 10.0


class RateLimited(Exception):
    """Zendesk kept answering 429 past the retry cap; nothing was sent that succeeded."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Zendesk rate limit: retry after {retry_after:g} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ZendeskAuth:
    email: str | None = None
    api_token: str | None = None
    oauth_token: str | None = None


class BoundedSession(requests.Session):
    """A requests session that bounds each exchange by a total deadline, and waits out 429s up
    to `retry_cap` seconds per call, then gives up.

    A 429 means Zendesk did not process the request, so sending it again is safe even for a PUT.
    """

    def __init__(
        self,
        timeout: float,
        retry_cap: float,
        sleep: Callable[[float], None] = time.sleep,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        super().__init__()
        self.timeout = timeout
        self.deadline = deadline
        self.retry_cap = retry_cap
        self._sleep = sleep
        adapter = DeadlineAdapter()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def _exchange(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        with within(self.deadline) as expired:
            try:
                response = super().request(method, url, *args, **kwargs)
            except Exception as error:
                if expired.is_set():
                    raise DeadlineExceeded(f"no whole answer within {self.deadline:g} s") from error
                raise
        if expired.is_set():
            # The body may have been read whole just as the socket was cut; don't trust it.
            raise DeadlineExceeded(f"no whole answer within {self.deadline:g} s")
        return response

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.timeout)
        waited = 0.0
        while True:
            response = self._exchange(method, url, *args, **kwargs)
            if response.status_code != 429:
                return response
            retry_after = _retry_after(response)
            if waited + retry_after > self.retry_cap:
                raise RateLimited(retry_after)
            self._sleep(retry_after)
            waited += retry_after


def _retry_after(response: requests.Response) -> float:
    try:
        return max(1.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


def split_base_url(base_url: str) -> tuple[str, str, str]:
    """(scheme, subdomain, domain) such that zenpy builds `{scheme}://{subdomain}.{domain}`.

    zenpy joins subdomain and domain with a dot; splitting the host at its first dot lets one
    client reach a host-mapped domain or the sandbox on 127.0.0.1 without process-wide settings.
    """
    parts = urlsplit(base_url)
    netloc = parts.netloc
    if parts.hostname == "localhost":
        # zenpy needs a dot in the host; on this machine 127.0.0.1 is the same place.
        netloc = netloc.replace("localhost", "127.0.0.1", 1)
    if "." not in netloc:
        raise ValueError(f"ZENDESK_URL host {netloc!r} needs a dot, such as 127.0.0.1 or a domain")
    subdomain, domain = netloc.split(".", 1)
    return parts.scheme or "https", subdomain, domain


class ZendeskClients:
    """Hands each thread its own zenpy client, all built the same way."""

    def __init__(
        self,
        base_url: str,
        auth: ZendeskAuth,
        timeout: float = DEFAULT_TIMEOUT,
        retry_cap: float = DEFAULT_RETRY_CAP,
        deadline: float = DEFAULT_DEADLINE,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._scheme, self._subdomain, self._domain = split_base_url(self.base_url)
        self._auth = auth
        self._timeout = timeout
        self._retry_cap = retry_cap
        self._deadline = max(deadline, timeout)
        self._local = threading.local()

    def get(self) -> Zenpy:
        client: Zenpy | None = getattr(self._local, "client", None)
        if client is None:
            client = self._build()
            self._local.client = client
        return client

    def session(self) -> BoundedSession:
        """This thread's HTTP session (the one its zenpy client uses)."""
        return self.get().tickets.session

    def _build(self) -> Zenpy:
        session = BoundedSession(self._timeout, self._retry_cap, deadline=self._deadline)
        credentials: dict[str, str] = {}
        if self._auth.oauth_token:
            credentials["oauth_token"] = self._auth.oauth_token
        else:
            credentials["email"] = self._auth.email or ""
            credentials["token"] = self._auth.api_token or ""
        client = Zenpy(
            subdomain=self._subdomain,
            domain=self._domain,
            session=session,
            timeout=self._timeout,
            disable_cache=True,
            **credentials,
        )
        if self._scheme != "https":
            # zenpy keeps the scheme per API object; only the sandbox speaks plain http.
            for api in vars(client).values():
                if hasattr(api, "protocol"):
                    api.protocol = self._scheme
        return client
