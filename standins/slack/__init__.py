"""The Slack stand-in: a workspace with the bot installed (Web API, response_url, signed requests
to the app, rendering), on loopback HTTP."""

from .outgoing import AppResponse
from .standin import SlackStandIn

__all__ = ["AppResponse", "SlackStandIn"]
