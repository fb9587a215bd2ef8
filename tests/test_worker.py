"""When the worker's event loop holds a request whole (bot/worker.py): only then a thread."""

from __future__ import annotations

import pytest

from bot.slack.guard import MAX_BODY
from bot.worker import HEADER_LIMIT, request_state

HEAD = b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n"


@pytest.mark.parametrize(
    ("data", "state"),
    [
        (b"", ("more", 0)),
        (HEAD, ("more", 0)),
        (HEAD + b"\r\n", ("whole", 0)),
        (b"GET /healthz HTTP/1.1\r\n\r\n", ("whole", 0)),
        (HEAD + b"Content-Length: 5\r\n\r\nabc", ("more", 0)),
        (HEAD + b"content-length: 5\r\n\r\nabcde", ("whole", 0)),
        (HEAD + b"Content-Length: 5\r\n\r\nabcdeGET / HTTP/1.1", ("whole", 0)),
        (HEAD + b"Content-Length: x\r\n\r\n", ("whole", 0)),  # gunicorn answers 400
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n", ("refuse", 411)),
        (HEAD + f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode(), ("refuse", 413)),
        (HEAD + b"X: " + b"a" * HEADER_LIMIT, ("refuse", 431)),
        (HEAD + b"Content-Length: 3\r\nExpect: 100-continue\r\n\r\n", ("continue", 0)),
        (HEAD + b"Content-Length: 3\r\nExpect: 100-continue\r\n\r\na", ("more", 0)),
    ],
)
def test_request_state(data: bytes, state: tuple[str, int]) -> None:
    assert request_state(data) == state
