"""The production server (the Procfile's gunicorn command) against both stand-ins, over HTTP."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.drive import Agent, new_signing_secret
from bot.sandbox.slack import SlackStandIn
from bot.sandbox.zendesk import ZendeskSandbox

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_GROUP = "S0SUPPORT"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def procfile_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("Procfile has no web: line")


@pytest.fixture(scope="session")
def slack_server() -> Iterator[SlackStandIn]:
    with SlackStandIn(signing_secret=new_signing_secret()) as server:
        yield server


@dataclass(frozen=True)
class BotProcess:
    url: str
    log_path: Path


@pytest.fixture(scope="session")
def bot(
    sandbox_server: ZendeskSandbox,
    slack_server: SlackStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BotProcess]:
    port = free_port()
    email, token = sandbox_server.credentials
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "PORT": str(port),
        "SLACK_BOT_TOKEN": slack_server.bot_token,
        "SLACK_SIGNING_SECRET": slack_server.signing_secret,
        "SLACK_API_URL": slack_server.url,
        "SLACK_ALLOWED_USERGROUP": ALLOWED_GROUP,
        "ZENDESK_URL": sandbox_server.url,
        "ZENDESK_SUBDOMAIN": "gitlab",
        "ZENDESK_EMAIL": email,
        "ZENDESK_API_TOKEN": token,
        "LOG_LEVEL": "INFO",
    }
    log_path = tmp_path_factory.mktemp("bot") / "bot.log"
    command = procfile_command().replace("${PORT:-3000}", str(port))
    bin_dir = Path(sys.executable).parent
    argv = shlex.split(command)
    argv[0] = str(bin_dir / argv[0])
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError("gunicorn did not start:\n" + log_path.read_text())
        time.sleep(0.1)
    slack_server.app_url = f"{url}/slack/events"
    yield BotProcess(url, log_path)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def slack(slack_server: SlackStandIn, sandbox: ZendeskSandbox, bot: BotProcess) -> SlackStandIn:
    slack_server.reset()
    slack_server.app_url = f"{bot.url}/slack/events"
    return slack_server


@pytest.fixture
def avery(slack: SlackStandIn) -> Agent:
    return Agent(slack, "U0AGENT1", "C0SUPPORT")
