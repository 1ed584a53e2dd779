"""What the rights workflows need from the data map beyond where data lives.

Purposes (what each consent covers and which collections, fields and features depend on it),
recipients (who else holds a copy), third-party bindings, the account and its cancellation
pre-checks, how long a collection is needed at all (deletion on the company's initiative), and
how its rows are marked while their processing is restricted.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from rightsdesk.datamap.spec import Name, PeriodField, Scalar, Spec, Text
from rightsdesk.domain.texts import LocalText

Dotted = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$")]
DottedField = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+$")]
Basis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]


class BindingSpec(Spec):
    """Marks a collection whose rows are links to third-party accounts (one row per binding)."""

    provider: Name  # the field naming the third party (e.g. wechat)
    external_id: Name  # the field holding the person's id at that third party


class RestrictSpec(Spec):
    """How a collection's rows are marked while their processing is restricted (GDPR Art. 18).

    ``flag``: the row's ``field`` is set to true, and back to false when lifted (the platform's
    jobs skip flagged rows); ``side_table``: rightsdesk keeps a keyed hash of each row's key,
    which the processing check answers from; ``host_event``: the host platform is told
    (``processing.restrict`` / ``processing.unrestrict``) and marks the rows itself.
    """

    mark: Literal["flag", "side_table", "host_event"] = "side_table"
    field: Name | None = None

    @model_validator(mode="after")
    def _field_with_flag(self) -> RestrictSpec:
        if (self.mark == "flag") != (self.field is not None):
            raise ValueError("mark flag needs a field, and only flag takes one")
        return self


#: Why rows kept for a period go, unless ``keep_for`` says it in its own words (PIPL Art. 47(1)).
ACHIEVED = LocalText(
    (("en", "the purpose of processing has been achieved"), ("zh-CN", "处理目的已实现")), "en"
)


class KeepFor(Spec):
    """Rows are needed for ``period`` after the date in ``start``; then the sweep deletes them."""

    model_config = ConfigDict(populate_by_name=True)

    period: PeriodField
    start: Name = Field(alias="from")
    purpose: Text = ACHIEVED


class Purpose(Spec):
    """A purpose of processing; with basis ``consent`` people grant and withdraw it."""

    name: Name
    description: Text
    basis: Basis = "consent"
    collections: tuple[Dotted, ...] = ()
    fields: tuple[DottedField, ...] = ()
    #: Host-platform features that stop when the purpose is withdrawn (told by webhook).
    features: tuple[str, ...] = ()
    #: Sale or sharing of personal information: a Global Privacy Control signal opts out.
    sale_or_sharing: bool = False
    #: Granted unless withdrawn (opt-out), as for sale/sharing under the CCPA.
    default_granted: bool = False
    #: Direct marketing: an objection stops it for good, no balancing (GDPR Art. 21(2)-(3)).
    direct_marketing: bool = False
    #: A use of sensitive personal information a CCPA limit leaves allowed (CCR 7027(m)).
    sensitive_use_permitted: bool = False

    def covers(self, dotted: str) -> bool:
        return dotted in self.collections or any(f.startswith(f"{dotted}.") for f in self.fields)


class Recipient(Spec):
    """Someone the data is disclosed to; told of corrections, deletions and withdrawals."""

    name: Name
    #: The recipient as people know it, told in an access answer (else its ``name``).
    title: Text | None = None
    kind: Literal["processor", "third_party", "controller"] = "processor"
    collections: tuple[Dotted, ...]
    webhook: str | None = None  # may reference an environment variable: ${NAME}
    email: str | None = None
    #: Where the recipient processes the data (told to the person: GDPR Art. 15(1)(c), (2)).
    country: Annotated[str, Field(min_length=2)] | None = None
    #: The safeguard for a transfer abroad, in words (GDPR Art. 15(2), 46; PIPL Art. 38).
    safeguard: Text | None = None

    @model_validator(mode="after")
    def _one_channel(self) -> Recipient:
        if (self.webhook is None) == (self.email is None):
            raise ValueError("a recipient needs exactly one of webhook or email")
        return self


class ReceivedFrom(Spec):
    """The rows were received from someone other than the person (GDPR Art. 14(2)(f))."""

    received_from: Annotated[str, Field(min_length=2)]


#: Where a collection's rows come from: the person, their use of the service (``observed``:
#: logs), computed from other data (``derived``), or ``{received_from: "name"}``.
Source = Literal["person", "observed", "derived"] | ReceivedFrom


class Notice(Spec):
    """What an access answer says besides the data (GDPR Art. 13-15; PIPL Art. 17, 48)."""

    controller: Text
    contact: Annotated[str, Field(min_length=3)] | None = None
    #: Automated decision-making, profiling and its logic, in words (GDPR Art. 15(1)(h)).
    automated_decisions: Text | None = None


class Precheck(Spec):
    """A condition checked before an account is cancelled, e.g. unpaid bills.

    Either rows of the person's in ``collection`` matching ``where`` (found through the data
    map), or a plug-in (``module:function``) registered under the same name.
    """

    name: Name
    message: Text
    collection: Dotted | None = None
    where: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    plugin: str | None = None
    #: A blocking check stops the cancellation; a waivable one the person may waive.
    waivable: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> Precheck:
        if (self.collection is None) == (self.plugin is None):
            raise ValueError("a pre-check needs exactly one of collection or plugin")
        return self


class Provider(Spec):
    """A third party people log in through; cancelling such an account happens there."""

    title: Text
    instructions: Text
    url: str | None = None


class AccountSpec(Spec):
    """The account: where it lives, how a federated login shows, what blocks cancelling it."""

    collection: Dotted
    login_provider: Name | None = None  # field naming the third party a login goes through
    providers: dict[str, Provider] = Field(default_factory=dict)
    prechecks: tuple[Precheck, ...] = ()
