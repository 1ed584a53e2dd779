"""Service errors in the page's language.

The service explains a refusal in English (for the API, the CLI and the logs). A page matches
that text against these patterns and says it from the catalogues instead, with the values the
pattern names; a message no pattern knows is shown as it is on English pages and left to the
status's own sentence on the others, so a Chinese page never shows an English detail.
"""

from __future__ import annotations

import re

from rightsdesk.web.i18n import Language
from rightsdesk.web.wording import N_

_ANY = r".+"

#: (the service's text, fully matched; what the page says). Named groups fill the message.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        (
            r"this browser does not hold this request: .*",
            N_(
                "This browser does not hold this request: open it with the link in any "
                "message we sent you about it."
            ),
        ),
        (r"no request '(?P<id>[^']*)'", N_("We could not find request %(id)s.")),
        (r"verify with the code sent to you first", N_("Enter the code we sent you first.")),
        (
            r"verify with the code sent to you before cancelling",
            N_("Enter the code we sent you before you withdraw the request."),
        ),
        (
            r"no valid code is out; ask for a new one",
            N_("No code is valid now: ask for a new one."),
        ),
        (
            r"wrong code; (?P<left>\d+) attempt\(s\) left",
            N_("Wrong code: %(left)s attempt(s) left."),
        ),
        (
            r"too many wrong codes; this code is locked",
            N_("Too many wrong codes: this code no longer works. Ask for a new one later."),
        ),
        (
            r"too many wrong codes; a new code can be sent after (?P<until>[\d:]+) UTC",
            N_("Too many wrong codes: a new code can be sent after %(until)s (UTC)."),
        ),
        (
            r"too many (wrong codes|codes sent) for this (contact|address); "
            r"try again after (?P<until>[\d :-]+) UTC",
            N_("Too many attempts: try again after %(until)s (UTC)."),
        ),
        (
            r"this form has expired: reload the page and send it again",
            N_("This form has expired: reload the page and send it again."),
        ),
        (
            r"login token rejected: .*",
            N_("Your sign-in from the platform was not accepted: sign in on the platform again."),
        ),
        (
            r"login token is too old .*",
            N_(
                "Your sign-in from the platform has expired: open the privacy center from the "
                "platform again."
            ),
        ),
        (
            r"signed login tokens are not enabled on this server",
            N_("Signing in from the platform is not enabled here."),
        ),
        (
            r"sign in on the platform first, then open the privacy center",
            N_("Sign in on the platform first, then open the privacy center from there."),
        ),
        (
            r"this download link has expired; ask for a new export",
            N_("This download link has expired: ask for a new copy of your data."),
        ),
        (r"this download link is not valid", N_("This download link is not valid.")),
        (r"the export is no longer available", N_("This file is no longer available.")),
        (r"request '[^']*' has no receipt \(yet\)", N_("This request has no receipt yet.")),
        (r"settle these first: (?P<what>.+)", N_("Settle these first: %(what)s")),
        (
            r"waive (?P<what>.+) to go ahead \(or settle them first\)",
            N_("Give up %(what)s to go ahead, or settle it first."),
        ),
        (
            r"this request is \w+, not awaiting confirmation",
            N_("This request is not waiting for your confirmation."),
        ),
        (r"cannot \w+ a \w+ that is .*", N_("This cannot be done at this stage of the request.")),
        (
            r"a correction is not verified through the identity it corrects: .*",
            N_(
                "A correction is not confirmed through the contact it changes: give another "
                "email address or mobile number of the account, or sign in on the platform."
            ),
        ),
        (
            r"the new value of (?P<field>\S+) must be .*",
            N_("The new value of %(field)s is not in the right form."),
        ),
        (
            r"no field '(?P<field>[^']*)' is held for people; .*",
            N_("We hold no field %(field)s about people."),
        ),
        (
            r"a correction names changes, a statement, or both",
            N_("Give a new value, a statement, or both."),
        ),
        (r"the \w+ given is not .*", N_("This email address or mobile number is not valid.")),
        (r"no purpose '(?P<purpose>[^']*)' .*", N_("There is no purpose %(purpose)s.")),
        (r"no binding '[^']*' of this person", N_("This linked account is no longer there.")),
        (r"sign in with your API key", N_("Sign in with your API key.")),
        (r"invalid API key", N_("This API key is not valid (or was revoked).")),
        (
            r"your console session has ended: sign in again",
            N_("Your console session has ended: sign in again."),
        ),
        (
            r"this API key lacks the '(?P<scope>\w+)' scope",
            N_("Your API key lacks the %(scope)s scope."),
        ),
        (
            r"the vault is readable only by the .* roles",
            N_("The vault is readable only by the legal and finance roles."),
        ),
        (
            r"operator verification needs a reference to the evidence kept",
            N_("Say where the evidence is kept (at least 5 characters)."),
        ),
        (
            r"say where the person's confirmation is kept",
            N_("Say where the person's written confirmation is kept."),
        ),
        (r"a note needs some text", N_("A note needs some text.")),
        (
            r"only approved requests run; this one is \w+",
            N_("Only approved requests run; this one is not approved."),
        ),
        (r"an API key needs a name and at least one scope", N_("Give the key a name and a scope.")),
        (r"invalid: (?P<fields>.+)", N_("Check these fields: %(fields)s")),
        (r"(?P<name>\w+) cannot be blank", N_("Fill in %(name)s.")),
        (r"none of your groups has a console role", N_("None of your groups has a console role.")),
        (r"no tombstone (?P<id>\S+)", N_("There is no cancelled account %(id)s.")),
        (
            r"nothing is sealed in the vault for (?P<id>\S+)",
            N_("Nothing is sealed in the vault for %(id)s."),
        ),
        (r"no API key '(?P<id>[^']*)'", N_("There is no API key %(id)s.")),
        (r"scopes are .*", N_("Choose scopes from the list.")),
        (r"delivery \w+ is already acknowledged", N_("This delivery is already acknowledged.")),
        (
            r"no RIGHTSDESK_HOST_HOOK_URL: the host pulls its events",
            N_("The host platform pulls its events: there is nothing to send again."),
        ),
    )
)


def explain(language: Language, text: str) -> str | None:
    """The service's ``text`` in ``language``; None when no pattern knows it and the page is
    not in English (the status's own sentence then stands alone)."""
    for pattern, message in PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return language.gettext(message, **found.groupdict())
    return text if language.code == "en" else None
