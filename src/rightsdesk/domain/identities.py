"""Identity kinds: what an e-mail address, a phone number or a user id is, each rule stated once.

An :class:`IdentityKind` says how a well-formed value looks (``accepts``), the form a person's
identifier is filed under in rightsdesk's own store (``canonical``: keyed references, so it
must never change for a kind), the form values found in a company's stores are compared in
(``comparable``: the engine matching copy rows), whether a person can prove it alone
(``self_service``: a one-time code is sent there), the data category whose values are of this
kind, and how stable it is as the key a person's records are filed under (``rank``). Kinds are
registered in the ``rightsdesk.identity_kinds`` entry-point group; a data map may declare a
kind nobody registered, which then has the plain rules of ``IdentityKind(name)``.

The phone rule settles a disagreement: intake accepted an optional ``+`` and 6-15 digits,
correction a mainland China mobile number or an E.164 number. The second won: a phone identity
is where a one-time code is sent by text message, and it is what the ``phone`` detector finds
in a company's data; the first let through numbers no text can reach (``123456``,
``+0123456``) and ``8613800138000``, a country code without its ``+``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A kind's name, as data maps and requests write it.
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: The rank of kinds without one: after every kind that has.
UNRANKED = 99


@dataclass(frozen=True)
class IdentityKind:
    """One kind of identifier of a person, and the rules its values follow."""

    name: str
    #: What a well-formed value is, completing "must be ...".
    description: str = "a non-empty text"
    #: A well-formed value (in its canonical form, or as written to a store); None: any text.
    pattern: re.Pattern[str] | None = None
    #: Characters the canonical form leaves out (a phone number's spaces).
    ignored: str = ""
    #: Values are the same whatever their case (e-mail addresses).
    fold_case: bool = False
    #: A person can prove it on their own: a one-time code is sent there.
    self_service: bool = False
    #: The data category (or category prefix) whose values are of this kind.
    category: str | None = None
    #: Other kinds whose values a field of this kind may also hold (a login name may be an
    #: e-mail address).
    also: tuple[str, ...] = ()
    #: Lower is more stable: a person's records are filed under their lowest-ranked identity.
    rank: int = UNRANKED

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"identity kind {self.name!r} must match {NAME.pattern}")

    def compact(self, value: str) -> str:
        """``value`` without the characters the kind ignores (what ``accepts`` is asked about
        when a person gives an identifier)."""
        for ch in self.ignored:
            value = value.replace(ch, "")
        return value

    def canonical(self, value: str) -> str:
        """The form an identifier is filed under: trimmed, compacted, in lower case when case
        does not count (``str.lower``, which keyed references have always used)."""
        text = self.compact(value.strip())
        return text.lower() if self.fold_case else text

    def comparable(self, text: str) -> str:
        """The form stored values are compared in: trimmed; case-folded when case does not count."""
        text = text.strip()
        return text.casefold() if self.fold_case else text

    def accepts(self, value: str) -> bool:
        """Whether ``value`` is well formed (else it "must be" ``description``)."""
        return self.pattern is None or self.pattern.match(value) is not None


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
#: A mobile number in mainland China (11 digits from 13-19) or an E.164 number ("+", a country
#: code not starting with 0, 7-15 digits in all): where a one-time code can be sent by SMS, and
#: what the ``phone`` detector finds in a company's data.
_PHONE = re.compile(r"^(\+[1-9][0-9]{6,14}|1[3-9][0-9]{9})$")

EMAIL = IdentityKind(
    "email",
    "an email address",
    _EMAIL,
    fold_case=True,
    self_service=True,
    category="user.contact.email",
    rank=1,
)
PHONE = IdentityKind(
    "phone",
    "a mobile number (13800138000) or an E.164 number (+8613800138000)",
    _PHONE,
    ignored=" ",
    self_service=True,
    category="user.contact.phone_number",
    rank=2,
)
USER_ID = IdentityKind("user_id", "the account's id", rank=0)
USERNAME = IdentityKind(
    "username", "a login name", category="user.account.username", also=("email",)
)
IP_ADDRESS = IdentityKind("ip_address", "an IP address", category="user.device.ip_address")
EXTERNAL_ID = IdentityKind("external_id", "an id in another system")
DEVICE_ID = IdentityKind("device_id", "a device id")
NATIONAL_ID = IdentityKind("national_id", "a national identity number")
