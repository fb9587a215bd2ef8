"""What the bot knows about who may act: its own team (auth.test), the user group's members,
and each person's `users.info`, cached so that the ack path never waits on Slack.

A background thread warms the team and the group when the worker starts (gunicorn forks after
the app is built, and threads do not survive a fork, so it starts again in each child) and
refreshes the group; a person past their TTL is refreshed in the background while the cached
answer is served. `fetch` is the only call that waits on Slack, and only runs after the ack.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.access_rules import Facts, Known, Person
from bot.slack.replies import slack_error

log = logging.getLogger(__name__)

PERSON_TTL = 180.0
GROUP_TTL = 300.0
# Past this age a fact no longer counts (a removed user must not keep access while refreshes
# keep failing); the request then waits for a fresh answer, after its ack, or is denied.
MAX_AGE = 900.0
RETRY_DELAY = 5.0
MAX_RETRY_DELAY = 60.0


def _retry_after(error: Exception) -> float | None:
    if isinstance(error, SlackApiError) and error.response.status_code == 429:
        try:
            return float(error.response.headers.get("Retry-After", RETRY_DELAY))
        except (TypeError, ValueError):
            return RETRY_DELAY
    return None


def person_of(user: dict[str, Any]) -> Person:
    return Person(
        id=str(user.get("id") or ""),
        team_id=str(user.get("team_id") or ""),
        guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        deleted=bool(user.get("deleted")),
        bot=bool(user.get("is_bot") or user.get("is_app_user")),
    )


class Directory:
    """The caches. `client` must not retry or sleep on its own: a lookup that fails is retried
    here, on this module's schedule."""

    def __init__(
        self,
        client: WebClient,
        group: str | None,
        *,
        person_ttl: float = PERSON_TTL,
        group_ttl: float = GROUP_TTL,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.group = group
        self.person_ttl = person_ttl
        self.group_ttl = group_ttl
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._home: str | None = None
        self._bot_user: str | None = None
        self._members: tuple[frozenset[str], float] | None = None
        self._people: dict[str, tuple[Person, float]] = {}
        self._refreshing: set[str] = set()
        self._ready = threading.Event()
        self._wake = threading.Event()
        self._pid: int | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._stopped = False
        _after_fork.add(self)

    # ---- reading (no I/O) ------------------------------------------------------------------

    @property
    def home_team(self) -> str | None:
        return self._home

    @property
    def bot_user(self) -> str | None:
        return self._bot_user

    def facts(self, user: str, payload_team: str | None = None) -> Facts:
        """What the caches hold for `user`, now; schedules a background refresh of what is past
        its TTL. Never calls Slack."""
        self.start()
        now = self._clock()
        with self._lock:
            cached = self._people.get(user)
            members = self._members
        if cached is not None and now - cached[1] > self.person_ttl:
            self._refresh_later(user)
        return Facts(
            user=user,
            home_team=self._home,
            person=Known(cached[0], now - cached[1]) if cached else None,
            group=self.group,
            members=Known(members[0], now - members[1]) if members else None,
            payload_team=payload_team,
        )

    # ---- fetching (after the ack only) -----------------------------------------------------

    def fetch(self, user: str) -> None:
        """Read now what the caches lack or hold beyond the maximum age, for `user`."""
        now = self._clock()
        if self._home is None:
            self._fetch_home()
        with self._lock:
            cached = self._people.get(user)
            members = self._members
        if self.group and (members is None or now - members[1] > self.max_age):
            self._fetch_group()
        if user and (cached is None or now - cached[1] > self.max_age):
            self._fetch_person(user)

    def _fetch_home(self) -> bool:
        try:
            identity = self.client.auth_test()
        except Exception as error:
            log.warning("auth.test failed", extra={"error": slack_error(error)})
            return False
        # A token's team never changes: once known, it needs no refresh.
        self._home = str(identity.get("team_id") or "") or None
        self._bot_user = str(identity.get("user_id") or "") or None
        return self._home is not None

    def _fetch_group(self) -> Exception | None:
        if not self.group:
            return None
        try:
            users = self.client.usergroups_users_list(usergroup=self.group)["users"]
        except Exception as error:
            log.warning("could not read the user group", extra={"error": slack_error(error)})
            return error
        with self._lock:
            self._members = (frozenset(str(u) for u in users), self._clock())
        return None

    def _fetch_person(self, user: str) -> None:
        try:
            found = self.client.users_info(user=user)["user"]
        except SlackApiError as error:
            if error.response.get("error") != "user_not_found":
                log.warning("users.info failed", extra={"error": slack_error(error), "user": user})
                return
            # Slack knows no such person (or will not show them to this workspace).
            found = {"id": user, "deleted": True}
        except Exception as error:
            log.warning("users.info failed", extra={"error": slack_error(error), "user": user})
            return
        with self._lock:
            self._people[user] = (person_of(found), self._clock())

    def _refresh_later(self, user: str) -> None:
        with self._lock:
            if user in self._refreshing or self._pool is None:
                return
            self._refreshing.add(user)
            pool = self._pool

        def refresh() -> None:
            try:
                self._fetch_person(user)
            finally:
                with self._lock:
                    self._refreshing.discard(user)

        pool.submit(refresh)

    # ---- the background thread -------------------------------------------------------------

    def start(self) -> None:
        """Start the warm-up and refresh thread once per process (cheap when already running)."""
        pid = os.getpid()
        if self._pid == pid or self._stopped:
            return
        with self._lock:
            if self._pid == pid:
                return
            self._pid = pid
            self._refreshing = set()
            self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="access")
        threading.Thread(target=self._run, name="access-warm", daemon=True).start()

    def _after_fork(self) -> None:
        # Another thread of the parent may have held these at the fork: fresh ones, and go.
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pid = None
        self.start()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def wait_ready(self, timeout: float) -> bool:
        """True once the team (and the group, when configured) is known; for tests and tools."""
        self.start()
        return self._ready.wait(timeout)

    def _run(self) -> None:
        pid = os.getpid()
        delay = RETRY_DELAY
        while not self._stopped and self._pid == pid:
            failure: Exception | None = None
            if self._home is None and not self._fetch_home():
                failure = RuntimeError("auth.test")
            if self.group:
                failure = self._fetch_group() or failure
            if self._home is not None and (not self.group or self._members is not None):
                self._ready.set()
            if failure is None:
                delay, wait = RETRY_DELAY, self.group_ttl
            else:
                # Slack's Retry-After when it gave one, else a growing pause; never in a request.
                wait = _retry_after(failure) or delay
                delay = min(delay * 2, MAX_RETRY_DELAY)
            self._wake.wait(wait)
            self._wake.clear()


class _AfterFork:
    """Restarts every live Directory's thread in a forked child (gunicorn's workers)."""

    def __init__(self) -> None:
        self._directories: weakref.WeakSet[Directory] = weakref.WeakSet()
        os.register_at_fork(after_in_child=self._restart)

    def add(self, directory: Directory) -> None:
        self._directories.add(directory)

    def _restart(self) -> None:
        for directory in list(self._directories):
            directory._after_fork()


_after_fork = _AfterFork()
