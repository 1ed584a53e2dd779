"""Service errors in the page's language, chosen by the error's code.

The service explains a refusal in English (for the API, the CLI and the logs) and gives it a
stable code (``domain.errors.Code``) with the values its message names (``params``). A page says
the code's message from the catalogues instead; an error whose code has no message here is
shown as it is on English pages and left to the status's own sentence on the others, so a
Chinese page never shows an English detail.
"""

from __future__ import annotations

from rightsdesk.domain.errors import Code, RightsdeskError
from rightsdesk.web.i18n import Language
from rightsdesk.web.wording import N_

#: What a page says for a code; ``%(name)s`` is filled from the error's params.
MESSAGES: dict[Code, str] = {
    Code.TOKEN_NOT_HELD: N_(
        "This browser does not hold this request: open it with the link in any "
        "message we sent you about it."
    ),
    Code.REQUEST_UNKNOWN: N_("We could not find request %(id)s."),
    Code.VERIFY_FIRST: N_("Enter the code we sent you first."),
    Code.VERIFY_BEFORE_CANCEL: N_("Enter the code we sent you before you withdraw the request."),
    Code.NO_CODE_OUT: N_("No code is valid now: ask for a new one."),
    Code.WRONG_CODE: N_("Wrong code: %(left)s attempt(s) left."),
    Code.CODE_LOCKED: N_(
        "Too many wrong codes: this code no longer works. Ask for a new one later."
    ),
    Code.CODES_HELD_BACK: N_("Too many wrong codes: a new code can be sent after %(until)s (UTC)."),
    Code.TOO_MANY_ATTEMPTS: N_("Too many attempts: try again after %(until)s (UTC)."),
    Code.FORM_EXPIRED: N_("This form has expired: reload the page and send it again."),
    Code.LOGIN_REJECTED: N_(
        "Your sign-in from the platform was not accepted: sign in on the platform again."
    ),
    Code.LOGIN_TOO_OLD: N_(
        "Your sign-in from the platform has expired: open the privacy center from the "
        "platform again."
    ),
    Code.LOGIN_DISABLED: N_("Signing in from the platform is not enabled here."),
    Code.SIGN_IN_FIRST: N_(
        "Sign in on the platform first, then open the privacy center from there."
    ),
    Code.LINK_EXPIRED: N_("This download link has expired: ask for a new copy of your data."),
    Code.LINK_INVALID: N_("This download link is not valid."),
    Code.EXPORT_GONE: N_("This file is no longer available."),
    Code.NO_RECEIPT: N_("This request has no receipt yet."),
    Code.SETTLE_FIRST: N_("Settle these first: %(what)s"),
    Code.WAIVE_FIRST: N_("Give up %(what)s to go ahead, or settle it first."),
    Code.NOT_AWAITING_CONFIRMATION: N_("This request is not waiting for your confirmation."),
    Code.NOT_NOW: N_("This cannot be done at this stage of the request."),
    Code.CORRECTION_SAME_CONTACT: N_(
        "A correction is not confirmed through the contact it changes: give another "
        "email address or mobile number of the account, or sign in on the platform."
    ),
    Code.VALUE_MALFORMED: N_("The new value of %(field)s is not in the right form."),
    Code.FIELD_UNKNOWN: N_("We hold no field %(field)s about people."),
    Code.CORRECTION_EMPTY: N_("Give a new value, a statement, or both."),
    Code.CONTACT_MALFORMED: N_("This email address or mobile number is not valid."),
    Code.PURPOSE_UNKNOWN: N_("There is no purpose %(purpose)s."),
    Code.BINDING_UNKNOWN: N_("This linked account is no longer there."),
    Code.SIGN_IN: N_("Sign in with your API key."),
    Code.API_KEY_INVALID: N_("This API key is not valid (or was revoked)."),
    Code.CONSOLE_SESSION_ENDED: N_("Your console session has ended: sign in again."),
    Code.SCOPE_MISSING: N_("Your API key lacks the %(scope)s scope."),
    Code.VAULT_ROLES: N_("The vault is readable only by the legal and finance roles."),
    Code.EVIDENCE_REFERENCE: N_("Say where the evidence is kept (at least 5 characters)."),
    Code.CONFIRMATION_REFERENCE: N_("Say where the person's written confirmation is kept."),
    Code.NOTE_EMPTY: N_("A note needs some text."),
    Code.NOT_APPROVED: N_("Only approved requests run; this one is not approved."),
    Code.KEY_INCOMPLETE: N_("Give the key a name and a scope."),
    Code.FIELD_BLANK: N_("Fill in %(name)s."),
    Code.NO_CONSOLE_ROLE: N_("None of your groups has a console role."),
    Code.TOMBSTONE_UNKNOWN: N_("There is no cancelled account %(id)s."),
    Code.VAULT_EMPTY: N_("Nothing is sealed in the vault for %(id)s."),
    Code.API_KEY_UNKNOWN: N_("There is no API key %(id)s."),
    Code.SCOPE_UNKNOWN: N_("Choose scopes from the list."),
    Code.DELIVERY_ACKNOWLEDGED: N_("This delivery is already acknowledged."),
    Code.HOST_PULLS: N_("The host platform pulls its events: there is nothing to send again."),
    Code.NOT_AWAITING_STOP: N_("This request is not waiting for the platform to stop."),
    Code.OBJECTION_PURPOSES: N_("Choose at least one use of your information that you object to."),
    Code.NOT_OBJECTABLE: N_(
        "You cannot object to %(purposes)s: where you gave consent, withdraw it instead."
    ),
    Code.OBJECTION_REASON: N_(
        "Tell us why you object (at most 4000 characters): except for direct marketing, an "
        "objection rests on your particular situation."
    ),
    Code.NOTHING_PORTABLE: N_("We hold nothing that you could take to another service."),
    Code.TRANSFER_URL: N_(
        "Give the other company's address as an https:// link, without a user name or password."
    ),
}

INVALID = N_("Check these fields: %(fields)s")


def explain(language: Language, exc: RightsdeskError) -> str | None:
    """``exc`` said in ``language``; None when its code has no message and the page is not in
    English (the status's own sentence then stands alone)."""
    message = MESSAGES.get(exc.code)
    if message is not None:
        return language.gettext(message, **exc.params)
    return str(exc) if language.code == "en" else None


def invalid(language: Language, fields: str) -> str:
    """A form's fields that failed validation, named."""
    return language.gettext(INVALID, fields=fields)
