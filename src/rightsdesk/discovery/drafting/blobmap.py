"""Draft what a data map says about blobs: sessions found by their encoded payload, and logs
that name a person by a generic object id (Django's content types) as copies whose text is
redacted.

- A column the encoded-blob detector fires on, whose sampled payloads name a person under one
  key most often (``_auth_user_id``), becomes ``payload: {user_id: _auth_user_id}`` (or
  ``email``/``username`` for such keys); its table's rows are deleted whole (a signed payload
  cannot be rewritten).
- With a ``django_content_type`` table, a table holding ``content_type_id`` and ``object_pk`` (or
  ``object_id``) is a copy about the people table's rows: ``copies: true``, ``where`` the content
  type of the people table's model, the object column an identity ``user_id``, and every other
  text column ``erase: redact`` (only the person's own values are replaced in it, so a row's
  text about someone else is never changed).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rightsdesk.connectors.base import Discoverable
from rightsdesk.discovery.detectors.blobs import person_keys
from rightsdesk.discovery.detectors.classify import ColumnFinding
from rightsdesk.discovery.detectors.detector import name_tokens
from rightsdesk.discovery.drafting.proposal import Column
from rightsdesk.domain.payloads import decode_blob
from rightsdesk.domain.schema import SchemaInfo, TableInfo

CONTENT_TYPES = "django_content_type"
_OBJECT_COLUMNS = ("object_pk", "object_id")
_CHANGE_COLUMNS = frozenset({"change_message", "changes", "serialized_data"})
_KIND_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("email", ("email", "mail")),
    ("phone", ("phone", "mobile")),
    ("username", ("username", "user_name", "login")),
)


@dataclass(frozen=True)
class GenericLog:
    """A log naming rows of any model by (content type, object id)."""

    content_type: int
    object_column: str
    redact: tuple[str, ...]

    @property
    def describes_object(self) -> bool:
        """A change log about the object it names (``object_repr``, ``change_message``), not
        something its author owns (a comment)."""
        return any(c.endswith("_repr") or c in _CHANGE_COLUMNS for c in self.redact)


@dataclass(frozen=True)
class BlobDraft:
    payloads: dict[Column, dict[str, str]]  # (table, column) -> {identity kind: JSON key}
    #: table -> (object column, text columns) of tables naming rows by content type and id
    generic: dict[str, tuple[str, tuple[str, ...]]]
    content_types: dict[str, int]  # a model's table (``auth_user``) -> its content type id
    #: table -> the content types its rows name (comments name products, never people)
    named: dict[str, frozenset[int]] = field(default_factory=dict)

    def logs(self, people: str) -> dict[str, GenericLog]:
        """The generic-object logs whose rows name the ``people`` table's rows, as copies."""
        content_type = self.content_types.get(people)
        if content_type is None:
            return {}
        return {
            table: GenericLog(content_type, column, redact)
            for table, (column, redact) in self.generic.items()
            if content_type in self.named.get(table, frozenset())
        }


def draft_blobs(
    store: Discoverable, info: SchemaInfo, findings: dict[Column, ColumnFinding], *, rows: int = 200
) -> BlobDraft:
    """What the draft says about blob columns (``logs(people)`` once the people are known)."""
    payloads = {}
    for column, finding in findings.items():
        if any(k.detector == "encoded_blob" for k in finding.kinds):
            keys = _payload_keys(store, column, rows=rows)
            if keys:
                payloads[column] = keys
    generic = generic_tables(info)
    named = {t: _named_types(store, t) for t in generic}
    return BlobDraft(payloads, generic, content_types(store, info), named)


def _named_types(store: Discoverable, table: str) -> frozenset[int]:
    return frozenset(
        int(v) for v in store.sample(table, "content_type_id", 1000, distinct=True) if v is not None
    )


def content_types(store: Discoverable, info: SchemaInfo) -> dict[str, int]:
    """Django's content types by their model's table name (none without the table)."""
    if CONTENT_TYPES not in info.tables:
        return {}
    rows = store.scan(CONTENT_TYPES, ["id", "app_label", "model"])
    return {f"{app}_{model}": int(i) for batch in rows for i, app, model in batch}


def generic_tables(info: SchemaInfo) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Tables holding ``content_type_id`` and an object id: (object column, text columns)."""
    found = {}
    for name, described in info.tables.items():
        columns = described.columns
        objects = [c for c in _OBJECT_COLUMNS if c in columns]
        if "content_type_id" not in columns or not objects:
            continue
        skip = {"content_type_id", *_OBJECT_COLUMNS, *described.primary_key}
        found[name] = (objects[0], tuple(c for c in text_columns(described) if c not in skip))
    return found


def text_columns(table: TableInfo) -> tuple[str, ...]:
    """Columns holding text or JSON documents, which ``redact`` can change in place (not a
    primary key's: changing it would forge another row's key)."""
    return tuple(
        c.name
        for c in table.columns.values()
        if (c.python_type == "str" or "json" in c.type or c.type == "text")
        and c.name not in table.primary_key
    )


def _payload_keys(store: Discoverable, column: Column, *, rows: int) -> dict[str, str]:
    """Identity kind -> the JSON key naming it most often in the column's payloads."""
    counts: Counter[str] = Counter()
    for value in store.sample(*column, rows):
        for obj in decode_blob(str(value)):
            counts.update(set(person_keys(obj)))
    best: dict[str, tuple[int, str]] = {}
    for key, count in counts.items():
        kind = _kind(key)
        if count > best.get(kind, (0, ""))[0]:
            best[kind] = (count, key)
    return {kind: key for kind, (_, key) in sorted(best.items())}


def _kind(key: str) -> str:
    tokens = name_tokens(key)
    for kind, hints in _KIND_HINTS:
        if any(f"_{hint}_" in tokens for hint in hints):
            return kind
    return "user_id"
