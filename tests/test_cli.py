"""The command line, run as a user runs it (a subprocess) against the sandbox over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.slack import SlackStandIn
from bot.sandbox.zendesk import ZendeskSandbox

ROOT = Path(__file__).resolve().parent.parent


def run(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def env(sandbox: ZendeskSandbox) -> dict[str, str]:
    email, token = sandbox.credentials
    return {"ZENDESK_URL": sandbox.url, "ZENDESK_EMAIL": email, "ZENDESK_API_TOKEN": token}


def test_plan_shows_ticket_suggestion_and_changes(env: dict, tmp_path: Path) -> None:
    done = run(
        ["plan", "https://gitlab.zendesk.com/agent/tickets/512301", "--scenario",
         "customer_account", "--customer-email", "carla@globex.example"], env, tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Suggested scenario: customer_account" in out
    assert "Requester: carla@globex.exmaple → Carla Customer (carla@globex.example)" in out
    assert "Organization: no organization → Globex Corporation (ultimate)" in out


def test_plan_refusal_exits_1_and_writes_nothing(
    env: dict, tmp_path: Path, sandbox: ZendeskSandbox
) -> None:
    done = run(
        ["plan", "512308", "-s", "services_engagement", "--customer-email",
         "contractor@globex.example"], env, tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Refused (never_cross_associate)" in done.stdout
    assert all(r["method"] == "GET" for r in sandbox.requests())


def test_fix_confirms_then_applies_and_undo_reverses(
    env: dict, tmp_path: Path, sandbox: ZendeskSandbox
) -> None:
    args = ["fix", "#512304", "--scenario", "partner_nfr"]
    declined = run(args, env, tmp_path, stdin="n\n")
    assert declined.returncode == 1 and "Not applied" in declined.stdout
    assert sandbox.ticket(512304)["organization_id"] is None
    applied = run(args, env, tmp_path, stdin="y\n")
    assert applied.returncode == 0, applied.stderr
    assert "Applied: ticket 512304" in applied.stdout
    assert "Whose subscription: Acme DevOps Partners: the partner's NFR licences" in applied.stdout
    assert sandbox.ticket(512304)["organization_id"] == 360100000001
    undone = run(["undo", "512304", "--yes"], env, tmp_path)
    assert undone.returncode == 0, undone.stderr
    assert "Undone: ticket 512304" in undone.stdout
    assert sandbox.ticket(512304)["organization_id"] is None
    again = run(["undo", "512304", "--yes"], env, tmp_path)
    assert again.returncode == 1 and "already undone" in again.stderr


def test_fix_without_a_terminal_answer_does_nothing(
    env: dict, tmp_path: Path, sandbox: ZendeskSandbox
) -> None:
    done = run(["fix", "512304", "-s", "partner_nfr"], env, tmp_path, stdin="")
    assert done.returncode == 1
    assert sandbox.ticket(512304)["organization_id"] is None


@pytest.mark.parametrize(
    "ticket",
    [
        "https://evil.example/agent/tickets/1",
        "0",
        "abc",
        "https://gitlab.zendesk.com/agent/users/5",
    ],
)
def test_bad_ticket_references_are_usage_errors(env: dict, tmp_path: Path, ticket: str) -> None:
    done = run(["plan", ticket, "-s", "partner_nfr"], env, tmp_path)
    assert done.returncode == 2
    assert "partner-fix:" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def slack_stand_in() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        yield stand_in


def test_check_reports_ok_and_bad_credentials(
    env: dict, tmp_path: Path, slack_stand_in: SlackStandIn
) -> None:
    slack = {"SLACK_BOT_TOKEN": slack_stand_in.bot_token, "SLACK_API_URL": slack_stand_in.url}
    ok = run(["check"], {**env, **slack, "SLACK_ALLOWED_USERGROUP": "S0SUPPORT"}, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 members may use the bot" in ok.stdout
    bad = run(["check"], {**env, **slack, "ZENDESK_API_TOKEN": "wrong"}, tmp_path)
    assert bad.returncode == 1 and "credentials" in bad.stdout
    no_slack = run(["check"], {**env, **slack, "SLACK_BOT_TOKEN": "xoxb-wrong"}, tmp_path)
    assert no_slack.returncode == 1 and "SLACK_BOT_TOKEN: Slack refused it" in no_slack.stdout
    group = run(["check"], {**env, **slack, "SLACK_ALLOWED_USERGROUP": "S0NOPE"}, tmp_path)
    assert group.returncode == 1 and "SLACK_ALLOWED_USERGROUP" in group.stdout


def test_missing_and_malformed_settings_are_named_all_at_once(tmp_path: Path) -> None:
    done = run(["plan", "1", "-s", "partner_nfr"], {"ZENDESK_ORG_EMAIL_FIELD_ID": "x"}, tmp_path)
    assert done.returncode == 2
    for name in ("ZENDESK_ORG_EMAIL_FIELD_ID", "ZENDESK_SUBDOMAIN", "ZENDESK_API_TOKEN"):
        assert name in done.stderr
    assert "Traceback" not in done.stderr


def test_dotenv_is_read_and_environment_wins(env: dict, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "\n".join(f"{k}={v}" for k, v in env.items()) + "\nZENDESK_API_TOKEN=wrong\n"
    )
    bad = run(["plan", "512304", "-s", "partner_nfr"], {}, tmp_path)
    assert bad.returncode == 1 and "credentials" in bad.stderr
    good = run(
        ["plan", "512304", "-s", "partner_nfr"],
        {"ZENDESK_API_TOKEN": env["ZENDESK_API_TOKEN"]},
        tmp_path,
    )
    assert good.returncode == 0, good.stdout + good.stderr


def test_help_on_every_command(tmp_path: Path) -> None:
    for args in (["--help"], ["plan", "--help"], ["fix", "--help"], ["undo", "--help"],
                 ["check", "--help"], ["sandbox", "--help"]):  # fmt: skip
        done = run(args, {}, tmp_path)
        assert done.returncode == 0, (args, done.stderr)
        assert "usage:" in done.stdout
    assert run(["plan", "1"], {}, tmp_path).returncode == 2  # --scenario missing


def test_python_m_bot_serves_http_on_port(
    env: dict, tmp_path: Path, slack_stand_in: SlackStandIn
) -> None:
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            **env,
            "PORT": str(port),
            "SLACK_BOT_TOKEN": slack_stand_in.bot_token,
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack_stand_in.url,
        },
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.1)
        else:
            raise AssertionError("python -m bot did not serve /healthz")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)


def test_socket_mode_is_chosen_by_the_app_token_and_a_refusal_is_explained(
    env: dict, tmp_path: Path, slack_stand_in: SlackStandIn
) -> None:
    slack_stand_in.reset()
    done = run(
        [],
        {**env, "SLACK_BOT_TOKEN": slack_stand_in.bot_token, "SLACK_API_URL": slack_stand_in.url,
         "SLACK_APP_TOKEN": "xapp-1-not-accepted"},
        tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Socket Mode" in done.stderr and "SLACK_APP_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr
    # Socket Mode asked Slack for a connection (the stand-in has none to give).
    assert len(slack_stand_in.calls("apps.connections.open")) == 1
