"""`python -m bot check`, the Slack half: is the token good, and does the user group exist."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings


def check_slack(settings: Settings, client: WebClient) -> tuple[list[str], list[str]]:
    """(what is fine, what is wrong), in words for the operator; `client` is the bot's own
    (bot/wiring.py)."""
    if settings.SLACK_BOT_TOKEN is None:
        others = (
            settings.SLACK_SIGNING_SECRET,
            settings.SLACK_APP_TOKEN,
            settings.SLACK_ALLOWED_USERGROUP,
        )
        if all(value is None for value in others):
            # The command line needs Zendesk alone: nothing configured is nothing wrong.
            return ["not configured (no SLACK_BOT_TOKEN): checked Zendesk alone"], []
        return [], ["SLACK_BOT_TOKEN: not set (needed to run the bot)"]
    fine: list[str] = []
    try:
        identity = client.auth_test()
        fine.append(f"bot token accepted: @{identity.get('user')} in {identity.get('team')}")
    except SlackApiError as error:
        return [], [f"SLACK_BOT_TOKEN: Slack refused it ({error.response.get('error')})"]
    except Exception as error:
        return [], [f"SLACK_API_URL: Slack could not be reached ({type(error).__name__})"]
    group = settings.SLACK_ALLOWED_USERGROUP
    if group:
        try:
            users = client.usergroups_users_list(usergroup=group)["users"]
            fine.append(f"user group {group}: {len(users)} members may use the bot")
        except SlackApiError as error:
            reason = error.response.get("error")
            return fine, [f"SLACK_ALLOWED_USERGROUP: cannot read {group} ({reason})"]
    else:
        fine.append("SLACK_ALLOWED_USERGROUP not set: every full workspace member may use the bot")
    return fine, []
