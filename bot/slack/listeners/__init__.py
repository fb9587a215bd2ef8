"""One module per Slack surface, each with `register(app, fixes, work, ...)`.

Each surface acks in the request thread (Bolt's `ack=`, no I/O), and does the rest as lazy
functions, which hand Zendesk work to `work`: see bot/slack/flows.py. The two that open the
modal hand the opening to `opener` instead, a pool of its own: see bot/slack/opening.py.
"""

from slack_bolt import App

from bot.fixes import Fixes
from bot.slack.flows import Work
from bot.slack.listeners import actions, commands, shortcuts, views
from bot.slack.opening import Opener


def register(app: App, fixes: Fixes, work: Work, opener: Opener | None = None) -> None:
    opener = opener or Opener()
    commands.register(app, fixes, work, opener)
    shortcuts.register(app, fixes, work, opener)
    views.register(app, fixes, work)
    actions.register(app, fixes, work)
