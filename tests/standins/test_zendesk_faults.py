"""The stand-in's test controls: faults, rate limit, latency, request log, reset, admin API."""

from __future__ import annotations

import http.client
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from standins.zendesk import ZendeskSandbox
from standins.zendesk.world import World
from tests.standins import zendesk_schemas as schema
from tests.standins.zendesk_http import Http, basic

pytestmark = pytest.mark.timeout(15)

CARLA, GLOBEX, ACME = 4101000000101, 360100000011, 360100000001
TICKET_PATH = r"/api/v2/tickets/\d+\.json"
FIX = {"ticket": {"requester_id": CARLA, "organization_id": GLOBEX}}


def test_fault_status_with_retry_after_and_default_body(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    zendesk.inject("GET", TICKET_PATH, status=429, retry_after=7)
    limited = zendesk_api.get("/api/v2/tickets/512301.json")
    assert (limited.status, limited.headers["Retry-After"]) == (429, "7")
    schema.RateLimitedError.model_validate(limited.json())
    zendesk.inject("GET", TICKET_PATH, status=503, body={"error": "Maintenance"})
    unavailable = zendesk_api.get("/api/v2/tickets/512301.json")
    assert (unavailable.status, unavailable.json()) == (503, {"error": "Maintenance"})
    assert "Retry-After" not in unavailable.headers
    zendesk.inject("PUT", TICKET_PATH, status=409)
    schema.UpdateConflictError.model_validate(zendesk_api.put("/api/v2/tickets/1.json", FIX).json())
    assert zendesk_api.get("/api/v2/tickets/512301.json").status == 200


def test_text_body_is_served_as_html_like_a_proxy_error_page(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    zendesk.inject("*", r"/api/v2/.*", status=502, body=page)
    answer = zendesk_api.put("/api/v2/tickets/512301.json", FIX)
    assert (answer.status, answer.text) == (502, page)
    assert answer.headers["Content-Type"].startswith("text/html")
    assert zendesk.ticket(512301)["requester_id"] != CARLA


def test_fault_count_is_used_up_and_only_matching_requests_count(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    zendesk.inject("GET", r"/api/v2/tickets/512301\.json", status=500, count=2)
    # Not a full match of the path, and not the method: untouched.
    assert zendesk_api.get("/api/v2/tickets/512301/audits.json").status == 200
    assert zendesk_api.put("/api/v2/tickets/512301.json", {"ticket": {}}).status == 200
    statuses = [zendesk_api.get("/api/v2/tickets/512301.json").status for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert zendesk.faults() == []


def test_delay_alone_answers_normally_but_late(zendesk: ZendeskSandbox, zendesk_api: Http) -> None:
    zendesk.inject("GET", TICKET_PATH, delay=0.3)
    started = time.monotonic()
    answer = zendesk_api.get("/api/v2/tickets/512301.json")
    assert answer.status == 200 and time.monotonic() - started >= 0.3
    zendesk.inject("GET", TICKET_PATH, delay=1.0)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        zendesk_api.get("/api/v2/tickets/512301.json", timeout=0.2)


def test_apply_first_changes_state_before_the_fault_answers(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    stamp = zendesk.ticket(512301)["updated_at"]
    zendesk.inject("PUT", TICKET_PATH, status=504, apply_first=True)
    body = {"ticket": {**FIX["ticket"], "safe_update": True, "updated_stamp": stamp}}
    lost = zendesk_api.put("/api/v2/tickets/512301.json", body)
    assert lost.status == 504
    assert zendesk.ticket(512301)["requester_id"] == CARLA
    # The client's retry with the same stamp now meets the safe_update check.
    assert zendesk_api.put("/api/v2/tickets/512301.json", body).status == 409


def test_drop_closes_the_connection_without_an_answer(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    zendesk.inject("PUT", TICKET_PATH, drop=True)
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError, ConnectionError)):
        zendesk_api.put("/api/v2/tickets/512301.json", FIX)
    assert zendesk.ticket(512301)["requester_id"] != CARLA
    zendesk.inject("PUT", TICKET_PATH, drop=True, apply_first=True)
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError, ConnectionError)):
        zendesk_api.put("/api/v2/tickets/512301.json", FIX)
    assert zendesk.ticket(512301)["requester_id"] == CARLA
    dropped = [e for e in zendesk.requests() if e["method"] == "PUT"]
    assert [e["status"] for e in dropped] == [None, None]


def test_invalid_fault_arguments_are_refused(zendesk: ZendeskSandbox) -> None:
    with pytest.raises(ValueError, match="regular expression"):
        zendesk.inject("GET", "(", status=500)
    with pytest.raises(ValueError, match="count"):
        zendesk.inject("GET", ".*", status=500, count=0)
    with pytest.raises(ValueError, match="needs a status"):
        zendesk.inject("GET", ".*")


def test_rate_limit_answers_429_with_retry_after(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    zendesk.set_rate_limit(3)
    answers = [zendesk_api.get("/api/v2/tickets/512301.json") for _ in range(4)]
    assert [a.status for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-Rate-Limit"] == "3"
    assert answers[2].headers["X-Rate-Limit-Remaining"] == "0"
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    schema.RateLimitedError.model_validate(answers[3].json())
    zendesk.set_rate_limit(None)
    assert zendesk_api.get("/api/v2/tickets/512301.json").status == 200


def test_latency_is_added_to_every_api_answer(zendesk: ZendeskSandbox, zendesk_api: Http) -> None:
    zendesk.set_latency(0.25)
    started = time.monotonic()
    assert zendesk_api.get("/api/v2/users/me.json").status == 200
    assert time.monotonic() - started >= 0.25
    zendesk.set_latency(0)


def test_request_log_records_api_calls_with_status_and_body(
    zendesk: ZendeskSandbox, zendesk_api: Http, zendesk_admin: Http
) -> None:
    zendesk.inject("GET", r"/api/v2/users/search\.json", status=500)
    zendesk_api.get("/api/v2/users/search.json?query=email:carla@globex.example&include=a,b")
    zendesk_api.put("/api/v2/tickets/512301.json", FIX)
    Http(zendesk.url).get("/api/v2/tickets/512301.json")
    zendesk_admin.get("/_sandbox/requests")
    log = zendesk.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/api/v2/users/search.json", 500),
        ("PUT", "/api/v2/tickets/512301.json", 200),
        ("GET", "/api/v2/tickets/512301.json", 401),
    ]
    assert log[0]["query"] == {"query": "email:carla@globex.example", "include": "a,b"}
    assert log[1]["body"] == FIX and log[0]["body"] is None
    assert all(isinstance(e["at"], float) for e in log)
    assert set(log[0]) == {"method", "path", "query", "status", "body", "at"}
    zendesk.clear_requests()
    assert zendesk.requests() == []


def test_reset_restores_the_seed_and_clears_log_and_faults(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    original = zendesk.ticket(512301)
    zendesk_api.put("/api/v2/tickets/512301.json", FIX)
    new_user = {"requester": {"name": "X", "email": "x@y.z"}, "organization_id": None}
    assert zendesk_api.put("/api/v2/tickets/512302.json", {"ticket": new_user}).status == 200
    zendesk.inject("GET", ".*", status=500, count=5)
    zendesk.set_latency(0.5)
    zendesk.reset()
    assert zendesk.ticket(512301) == original
    assert zendesk.requests() == [] and zendesk.faults() == []
    started = time.monotonic()
    assert zendesk_api.get("/api/v2/users/search.json?query=email:x@y.z").json()["count"] == 0
    assert time.monotonic() - started < 0.5
    with pytest.raises(KeyError):
        zendesk.ticket(1)


def test_admin_api_drives_everything_over_plain_http(
    zendesk: ZendeskSandbox, zendesk_api: Http, zendesk_admin: Http
) -> None:
    fault = {
        "method": "PUT",
        "path_pattern": TICKET_PATH,
        "status": 502,
        "body": "<html>Bad gateway</html>",
        "count": 1,
        "apply_first": True,
    }
    assert zendesk_admin.post("/_sandbox/faults", fault).json() == {"ok": True}
    assert zendesk_admin.get("/_sandbox/faults").json()[0]["status"] == 502
    assert zendesk_api.put("/api/v2/tickets/512301.json", FIX).status == 502
    ticket = zendesk_admin.get("/_sandbox/tickets/512301").json()
    assert ticket["requester_id"] == CARLA
    schema.Ticket.model_validate(ticket)
    assert zendesk_admin.get("/_sandbox/tickets/1").status == 404
    log = zendesk_admin.get("/_sandbox/requests").json()
    assert [(e["method"], e["status"]) for e in log] == [("PUT", 502)]
    assert zendesk_admin.delete("/_sandbox/requests").json() == {"ok": True}
    assert zendesk_admin.get("/_sandbox/requests").json() == []

    every_key = dict.fromkeys(("count", "retry_after", "body", "delay", "apply_first", "drop"))
    fault = {"method": "GET", "path_pattern": ".*", "status": 500, **every_key}
    assert zendesk_admin.post("/_sandbox/faults", fault).json() == {"ok": True}
    assert zendesk_admin.delete("/_sandbox/faults").json() == {"ok": True}
    assert zendesk_api.get("/api/v2/tickets/512301.json").status == 200

    zendesk_admin.post("/_sandbox/rate_limit", {"per_minute": 1})
    assert [zendesk_api.get("/api/v2/users/me.json").status for _ in range(2)] == [200, 429]
    zendesk_admin.post("/_sandbox/rate_limit", {"per_minute": None})
    zendesk_admin.post("/_sandbox/latency", {"seconds": 0.2})
    started = time.monotonic()
    zendesk_api.get("/api/v2/users/me.json")
    assert time.monotonic() - started >= 0.2

    assert zendesk_admin.post("/_sandbox/reset").json() == {"ok": True}
    assert zendesk_admin.get("/_sandbox/tickets/512301").json()["requester_id"] != CARLA
    assert zendesk_admin.get("/_sandbox/requests").json() == []


def test_admin_api_rejects_bad_arguments(zendesk_admin: Http) -> None:
    bad = [
        {"method": "GET"},
        {"method": "GET", "path_pattern": "(", "status": 500},
        {"method": "GET", "path_pattern": ".*", "status": 500, "colour": "red"},
        {"method": "GET", "path_pattern": ".*", "status": "500"},
    ]
    for body in bad:
        answer = zendesk_admin.post("/_sandbox/faults", body)
        assert answer.status == 400
        schema.BadRequestError.model_validate(answer.json())
    assert zendesk_admin.post("/_sandbox/latency", {"seconds": -1}).status == 400
    assert zendesk_admin.post("/_sandbox/rate_limit", {"per_minute": 0}).status == 400
    assert zendesk_admin.post("/_sandbox/faults", raw=b"{").status == 400
    assert zendesk_admin.get("/_sandbox/nothing").status == 404


def test_keep_alive_and_connection_close_both_work(
    zendesk: ZendeskSandbox, zendesk_api: Http
) -> None:
    parts = urlsplit(zendesk.url)
    authorization = zendesk_api.authorization or ""
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        sockets = []
        for _ in range(3):
            connection.request(
                "GET", "/api/v2/tickets/512301.json", headers={"Authorization": authorization}
            )
            response = connection.getresponse()
            assert response.status == 200 and response.read()
            sockets.append(connection.sock)
        # One connection served all three requests.
        assert sockets[0] is not None and all(s is sockets[0] for s in sockets)
        connection.request(
            "GET",
            "/api/v2/users/me.json",
            headers={"Authorization": authorization, "Connection": "close"},
        )
        response = connection.getresponse()
        assert response.status == 200 and response.read()
        assert response.getheader("Connection") == "close" or connection.sock is None
    finally:
        connection.close()
    request = urllib.request.Request(zendesk.url + "/api/v2/users/me.json")
    request.add_header("Authorization", authorization)
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 200


def test_a_stopped_sandbox_is_down_even_on_kept_alive_connections() -> None:
    sandbox = ZendeskSandbox().start()
    email, token = sandbox.credentials
    authorization = Http(sandbox.url, basic(f"{email}/token", token)).authorization or ""
    parts = urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=2)
    try:
        connection.request("GET", "/api/v2/users/me.json", headers={"Authorization": authorization})
        assert connection.getresponse().read()
        sandbox.stop()
        with pytest.raises(OSError):
            connection.request(
                "GET", "/api/v2/users/me.json", headers={"Authorization": authorization}
            )
            connection.getresponse()
    finally:
        connection.close()
        sandbox.stop()


# ---- the world's own lock ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w.add_membership(CARLA, ACME),
        lambda w: w.remove_membership(CARLA, GLOBEX),
        lambda w: w.update_organization(GLOBEX, tags=["open_partner"]),
        lambda w: w.add_organization("Globex Labs"),
        lambda w: w.create_end_user("Nina New", "nina@new.example"),
        lambda w: w.add_ticket({"requester_id": CARLA}),
        lambda w: w.organization_ids_of(CARLA),
    ],
    ids=[
        "add_membership",
        "remove_membership",
        "update_organization",
        "add_organization",
        "create_end_user",
        "add_ticket",
        "organization_ids_of",
    ],
)
def test_world_controls_wait_for_a_request_holding_the_world(
    zendesk: ZendeskSandbox, change: Callable[[World], Any]
) -> None:
    # Tests change the world from their own thread while the HTTP server's threads answer the
    # bot under `world.lock`: a change that did not take the lock could land mid-request.
    done = threading.Event()
    worker = threading.Thread(target=lambda: (change(zendesk.world), done.set()), daemon=True)
    with zendesk.world.lock:
        worker.start()
        assert not done.wait(0.2), "the change ran while a request held the world"
    assert done.wait(5), "the change never ran once the world was free"
