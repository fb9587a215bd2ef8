"""The command line, run as a user runs it (a subprocess) against the Zendesk stand-in over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from standins.slack import SlackStandIn
from standins.zendesk import ZendeskSandbox

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
def env(zendesk: ZendeskSandbox) -> dict[str, str]:
    email, token = zendesk.credentials
    return {"ZENDESK_URL": zendesk.url, "ZENDESK_EMAIL": email, "ZENDESK_API_TOKEN": token}


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
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    done = run(
        ["plan", "512308", "-s", "services_engagement", "--customer-email",
         "contractor@globex.example"], env, tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Refused (never_cross_associate)" in done.stdout
    assert all(r["method"] == "GET" for r in zendesk.requests())


def test_fix_confirms_then_applies_and_undo_reverses(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    args = ["fix", "#512304", "--scenario", "partner_nfr"]
    declined = run(args, env, tmp_path, stdin="n\n")
    assert declined.returncode == 1 and "Not applied" in declined.stdout
    assert zendesk.ticket(512304)["organization_id"] is None
    applied = run(args, env, tmp_path, stdin="y\n")
    assert applied.returncode == 0, applied.stderr
    assert "Applied: ticket 512304" in applied.stdout
    assert "Whose subscription: Acme DevOps Partners: the partner's NFR licences" in applied.stdout
    assert zendesk.ticket(512304)["organization_id"] == 360100000001
    declined = run(["undo", "512304"], env, tmp_path, stdin="n\n")
    # The prompt shows what Undo would write, as fix does, before anything is written.
    assert declined.returncode == 1 and "Not undone" in declined.stdout
    assert "Organization: Acme DevOps Partners (premium) → no organization" in declined.stdout, (
        declined.stdout
    )
    assert zendesk.ticket(512304)["organization_id"] == 360100000001
    undone = run(["undo", "512304", "--yes"], env, tmp_path)
    assert undone.returncode == 0, undone.stderr
    assert "Undone: ticket 512304" in undone.stdout
    assert zendesk.ticket(512304)["organization_id"] is None
    again = run(["undo", "512304", "--yes"], env, tmp_path)
    assert again.returncode == 1 and "already undone" in again.stderr


def test_fix_without_a_terminal_answer_does_nothing(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    done = run(["fix", "512304", "-s", "partner_nfr"], env, tmp_path, stdin="")
    assert done.returncode == 1
    assert zendesk.ticket(512304)["organization_id"] is None


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


def test_check_reports_ok_and_bad_credentials(
    env: dict, tmp_path: Path, slack: SlackStandIn
) -> None:
    web_api = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.url}
    ok = run(["check"], {**env, **web_api, "SLACK_ALLOWED_USERGROUP": "S0SUPPORT"}, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 members may use the bot" in ok.stdout
    bad = run(["check"], {**env, **web_api, "ZENDESK_API_TOKEN": "wrong"}, tmp_path)
    assert bad.returncode == 1 and "credentials" in bad.stdout
    no_slack = run(["check"], {**env, **web_api, "SLACK_BOT_TOKEN": "xoxb-wrong"}, tmp_path)
    assert no_slack.returncode == 1 and "SLACK_BOT_TOKEN: Slack refused it" in no_slack.stdout
    group = run(["check"], {**env, **web_api, "SLACK_ALLOWED_USERGROUP": "S0NOPE"}, tmp_path)
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


def test_python_m_bot_serves_http_on_port(env: dict, tmp_path: Path, slack: SlackStandIn) -> None:
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
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.url,
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
    env: dict, tmp_path: Path, slack: SlackStandIn
) -> None:
    slack.reset()
    done = run(
        [],
        {**env, "SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.url,
         "SLACK_APP_TOKEN": "xapp-1-not-accepted"},
        tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Socket Mode" in done.stderr and "SLACK_APP_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr
    # Socket Mode asked Slack for a connection (the stand-in has none to give).
    assert len(slack.calls("apps.connections.open")) == 1


# The rule at the moment of writing (issue #7), as the command line meets it.

CARLA, HANA = 4101000000101, 4101000000103
ACME, NORTHWIND, GLOBEX = 360100000001, 360100000002, 360100000011
BIG = 9007199254740993


def plain_lines(done: subprocess.CompletedProcess[str]) -> None:
    """What a person reads: plain lines, never a traceback or a bare log line."""
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream and '"levelname"' not in stream
        assert " ERROR " not in stream and " WARNING " not in stream


def writes_of(zendesk: ZendeskSandbox) -> list[dict]:
    return [r for r in zendesk.requests() if r["method"] != "GET"]


@pytest.mark.parametrize(
    "move",
    [
        lambda z: z.world.add_membership(CARLA, ACME, default=False),
        lambda z: z.world.update_organization(GLOBEX, tags=["open_partner"]),
        lambda z: z.world.update_organization(GLOBEX, fields={"account_type": "alliance_partner"}),
    ],
    ids=["membership", "org-tag", "org-field"],
)
def test_fix_on_a_customer_turned_partner_is_refused_with_the_reason(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox, move: Callable[[ZendeskSandbox], None]
) -> None:
    move(zendesk)
    done = run(
        ["fix", "512301", "-s", "customer_account", "--customer-email", "carla@globex.example",
         "--yes"], env, tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Refused (never_cross_associate): Carla Customer (carla@globex.example) belongs to " \
        "the partner organization" in done.stdout  # fmt: skip
    assert writes_of(zendesk) == []
    plain_lines(done)


def test_undo_that_would_put_a_partner_user_on_a_customer_org_is_refused(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    fixed = run(["fix", "512303", "-s", "partner_commercial", "--yes"], env, tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    zendesk.world.add_membership(HANA, NORTHWIND, default=False)
    zendesk.clear_requests()
    done = run(["undo", "512303", "--yes"], env, tmp_path)
    assert done.returncode == 1
    assert "Refused (never_cross_associate): Putting Hana Hooli" in done.stderr
    assert "no organization" not in done.stderr
    assert writes_of(zendesk) == []
    plain_lines(done)


def test_undo_of_a_planted_record_finds_nothing_to_undo(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    import requests

    record = {"version": 2, "action": "fix", "scenario": "customer_account",
              "request_id": "req-planted", "requested_by": "someone",
              "correction": {"requester": [4101000000102, CARLA],
                             "organization": [360100000012, GLOBEX]}}  # fmt: skip
    planted = requests.put(
        f"{zendesk.url}/api/v2/tickets/512309.json",
        json={"ticket": {"comment": {"body": "sync", "public": False},
                         "metadata": {"partner_fix": record}}},
        auth=("robin@gitlab.example/token", "sandbox-colleague-token"),
        timeout=5,
    )  # fmt: skip
    assert planted.status_code == 200
    zendesk.clear_requests()
    done = run(["undo", "512309", "--yes"], env, tmp_path)
    assert done.returncode == 1
    assert "Refused (nothing_to_undo): partner-fix has not corrected ticket 512309" in done.stderr
    assert writes_of(zendesk) == [] and zendesk.ticket(512309)["requester_id"] == CARLA
    plain_lines(done)


def test_undo_after_a_colleagues_edit_is_refused(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    import requests

    fixed = run(
        ["fix", "512302", "-s", "services_engagement", "--customer-email",
         "ivan@initech.example", "--yes"], env, tmp_path,
    )  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr
    edited = requests.put(
        f"{zendesk.url}/api/v2/tickets/512302.json",
        json={"ticket": {"custom_fields": [{"id": 360012194200, "value": "ivan@initech.co"}]}},
        auth=("robin@gitlab.example/token", "sandbox-colleague-token"),
        timeout=5,
    )
    assert edited.status_code == 200
    zendesk.clear_requests()
    done = run(["undo", "512302", "--yes"], env, tmp_path)
    assert done.returncode == 1
    assert "Refused (changed_since_fix): Ticket 512302 changed since the fix (Organization " \
        "Email (partners) edited by someone else)" in done.stderr  # fmt: skip
    assert writes_of(zendesk) == []
    plain_lines(done)


@pytest.mark.parametrize(
    ("args", "theirs", "raised_by"),
    [
        (["fix", "512302", "-s", "services_engagement", "--customer-email",
          "ivan@initech.example", "--partner-email", "nina@northwind-int.example"],
         "Northwind Integrations", "Acme DevOps Partners"),
        (["fix", "512303", "-s", "partner_commercial", "--partner-email",
          "pat@acmedevops.example"], "Acme DevOps Partners", "Northwind Integrations"),
    ],
)  # fmt: skip
def test_a_partner_of_another_company_is_refused_naming_both(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox, args: list[str], theirs: str,
    raised_by: str,
) -> None:  # fmt: skip
    done = run([*args, "--yes"], env, tmp_path)
    assert done.returncode == 1
    assert "Refused (another_partner_company)" in done.stdout
    assert f"is with {theirs}, but ticket {args[1]} was raised by {raised_by}" in done.stdout
    assert writes_of(zendesk) == []
    plain_lines(done)


def test_the_account_type_field_marks_a_partner_organization(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    zendesk.world.update_organization(GLOBEX, fields={"account_type": "Open_Partner"})
    refused = run(
        ["plan", "512301", "-s", "customer_account", "--customer-email", "carla@globex.example"],
        env, tmp_path,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "belongs to the partner organization Globex Corporation" in refused.stdout
    # An untagged organization marked only in the field is a partner's, and can be put on a
    # ticket as one. The field's key and values are settings.
    zendesk.world.update_organization(ACME, tags=[], fields={"kind": "reseller_partner"})
    custom = {**env, "ZENDESK_PARTNER_ORG_FIELD": "kind",
              "ZENDESK_PARTNER_ORG_VALUES": "reseller_partner"}  # fmt: skip
    planned = run(["plan", "512304", "-s", "partner_nfr"], custom, tmp_path)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "Acme DevOps Partners: the partner's NFR licences" in planned.stdout
    unmarked = run(["plan", "512304", "-s", "partner_nfr"], env, tmp_path)
    assert unmarked.returncode == 1
    assert "Refused (partner_not_on_partner_org)" in unmarked.stdout
    for done in (refused, planned, unmarked):
        plain_lines(done)


def test_a_64_bit_ticket_id_is_planned_fixed_and_undone_exactly(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    planned = run(["plan", str(BIG), "--scenario", "partner_nfr"], env, tmp_path)
    assert planned.returncode == 0, planned.stderr
    assert f"Ticket {BIG}  " in planned.stdout and str(BIG - 1) not in planned.stdout
    fixed = run(["fix", f"#{BIG}", "-s", "partner_nfr", "--yes"], env, tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert f"Applied: ticket {BIG}" in fixed.stdout
    undone = run(["undo", str(BIG), "--yes"], env, tmp_path)
    assert undone.returncode == 0, undone.stderr
    assert f"Undone: ticket {BIG}" in undone.stdout
    assert [w["path"] for w in writes_of(zendesk)] == [f"/api/v2/tickets/{BIG}.json"] * 2
    for done in (planned, fixed, undone):
        plain_lines(done)


@pytest.mark.parametrize("ticket", ["9223372036854775808", "99999999999999999999999", "-5"])
def test_a_ticket_id_beyond_64_bits_is_a_usage_error(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox, ticket: str
) -> None:
    done = run(["plan", ticket, "--scenario", "partner_nfr"], env, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("partner-fix: ") and "ticket" in done.stderr.lower()
    assert zendesk.requests() == []
    plain_lines(done)


def test_check_verifies_the_partner_organization_field(env: dict, tmp_path: Path) -> None:
    ok = run(["check"], env, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "  ok: organization field account_type found (ZENDESK_PARTNER_ORG_FIELD;" in ok.stdout
    missing = run(["check"], {**env, "ZENDESK_PARTNER_ORG_FIELD": "partner_kind"}, tmp_path)
    assert missing.returncode == 1
    problems = [line for line in missing.stdout.splitlines() if "problem:" in line]
    assert problems == [
        "  problem: ZENDESK_PARTNER_ORG_FIELD: Zendesk has no organization field with the key "
        "'partner_kind' (the field that marks partner organizations; the keys are: "
        "account_type, support_level)."
    ]
    assert "ok: credentials accepted" in missing.stdout
    # Wrong credentials are said once, not once more for the organization fields.
    bad = run(["check"], {**env, "ZENDESK_API_TOKEN": "wrong"}, tmp_path)
    assert bad.returncode == 1
    assert [line for line in bad.stdout.splitlines() if "problem:" in line][1:] == []
    for done in (ok, missing, bad):
        plain_lines(done)


def test_check_without_slack_settings_checks_zendesk_alone(env: dict, tmp_path: Path) -> None:
    alone = run(["check"], env, tmp_path)
    assert alone.returncode == 0, alone.stdout
    assert "  ok: not configured (no SLACK_BOT_TOKEN): checked Zendesk alone" in alone.stdout
    half = run(["check"], {**env, "SLACK_SIGNING_SECRET": "s"}, tmp_path)
    assert half.returncode == 1
    assert "  problem: SLACK_BOT_TOKEN: not set (needed to run the bot)" in half.stdout


def test_check_says_when_the_token_cannot_edit_tickets(env: dict, tmp_path: Path) -> None:
    light = {
        **env,
        "ZENDESK_EMAIL": "lee@gitlab.example",
        "ZENDESK_API_TOKEN": "sandbox-light-token",
    }
    done = run(["check"], light, tmp_path)
    assert done.returncode == 1
    assert (
        "  problem: Zendesk credentials: the user they belong to is a light agent, who cannot edit "
        "tickets; give the bot the credentials of an agent who can edit tickets."
    ) in done.stdout.splitlines()
    assert "  ok: organization field account_type found" in done.stdout  # still checked
    full = run(["check"], env, tmp_path)
    assert "  ok: the bot's Zendesk user is an agent who can edit tickets" in full.stdout
    plain_lines(done)


def test_plan_without_a_scenario_plans_the_suggestion_with_the_customer_it_found(
    env: dict, tmp_path: Path, zendesk: ZendeskSandbox
) -> None:
    done = run(["plan", "512310"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Chose the suggested scenario, customer_account" in out
    assert (
        "Organization Email says jane@acmecrop.example, which matches nobody; Jane Doe "
        "<jane@acmecorp.example> of Acme Corp (premium) is the closest customer"
    ) in out
    assert (
        "Requester: Pat Partner (pat@acmedevops.example) → Jane Doe (jane@acmecorp.example)" in out
    )
    assert "Jane Reseller" not in out  # a partner's user, however close
    assert all(r["method"] == "GET" for r in zendesk.requests())


def test_a_customer_scenario_without_a_clear_customer_is_a_usage_error(
    env: dict, tmp_path: Path
) -> None:
    done = run(["plan", "512311", "--scenario", "customer_account"], env, tmp_path)
    assert done.returncode == 2
    assert "--customer-email" in done.stderr and "Traceback" not in done.stderr
    assert "Alex Ames <alex@initech.example> of Initech" in done.stdout
    assert "Alix Amis <alix@initech.example> of Initech" in done.stdout


def test_a_customer_in_several_organizations_is_told_the_ids_to_pick(
    env: dict, tmp_path: Path
) -> None:
    done = run(["plan", "512307", "-s", "customer_account"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Hooli EU GmbH (--organization 360100000014)" in done.stdout


def test_socket_mode_with_slack_unreachable_is_one_line_not_a_traceback(
    env: dict, tmp_path: Path
) -> None:
    done = run(
        [],
        {**env, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:9/api/",
         "SLACK_APP_TOKEN": "xapp-1-anything"},
        tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert "could not reach Slack" in done.stderr and "Traceback" not in done.stderr
    # The server logs as servers do (JSON lines); the person reads the last line.
    assert done.stderr.strip().splitlines()[-1].startswith("partner-fix: could not reach Slack")
