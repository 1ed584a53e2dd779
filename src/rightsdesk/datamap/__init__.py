"""Where personal data lives: systems, collections, fields, retention rules (YAML, validated)."""

from rightsdesk.datamap.loader import load, loads
from rightsdesk.datamap.model import (
    CollectionSpec,
    DataMap,
    FieldSpec,
    Reference,
    RetentionRule,
    SystemSpec,
)

__all__ = [
    "CollectionSpec",
    "DataMap",
    "FieldSpec",
    "Reference",
    "RetentionRule",
    "SystemSpec",
    "load",
    "loads",
]
