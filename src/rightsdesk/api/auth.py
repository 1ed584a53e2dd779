"""Who is calling: a requester's capability token, or an operator's API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from rightsdesk.domain.errors import AuthenticationError
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.operators import Operator, authenticate

bearer = HTTPBearer(auto_error=False, description="The token returned when you submitted.")
api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An operator API key.")


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


def person_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise AuthenticationError("send the request token as 'Authorization: Bearer <token>'")
    return credentials.credentials


def operator(svc: ServicesDep, key: Annotated[str | None, Depends(api_key)]) -> Operator:
    if not key:
        raise AuthenticationError("send an operator API key in the X-API-Key header")
    return authenticate(svc, key)


def client_address(request: Request) -> str | None:
    """The caller's address as the server sees it (behind a proxy: the proxy's, unless the
    server is told to trust forwarded headers, e.g. uvicorn's ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else None


TokenDep = Annotated[str, Depends(person_token)]
ClientDep = Annotated[str | None, Depends(client_address)]
OperatorDep = Annotated[Operator, Depends(operator)]
