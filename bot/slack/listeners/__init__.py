"""One module per Slack surface, each with `register(app, fixes, work)`.

Each surface acks in the request thread (Bolt's `ack=`, no I/O), and does the rest as lazy
functions, which hand Zendesk work to `work`: see bot/slack/flows.py.
"""

from slack_bolt import App

from bot.fixes import Fixes
from bot.slack.flows import Work
from bot.slack.listeners import actions, commands, shortcuts, views


def register(app: App, fixes: Fixes, work: Work) -> None:
    for surface in (commands, shortcuts, views, actions):
        surface.register(app, fixes, work)
