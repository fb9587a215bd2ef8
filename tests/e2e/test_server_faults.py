"""The Procfile's gunicorn under faults of its own: workers exiting, a reload, malformed door
headers, and hundreds of half-sent requests. Each test starts its own server, since it signals
or floods it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.worker import READ_DEADLINE
from standins.harness import Agent, ProcfileServer
from standins.slack import SlackStandIn
from standins.slack.standin import signature

HALF_SENT = 300
FORM = "application/x-www-form-urlencoded"


def port(fresh_bot: ProcfileServer) -> int:
    return int(fresh_bot.env["PORT"])


def workers(master: int) -> set[int]:
    """The master's children, from /proc (gunicorn's workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren.
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            found.add(int(entry.name))
    return found


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def post(
    fresh_bot: ProcfileServer, body: bytes, timestamp: str, sig: str, timeout: float = 10.0
) -> tuple[int, float]:
    """POST /slack/events with these door headers, exactly; (status, seconds to answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port(fresh_bot), timeout=timeout)
    started = time.monotonic()
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", FORM)
        connection.putheader("Content-Length", str(len(body)))
        # Raw bytes, so a non-ASCII header goes out as it would from a hostile client.
        connection.putheader("X-Slack-Request-Timestamp", timestamp.encode("utf-8"))
        connection.putheader("X-Slack-Signature", sig.encode("utf-8"))
        connection.endheaders(body)
        answer = connection.getresponse()
        answer.read()
        return answer.status, time.monotonic() - started
    finally:
        connection.close()


def signed(slack: SlackStandIn, body: bytes) -> tuple[str, str]:
    timestamp = str(int(time.time()))
    return timestamp, signature(slack.signing_secret, timestamp, body)


def healthz(fresh_bot: ProcfileServer, timeout: float = 10.0) -> tuple[int, float]:
    started = time.monotonic()
    with urllib.request.urlopen(f"{fresh_bot.url}/healthz", timeout=timeout) as answer:
        return answer.status, time.monotonic() - started


def help_body(tag: str) -> bytes:
    # `/partner-fix help` is answered in the ack alone: a signed request with no other effect.
    return f"command=/partner-fix&text=help&user_id=U0AGENT1&channel_id=C0SUPPORT&x={tag}".encode()


def every_request_answered(fresh_bot: ProcfileServer, avery: Agent, rounds: int = 6) -> None:
    """Enough requests that both workers get some: each is answered, each modal opens."""
    for _ in range(rounds):
        avery.command("")  # asserts the modal opened (views.open ok)
        body = help_body(str(time.monotonic_ns()))
        assert post(fresh_bot, body, *signed(avery.slack, body))[0] == 200


def test_a_worker_exit_and_a_reload_keep_the_door_and_its_memory(
    fresh_bot: ProcfileServer, slack: SlackStandIn, avery: Agent
) -> None:
    assert fresh_bot.process is not None
    master = fresh_bot.process.pid
    seen_body = help_body("seen-before")
    seen = signed(slack, seen_body)
    assert post(fresh_bot, seen_body, *seen)[0] == 200

    # /healthz answered as soon as one worker was up; the second may still be booting.
    wait_until(lambda: len(workers(master)) == 2, 20, "gunicorn did not start two workers")
    first = workers(master)
    os.kill(min(first), signal.SIGTERM)
    wait_until(
        lambda: len(now := workers(master)) == 2 and min(first) not in now,
        20,
        "gunicorn did not replace the worker",
    )
    every_request_answered(fresh_bot, avery)
    # The replay store outlived the worker: a request seen before is still refused.
    assert post(fresh_bot, seen_body, *seen)[0] == 401

    before_reload = workers(master)
    os.kill(master, signal.SIGHUP)
    wait_until(
        lambda: len(now := workers(master)) == 2 and not now & before_reload,
        30,
        "gunicorn did not reload its workers",
    )
    every_request_answered(fresh_bot, avery)
    assert post(fresh_bot, seen_body, *seen)[0] == 401
    assert healthz(fresh_bot)[0] == 200
    log = fresh_bot.log_path.read_text(errors="replace")
    assert "FileNotFoundError" not in log and "Traceback" not in log


MALFORMED_TIMESTAMPS = {
    "letters": "abc",
    "empty": "",
    "huge": "9" * 300,
    "float": "1700000000.5",
    "negative": "-5",
    "arabic-digits": "\u0661\u0667" + "\u0660" * 8,
    "non-ascii": "\u00e9t\u00e9",
}
MALFORMED_SIGNATURES = {
    "no-prefix": "0" * 64,
    "empty-hash": "v0=",
    "non-ascii": "v0=" + "\u00fc" * 64,
    "v1": "v1=" + "0" * 64,
    "one-non-ascii": "v0=" + "0" * 63 + "\u00e9",
}


@pytest.mark.parametrize(
    ("header", "value"),
    [
        *(
            pytest.param("timestamp", v, id=f"timestamp-{k}")
            for k, v in MALFORMED_TIMESTAMPS.items()
        ),
        *(
            pytest.param("signature", v, id=f"signature-{k}")
            for k, v in MALFORMED_SIGNATURES.items()
        ),
    ],
)
def test_a_malformed_timestamp_or_signature_is_a_401_with_one_info_line(
    fresh_bot: ProcfileServer, slack: SlackStandIn, header: str, value: str
) -> None:
    body = help_body(f"malformed-{header}")
    timestamp, sig = signed(slack, body)  # the other header stays good
    if header == "timestamp":
        timestamp = value
    else:
        sig = value
    assert post(fresh_bot, body, timestamp, sig)[0] == 401
    time.sleep(0.2)  # let the log line land
    log = fresh_bot.log_path.read_text(errors="replace")
    assert "Traceback" not in log
    lines = [json.loads(line) for line in log.splitlines() if "{" in line]
    refused = [line for line in lines if line.get("message") == "refused a request"]
    assert len(refused) == 1 and refused[0]["level"] == "INFO"
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL") or "error" in line]


def half_sent(fresh_bot: ProcfileServer, count: int) -> list[socket.socket]:
    """`count` connections that start a request and never finish it: half stop inside the
    headers, half inside the body."""
    opened = []
    for index in range(count):
        sock = socket.create_connection(("127.0.0.1", port(fresh_bot)), timeout=10)
        start = (
            b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: " + FORM.encode() + b"\r\n"
        )
        if index % 2:
            sock.sendall(start + b"X-Slack-Req")
        else:
            sock.sendall(start + b"Content-Length: 500\r\n\r\ncommand=/partner")
        opened.append(sock)
    return opened


def test_half_sent_requests_do_not_stop_the_server(
    fresh_bot: ProcfileServer, slack: SlackStandIn, avery: Agent
) -> None:
    stalled = half_sent(fresh_bot, HALF_SENT)
    try:
        time.sleep(0.5)  # every one of them accepted and waiting
        status, health_seconds = healthz(fresh_bot)
        assert status == 200 and health_seconds < 3.0
        body = help_body("under-load")
        status, signed_seconds = post(fresh_bot, body, *signed(slack, body))
        assert status == 200 and signed_seconds < 3.0  # Slack's ack window
        avery.command("")  # and a modal still opens
        print(
            f"under {HALF_SENT} half-sent: /healthz {health_seconds:.3f}s, "
            f"signed {signed_seconds:.3f}s"
        )
    finally:
        for sock in stalled:
            sock.close()


def test_a_half_sent_request_is_cut_off_at_the_deadline(fresh_bot: ProcfileServer) -> None:
    (sock,) = half_sent(fresh_bot, 1)
    started = time.monotonic()
    try:
        sock.settimeout(READ_DEADLINE + 5)
        answer = sock.recv(4096)
        waited = time.monotonic() - started
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408")
    assert READ_DEADLINE - 1 <= waited <= READ_DEADLINE + 2.5
