"""How the pages name each status and say what comes next (source English; the catalogues
translate them: ``N_`` only marks a message for extraction)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rightsdesk.domain.requests import Status
from rightsdesk.policy import Regime


def N_(message: str) -> str:
    return message


S = Status

STATUS: dict[Status, str] = {
    S.RECEIVED: N_("Received"),
    S.IDENTITY_UNVERIFIED: N_("Waiting for your code"),
    S.VERIFIED: N_("Verified"),
    S.AWAITING_FEE: N_("Waiting for you to accept a fee"),
    S.AWAITING_APPROVAL: N_("Being reviewed"),
    S.AWAITING_CONFIRMATION: N_("Waiting for your confirmation"),
    S.APPROVED: N_("Approved"),
    S.COOLING_OFF: N_("Cooling-off period"),
    S.IN_PROGRESS: N_("In progress"),
    S.AWAITING_STOP: N_("Waiting for our platform to confirm"),
    S.COMPLETED: N_("Completed"),
    S.PARTIALLY_COMPLETED: N_("Partly completed"),
    S.REFUSED: N_("Refused"),
    S.FAILED: N_("Delayed by a fault"),
    S.CANCELLED: N_("Withdrawn"),
    S.EXPIRED: N_("Expired"),
    S.REDIRECTED_TO_IDP: N_("Handled by your login provider"),
}

NEXT: dict[Status, str] = {
    S.RECEIVED: N_("We are sending you a one-time code to confirm that the request is yours."),
    S.IDENTITY_UNVERIFIED: N_(
        "Enter the one-time code we sent you. Nothing happens until the request is verified."
    ),
    S.VERIFIED: N_("You are verified. We are checking the request against the law and our policy."),
    S.AWAITING_FEE: N_(
        "Accept the fee below to go on. If you do not, nothing is charged and the request closes."
    ),
    S.AWAITING_APPROVAL: N_(
        "A member of our privacy team is reviewing the request. We will write to you."
    ),
    S.AWAITING_CONFIRMATION: N_(
        "Read the warning we sent you and confirm that you want your account closed."
    ),
    S.APPROVED: N_("The request is approved and will run shortly."),
    S.COOLING_OFF: N_(
        "Your account closes when the cooling-off period ends; until then you can still withdraw."
    ),
    S.IN_PROGRESS: N_(
        "We are carrying out the request in every system that holds your information."
    ),
    S.AWAITING_STOP: N_(
        "Our part is done. The request completes once our platform confirms that it stopped "
        "the processing; until then we do not tell you it has."
    ),
    S.COMPLETED: N_("Done. We sent you a message with the result."),
    S.PARTIALLY_COMPLETED: N_("Done, except the parts explained below."),
    S.REFUSED: N_("We cannot carry out this request, for the reasons below."),
    S.FAILED: N_("A fault stopped the work. Our team is on it; you do not need to do anything."),
    S.CANCELLED: N_("You withdrew this request. Nothing was changed."),
    S.EXPIRED: N_(
        "The request closed because it was not confirmed in time. You can make a new one."
    ),
    S.REDIRECTED_TO_IDP: N_("Your account signs in through another provider: close it there."),
}

#: The console's names of statuses: what the request waits for, from the team's side.
CONSOLE_STATUS: dict[Status, str] = STATUS | {
    S.IDENTITY_UNVERIFIED: N_("Identity not verified"),
    S.AWAITING_FEE: N_("Awaiting fee"),
    S.AWAITING_APPROVAL: N_("Awaiting approval"),
    S.AWAITING_CONFIRMATION: N_("Awaiting the person's confirmation"),
    S.FAILED: N_("Failed"),
    S.AWAITING_STOP: N_("Awaiting the host's stop confirmation"),
    S.REDIRECTED_TO_IDP: N_("Sent to the login provider"),
}

#: A request's deadline state (``views.deadline_state``).
DEADLINE = {
    "on_time": N_("On time"),
    "at_risk": N_("Due soon"),
    "overdue": N_("Overdue"),
    "closed": N_("Closed"),
}

REGIME: dict[Regime, str] = {
    Regime.PROVIDER_CN: N_("China (provider policy, PIPL)"),
    Regime.GBT35273: N_("GB/T 35273"),
    Regime.GDPR: N_("GDPR"),
    Regime.CCPA: N_("CCPA"),
}

#: Buckets of days to spare when a request was answered (``trends.MARGINS``).
MARGIN = {
    "late_8": N_("More than a week late"),
    "late_1": N_("1 to 7 days late"),
    "spare_0": N_("0 to 6 days to spare"),
    "spare_7": N_("7 to 13 days to spare"),
    "spare_14": N_("14 days or more to spare"),
}

#: What the console says after each decision.
DONE = {
    "verify": N_("Identity verified from the evidence recorded."),
    "approve": N_("Approved."),
    "refuse": N_("Refused. The person sees the ground, the justification and their remedies."),
    "extend": N_("Deadline extended. The person has been told why."),
    "assign": N_("Assigned."),
    "note": N_("Note added."),
    "confirm": N_("The person's written confirmation is recorded; the cancellation goes on."),
    "retry": N_("The request runs again from where it stopped."),
    "stopped": N_("The platform's stop is recorded; the request completes."),
    "resend": N_("The delivery is being sent again."),
}

#: A purpose's state for the person (``consent.ledger.PurposeState.state``).
CONSENT_STATE = {
    "active": N_("Given"),
    "revoked": N_("Withdrawn"),
    "not_given": N_("Not given"),
}

#: The legal basis of a purpose.
BASIS = {
    "consent": N_("Your consent"),
    "contract": N_("Needed for the service you signed up for"),
    "legal_obligation": N_("Required by law"),
    "vital_interests": N_("To protect someone's life"),
    "public_task": N_("A task in the public interest"),
    "legitimate_interests": N_("Our legitimate interests"),
}

#: What the signed-in page says after each action.
ACCOUNT_DONE = {
    "given": N_("Consent given. You can withdraw it here at any time."),
    "withdrawn": N_("Consent withdrawn. We stop using your information for it."),
    "unbound": N_("Linked account removed. We asked the other party to stop exchanging data."),
}

#: What people call the data categories they may correct (``correction.OFFERED``).
CATEGORY = {
    "user.contact.email": N_("Email address"),
    "user.contact.phone_number": N_("Mobile number"),
    "user.contact.address": N_("Postal address"),
    "user.contact": N_("Contact details"),
    "user.name": N_("Name"),
    "user.account.username": N_("Display name"),
    "user.demographic.date_of_birth": N_("Date of birth"),
    "user.demographic.gender": N_("Gender"),
    "user.demographic": N_("Personal details"),
}

Say = Callable[..., str]


def category(categories: Iterable[str]) -> str | None:
    """The people's name (untranslated) of the most specific known category in ``categories``."""
    known = [k for c in categories for k in CATEGORY if c == k or c.startswith(k + ".")]
    return CATEGORY[max(known, key=len)] if known else None


#: What a receipt says was done in a collection (``audit.receipts.CollectionOutcome.action``).
RECEIPT_ACTION = {
    "exported": N_("Copied into your export"),
    "deleted": N_("Deleted"),
    "masked": N_("Anonymised"),
    "retained": N_("Kept (see below)"),
    "none": N_("Nothing held"),
}
