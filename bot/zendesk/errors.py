"""The one place that turns what went wrong talking to Zendesk into plain words.

Every fault leaves the gateway as a `ZendeskError` whose `fault` says what the caller may do next
and whose `message` a support engineer can read. For a write, only an answer that proves nothing
was written (401, 403, 404, 409, 400/422, 429, or no connection at all) says so; everything else
is an unknown outcome, for the use case to settle by reading the ticket back.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from zenpy.lib.exception import APIException, RatelimitBudgetExceeded, ZenpyException

from bot.ports import Fault, ZendeskError
from bot.zendesk.client import RateLimited


def _body(response: requests.Response | None) -> dict[str, Any]:
    if response is None:
        return {}
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _details(body: dict[str, Any]) -> str:
    """Zendesk's 422 details as one line: `status: Status: closed prevents ticket update`."""
    details = body.get("details")
    if not isinstance(details, dict):
        return str(body.get("description") or "")
    parts = []
    for field, problems in details.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            text = problem.get("description") if isinstance(problem, dict) else problem
            parts.append(f"{field}: {text}")
    return "; ".join(parts)


def from_status(status: int, body: dict[str, Any], what: str, writing: bool) -> ZendeskError:
    """Map an HTTP answer that is not a success."""
    if status == 404:
        return ZendeskError(Fault.NOT_FOUND, f"Zendesk has no {what}.", status)
    if status == 409:
        return ZendeskError(
            Fault.CONFLICT,
            "The ticket changed in Zendesk since the preview, so nothing was written.",
            status,
        )
    if status in (400, 422):
        details = _details(body)
        return ZendeskError(
            Fault.INVALID,
            f"Zendesk refused the change: {details or 'validation failed'}. Nothing was changed.",
            status,
            details,
        )
    if status == 401:
        return ZendeskError(
            Fault.AUTH,
            "Zendesk did not accept the bot's credentials (ZENDESK_EMAIL / ZENDESK_API_TOKEN or "
            "ZENDESK_OAUTH_TOKEN). Ask Support Ops to check them.",
            status,
        )
    if status == 403:
        return ZendeskError(
            Fault.FORBIDDEN,
            "The bot's Zendesk account may not do this (it needs an agent role that can edit "
            "tickets).",
            status,
        )
    if writing:
        # Only the answers above prove the update was not made; a 5xx (or a proxy's 502/504)
        # may come after Zendesk committed it.
        return ZendeskError(
            Fault.UNKNOWN_OUTCOME,
            f"Zendesk answered the update with an error ({status}), which does not say whether "
            "it was saved.",
            status,
        )
    return ZendeskError(
        Fault.UNAVAILABLE,
        f"Zendesk answered with an error ({status}). Nothing was changed; try again in a minute.",
        status,
    )


def translate(error: Exception, what: str, writing: bool = False) -> ZendeskError:
    """Map any exception raised while talking to Zendesk (zenpy's, requests', ours)."""
    if isinstance(error, ZendeskError):
        return error
    if isinstance(error, RateLimited | RatelimitBudgetExceeded):
        return ZendeskError(
            Fault.RATE_LIMITED,
            "Zendesk is rate-limiting the bot right now. Nothing was changed; try again in a "
            "minute.",
            429,
        )
    if isinstance(error, requests.ConnectTimeout) or (
        isinstance(error, requests.ConnectionError) and _refused(error)
    ):
        # No connection was made: nothing was sent.
        return ZendeskError(
            Fault.UNAVAILABLE, "Zendesk could not be reached. Nothing was changed.", None
        )
    if isinstance(error, requests.Timeout):
        if writing:
            return ZendeskError(
                Fault.UNKNOWN_OUTCOME, "Zendesk did not answer the update in time.", None
            )
        return ZendeskError(
            Fault.TIMEOUT, "Zendesk did not answer in time. Nothing was changed.", None
        )
    response = getattr(error, "response", None)
    if isinstance(response, requests.Response):
        return from_status(response.status_code, _body(response), what, writing)
    if writing:
        # A broken connection, an answer cut off or one that doesn't parse: the update may
        # have been saved all the same.
        return ZendeskError(
            Fault.UNKNOWN_OUTCOME,
            "The connection to Zendesk broke during the update, or its answer could not be read.",
            None,
        )
    if isinstance(error, requests.ConnectionError):
        return ZendeskError(
            Fault.UNAVAILABLE, "The connection to Zendesk broke. Nothing was changed.", None
        )
    if isinstance(error, APIException | ZenpyException):
        # zenpy puts the JSON body in the message when it has no response at hand.
        try:
            body = json.loads(str(error))
        except ValueError:
            body = {}
        return ZendeskError(
            Fault.UNAVAILABLE,
            f"Zendesk answered unexpectedly: {_details(body) or 'no details'}. Nothing was "
            "changed.",
            None,
        )
    # Whatever else reading raised (a body cut off, one that doesn't decode or parse): a fault
    # with words, never an exception that leaves the person waiting.
    return ZendeskError(
        Fault.UNAVAILABLE,
        "Zendesk's answer was cut off or could not be read. Nothing was changed.",
        None,
    )


def _refused(error: requests.ConnectionError) -> bool:
    # Refused before anything was sent: safe to say nothing changed.
    text = str(error).lower()
    return "refused" in text or "name or service not known" in text
