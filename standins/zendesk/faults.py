"""What the stand-in does to requests besides answering them: faults, rate limit, request log.

These exist so tests and benchmarks can reproduce the failures a bot meets in production
(timeouts, a PUT that landed but whose answer was lost, HTML 502 pages, 429 storms) on demand.
"""

from __future__ import annotations

import copy
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]

FAULT_KEYS = (
    "method",
    "path_pattern",
    "status",
    "count",
    "retry_after",
    "body",
    "delay",
    "apply_first",
    "drop",
    "cut",
    "drip",
)


@dataclass
class Fault:
    """The next `remaining` matching requests get this treatment."""

    method: str
    pattern: re.Pattern[str]
    status: int | None
    remaining: int
    retry_after: int | None
    body: str | JsonDict | None
    delay: float
    apply_first: bool
    drop: bool
    # How the answer travels: `cut` sends the headers and half the body, then closes (a proxy
    # or a connection dying mid-answer); `drip` sends the body one byte every `drip` seconds (a
    # congested link), so each read is quick and the whole answer is not.
    cut: bool = False
    drip: float = 0.0

    @classmethod
    def build(
        cls,
        method: str,
        path_pattern: str,
        *,
        status: int | None = None,
        count: int = 1,
        retry_after: int | None = None,
        body: str | JsonDict | None = None,
        delay: float = 0.0,
        apply_first: bool = False,
        drop: bool = False,
        cut: bool = False,
        drip: float = 0.0,
    ) -> Fault:
        """Check the arguments (raising ValueError with the reason) and make a Fault."""
        if not isinstance(method, str) or not method:
            raise ValueError("method must be an HTTP method such as 'PUT', or '*'")
        if not isinstance(path_pattern, str):
            raise ValueError("path_pattern must be a regular expression string")
        try:
            pattern = re.compile(path_pattern)
        except re.error as exc:
            raise ValueError(f"path_pattern is not a valid regular expression: {exc}") from exc
        if status is not None and (
            isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
        ):
            raise ValueError("status must be an HTTP status code (100-599) or None")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        if retry_after is not None and (
            isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0
        ):
            raise ValueError("retry_after must be a non-negative integer (seconds) or None")
        if body is not None and not isinstance(body, str | dict):
            raise ValueError("body must be a JSON object, a string, or None")
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise ValueError("delay must be a non-negative number of seconds")
        if not isinstance(apply_first, bool) or not isinstance(drop, bool):
            raise ValueError("apply_first and drop must be true or false")
        if not isinstance(cut, bool):
            raise ValueError("cut must be true or false")
        if isinstance(drip, bool) or not isinstance(drip, int | float) or drip < 0:
            raise ValueError("drip must be a non-negative number of seconds")
        if status is None and not drop and not cut and delay == 0 and drip == 0:
            raise ValueError(
                "a fault needs a status, a delay, a drip, cut=True or drop=True to do anything"
            )
        return cls(
            method=method.upper(),
            pattern=pattern,
            status=status,
            remaining=count,
            retry_after=retry_after,
            body=copy.deepcopy(body),
            delay=float(delay),
            apply_first=apply_first,
            drop=drop,
            cut=cut,
            drip=float(drip),
        )

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.pattern.fullmatch(path) is not None

    @property
    def replaces_answer(self) -> bool:
        """False for a pure delay: the request is then answered normally, only later."""
        return self.status is not None or self.drop

    def describe(self) -> JsonDict:
        return {
            "method": self.method,
            "path_pattern": self.pattern.pattern,
            "status": self.status,
            "count": self.remaining,
            "retry_after": self.retry_after,
            "body": copy.deepcopy(self.body),
            "delay": self.delay,
            "apply_first": self.apply_first,
            "drop": self.drop,
            "cut": self.cut,
            "drip": self.drip,
        }


class FaultBook:
    """Pending faults, first registered first served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any, using up one of its count."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[JsonDict]:
        with self._lock:
            return [fault.describe() for fault in self._faults]


class RateLimiter:
    """An account-wide sliding one-minute window, like Zendesk's requests-per-minute limit."""

    WINDOW = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_minute: int | None = None
        self._stamps: deque[float] = deque()

    def configure(self, per_minute: int | None) -> None:
        if per_minute is not None and (
            isinstance(per_minute, bool) or not isinstance(per_minute, int) or per_minute < 1
        ):
            raise ValueError("per_minute must be a positive integer or None")
        with self._lock:
            self._per_minute = per_minute
            self._stamps.clear()

    def admit(self, now: float | None = None) -> tuple[bool, dict[str, str]]:
        """(admitted, headers): the X-Rate-Limit headers, and Retry-After when refused."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            if self._per_minute is None:
                return True, {}
            while self._stamps and self._stamps[0] <= moment - self.WINDOW:
                self._stamps.popleft()
            limit = self._per_minute
            if len(self._stamps) >= limit:
                wait = self._stamps[0] + self.WINDOW - moment
                return False, {
                    "Retry-After": str(max(1, math.ceil(wait))),
                    "X-Rate-Limit": str(limit),
                    "X-Rate-Limit-Remaining": "0",
                }
            self._stamps.append(moment)
            return True, {
                "X-Rate-Limit": str(limit),
                "X-Rate-Limit-Remaining": str(limit - len(self._stamps)),
            }


class RequestLog:
    """Every API request the Zendesk stand-in saw (admin calls excluded), in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[JsonDict] = []

    def record(self, entry: JsonDict) -> JsonDict:
        """Log a request on arrival (status None until answered, and for ever if dropped)."""
        with self._lock:
            self._entries.append(entry)
        return entry

    def finish(self, entry: JsonDict, status: int) -> None:
        with self._lock:
            entry["status"] = status

    def entries(self) -> list[JsonDict]:
        with self._lock:
            return copy.deepcopy(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
