"""Structured logs: one JSON object per line, with the request id that follows one fix.

Customer emails are masked before they reach a log call (`mask_email`); secrets never are
passed in. As a second line of defence the formatter masks anything email-shaped in messages.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# Attributes every LogRecord has; anything else came in through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def mask_email(email: str | None) -> str | None:
    """`carla@globex.example` -> `c***@globex.example`: enough to tell cases apart, no more."""
    if not email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_text(text: str) -> str:
    return _EMAIL.sub(r"\1***@\2", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = mask_text(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["error"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def quiet() -> None:
    """For the command line when nobody asked for logs: its words are its output, and a log
    record must not fall through to Python's last-resort handler as a bare line on stderr."""
    root = logging.getLogger()
    root.handlers[:] = [logging.NullHandler()]
    root.setLevel(logging.CRITICAL)


def configure(level: str) -> None:
    """JSON lines on stderr. zenpy and urllib3 stay above DEBUG: they log request bodies."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("zenpy", "urllib3", "slack_sdk"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(level)))
    # Bolt logs the whole body of a request it rejects, at INFO.
    logging.getLogger("slack_bolt").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("slack_bolt.App").addFilter(_bolt_token_notice)


def _bolt_token_notice(record: logging.LogRecord) -> bool:
    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns, at every start,
    # that the client (or the `authorize` function) we give it, with that same token, wins.
    message = record.getMessage()
    return "`token` will be unused" not in message and "will be ignored" not in message
