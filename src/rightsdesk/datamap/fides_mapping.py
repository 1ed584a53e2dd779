"""How Fides categories, identities and masking strategies translate into rightsdesk terms."""

from __future__ import annotations

import re
from typing import Any

from rightsdesk.datamap.taxonomy import check_category
from rightsdesk.domain.actions import ValueType
from rightsdesk.masking.fitting import type_problem
from rightsdesk.masking.registry import parse_erase

#: Fides ``data_type`` -> the field's rightsdesk ``type`` (arrays and ``no_op`` have none).
VALUE_TYPES = {
    "string": ValueType.STRING,
    "object_id": ValueType.STRING,
    "integer": ValueType.INTEGER,
    "float": ValueType.FLOAT,
    "boolean": ValueType.BOOLEAN,
    "object": ValueType.OBJECT,
}
#: Fides identity name -> rightsdesk identity kind, where the two differ.
IDENTITIES = {"phone_number": "phone"}
#: Fides category (or a dotted prefix of one) -> rightsdesk category with the same meaning.
RENAMED = {
    "user.financial.account_number": "user.financial.bank_account",
    "user.financial.credit_card": "user.financial.bank_account",
    "user.government_id.national_identification_number": "user.government_id.national_id",
    "user.government_id.passport_number": "user.government_id.passport",
    "user.device.cookie_id": "user.device.device_id",
    "user.authorization.password": "user.authorization.credentials",
    "user.authorization.biometric": "user.biometric",
    "user.credentials": "user.authorization.credentials",
    "user.behavior.browsing_history": "user.behavior.browsing",
    "user.behavior.purchase_history": "user.financial.transaction",
    "user.account.settings": "user.account",
    "user.contact.fax_number": "user.contact.phone_number",
}
_LEGACY = re.compile(r"^user\.(provided|derived)\.(non)?identifiable\.")


def map_category(category: str) -> tuple[str, str | None]:
    """The rightsdesk category for a Fides one, and a reason when the meaning is only close."""
    name = _LEGACY.sub("user.", category)
    prefix = max((k for k in RENAMED if name == k or name.startswith(k + ".")), key=len, default="")
    if prefix:
        name = RENAMED[prefix] + name.removeprefix(prefix)
    if check_category(name) is None:
        return name, None
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:cut])
        if check_category(parent) is None:
            return (
                parent,
                f"no rightsdesk category like {category!r}; mapped to its parent {parent!r}",
            )
    fallback = f"custom.fides.{category}"
    return fallback, f"no rightsdesk category like {category!r}; kept as {fallback!r}"


def map_strategy(raw: Any) -> tuple[Any, list[str]]:
    """The ``erase`` for a Fides masking override (None: unchanged), and what was lost, in order."""
    name = raw.get("strategy") if isinstance(raw, dict) else None
    config = raw.get("configuration") or {} if isinstance(raw, dict) else {}
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(f"masking {name!r}: {message}")

    if isinstance(config, dict) and config.get("format_preservation"):
        warn("format_preservation is dropped (rightsdesk writes the whole value)")
    if name == "null_rewrite":
        return "set_null", warnings
    if name == "string_rewrite" and isinstance(config, dict) and "rewrite_value" in config:
        return {"fixed": config["rewrite_value"]}, warnings
    if name == "random_string_rewrite":
        length = min(64, max(8, int(config.get("length", 30)))) if isinstance(config, dict) else 32
        warn(f"no random rewrite in rightsdesk; a keyed hash of {length} hex characters instead")
        return {"hash": length}, warnings
    if name in ("hash", "hmac"):
        if name == "hash" or (
            isinstance(config, dict) and config.get("algorithm", "SHA-256") != "SHA-256"
        ):
            warn("becomes a keyed HMAC-SHA256 (algorithm and per-request salt dropped)")
        return "hash", warnings
    if name == "aes_encrypt":
        warn("reversible encryption is not supported; becomes an irreversible keyed hash")
        return "hash", warnings
    if name == "preserve":
        return None, warnings
    warn("not supported; the field is left unchanged by erasure")
    return None, warnings


def map_value_type(data_type: Any) -> tuple[ValueType | None, str | None]:
    """The field ``type`` for a Fides ``data_type``, and a reason when there is none."""
    if data_type is None:
        return None, None
    kind = VALUE_TYPES.get(str(data_type))
    return kind, None if kind else f"data_type {data_type!r} has no rightsdesk type; dropped"


def erase_problem(erase: Any, value_type: str | None) -> str | None:
    """Why a converted ``erase`` cannot write the field's type (it is then dropped)."""
    if value_type is None:
        return None
    problem = type_problem(parse_erase(erase), ValueType(value_type))
    return f"{problem} (data_type {value_type}); erasure dropped" if problem else None
