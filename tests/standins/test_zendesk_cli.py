"""`python -m bot sandbox` (the stand-in's `main`): help, seed errors, and serving until Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from standins.zendesk import main
from standins.zendesk.world import bundled_seed
from tests.standins.zendesk_http import Http, basic

pytestmark = pytest.mark.timeout(20)

REPO = Path(__file__).resolve().parents[2]


def test_help_explains_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "--port" in text and "--seed" in text and "Zendesk" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read seed file"),
        ("{not json", "not valid JSON"),
        ("[]", "must hold a JSON object"),
        ('{"users": [{"id": "seven", "name": "x"}], "auth": {}}', "users[0].id"),
    ],
)
def test_bad_seed_file_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    seed = tmp_path / "seed.json"
    if content is not None:
        seed.write_text(content)
    assert main(["--seed", str(seed), "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: bad seed:") and message in error


def test_serves_the_seed_and_prints_the_settings_until_interrupted(tmp_path: Path) -> None:
    seed = bundled_seed()
    seed["tickets"] = seed["tickets"][:1]
    seed_file = tmp_path / "small.json"
    seed_file.write_text(json.dumps(seed))
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0", "--seed", str(seed_file)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        settings: dict[str, str] = {}
        deadline = time.monotonic() + 10
        while "ZENDESK_API_TOKEN" not in settings and time.monotonic() < deadline:
            line = process.stdout.readline().strip()
            name, _, value = line.partition("=")
            if name.startswith("ZENDESK_"):
                settings[name] = value
        assert settings["ZENDESK_EMAIL"] == "sam@gitlab.example"
        http = Http(
            settings["ZENDESK_URL"],
            basic(f"{settings['ZENDESK_EMAIL']}/token", settings["ZENDESK_API_TOKEN"]),
        )
        assert http.get("/api/v2/tickets/512301.json").status == 200
        assert http.get("/api/v2/tickets/512302.json").status == 404
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None and process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
