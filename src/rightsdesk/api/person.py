"""The requester's endpoints: submit, verify, follow, accept a fee, download, cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials

from rightsdesk.api.auth import ClientDep, ServicesDep, TokenDep, bearer
from rightsdesk.api.consent import GpcDep, opt_out_on_submission
from rightsdesk.api.schemas import (
    NEXT_LINKS,
    CodeIn,
    CodeOut,
    ConfirmIn,
    Done,
    RequestId,
    SubmitIn,
    SubmitOut,
)
from rightsdesk.domain.agents import DocumentKind
from rightsdesk.domain.errors import AuthenticationError
from rightsdesk.service.casefiles import documents, filing
from rightsdesk.service.casefiles.documents import DocumentView
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import execution, intake, receipts
from rightsdesk.service.requests.views import RequestView
from rightsdesk.service.verification import codes as verification

router = APIRouter(prefix="/v1/requests", tags=["requester"])
Handler = TypeVar("Handler", bound=Callable[..., Awaitable[DocumentView]])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="Send the same key when retrying a submission: it never creates two requests.",
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmitOut,
    responses={201: {"links": NEXT_LINKS}, 200: {"links": NEXT_LINKS, "model": SubmitOut}},
)
def submit(
    body: SubmitIn,
    svc: ServicesDep,
    response: Response,
    gpc: GpcDep,
    client: ClientDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
    idempotency_key: IdempotencyKey = None,
) -> SubmitOut:
    """Ask to exercise a right. A one-time code goes to the email or phone you name.

    A person logged in to the host platform may send its signed login token instead, as
    ``Authorization: Bearer <token>`` (as the consent and binding calls take it) or as the
    ``host_token`` field; the request is then verified at once.

    If that person already has an open request of this type, yours joins it: no new token is
    given (only the code sent to its contact proves who asks) and a live code is not replaced.
    """
    if credentials is not None and credentials.credentials:
        if body.host_token not in (None, credentials.credentials):
            raise AuthenticationError("two different host tokens: send it once, as Bearer")
        body = body.model_copy(update={"host_token": credentials.credentials})
    submission = body.submission(channel="api", idempotency_key=idempotency_key, client=client)
    done = intake.submit(svc, submission)
    if gpc:  # Sec-GPC: 1 also opts the person out of sale and sharing (OPT-01)
        opt_out_on_submission(svc, body)
    if done.joined:
        response.status_code = status.HTTP_200_OK
    verified = done.request.verified_at is not None
    step = "none: we will write to you" if verified else "enter the code we sent you"
    return SubmitOut(
        id=done.request.id,
        status=done.request.status,
        token=done.token,
        joined=done.joined,
        due=done.request.due,
        next_step=intake.JOINED if done.token is None else step,
    )


@router.post("/{request_id}/verify", response_model=CodeOut)
def verify(
    request_id: RequestId, body: CodeIn, token: TokenDep, svc: ServicesDep, client: ClientDep
) -> CodeOut:
    """Enter the one-time code (5 attempts per code; wrong codes per person and per client are
    capped per hour and per day, with back-off: then 429)."""
    result = verification.enter_code(svc, request_id, token, body.code, client=client)
    if not result.ok:
        raise result.error()
    return CodeOut(verified=True, status=result.status, message=result.message)


@router.post("/{request_id}/code", status_code=status.HTTP_202_ACCEPTED, response_model=Done)
def resend(request_id: RequestId, token: TokenDep, svc: ServicesDep, client: ClientDep) -> Done:
    """Send a new code (not more often than once a minute; capped per person and client)."""
    requests.resend_code(svc, request_id, token, client=client)
    return Done()


@router.get("/{request_id}", response_model=RequestView)
def show(request_id: RequestId, token: TokenDep, svc: ServicesDep) -> RequestView:
    """Follow your request: status, due date, fee quote, outcome."""
    return requests.status(svc, request_id, token)


@router.post("/{request_id}/accept-fee", response_model=RequestView)
def accept_fee(request_id: RequestId, token: TokenDep, svc: ServicesDep) -> RequestView:
    """Accept the fee quoted for a repeated request; work starts only after this."""
    return requests.accept_fee(svc, request_id, token)


@router.post("/{request_id}/confirm", response_model=RequestView)
def confirm(
    request_id: RequestId, body: ConfirmIn, token: TokenDep, svc: ServicesDep
) -> RequestView:
    """Confirm an account cancellation after reading the warning; name the checks you waive."""
    return requests.confirm_cancellation(svc, request_id, token, list(body.waive))


@router.post("/{request_id}/cancel", response_model=RequestView)
def cancel(request_id: RequestId, token: TokenDep, svc: ServicesDep) -> RequestView:
    """Withdraw your request while nothing has run yet."""
    return requests.cancel(svc, request_id, token)


@router.get("/{request_id}/receipt")
def receipt(request_id: RequestId, token: TokenDep, svc: ServicesDep) -> dict[str, object]:
    """The signed receipt of a completed request (check it with `rightsdesk receipt verify`)."""
    return receipts.for_person(svc, request_id, token)


@router.get("/{request_id}/export", response_class=FileResponse)
def download(
    request_id: RequestId,
    svc: ServicesDep,
    expires: Annotated[str, Query(pattern=r"^[0-9]{1,12}$")],
    signature: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")],
) -> FileResponse:
    """Download your export (a ZIP of data.json, CSV files and a readable report) by its link."""
    path = execution.export_file(svc, request_id, expires, signature)
    return FileResponse(path, media_type="application/zip", filename=f"rightsdesk-{request_id}.zip")


#: The body of an upload: the document's bytes, whatever ``Content-Type`` says (its first bytes
#: decide: a PDF or a PNG, JPEG or TIFF image).
DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "The signed document's bytes: a PDF or a PNG, JPEG or TIFF image, at "
        "most 10 MiB, recognised by its first bytes (any Content-Type).",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


async def document_body(request: Request) -> bytes:
    """The raw body, read up to ``documents.MAX_BYTES`` (a 413 past it, before reading on)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        documents.check_size(int(declared))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        documents.check_size(size)
        chunks.append(chunk)
    return b"".join(chunks)


def upload(routes: APIRouter, path: str) -> Callable[[Handler], Handler]:
    """How both upload routes (the requester's, an operator's) are declared."""
    return routes.put(
        path,
        status_code=status.HTTP_201_CREATED,
        response_model=DocumentView,
        openapi_extra=DOCUMENT_BODY,
    )


@upload(router, "/{request_id}/documents/{kind}")
async def attach(
    request_id: RequestId, kind: DocumentKind, request: Request, token: TokenDep, svc: ServicesDep
) -> DocumentView:
    """Send a signed document for your request: a written request the policy asks for, or, as
    an authorised agent, the person's signed permission or your power of attorney (CCR 7063).
    A PDF or an image (PNG, JPEG, TIFF) of at most 10 MiB: 415 or 413 otherwise. It is kept
    encrypted with the request and erased with its records."""
    data = await document_body(request)
    return await run_in_threadpool(filing.attach, svc, request_id, token, kind, data)
