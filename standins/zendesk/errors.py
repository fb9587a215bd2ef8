"""The error answers of the Zendesk stand-in, with the bodies Zendesk really sends.

Clients branch on these bodies (zenpy raises `RecordNotFoundException` only when `error` is
`RecordNotFound`), so the exact strings matter more than the prose around them.
"""

from __future__ import annotations

import copy
from http import HTTPStatus
from typing import Any

JsonDict = dict[str, Any]


def detail(description: str, error: str = "InvalidValue") -> JsonDict:
    return {"description": description, "error": error}


# What Zendesk (or the edge in front of it) answers with each status; also the body of an
# injected fault that names a status but no body. Other statuses (500, 503) get their HTTP
# phrase, which is Zendesk's `error` for them too (InternalServerError, ServiceUnavailable).
BODIES: dict[int, JsonDict] = {
    400: {"error": "InvalidValue", "description": "The request could not be processed"},
    401: {"error": "Couldn't authenticate you"},
    403: {
        "error": "Forbidden",
        "description": (
            "You do not have access to this page. Please contact the account owner of this help "
            "desk for further help."
        ),
    },
    404: {"error": "RecordNotFound", "description": "Not found"},
    409: {
        "error": "UpdateConflict",
        "description": (
            "Safe Update prevented the update due to outdated ticket data. Please fetch the "
            "latest ticket data and try again."
        ),
    },
    422: {
        "error": "RecordInvalid",
        "description": "Record validation errors",
        "details": {"base": [detail("Base: injected validation error")]},
    },
    429: {
        "error": "APIRateLimitExceeded",
        "description": "Number of allowed API requests per minute exceeded",
    },
}
# A path no route serves; zenpy tells it from a missing record by `error`.
INVALID_ENDPOINT = {"error": "InvalidEndpoint", "description": "Not found"}
# Zendesk names the scheme it expects; some HTTP clients only retry auth when they see it.
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Basic realm="Web Password"'}


def default_body(status: int) -> JsonDict:
    if status in BODIES:
        return copy.deepcopy(BODIES[status])
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"error": phrase.replace(" ", ""), "description": phrase}


class ApiError(Exception):
    """An answer other than 2xx (by default with Zendesk's body for the status); raised deep
    inside a handler, turned into a response once."""

    def __init__(
        self, status: int, body: JsonDict | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body = default_body(status) if body is None else body
        self.headers = headers or {}
        super().__init__(f"{status} {self.body.get('error')}")


def bad_request(error: str, description: str) -> ApiError:
    return ApiError(400, {"error": error, "description": description})


def record_invalid(details: dict[str, list[JsonDict]]) -> ApiError:
    """422 in Zendesk's shape: one list of {description, error} per offending attribute."""
    return ApiError(422, {**BODIES[422], "details": details})
