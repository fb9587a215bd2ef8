"""What the stand-in does to requests besides answering them: faults and rate limits.

These exist so tests and benchmarks can reproduce the failures a bot meets in production
(timeouts, a PUT that landed but whose answer was lost, HTML 502 pages, 429 storms) on demand.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator, validate_call

JsonDict = dict[str, Any]
Seconds = Annotated[float, Field(ge=0, strict=True)]
PerMinute = Annotated[int, Field(ge=1, strict=True)]


class Fault(BaseModel):
    """The next `count` requests matching `method` ('*': any) and `path_pattern` (re.fullmatch)
    get this treatment; the model checks the arguments (its ValidationError is a ValueError)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    method: Annotated[str, Field(min_length=1)]
    path_pattern: re.Pattern[str]
    status: Annotated[int, Field(ge=100, le=599)] | None = None
    count: Annotated[int, Field(ge=1)] = 1
    retry_after: Annotated[int, Field(ge=0)] | None = None
    # A string body is served as HTML, like a proxy's error page.
    body: str | JsonDict | None = None
    delay: Seconds = 0.0
    # The request really happens; only its answer is delayed, replaced or lost.
    apply_first: bool = False
    drop: bool = False
    # How the answer travels: `cut` sends the headers and half the body, then closes (a proxy
    # or a connection dying mid-answer); `drip` sends the body one byte every `drip` seconds (a
    # congested link), so each read is quick and the whole answer is not.
    cut: bool = False
    drip: Seconds = 0.0

    @classmethod
    def build(cls, method: str, path_pattern: str, **options: Any) -> Fault:
        """None for an option means its default (the admin API's JSON sends null)."""
        chosen = {k: v for k, v in options.items() if v is not None}
        return cls.model_validate({"method": method, "path_pattern": path_pattern, **chosen})

    @model_validator(mode="after")
    def _does_something(self) -> Fault:
        if self.status is None and not (self.drop or self.cut or self.delay or self.drip):
            raise ValueError(
                "a fault needs a status, a delay, a drip, cut=True or drop=True to do anything"
            )
        self.method = self.method.upper()
        return self

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.path_pattern.fullmatch(path) is not None

    @property
    def replaces_answer(self) -> bool:
        """False for a pure delay: the request is then answered normally, only later."""
        return self.status is not None or self.drop


class RateLimiter:
    """An account-wide sliding one-minute window, like Zendesk's requests-per-minute limit."""

    WINDOW = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_minute: int | None = None
        self._stamps: deque[float] = deque()

    @validate_call  # a ValidationError (a ValueError) for anything but None or a count
    def configure(self, per_minute: PerMinute | None) -> None:
        with self._lock:
            self._per_minute = per_minute
            self._stamps.clear()

    def admit(self) -> tuple[bool, dict[str, str]]:
        """(admitted, headers): the X-Rate-Limit headers, and Retry-After when refused."""
        moment = time.monotonic()
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
