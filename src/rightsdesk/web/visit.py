"""One page view: the services, the browser's session, its language, and how a page is answered.

Every page goes out with a Content-Security-Policy that allows no script at all (the pages work
without JavaScript), ``Cache-Control: no-store`` (they show personal data), and the session
cookie when it changed. Errors raised by the service become a page with the same status the
JSON API gives them (``api.errors.status_of``), in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from rightsdesk.api.auth import ServicesDep, client_address
from rightsdesk.api.errors import status_of
from rightsdesk.domain.errors import RightsdeskError
from rightsdesk.domain.texts import LOCALES
from rightsdesk.service.runtime.context import Services
from rightsdesk.web import i18n, problems, session

#: Autoescaped (starlette turns it on for .html templates).
TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


class Visit:
    def __init__(self, request: Request, services: Services) -> None:
        self.request, self.services = request, services
        self.session = session.load(request, services.secrets)
        self.language = i18n.Language(
            i18n.negotiate(
                request.cookies.get(i18n.COOKIE),
                request.headers.get("accept-language"),
                services.settings.locale,
            )
        )

    @property
    def client(self) -> str | None:
        return client_address(self.request)

    def token(self, request_id: str) -> str | None:
        return self.session.tokens.get(request_id)

    def check(self, csrf: str | None) -> None:
        session.check_csrf(self.session, self.services.secrets, csrf)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        lang = self.language
        response = TEMPLATES.TemplateResponse(
            self.request,
            template,
            {
                **context,
                "_": lang.gettext,
                "lang": lang,
                "languages": [(code, i18n.NAMES[code]) for code in LOCALES],
                "csrf": session.csrf_token(self.session, self.services.secrets),
                "here": self.request.url.path,
                "status_code": status,
            },
            status_code=status,
            headers=HEADERS,
        )
        return self.finish(response)

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303, headers=HEADERS))

    def finish(self, response: Response) -> Response:
        session.save(response, self.session, self.services.secrets, self.public_url)
        return response

    @property
    def public_url(self) -> str:
        return self.services.settings.public_url

    @property
    def secure(self) -> bool:
        """Whether cookies are Secure: everywhere but a loopback public URL."""
        return session.secure_cookies(self.public_url)

    def explain(self, exc: RightsdeskError) -> str | None:
        """A service error said in the page's language, from its code (``problems``)."""
        return problems.explain(self.language, exc)

    def error(self, exc: RightsdeskError) -> Response:
        return self.render("error.html", status=status_of(exc), detail=self.explain(exc))


def visit(request: Request, services: ServicesDep) -> Visit:
    return Visit(request, services)


VisitDep = Annotated[Visit, Depends(visit)]


class PageRoute(APIRoute):
    """A route whose service errors and invalid input are answered as pages, not JSON."""

    error_page = "error.html"

    def failed(self, request: Request, exc: RightsdeskError) -> Response:
        return Visit(request, request.app.state.services).error(exc)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RightsdeskError as exc:
                return self.failed(request, exc)
            except RequestValidationError as exc:
                fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
                page = Visit(request, request.app.state.services)
                detail = problems.invalid(page.language, fields)
                return page.render(self.error_page, status=422, detail=detail)

        return handle
