"""Request and response bodies of the REST API (pydantic v2), with limits on every input."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from rightsdesk.domain.agents import Agent, Authority
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import intake, views

#: No control characters (NUL and friends break databases and logs); newlines and tabs are fine.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=PRINTABLE),
]
Short = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=PRINTABLE),
]
PARAMS_LIMIT = 16 * 1024
#: Deepest nesting of params accepted (500 levels overflowed the checks' recursion: a 500).
PARAMS_DEPTH = 16
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels (no recursion)."""
    level: list[object] = [value]
    for _ in range(limit + 1):
        level = [child for item in level for child in _children(item)]
        if not level:
            return False
    return True


def _children(value: object) -> list[object]:
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [child for child in items if isinstance(child, dict | list)]


def _has_control(value: object) -> bool:
    if isinstance(value, str):
        return CONTROL.search(value) is not None
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_control(v) for v in value)
    return False


#: A request id as issued (32 hex characters); anything else is a 422, never a database error.
#: A place of the data map; checked against the map by the service (which lists valid places).
Place = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The request's id.")]


#: OpenAPI links from a submission to what can be done with it next (stateful API testing
#: follows them; so can client generators): on a person's submission and an operator's ticket.
NEXT_LINKS = {
    name: {"operationId": operation, "parameters": {"request_id": "$response.body#/id"}}
    for name, operation in {
        "Show": "show_v1_requests__request_id__get",
        "Verify": "verify_v1_requests__request_id__verify_post",
        "NewCode": "resend_v1_requests__request_id__code_post",
        "Cancel": "cancel_v1_requests__request_id__cancel_post",
        "Confirm": "confirm_v1_requests__request_id__confirm_post",
        "AcceptFee": "accept_fee_v1_requests__request_id__accept_fee_post",
        "Receipt": "receipt_v1_requests__request_id__receipt_get",
        "OperatorShow": "show_v1_admin_requests__request_id__get",
        "Approve": "approve_v1_admin_requests__request_id__approve_post",
        "Refuse": "refuse_v1_admin_requests__request_id__refuse_post",
        "OperatorVerify": "verify_v1_admin_requests__request_id__verify_post",
        "Extend": "extend_v1_admin_requests__request_id__extend_post",
        "Assign": "assign_v1_admin_requests__request_id__assign_post",
        "Note": "add_note_v1_admin_requests__request_id__notes_post",
        "Run": "run_v1_admin_requests__request_id__run_post",
        "Retry": "retry_v1_admin_requests__request_id__retry_post",
    }.items()
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdentityIn(Strict):
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    value: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=320, pattern=PRINTABLE),
    ]


class AgentIn(Strict):
    """An authorised agent submitting for the person the identities name (CCR 7063)."""

    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PRINTABLE),
    ] = Field(description="The agent: a person, or a business and its name.")
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)
    ] = Field(description="Where we write to the agent (never the person's follow link).")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None
    registration: Short | None = Field(
        default=None, description="A business's registration with the Secretary of State."
    )
    authority: Authority = Field(
        description="signed_permission (the person may be asked directly, CCR 7063(a)) or "
        "power_of_attorney (Probate Code 4121-4130: the person is not asked, 7063(b))."
    )

    def agent(self) -> Agent:
        return Agent(self.name, self.email, self.authority, self.phone, self.registration)


class SubmitIn(Strict):
    type: RequestType
    identities: list[IdentityIn] = Field(default_factory=list, max_length=10)
    regimes: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]] = Field(
        default_factory=list, max_length=5
    )
    locale: Annotated[str, StringConstraints(pattern=r"^(en|zh|zh-CN|zh-Hans)$")] | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    host_token: (
        Annotated[str, StringConstraints(max_length=4096, pattern=r"^[A-Za-z0-9_.=-]+$")] | None
    ) = Field(default=None, description="A signed login token from the host platform (HS256 JWT).")
    agent: AgentIn | None = Field(
        default=None, description="Submitted by an authorised agent for the person (CCR 7063)."
    )

    @field_validator("params")
    @classmethod
    def _plain_json(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Standard JSON only (no NaN or Infinity), at most 16 KiB and 16 levels deep, no
        control characters."""
        if _deeper_than(value, PARAMS_DEPTH):
            raise ValueError(f"params may nest at most {PARAMS_DEPTH} levels deep")
        try:
            text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        except ValueError as exc:
            raise ValueError(f"params must be standard JSON: {exc}") from None
        if len(text.encode()) > PARAMS_LIMIT:
            raise ValueError(f"params are limited to {PARAMS_LIMIT // 1024} KiB")
        if _has_control(value):
            raise ValueError("params must not contain control characters")
        return value

    def submission(
        self,
        *,
        channel: str,
        actor: str = "person",
        idempotency_key: str | None = None,
        evidence: str | None = None,
        client: str | None = None,
    ) -> intake.Submission:
        return intake.Submission(
            type=self.type,
            identities=tuple(Identity(i.kind, i.value) for i in self.identities),
            channel=channel,
            regimes=tuple(self.regimes),
            locale=self.locale,
            params=self.params,
            idempotency_key=idempotency_key,
            host_token=self.host_token,
            evidence=evidence,
            actor=actor,
            client=client,
            agent=self.agent.agent() if self.agent is not None else None,
        )


class TicketIn(SubmitIn):
    evidence: Text | None = Field(
        default=None,
        description="Verify now, citing identity evidence kept elsewhere (e.g. a signed letter).",
    )


class TicketBatchIn(Strict):
    """Many tickets at once (a help desk's backlog); all are stored, or none."""

    requests: list[TicketIn] = Field(min_length=1, max_length=1000)
    approve: bool = Field(
        default=False, description="Approve each request that waits for an operator's approval."
    )
    reason: Text | None = Field(default=None, description="The approval's reason, when approving.")


class SubmitOut(BaseModel):
    id: str
    status: str
    token: str | None = Field(
        description="Your capability for this request: keep it, it is shown once. None when "
        "you joined a request someone opened before: the code went to its contact."
    )
    joined: bool = Field(description="True when this joined an earlier, still open request.")
    due: date
    next_step: str


class TicketBatchOut(BaseModel):
    requests: list[SubmitOut]


class CodeIn(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4,8}$")]


class ConfirmIn(Strict):
    """The explicit "yes" to an account cancellation, naming the pre-checks waived."""

    confirm: Literal[True]
    waive: Annotated[list[Short], Field(max_length=32)] = []


class BindingOut(BaseModel):
    id: str
    provider: str
    external_id: str


class CodeOut(BaseModel):
    verified: bool
    status: str
    message: str


class RequestPage(BaseModel):
    total: int
    items: list[views.RequestView]


class ReasonIn(Strict):
    reason: Text | None = None


class RequiredReasonIn(Strict):
    reason: Text


class RefuseIn(Strict):
    ground: Short
    justification: Text
    parts: list[Place] = Field(
        default_factory=list,
        max_length=50,
        description="Refuse only these places of the data map (system.collection or "
        "system.collection.field); the rest goes on and the run leaves them as they are.",
    )
    alternative: Text | None = Field(default=None, description="An alternative method offered.")
    evidence: Text | None = Field(
        default=None, description="The recorded demonstration some grounds need (cannot_identify)."
    )


class LiftIn(Strict):
    reason: Text
    places: list[Place] = Field(
        default_factory=list, max_length=50, description="The places to release (default: all)."
    )


class LiftOut(BaseModel):
    status: str
    followup: str | None = Field(description="The request that now handles the places, if any.")


class AssignIn(Strict):
    assignee: Short


class NoteIn(Strict):
    text: Text


class EvidenceIn(Strict):
    evidence: Text


class Done(BaseModel):
    ok: bool = True
    status: str | None = None


class BreakOut(BaseModel):
    seq: int
    kind: str
    message: str


class LockoutOut(BaseModel):
    """A person or client address blocked after too many codes sent or wrong codes."""

    at: datetime
    request_id: str | None
    scope: str = Field(description="person (the subject) or client (the caller's address)")
    kind: str = Field(description="send (codes sent) or guess (wrong codes)")
    cap: str = Field(description="the cap reached: hour or day")
    until: datetime


class AuditOut(BaseModel):
    entries: int
    intact: bool
    breaks: list[BreakOut]
