"""One module per Slack surface, each with `register(app, fixes, work, access, rooms, opener)`.

Each surface acks in the request thread (Bolt's `ack=`, no I/O), and hands the rest, with the
request's body, to a pool: the two that open the modal to `opener` (bot/slack/opening.py), the
buttons and the modal's submission to `handoff` (bot/slack/handoff.py), not to Bolt's lazy
functions, which copy the whole payload before the answer. Zendesk work goes on to `work`: see
bot/slack/flows.py. Every function after the ack goes through `access.gate` (who may act,
decided after the ack when the caches could not say before it; `handoff` takes nothing else),
and every post of customer data through `rooms.route` (not into a shared channel).
"""

from slack_bolt import App

from bot.fixes import Fixes
from bot.slack.access import Access
from bot.slack.handoff import Handoff
from bot.slack.listeners import actions, commands, shortcuts, views
from bot.slack.opening import Opener
from bot.slack.sharing import Rooms
from bot.slack.work import Work


def register(
    app: App,
    fixes: Fixes,
    work: Work,
    access: Access,
    rooms: Rooms,
    opener: Opener | None = None,
    handoff: Handoff | None = None,
) -> None:
    opener = opener or Opener()
    handoff = handoff or Handoff()
    commands.register(app, fixes, work, access, rooms, opener)
    shortcuts.register(app, fixes, work, access, rooms, opener)
    views.register(app, fixes, work, access, rooms, handoff)
    actions.register(app, fixes, work, access, rooms, handoff)
