"""One module per Slack surface, each with module-level handlers and
`register(app, conversation, access)`; a new surface is one more entry in SURFACES.

Each surface's `acknowledge` acks in the request thread (Bolt's `ack=`, no I/O) and hands the
rest, with the request's body, to a pool: the two that open the modal to `conversation.opener`
(bot/slack/opening.py), the buttons and the modal's submission to `conversation.handoff`
(bot/slack/handoff.py), not to Bolt's lazy functions, which copy the whole payload before the
answer. Dependencies are bound with functools.partial at registration, not closures, so each
handler can be imported and called alone. Every function after the ack goes through
`access.gate` (who may act, decided after the ack when the caches could not say before it; the
handoff takes nothing else), and then to `conversation` (bot/slack/conversation.py).
"""

from slack_bolt import App

from bot.slack.access import Access
from bot.slack.conversation import Conversation
from bot.slack.listeners import actions, commands, review, shortcuts, views

SURFACES = (commands, shortcuts, views, actions, review)


def register(app: App, conversation: Conversation, access: Access) -> None:
    for surface in SURFACES:
        surface.register(app, conversation, access)
