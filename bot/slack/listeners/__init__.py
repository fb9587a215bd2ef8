"""One module per Slack surface, each with `register(app, fixes, work, access, rooms, opener)`.

Each surface acks in the request thread (Bolt's `ack=`, no I/O), and does the rest as lazy
functions, which hand Zendesk work to `work`: see bot/slack/flows.py. Every lazy function goes
through `access.gate` (who may act, decided after the ack when the caches could not say before
it), and every post of customer data through `rooms.route` (not into a shared channel). The
two that open the modal hand the opening to `opener`, a pool of its own: see bot/slack/opening.py.
"""

from slack_bolt import App

from bot.fixes import Fixes
from bot.slack.access import Access
from bot.slack.flows import Work
from bot.slack.listeners import actions, commands, review, shortcuts, views
from bot.slack.opening import Opener
from bot.slack.sharing import Rooms


def register(
    app: App, fixes: Fixes, work: Work, access: Access, rooms: Rooms, opener: Opener | None = None
) -> None:
    opener = opener or Opener()
    commands.register(app, fixes, work, access, rooms, opener)
    shortcuts.register(app, fixes, work, access, rooms, opener)
    views.register(app, fixes, work, access, rooms)
    actions.register(app, fixes, work, access, rooms)
    review.register(app, fixes, work, access, rooms, opener)
