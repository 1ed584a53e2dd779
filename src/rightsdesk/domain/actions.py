"""What a run does to a subject's data."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ACCESS = "access"
    ERASURE = "erasure"


class ExportMode(StrEnum):
    """How a field appears in an access export."""

    VALUE = "value"  # the stored value
    PRESENCE = "presence"  # only whether a value is set (passwords, secrets)
    OMIT = "omit"  # not exported at all


class ReferenceDirection(StrEnum):
    """Which way a reference may be walked (Fides semantics, seen from the referencing field).

    ``both``: either way. ``from``: only from the referenced field into this collection
    (find this collection's rows by the referenced values). ``to``: only from this
    collection to the referenced one.
    """

    BOTH = "both"
    FROM = "from"
    TO = "to"


class ValueType(StrEnum):
    """What a field holds, as a data map may declare it (Fides ``data_type`` names)."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    OBJECT = "object"  # a JSON document
