from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

REQUIRED = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "s",
    "ZENDESK_SUBDOMAIN": "gitlab",
    "ZENDESK_EMAIL": "bot@gitlab.example",
    "ZENDESK_API_TOKEN": "t",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.config import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_match_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in REQUIRED.items():
        monkeypatch.setenv(key, value)
    s = load_settings(need=("slack", "zendesk"))
    assert str(s.SLACK_API_URL) == "https://slack.com/api/"
    assert s.ZENDESK_HELP_CENTER_HOSTS == ("support.gitlab.com",)
    assert s.ZENDESK_ORG_EMAIL_FIELD_ID == 360012194200
    assert s.ZENDESK_PARTNER_FORM_ID == 360000818199
    assert s.ZENDESK_CC_REQUEST_FIELD_IDS == (360020735339, 360012194220)
    assert s.ZENDESK_PARTNER_ORG_TAGS == ("open_partner", "select_partner", "alliance_partner")
    assert s.ZENDESK_PLAN_FIELD == "support_level"
    assert s.PORT == 3000 and s.LOG_LEVEL == "INFO"
    assert s.zendesk_base_url == "https://gitlab.zendesk.com"
    assert s.zendesk_instance_host == "gitlab.zendesk.com"
    assert not s.socket_mode


def test_lists_are_comma_separated_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_CC_REQUEST_FIELD_IDS", " 1, 2 ,,3")
    monkeypatch.setenv("ZENDESK_PARTNER_ORG_TAGS", "Open_Partner ,x")
    monkeypatch.setenv("ZENDESK_HELP_CENTER_HOSTS", "Support.GitLab.com, help.example")
    s = load_settings()
    assert s.ZENDESK_CC_REQUEST_FIELD_IDS == (1, 2, 3)
    assert s.ZENDESK_PARTNER_ORG_TAGS == ("open_partner", "x")
    assert s.ZENDESK_HELP_CENTER_HOSTS == ("support.gitlab.com", "help.example")


def test_every_problem_is_named_at_once_and_secrets_are_not_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "http")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token-secret")
    monkeypatch.setenv("SLACK_ALLOWED_USERGROUP", "@support")
    monkeypatch.setenv("ZENDESK_URL", "http://intranet:8080")
    with pytest.raises(SettingsError) as caught:
        load_settings(need=("slack", "zendesk"))
    text = "\n".join(caught.value.problems)
    for name in ("PORT", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_ALLOWED_USERGROUP",
                 "ZENDESK_URL", "ZENDESK_API_TOKEN"):  # fmt: skip
        assert name in text
    # The malformed ZENDESK_URL is the one problem with where Zendesk is, not two.
    assert "ZENDESK_SUBDOMAIN" not in text
    assert "xoxp-user-token-secret" not in text


def test_socket_mode_needs_no_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in REQUIRED.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert load_settings(need=("slack", "zendesk")).socket_mode


def test_oauth_replaces_email_and_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_URL", "http://127.0.0.1:8765")
    monkeypatch.setenv("ZENDESK_OAUTH_TOKEN", "o")
    s = load_settings(need=("zendesk",))
    assert s.zendesk_base_url == "http://127.0.0.1:8765" and s.zendesk_instance_host is None


def test_dotenv_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=debug\nPORT=4000\nZENDESK_SUBDOMAIN=\n")
    monkeypatch.setenv("PORT", "5000")
    s = load_settings()
    assert s.LOG_LEVEL == "DEBUG" and s.PORT == 5000 and s.ZENDESK_SUBDOMAIN is None


def test_env_example_and_readme_name_every_setting() -> None:
    from bot.config import Settings

    root = Path(__file__).resolve().parent.parent
    example = (root / ".env.example").read_text()
    names = {
        line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")
    }
    assert names == set(Settings.model_fields)
    readme = (root / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in Settings.model_fields)


def test_a_zendesk_url_with_a_path_is_one_clear_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZENDESK_URL", "https://support.gitlab.com/agent/tickets/5")
    monkeypatch.setenv("ZENDESK_EMAIL", "bot@gitlab.example")
    monkeypatch.setenv("ZENDESK_API_TOKEN", "t")
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None, need=("zendesk",))
    (problem,) = raised.value.problems
    assert problem.startswith("ZENDESK_URL: must be the instance's address without a path")
    assert "https://support.gitlab.com (not …/agent/tickets/5)" in problem
