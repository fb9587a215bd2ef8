"""The Slack stand-in: a workspace with the bot installed (Web API, response_url, signed requests
to the app), on loopback HTTP; `standins.screen` shows it as a person reads it."""

from .standin import AppResponse, SlackStandIn

__all__ = ["AppResponse", "SlackStandIn"]
