"""The one table of workflows: one object per request type, looked up by type."""

from __future__ import annotations

from collections.abc import Mapping

from rightsdesk.domain.requests import RequestType
from rightsdesk.service.workflows.access import Access
from rightsdesk.service.workflows.base import Workflow
from rightsdesk.service.workflows.cancellation import Cancellation
from rightsdesk.service.workflows.ccpa import LimitSensitive, OptOut
from rightsdesk.service.workflows.correction import Correction
from rightsdesk.service.workflows.deletion import Deletion
from rightsdesk.service.workflows.objection import Objection
from rightsdesk.service.workflows.portability import Portability
from rightsdesk.service.workflows.restriction import Restrict
from rightsdesk.service.workflows.withdrawal import Withdrawal

WORKFLOWS: Mapping[RequestType, Workflow] = {
    flow.type: flow
    for flow in (
        Access(),
        Deletion(),
        Correction(),
        Withdrawal(),
        Cancellation(),
        Restrict(),
        Objection(),
        Portability(),
        OptOut(),
        LimitSensitive(),
    )
}


def workflow(kind: RequestType | str) -> Workflow:
    """The workflow of a request type (or of its stored value)."""
    return WORKFLOWS[RequestType(kind)]
