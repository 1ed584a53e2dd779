"""The console's dashboard: the last weeks as charts (``service/runtime/trends.py``) in SVG."""

from __future__ import annotations

from starlette.responses import Response

from rightsdesk.domain.requests import RequestType
from rightsdesk.service.runtime import trends
from rightsdesk.service.runtime.operators import Scope
from rightsdesk.web import charts, wording
from rightsdesk.web.console import DeskDep, routes

LATE, SPARE = "#b42318", "#166534"


router = routes()


@router.get("/dashboard")
def dashboard(desk: DeskDep) -> Response:
    desk.operator.require(Scope.READ)
    services, lang = desk.page.services, desk.page.language
    say = lang.gettext
    found = trends.gather(services)
    weeks = [lang.short_date(monday) for monday in found.weeks]
    colours = dict(zip(RequestType, charts.PALETTE, strict=False))
    received = [
        charts.Series(lang.right(kind), colours[RequestType(kind)], counts)
        for kind, counts in found.received.items()
    ]
    margins = [
        (say(wording.MARGIN[key]), n, LATE if key.startswith("late") else SPARE)
        for key, n in found.margins.items()
    ]
    risk = [
        (
            f"{lang.right(kind)} · {say(wording.DEADLINE[state])}",
            n,
            LATE if state == "overdue" else charts.PALETTE[4],
        )
        for state in ("overdue", "at_risk")
        for kind, n in sorted(found.deadlines.get(state, {}).items())
    ]
    titles = {g.code: g.title(lang.code) for g in services.policy.grounds()}
    grounds = [(titles.get(code, code), n, charts.PALETTE[0]) for code, n in found.grounds.items()]
    return desk.render(
        "console/dashboard.html",
        weeks=weeks,
        received=received,
        received_chart=charts.columns(say("Requests received per week, by right"), weeks, received),
        margins=margins,
        margins_chart=charts.bars(say("Time to answer against the deadline"), margins),
        risk=risk,
        risk_chart=charts.bars(say("Due soon and overdue"), risk) if risk else None,
        grounds=grounds,
        grounds_chart=charts.bars(say("Refusals by ground"), grounds) if grounds else None,
    )
