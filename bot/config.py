"""Settings: the one place that reads the environment and `.env`.

Every variable of the contract lives here with its default. Everything else in the bot receives a
`Settings` (or the values it needs) as an argument.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class SettingsError(Exception):
    """The settings are missing or malformed; `problems` holds one line per variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _split(value: object) -> object:
    # Comma-separated lists are how operators write these in an environment or a .env file.
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _lowercase(value: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(item.lower() for item in value)


def _blank_is_unset(value: object) -> object:
    # `FOO=` in a .env file means "not set", not "set to the empty string".
    return None if isinstance(value, str) and not value.strip() else value


# How a setting is written is in its type: a list comma-separated (words compared in lower case),
# an optional value blank when unset.
IdList = Annotated[tuple[int, ...], NoDecode, BeforeValidator(_split)]
WordList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_split), AfterValidator(_lowercase)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_is_unset)]
OptionalUrl = Annotated[AnyHttpUrl | None, BeforeValidator(_blank_is_unset)]


class Settings(BaseSettings):
    """Everything an operator configures (the README's "Settings" table, and .env.example)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        frozen=True,
        extra="ignore",
        case_sensitive=True,
        str_strip_whitespace=True,
    )

    SLACK_BOT_TOKEN: OptionalText = None
    SLACK_SIGNING_SECRET: OptionalText = None
    SLACK_APP_TOKEN: OptionalText = None
    SLACK_API_URL: AnyHttpUrl = AnyHttpUrl(DEFAULT_SLACK_API_URL)
    SLACK_ALLOWED_USERGROUP: OptionalText = None
    # Where tickets that look mis-associated are posted (webhook and `sweep --post`).
    SLACK_ALERT_CHANNEL: OptionalText = None

    ZENDESK_SUBDOMAIN: OptionalText = None
    ZENDESK_URL: OptionalUrl = None
    ZENDESK_EMAIL: OptionalText = None
    ZENDESK_API_TOKEN: OptionalText = None
    ZENDESK_OAUTH_TOKEN: OptionalText = None
    # Signing secret of the webhook that calls POST /zendesk/events; unset: that route is 404.
    ZENDESK_WEBHOOK_SECRET: OptionalText = None
    ZENDESK_HELP_CENTER_HOSTS: WordList = ("support.gitlab.com",)
    ZENDESK_ORG_EMAIL_FIELD_ID: int = Field(default=360012194200, gt=0)
    ZENDESK_PARTNER_FORM_ID: int = Field(default=360000818199, gt=0)
    ZENDESK_CC_REQUEST_FIELD_IDS: IdList = (360020735339, 360012194220)
    ZENDESK_CUSTOMER_NAME_FIELD_ID: int = Field(default=360012167579, gt=0)
    ZENDESK_CUSTOMER_ORG_FIELD_ID: int = Field(default=360012167559, gt=0)
    ZENDESK_PARTNER_ORG_TAGS: WordList = ("open_partner", "select_partner", "alliance_partner")
    ZENDESK_PARTNER_ORG_FIELD: str = "account_type"
    ZENDESK_PARTNER_ORG_VALUES: WordList = ("open_partner", "select_partner", "alliance_partner")
    ZENDESK_PLAN_FIELD: str = "support_level"

    # Where customers send files too large for a ticket attachment (said in the summary).
    SUPPORT_LARGE_FILES_URL: AnyHttpUrl = AnyHttpUrl(
        "https://about.gitlab.com/support/providing-large-files/"
    )

    PORT: int = Field(default=3000, ge=1, le=65535)
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("ZENDESK_URL")
    @classmethod
    def _url_host(cls, value: AnyHttpUrl | None) -> AnyHttpUrl | None:
        host = value.host if value is not None else None
        if host is not None and host != "localhost" and "." not in host:
            raise ValueError("the host needs a dot, such as 127.0.0.1 or support.example.com")
        if value is not None and (value.path or "/") != "/":
            # The bot adds /api/v2/… itself; a path (an agent link pasted, say) would send every
            # request somewhere Zendesk answers 404.
            port = f":{value.port}" if value.port not in (None, 80, 443) else ""
            raise ValueError(
                f"must be the instance's address without a path, such as "
                f"{value.scheme}://{host}{port} (not …{value.path})"
            )
        if value is not None and (value.query or value.fragment):
            raise ValueError("must be the instance's address, without ? or #")
        return value

    @field_validator("ZENDESK_SUBDOMAIN")
    @classmethod
    def _subdomain_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("-", "").isalnum():
            raise ValueError("must be the part before .zendesk.com, such as 'gitlab'")
        return value

    @field_validator("SLACK_ALLOWED_USERGROUP")
    @classmethod
    def _usergroup_shape(cls, value: str | None) -> str | None:
        if value is not None and not (value.startswith("S") and value.isalnum()):
            raise ValueError("must be a user group id such as S0123ABCD (not its @handle)")
        return value

    @field_validator("SLACK_ALERT_CHANNEL")
    @classmethod
    def _channel_shape(cls, value: str | None) -> str | None:
        if value is not None and not (value[:1] in ("C", "G") and value.isalnum()):
            raise ValueError("must be a channel id such as C0123ABCD (not its #name)")
        return value

    # Derived values: one place computes them so nobody re-parses settings elsewhere.
    @property
    def zendesk_base_url(self) -> str | None:
        if self.ZENDESK_URL is not None:
            return str(self.ZENDESK_URL).rstrip("/")
        if self.ZENDESK_SUBDOMAIN:
            return f"https://{self.ZENDESK_SUBDOMAIN}.zendesk.com"
        return None

    @property
    def zendesk_instance_host(self) -> str | None:
        """`gitlab.zendesk.com`: the instance whose ticket links name our tickets, when known.

        ZENDESK_SUBDOMAIN names it even when ZENDESK_URL routes elsewhere (a host-mapped domain
        or the sandbox); with neither a subdomain nor a *.zendesk.com URL it is unknown.
        """
        if self.ZENDESK_SUBDOMAIN:
            return f"{self.ZENDESK_SUBDOMAIN.lower()}.zendesk.com"
        host = urlsplit(str(self.ZENDESK_URL)).hostname if self.ZENDESK_URL else None
        return host if host and host.endswith(".zendesk.com") else None

    @property
    def socket_mode(self) -> bool:
        return self.SLACK_APP_TOKEN is not None


def missing_for_zendesk(settings: Settings) -> list[str]:
    """One line per Zendesk setting that must be present for the bot to reach Zendesk."""
    problems = []
    if settings.zendesk_base_url is None:
        problems.append("ZENDESK_SUBDOMAIN: required (or set ZENDESK_URL)")
    if settings.ZENDESK_OAUTH_TOKEN is None:
        if settings.ZENDESK_EMAIL is None:
            problems.append(
                "ZENDESK_EMAIL: required with ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN)"
            )
        if settings.ZENDESK_API_TOKEN is None:
            problems.append("ZENDESK_API_TOKEN: required (or set ZENDESK_OAUTH_TOKEN)")
    return problems


def missing_for_slack(settings: Settings) -> list[str]:
    """One line per Slack setting the bot needs in the mode the settings select."""
    problems = []
    if settings.SLACK_BOT_TOKEN is None:
        problems.append("SLACK_BOT_TOKEN: required (the xoxb-… bot token)")
    elif not settings.SLACK_BOT_TOKEN.startswith("xoxb-"):
        problems.append("SLACK_BOT_TOKEN: must be a bot token starting with xoxb-")
    if settings.SLACK_APP_TOKEN is not None and not settings.SLACK_APP_TOKEN.startswith("xapp-"):
        problems.append("SLACK_APP_TOKEN: must be an app-level token starting with xapp-")
    if not settings.socket_mode and settings.SLACK_SIGNING_SECRET is None:
        problems.append("SLACK_SIGNING_SECRET: required in HTTP mode (no SLACK_APP_TOKEN set)")
    return problems


Need = Literal["zendesk", "slack"]


def load_settings(env_file: Path | None = Path(".env"), need: tuple[Need, ...] = ()) -> Settings:
    """Read the environment and `.env` (the environment wins) into Settings.

    Raises SettingsError naming every problem at once, one line per variable: malformed values,
    and the variables that the parts in `need` require.
    """
    problems: list[str] = []
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as error:
        bad = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "settings"
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message} (got {_shown(name, item['input'])})")
        # Rebuild with the malformed values at their defaults, so that what is missing is
        # reported in the same breath as what is malformed.
        defaults = {name: Settings.model_fields[name].default for name in bad}
        settings = Settings(_env_file=env_file, **defaults)  # type: ignore[call-arg]
    reported = {line.split(":", 1)[0] for line in problems}
    missing = []
    if "slack" in need:
        missing += missing_for_slack(settings)
    if "zendesk" in need:
        missing += missing_for_zendesk(settings)
    # A malformed value is one problem, not also "missing": ZENDESK_URL stands for the subdomain.
    if "ZENDESK_URL" in reported:
        reported.add("ZENDESK_SUBDOMAIN")
    problems += [line for line in missing if line.split(":", 1)[0] not in reported]
    if problems:
        raise SettingsError(problems)
    return settings


def _shown(name: str, value: object) -> str:
    # Never echo a secret back, even a malformed one.
    if any(word in name for word in ("TOKEN", "SECRET")):
        return "a value that is not shown"
    return repr(value)[:80]


def settings_or_exit(need: tuple[Need, ...] = ()) -> Settings:
    """load_settings for a front door: on problems, name them all and exit 2."""
    try:
        return load_settings(need=need)
    except SettingsError as error:
        exit_with_problems(error.problems)
        raise  # unreachable: exit_with_problems exits


def exit_with_problems(problems: list[str]) -> None:
    """Report settings problems the way the contract says: one line each, exit code 2."""
    print("partner-fix: the settings are incomplete or malformed:", file=sys.stderr)
    for line in problems:
        print(f"  {line}", file=sys.stderr)
    print("See .env.example for every setting and its meaning.", file=sys.stderr)
    raise SystemExit(2)
