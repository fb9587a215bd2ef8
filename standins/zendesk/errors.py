"""The error answers of the Zendesk stand-in, with the bodies Zendesk really sends.

Clients branch on these bodies (zenpy raises `RecordNotFoundException` only when `error` is
`RecordNotFound`), so the exact strings matter more than the prose around them.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

JsonDict = dict[str, Any]

UNAUTHORIZED_BODY: JsonDict = {"error": "Couldn't authenticate you"}
FORBIDDEN_BODY: JsonDict = {
    "error": "Forbidden",
    "description": (
        "You do not have access to this page. Please contact the account owner of this help desk "
        "for further help."
    ),
}
RECORD_NOT_FOUND_BODY: JsonDict = {"error": "RecordNotFound", "description": "Not found"}
INVALID_ENDPOINT_BODY: JsonDict = {"error": "InvalidEndpoint", "description": "Not found"}
UPDATE_CONFLICT_BODY: JsonDict = {
    "error": "UpdateConflict",
    "description": (
        "Safe Update prevented the update due to outdated ticket data. Please fetch the latest "
        "ticket data and try again."
    ),
}
RATE_LIMITED_BODY: JsonDict = {
    "error": "APIRateLimitExceeded",
    "description": "Number of allowed API requests per minute exceeded",
}


class ApiError(Exception):
    """An answer other than 2xx; raised deep inside a handler, turned into a response once."""

    def __init__(self, status: int, body: JsonDict, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body.get('error')}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def unauthorized() -> ApiError:
    # Zendesk names the scheme it expects; some HTTP clients only retry auth when they see it.
    return ApiError(
        401, dict(UNAUTHORIZED_BODY), {"WWW-Authenticate": 'Basic realm="Web Password"'}
    )


def forbidden() -> ApiError:
    return ApiError(403, dict(FORBIDDEN_BODY))


def record_not_found() -> ApiError:
    return ApiError(404, dict(RECORD_NOT_FOUND_BODY))


def invalid_endpoint() -> ApiError:
    return ApiError(404, dict(INVALID_ENDPOINT_BODY))


def update_conflict() -> ApiError:
    return ApiError(409, dict(UPDATE_CONFLICT_BODY))


def bad_request(error: str, description: str) -> ApiError:
    return ApiError(400, {"error": error, "description": description})


def record_invalid(details: dict[str, list[JsonDict]]) -> ApiError:
    """422 in Zendesk's shape: one list of {description, error} per offending attribute."""
    return ApiError(
        422,
        {"error": "RecordInvalid", "description": "Record validation errors", "details": details},
    )


def detail(description: str, error: str = "InvalidValue") -> JsonDict:
    return {"description": description, "error": error}


def default_body(status: int) -> JsonDict:
    """The body Zendesk (or the edge in front of it) would most likely send with `status`.

    Used for injected faults that name a status but no body.
    """
    known: dict[int, JsonDict] = {
        400: {"error": "InvalidValue", "description": "The request could not be processed"},
        401: UNAUTHORIZED_BODY,
        403: FORBIDDEN_BODY,
        404: RECORD_NOT_FOUND_BODY,
        409: UPDATE_CONFLICT_BODY,
        422: {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {"base": [detail("Base: injected validation error")]},
        },
        429: RATE_LIMITED_BODY,
        500: {"error": "InternalServerError", "description": "Something went wrong"},
        503: {
            "error": "ServiceUnavailable",
            "description": "The service is temporarily unavailable. Please try again later.",
        },
    }
    if status in known:
        return dict(known[status])
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"error": phrase.replace(" ", ""), "description": phrase}
