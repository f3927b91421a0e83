"""One error hierarchy for everything a call can raise.

::

    AgentMemoryError                    anything this package raises on purpose
    └── APIError                        a call failed; .message .code .data .path .kind
        ├── NotFoundError               errorData.code == "NOT_FOUND"
        ├── UnauthenticatedError        "UNAUTHENTICATED", or HTTP 401 (token refused)
        ├── ForbiddenError              "FORBIDDEN", or HTTP 403
        ├── InvalidArgumentError        "INVALID_ARGUMENT", or arguments refused before sending
        ├── ConflictError               "CONFLICT"
        ├── LimitExceededError          "LIMIT_EXCEEDED"
        ├── FunctionError               any other function error (no known code)
        ├── APIStatusError              an HTTP status the API does not use for replies
        ├── APIResponseValidationError  a reply that is not what the function promises
        └── APIConnectionError          no reply: network failure
            └── APITimeoutError         no reply in time

The server's structured error data (``ConvexError`` data, ``{code, message, ...}``)
is kept decoded on ``.data``; the raw ``errorMessage`` on ``.error_message``.

The class depends on ``errorData`` and the HTTP status only, never on the message text: a
production deployment redacts messages (``[Request ID: …] Server Error``) and keeps
``errorData``, so an error reads the same class in development and in production.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from pydantic import ValidationError

    from ._types import FunctionKind

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AgentMemoryError",
    "ConflictError",
    "ForbiddenError",
    "FunctionError",
    "InvalidArgumentError",
    "LimitExceededError",
    "NotFoundError",
    "UnauthenticatedError",
]


class AgentMemoryError(Exception):
    """Base of every error this package raises on purpose."""


class APIError(AgentMemoryError):
    """A call to a deployment function failed.

    Attributes:
        message: what went wrong, for a person (the server's ``message`` when it sent one).
        code: the component's error code (``"NOT_FOUND"``, ...) or ``None``.
        data: the server's decoded ``errorData`` (``{code, message, ...details}``), or ``None``.
        path: the function called, ``"module:function"``; kind: query, mutation or action.
        error_message: the raw ``errorMessage`` of the reply, when there was one.
        request_id: Convex's request id when the server reported one (for support tickets).
        status_code: the HTTP status of the reply, ``None`` without a reply.
    """

    code: str | None
    data: Any
    path: str | None
    kind: FunctionKind | None
    error_message: str | None
    request_id: str | None
    status_code: int | None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        data: Any = None,
        path: str | None = None,
        kind: FunctionKind | None = None,
        error_message: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data
        self.path = path
        self.kind = kind
        self.error_message = error_message
        self.status_code = status_code
        self.request_id = request_id

    def __str__(self) -> str:
        where = f" ({self.kind} {self.path})" if self.path else ""
        code = f"{self.code}: " if self.code else ""
        return f"{code}{self.message}{where}"


class NotFoundError(APIError):
    """The thread, message, resource, index or run named does not exist."""


class UnauthenticatedError(APIError):
    """The call needs an identity and had none, or the token was refused."""


class ForbiddenError(APIError):
    """The identity may not act on that resource or index."""


class InvalidArgumentError(APIError):
    """The arguments were refused: by the function (``INVALID_ARGUMENT``) or before sending.

    (Convex's own argument validation has no ``errorData``: it is a :class:`FunctionError`,
    as the SDK validates arguments with the same validators before sending.)

    ``errors`` lists pydantic's error dicts when the SDK refused the arguments itself.
    """

    errors: list[dict[str, Any]]

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.errors = errors or []

    @classmethod
    def from_validation_error(
        cls,
        error: ValidationError,
        *,
        path: str | None = None,
        kind: FunctionKind | None = None,
    ) -> InvalidArgumentError:
        """The same refusal as the server's, for arguments pydantic refused before sending."""
        details: list[dict[str, Any]] = [
            {k: v for k, v in item.items() if k in ("type", "loc", "msg", "input")}
            for item in error.errors(include_url=False)
        ]
        summary = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '(args)'}: {item['msg']}"
            for item in details
        )
        return cls(
            f"invalid arguments: {summary}",
            code="INVALID_ARGUMENT",
            data={"code": "INVALID_ARGUMENT", "message": summary},
            path=path,
            kind=kind,
            errors=details,
        )


class ConflictError(APIError):
    """The call contradicts existing state."""


class LimitExceededError(APIError):
    """The call would break a Convex transaction limit; the message says how to split it."""


class FunctionError(APIError):
    """A function error that carries no known code: a bug, an app's own error, or a refusal by
    Convex itself (argument or return validation, a limit, an unknown function)."""


class APIStatusError(APIError):
    """The deployment answered with an HTTP status that is not a function's reply."""

    response: httpx.Response
    body: Any

    def __init__(self, message: str, *, response: httpx.Response, body: Any, **kw: Any) -> None:
        super().__init__(message, status_code=response.status_code, **kw)
        self.response = response
        self.body = body


class APIResponseValidationError(APIError):
    """The reply is malformed, or its value does not match what the function promises."""


class APIConnectionError(APIError):
    """No reply came back: the deployment could not be reached or the connection broke."""

    def __init__(self, message: str = "Connection error.", **kw: Any) -> None:
        super().__init__(message, **kw)


class APITimeoutError(APIConnectionError):
    """No reply came back in time."""

    def __init__(self, message: str = "Request timed out.", **kw: Any) -> None:
        super().__init__(message, **kw)


ERROR_CLASSES: Mapping[str, type[APIError]] = {
    "NOT_FOUND": NotFoundError,
    "UNAUTHENTICATED": UnauthenticatedError,
    "FORBIDDEN": ForbiddenError,
    "INVALID_ARGUMENT": InvalidArgumentError,
    "CONFLICT": ConflictError,
    "LIMIT_EXCEEDED": LimitExceededError,
}

# For display only (the message, the request id); never for the error's class.
_REQUEST_ID = re.compile(r"\[Request ID: ([^\]]+)\]")
_SERVER_ERROR_PREFIX = re.compile(r"^(?:\[Request ID: [^\]]+\] )?Server Error\n")
_UNCAUGHT_PREFIX = re.compile(r"^Uncaught (?:ConvexError|Error): ")


def error_from_reply(
    error_message: str,
    error_data: Any,
    *,
    path: str,
    kind: FunctionKind,
    status_code: int,
) -> APIError:
    """The exception for a ``{"status": "error", ...}`` reply."""
    match = _REQUEST_ID.search(error_message)
    request_id = match.group(1) if match else None
    code: str | None = None
    message = _UNCAUGHT_PREFIX.sub("", _SERVER_ERROR_PREFIX.sub("", error_message)).strip()
    if isinstance(error_data, Mapping):
        if isinstance(error_data.get("code"), str):
            code = error_data["code"]
        if isinstance(error_data.get("message"), str):
            message = error_data["message"]
    elif isinstance(error_data, str):
        message = error_data
    cls = FunctionError if code is None else ERROR_CLASSES.get(code, FunctionError)
    return cls(
        message,
        code=code,
        data=error_data,
        path=path,
        kind=kind,
        error_message=error_message,
        status_code=status_code,
        request_id=request_id,
    )
