"""`GET /metrics` for Prometheus: an API key with the read scope, or a trusted network.

The key is accepted as ``X-API-Key`` or as ``Authorization: Bearer`` (what Prometheus's
``authorization`` scrape option sends). Networks listed in ``RIGHTSDESK_METRICS_ANONYMOUS``
scrape without one. The numbers hold no personal data, but queue depth and deadlines are
still the company's business, hence no anonymous default.
"""

from __future__ import annotations

from ipaddress import ip_address
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from rightsdesk.api.auth import ServicesDep, api_key, bearer
from rightsdesk.domain.errors import AuthenticationError
from rightsdesk.observability import metrics
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.operators import Scope, authenticate

router = APIRouter(tags=["service"])


@router.get("/metrics", include_in_schema=False)
def scrape(
    request: Request,
    svc: ServicesDep,
    key: Annotated[str | None, Depends(api_key)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Response:
    """The Prometheus text exposition of the store's gauges and this process's metrics."""
    if not _trusted(svc, request):
        presented = key or (credentials.credentials if credentials else None)
        if not presented:
            raise AuthenticationError("send an API key with the read scope to scrape metrics")
        authenticate(svc, presented).require(Scope.READ)
    registry = getattr(request.app.state, "metrics", None)
    if registry is None:
        registry = request.app.state.metrics = metrics.registry(svc)
    return Response(metrics.render(registry), media_type=metrics.CONTENT_TYPE)


def _trusted(svc: Services, request: Request) -> bool:
    allowed = svc.settings.metrics_anonymous
    if not allowed or request.client is None:
        return False
    try:
        address = ip_address(request.client.host)
    except ValueError:  # a test client's made-up host name
        return False
    return any(address in network for network in allowed)
