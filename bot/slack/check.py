"""`python -m bot check`, the Slack half: is the token good, and does the user group exist."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.slack.sharing import shared_with_another_org


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
    return fine, alert_channel_problems(settings, client, fine)


def alert_channel_problems(settings: Settings, client: WebClient, fine: list[str]) -> list[str]:
    """SLACK_ALERT_CHANNEL, when set: the bot can post there, and it is not shared with another
    organization (alerts carry customer data, so the bot refuses to post in such a channel)."""
    channel = settings.SLACK_ALERT_CHANNEL
    if channel is None:
        if settings.ZENDESK_WEBHOOK_SECRET is not None:
            return ["SLACK_ALERT_CHANNEL: not set, so the webhook's alerts go nowhere"]
        fine.append("SLACK_ALERT_CHANNEL not set: no alerts")
        return []
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except SlackApiError as error:
        return [f"SLACK_ALERT_CHANNEL: cannot read {channel} ({error.response.get('error')})"]
    except Exception as error:
        return [f"SLACK_ALERT_CHANNEL: Slack could not say ({type(error).__name__})"]
    name = f"#{info.get('name') or channel}"
    if shared_with_another_org(info):
        return [
            f"SLACK_ALERT_CHANNEL: {name} is shared with another organization; alerts carry "
            "customer data, so the bot posts none there: pick a channel of this workspace alone"
        ]
    if info.get("is_member"):
        fine.append(f"alert channel {name}: the bot is a member and can post")
    elif not info.get("is_private"):
        fine.append(f"alert channel {name}: public, the bot posts with chat:write.public")
    else:
        return [f"SLACK_ALERT_CHANNEL: {name} is private and the bot is not in it: /invite it"]
    return []
