"""The data map as frozen pydantic models; structure only (cross-references are in ``checks``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from rightsdesk.datamap.rights import (
    AccountSpec,
    BindingSpec,
    KeepFor,
    Notice,
    Purpose,
    Recipient,
    RestrictSpec,
    Source,
)
from rightsdesk.datamap.spec import Name, PeriodField, Scalar, Spec, Text
from rightsdesk.domain.actions import ExportMode, ReferenceDirection, ValueType
from rightsdesk.domain.errors import Location
from rightsdesk.domain.identities import NAME as KIND_NAME
from rightsdesk.masking.base import MaskingStrategy
from rightsdesk.masking.registry import parse_erase

#: An identity kind's name (``email``, ``user_id``, or a name of the map's own).
KindName = Annotated[str, Field(pattern=KIND_NAME.pattern)]


def _erase(raw: Any) -> MaskingStrategy | None:
    return None if raw is None or isinstance(raw, MaskingStrategy) else parse_erase(raw)


Erase = Annotated[MaskingStrategy | None, BeforeValidator(_erase)]


class Reference(Spec):
    """``field`` is ``collection.field`` (same system) or ``system.collection.field``."""

    field: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+){1,2}$")]
    direction: ReferenceDirection = ReferenceDirection.BOTH

    def target(self, system: str) -> str:
        """``system.collection.field`` of the referenced field, seen from ``system``."""
        return self.field if self.field.count(".") == 2 else f"{system}.{self.field}"


def _one_or_many(raw: Any) -> Any:
    return [raw] if isinstance(raw, str) else raw


def _references(raw: Any) -> Any:
    items = raw if isinstance(raw, list) else [raw]
    return [{"field": item} if isinstance(item, str) else item for item in items]


class FieldSpec(Spec):
    name: Name
    #: The field as people know it, offered for correction by this name (else its category's).
    label: Text | None = None
    categories: tuple[str, ...] = ()
    identity: KindName | None = None
    primary_key: bool = False
    references: Annotated[tuple[Reference, ...], BeforeValidator(_references)] = ()
    read_only: bool = False
    erase: Erase = None
    export: ExportMode | None = None
    #: Identity-verification data (e.g. real-name checks): corrected only where it was taken.
    verification: bool = False
    #: False for what the company derived or inferred (a score): not part of a portability export.
    provided: bool = True
    #: What the column holds; when given, an ``erase`` that cannot write it is refused.
    type: ValueType | None = None
    #: The column holds an encoded payload (a Django session, a signed cookie, a JWT) naming
    #: a person: identity kind -> the JSON key holding it (``{user_id: _auth_user_id}``). Rows
    #: are found by reading the table and decoding each payload (``engine/payloads.py``).
    payload: dict[KindName, str] = Field(default_factory=dict)
    #: The column's text names people (a PHP-serialized session, a log line): rows are found by
    #: reading the table for whole-word occurrences of a person's values of these kinds.
    contains: Annotated[
        tuple[KindName, ...],
        BeforeValidator(_one_or_many),
    ] = ()

    @field_validator("categories", mode="before")
    @classmethod
    def _categories(cls, raw: Any) -> Any:
        return _one_or_many(raw)

    @property
    def export_mode(self) -> ExportMode:
        """Credentials export only whether they are set unless the map says otherwise."""
        if self.export is not None:
            return self.export
        secret = any(c.startswith("user.authorization.credentials") for c in self.categories)
        return ExportMode.PRESENCE if secret else ExportMode.VALUE


class CollectionSpec(Spec):
    name: Name
    fields: tuple[FieldSpec, ...]
    erase: Erase = None  # collection-wide strategy, typically delete_row
    binding: BindingSpec | None = None  # rows are third-party account bindings
    keep_for: KeepFor | None = None  # needed this long; then deleted without a request
    #: How rows are marked while restricted (GDPR Art. 18); unset: rightsdesk's side table.
    restrict: RestrictSpec = Field(default_factory=RestrictSpec)
    #: The field whose reference is the owner: a row is the person's when the row it points
    #: at is. The collection's other references are related: exported, never walked.
    owner: Name | None = None
    #: Fields each naming one person (follower, followee): the row is exported to each side,
    #: and a side field's ``erase`` applies only to the side being erased.
    relation: Annotated[tuple[Name, ...], BeforeValidator(_one_or_many)] = ()
    #: ``collection.field`` (or ``system.collection.field``) referencing this collection: a
    #: row is the person's when the row pointing at it is (an order's shipping address).
    part_of: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+){1,2}$")] | None = None
    #: False for catalogues and settings (products, groups, sites): never read nor walked.
    personal: bool = True
    #: False when the company derived every row (scores, segments): never exported for portability.
    provided: bool = True
    #: The blast-radius guard stops a run that finds more rows than this for one person.
    max_rows_per_person: Annotated[int, Field(ge=1)] | None = None
    #: Rows copy a person's identifying values with no foreign key (login attempts keyed by
    #: username or IP address, history tables): a row is the person's only when the identity
    #: fields it sets hold the person's values (``engine/copies.py``); it names no identities.
    copies: bool = False
    #: Only rows with these values are copies about a person (``content_type_id: 4``: an
    #: audit log's rows about users, not about orders with the same object id).
    where: dict[Name, Scalar] = Field(default_factory=dict)
    #: Where the rows come from, told in an access answer (None: the map does not say).
    source: Source | None = None
    #: How long rows are kept, in words, where no retention rule or ``keep_for`` says it.
    kept: Text | None = None

    @property
    def primary_key(self) -> str | None:
        keys = [f.name for f in self.fields if f.primary_key]
        return keys[0] if len(keys) == 1 else None

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def deletes_rows(self) -> bool:
        strategies = [self.erase, *(f.erase for f in self.fields)]
        return any(s is not None and s.deletes_row for s in strategies)

    @property
    def erases(self) -> bool:
        return self.erase is not None or any(f.erase is not None for f in self.fields)

    @property
    def declares_ownership(self) -> bool:
        """Whether the collection says whose its rows are (``personal: false`` alone does not:
        a map may set aside a catalogue and still be walked by its references)."""
        owned = self.owner is not None or self.part_of is not None
        return owned or bool(self.relation)

    @property
    def identifies(self) -> bool:
        """Rows of an identity collection are the person themselves, found by identity fields."""
        owned = self.owner is not None or self.part_of is not None
        return self.personal and not owned and not self.relation and not self.copies


class Limits(Spec):
    """How hard rightsdesk may press one data store, across every worker process at once."""

    #: At most this many engine runs use the system at the same time.
    concurrency: Annotated[int, Field(ge=1)] | None = None
    #: The total rate of statements sent to it; split evenly among the ``concurrency`` slots.
    statements_per_second: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _rate_needs_slots(self) -> Limits:
        if self.statements_per_second is not None and self.concurrency is None:
            raise ValueError(
                "statements_per_second needs concurrency: the rate is split among the "
                "concurrency slots, so the total holds across every worker"
            )
        return self

    @property
    def per_slot_rate(self) -> float | None:
        """Statements per second one run holding a slot may send."""
        if self.statements_per_second is None or self.concurrency is None:
            return None
        return self.statements_per_second / self.concurrency


class SystemSpec(Spec):
    model_config = ConfigDict(populate_by_name=True)

    name: Name
    kind: str = "sql"
    url: str
    #: A non-default schema the tables live in (PostgreSQL's search_path; the database on
    #: MySQL/MariaDB), so the URL needs no ``?options=-csearch_path=...``.
    schema_: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_$]*$")] | None = Field(
        None, alias="schema"
    )
    collections: tuple[CollectionSpec, ...]
    limits: Limits | None = None

    def collection(self, name: str) -> CollectionSpec | None:
        return next((c for c in self.collections if c.name == name), None)


class RetentionRule(Spec):
    """Rows the law says must be kept: which, why (``basis``), and until when."""

    model_config = ConfigDict(populate_by_name=True)

    name: str
    collection: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$")]
    basis: Text
    period: PeriodField
    start: Name = Field(alias="from")
    where: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    fields: tuple[str, ...] | None = None  # None: the whole row is kept
    #: Sealed in the encrypted vault and removed from the live table (False: kept in place).
    vault: bool = True
    #: Roles that may read the sealed rows (every read is audited).
    roles: tuple[str, ...] = ("legal",)


class Closure(Spec):
    """The identity closure: a second pass with the identifying values found in a person's rows.

    Values of ``kinds`` found in the person's rows (identity fields, or fields whose category
    names the kind) become identities of a further pass, at most ``max_values`` per person and
    ``max_rounds`` passes; a value also found in another person's rows is never used.
    """

    kinds: tuple[KindName, ...]
    max_values: Annotated[int, Field(ge=1, le=10_000)] = 50
    max_rounds: Annotated[int, Field(ge=1, le=5)] = 2
    #: Kinds that identify a copy row only where nothing stronger in it says otherwise: a
    #: login attempt from my IP address under someone else's username is theirs.
    weak: tuple[str, ...] = ("ip_address", "device_id")


class DataMap(Spec):
    version: Literal[1] = 1
    #: The map's own language: a text given in several languages must have this one.
    language: Literal["en", "zh-CN"] = "en"
    systems: tuple[SystemSpec, ...]
    closure: Closure | None = None
    retention: tuple[RetentionRule, ...] = ()
    purposes: tuple[Purpose, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    account: AccountSpec | None = None
    notice: Notice | None = None

    _source: str = PrivateAttr(default="<data map>")
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> str:
        """The file this map was loaded from."""
        return self._source

    def system(self, name: str) -> SystemSpec | None:
        return next((s for s in self.systems if s.name == name), None)

    def collections(self) -> Iterator[tuple[SystemSpec, CollectionSpec]]:
        for system in self.systems:
            for collection in system.collections:
                yield system, collection

    def resolve(self, dotted: str) -> tuple[SystemSpec, CollectionSpec] | None:
        """Find ``system.collection``."""
        system_name, _, collection_name = dotted.partition(".")
        system = self.system(system_name)
        collection = system.collection(collection_name) if system else None
        return (system, collection) if system and collection else None

    @property
    def by_ownership(self) -> bool:
        """Whether the walk follows owner references only (else every reference, as declared)."""
        return any(c.declares_ownership for _, c in self.collections())

    def identity_kinds(self) -> frozenset[str]:
        """Every identity kind some field of the map is declared as."""
        return frozenset(
            f.identity for _, c in self.collections() for f in c.fields if f.identity is not None
        )

    def purpose(self, name: str) -> Purpose | None:
        return next((p for p in self.purposes if p.name == name), None)

    def recipients_for(self, dotted: set[str]) -> tuple[Recipient, ...]:
        """Recipients holding a copy of any of the ``system.collection`` names given."""
        return tuple(r for r in self.recipients if dotted & set(r.collections))

    def retention_for(self, system: str, collection: str) -> tuple[RetentionRule, ...]:
        return tuple(r for r in self.retention if r.collection == f"{system}.{collection}")

    def locate(self, path: tuple[str | int, ...], readable: str = "") -> Location:
        """Source file and line of the element at ``path`` (or its nearest declared parent)."""
        for cut in range(len(path), -1, -1):
            line = self._lines.get(path[:cut])
            if line is not None:
                return Location(self._source, line, readable)
        return Location(self._source, None, readable)
