"""The WSGI routes alone: /healthz says whether the door check can run; a malformed door header
is a 401 with one INFO line."""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.slack.guard import RequestGuard, SeenSignatures
from bot.web import WsgiApp
from bot.wiring import build_fixes, build_wsgi


def call(
    app: WsgiApp, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[str, dict[str, Any]]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(body),
        **(headers or {}),
    }
    status: list[str] = []
    out = b"".join(app(environ, lambda s, h: status.append(s)))
    return status[0], json.loads(out)


@pytest.fixture
def door(tmp_path: Path) -> RequestGuard:
    return RequestGuard("test-signing-secret", SeenSignatures(tmp_path / "seen"))


@pytest.fixture
def app(settings: Settings, door: RequestGuard) -> WsgiApp:
    return build_wsgi(settings, build_fixes(settings), door)


def test_healthz_is_503_when_the_store_cannot_be_used(
    app: WsgiApp, door: RequestGuard, tmp_path: Path
) -> None:
    assert call(app, "GET", "/healthz")[0] == "200 OK"
    shutil.rmtree(tmp_path / "seen")
    assert call(app, "GET", "/healthz")[0] == "200 OK"  # made again
    (tmp_path / "seen").rmdir()
    (tmp_path / "seen").write_text("in the way")
    status, body = call(app, "GET", "/healthz")
    assert status.startswith("503") and body["ok"] is False


def test_a_letter_timestamp_is_a_401_and_one_info_line(
    app: WsgiApp, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"HTTP_X_SLACK_REQUEST_TIMESTAMP": "abc", "HTTP_X_SLACK_SIGNATURE": "v0=" + "0" * 64}
    with caplog.at_level(logging.DEBUG):
        status, _ = call(app, "POST", "/slack/events", headers, b"command=/partner-fix")
    assert status == "401 Unauthorized"
    lines = [r for r in caplog.records if r.name.startswith("bot")]
    assert [(r.levelname, r.exc_info) for r in lines] == [("INFO", None)]


def test_a_body_shorter_than_its_length_is_a_400(app: WsgiApp) -> None:
    environ_body = b"command=/partner-fix"
    status, body = call(app, "POST", "/slack/events", {"CONTENT_LENGTH": "100"}, environ_body)
    assert status.startswith("400") and body["error"] == "bad_length"
