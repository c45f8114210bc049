"""The staff authorizer, shared by every staff blueprint: a route is for staff when it is
declared with ``authorizer=staff_authorizer``."""

from __future__ import annotations

from typing import Any

from chalice import AuthResponse, Blueprint, Response
from chalice.app import AuthRequest, Request

from chalicelib.adapters.observability import logger
from chalicelib.adapters.tokens import InvalidToken
from chalicelib.bootstrap import services

staff_auth = Blueprint(__name__)


@staff_auth.authorizer()
def staff_authorizer(auth_request: AuthRequest) -> AuthResponse:
    scheme, _, token = (auth_request.token or "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not token:
            raise InvalidToken("expected 'Authorization: Bearer <token>'")
        identity = services().staff_tokens.verify(token)
    except InvalidToken as error:
        logger.info("staff token refused", extra={"reason": str(error)})
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(
        routes=["*"], principal_id=identity.subject, context={"business_id": identity.business_id}
    )


def business_id(request: Request) -> str:
    """The tenant comes from the verified token, never from the request."""
    return str(request.context["authorizer"]["business_id"])


def created(body: dict[str, Any]) -> Response:
    return Response(body=body, status_code=201)
