"""Rights requests: their types, statuses, and the one transition table that moves a status."""

from __future__ import annotations

from enum import StrEnum

from rightsdesk.domain.states import StateError, allowed


class RequestType(StrEnum):
    """The five rights of the source policy; restriction, objection and portability (GDPR
    Arts. 18, 20, 21; PIPL Arts. 44, 45(3)); CCPA's opt-out of sale or sharing and limit of
    sensitive personal information (CCR 7026, 7027)."""

    ACCESS = "access"
    CORRECT = "correct"
    DELETE = "delete"
    WITHDRAW_CONSENT = "withdraw_consent"
    CANCEL_ACCOUNT = "cancel_account"
    RESTRICT = "restrict"
    OBJECT = "object"
    PORTABILITY = "portability"
    OPT_OUT = "opt_out"
    LIMIT_SENSITIVE = "limit_sensitive"


class Status(StrEnum):
    RECEIVED = "received"
    IDENTITY_UNVERIFIED = "identity_unverified"
    VERIFIED = "verified"
    AWAITING_FEE = "awaiting_fee"
    AWAITING_APPROVAL = "awaiting_approval"
    #: Account cancellation: warned, offered a backup, pre-checks shown; waiting for "yes".
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    APPROVED = "approved"
    #: Account cancellation: confirmed and approved; the person can still revoke until it ends.
    COOLING_OFF = "cooling_off"
    IN_PROGRESS = "in_progress"
    #: Consent withdrawal or account cancellation: the run is done, but the host platform has
    #: not yet confirmed that it stopped processing (its event unacknowledged).
    AWAITING_STOP = "awaiting_stop"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    REFUSED = "refused"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    #: Account cancellation of an account that logs in through a third party: cancel there.
    REDIRECTED_TO_IDP = "redirected_to_idp"


class Event(StrEnum):
    """What happened to a request; each transition is one of these and one audit entry."""

    CHALLENGE = "challenge"  # a verification code or token was asked for
    VERIFY = "verify"
    QUOTE_FEE = "quote_fee"
    ACCEPT_FEE = "accept_fee"
    QUEUE_FOR_APPROVAL = "queue_for_approval"
    APPROVE = "approve"
    REVERIFY = "reverify"  # step-up verification right before a run
    START = "start"
    COMPLETE = "complete"
    COMPLETE_PARTIALLY = "complete_partially"
    FAIL = "fail"
    RETRY = "retry"
    REFUSE = "refuse"
    CANCEL = "cancel"
    EXPIRE = "expire"
    AWAIT_CONFIRMATION = "await_confirmation"
    CONFIRM = "confirm"
    COOL_OFF = "cool_off"
    REDIRECT = "redirect"
    END_COOLING_OFF = "end_cooling_off"  # the period is over; a step-up code comes next
    AWAIT_STOP = "await_stop"  # done on our side; the host's confirmation is awaited


S = Status
#: Statuses in which nothing has run yet, so the requester may still cancel.
NOTHING_RUN = frozenset(
    {
        S.RECEIVED,
        S.IDENTITY_UNVERIFIED,
        S.VERIFIED,
        S.AWAITING_FEE,
        S.AWAITING_APPROVAL,
        S.AWAITING_CONFIRMATION,
        S.APPROVED,
        S.COOLING_OFF,
    }
)
#: Statuses a request never leaves.
FINAL = frozenset(
    {S.COMPLETED, S.PARTIALLY_COMPLETED, S.REFUSED, S.CANCELLED, S.EXPIRED, S.REDIRECTED_TO_IDP}
)
#: Statuses of a request still being worked on (a duplicate joins such a request).
OPEN = frozenset(Status) - FINAL

#: The one transition table: (status, event) -> next status. Nothing else assigns a status.
TRANSITIONS: dict[tuple[Status, Event], Status] = {
    (S.RECEIVED, Event.CHALLENGE): S.IDENTITY_UNVERIFIED,
    (S.RECEIVED, Event.VERIFY): S.VERIFIED,
    (S.IDENTITY_UNVERIFIED, Event.CHALLENGE): S.IDENTITY_UNVERIFIED,
    (S.IDENTITY_UNVERIFIED, Event.VERIFY): S.VERIFIED,
    (S.IDENTITY_UNVERIFIED, Event.EXPIRE): S.EXPIRED,
    (S.VERIFIED, Event.QUOTE_FEE): S.AWAITING_FEE,
    (S.VERIFIED, Event.QUEUE_FOR_APPROVAL): S.AWAITING_APPROVAL,
    (S.AWAITING_FEE, Event.ACCEPT_FEE): S.AWAITING_APPROVAL,
    (S.AWAITING_FEE, Event.EXPIRE): S.EXPIRED,
    (S.AWAITING_APPROVAL, Event.APPROVE): S.APPROVED,
    (S.APPROVED, Event.CHALLENGE): S.APPROVED,
    (S.APPROVED, Event.REVERIFY): S.APPROVED,
    (S.APPROVED, Event.START): S.IN_PROGRESS,
    (S.IN_PROGRESS, Event.COMPLETE): S.COMPLETED,
    (S.IN_PROGRESS, Event.COMPLETE_PARTIALLY): S.PARTIALLY_COMPLETED,
    (S.IN_PROGRESS, Event.FAIL): S.FAILED,
    (S.FAILED, Event.RETRY): S.APPROVED,
    # account cancellation: confirm after the warning, cool off, or go to the identity provider
    (S.VERIFIED, Event.AWAIT_CONFIRMATION): S.AWAITING_CONFIRMATION,
    (S.AWAITING_CONFIRMATION, Event.CONFIRM): S.VERIFIED,
    (S.AWAITING_CONFIRMATION, Event.EXPIRE): S.EXPIRED,
    (S.VERIFIED, Event.REDIRECT): S.REDIRECTED_TO_IDP,
    (S.APPROVED, Event.COOL_OFF): S.COOLING_OFF,
    (S.COOLING_OFF, Event.END_COOLING_OFF): S.APPROVED,
    # withdrawal and cancellation: complete only once the host confirmed processing stopped
    (S.IN_PROGRESS, Event.AWAIT_STOP): S.AWAITING_STOP,
    (S.AWAITING_STOP, Event.COMPLETE): S.COMPLETED,
    (S.AWAITING_STOP, Event.COMPLETE_PARTIALLY): S.PARTIALLY_COMPLETED,
    **{(s, Event.CANCEL): S.CANCELLED for s in NOTHING_RUN},
    **{(s, Event.REFUSE): S.REFUSED for s in NOTHING_RUN | {S.FAILED}},
}


class TransitionError(StateError):
    """An event that the transition table does not allow from the request's current status."""

    def __init__(self, status: Status, event: Event) -> None:
        super().__init__("request", status, event, allowed(TRANSITIONS, status))
        self.status = status


def next_status(status: Status, event: Event) -> Status:
    """The status after ``event``, or TransitionError when the table does not allow it."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionError(status, event) from None


class DeletionGround(StrEnum):
    """Why a person asks for deletion (DEL-01: PIPL Art. 47(1), doc (c), GDPR Art. 17(1)).

    A deletion's ``params.ground`` is one of these or absent, never free text: the ground
    decides what happens, e.g. an unlawful public disclosure is stopped on intake (DEL-08).
    """

    #: The purpose is achieved, cannot be achieved, or no longer needs the data.
    PURPOSE_ACHIEVED = "purpose_achieved"
    #: The service ended, or the retention period expired.
    SERVICE_ENDED = "service_ended"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    #: Collected, used, shared or transferred against the law or the agreement (doc (c)1).
    UNLAWFUL_PROCESSING = "unlawful_processing"
    #: Made public against the law or the agreement (doc (c)2): publication stops at once.
    UNLAWFUL_DISCLOSURE = "unlawful_disclosure"
    #: Any other ground the law gives, or the person's own wish (doc (c)3).
    OTHER = "other"
