"""The Bolt app, built from the parts it is given (bot/wiring.py makes them), its listeners on."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import listeners
from bot.slack.access import Access
from bot.slack.ack_first import AfterAnswers
from bot.slack.conversation import Conversation

# Acks happen in the request thread. What follows (Slack calls only: open a modal, post
# "working…") runs on the listeners' own pools (opening.Opener, handoff.Handoff); Zendesk calls
# on a pool of their own (work.Work). Bolt's pool is left for any lazy function.
SLACK_WORKERS = 32


def build_app(
    client: WebClient, signing_secret: str, access: Access, conversation: Conversation
) -> App:
    app = App(
        client=client,
        signing_secret=signing_secret,
        # Bolt's default (a token alone) calls auth.test at start, or on the first request of
        # each worker, before the ack. This answers from the settings and the cached auth.test:
        # the bot boots and acks even when Slack is slow; `python -m bot check` tests the token.
        authorize=access.authorize(),
        # Every listener is an ack function (no I/O) that hands the rest to a pool: with this,
        # Bolt runs the ack in the request thread and answers Slack as soon as it returns,
        # whatever the pools are doing.
        process_before_response=True,
        # Lazy functions, should a listener use them, wait as the other pools do until the
        # instance has answered the requests in hand (ack_first.py).
        listener_executor=AfterAnswers(max_workers=SLACK_WORKERS, thread_name_prefix="slack"),
    )
    app.use(access.middleware())
    listeners.register(app, conversation, access)
    return app
