"""One module per Slack surface, each with `register(app, fixes)`."""

from slack_bolt import App

from bot.fixes import Fixes
from bot.slack.listeners import actions, commands, shortcuts, views


def register(app: App, fixes: Fixes) -> None:
    for surface in (commands, shortcuts, views, actions):
        surface.register(app, fixes)
