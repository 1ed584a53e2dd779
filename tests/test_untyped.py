"""Records are typed: ``dict[str, Any]`` in ``src/`` only where the data is free-form JSON.

Read with ``ast``, not by importing, as ``test_layout.py`` reads the tree. Every ``dict[str, Any]``
subscript counts, wherever it stands (an annotation, an alias, ``Mapped[...]``, a cast). The
places where the data really is free-form (a JSON column's raw content at the store boundary, a
connector's row, a signed document, a parsed file) are listed with their reason and how many
they hold; everything else is counted against ``CEILING``, which only goes down: a record that
gets a type lowers it (``python tests/test_untyped.py`` prints the numbers to write here).
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "rightsdesk"

#: ``module:name`` (the top-level function, class or alias holding it) -> (how many
#: ``dict[str, Any]`` it may hold, why the data there is free-form JSON).
FREE_FORM: dict[str, tuple[int, str]] = {
    # The store boundary: a JSON column's raw content.
    "store/models.py:Base": (1, "the JSON column type for every dict[str, Any] column"),
    "store/models.py:Request": (
        1,
        "params as submitted (per type; each workflow's check reads them)",
    ),
    "store/models.py:AuditEvent": (1, "the hash-chained audit record, event-specific fields"),
    "store/models.py:Receipt": (1, "the signed receipt document, kept byte for byte"),
    "store/models.py:ConsentRecord": (1, "a consent receipt as the host sent it"),
    "store/models.py:Delivery": (1, "a webhook's payload, per event"),
    "store/models.py:Tombstone": (1, "retention obligations' JSON column"),
    "store/restrictions.py:Restriction": (1, "the marks' JSON column"),
    "store/types.py:OutcomeJSON": (1, "the one place an Outcome becomes its stored JSON"),
    "store/db.py:Store": (1, "keyword options for SQLAlchemy's create_engine"),
    # A company's rows, as connectors read and write them.
    "connectors/base.py:UpdateWhere": (1, "column -> new value of a connector's row"),
    "connectors/sql_schema.py:table_info": (1, "SQLAlchemy's reflected table parts"),
    "connectors/sql_write.py:_composite_group": (1, "bind parameters of one statement"),
    "engine/checkpoint.py:EncodedChange": (1, "a checkpointed change's row values"),
    "engine/runner.py:Engine": (1, "column -> new value of rows, as the connector takes it"),
    "domain/retention.py:HeldRow": (1, "a row kept under a retention rule"),
    "domain/payloads.py:decode_blob": (1, "rows of a JSON blob column"),
    "vault/codec.py:decode": (1, "a vaulted row, as sealed"),
    "vault/codec.py:_tagged_mapping": (2, "a vaulted row's tagged values"),
    "vault/reading.py:Opened": (1, "a vaulted row, opened"),
    "api/vault.py:ItemOut": (1, "a vaulted row, shown"),
    "api/vault.py:TombstoneOut": (1, "retention obligations' JSON column, shown"),
    "cli/desk/vault.py:tombstone": (1, "a tombstone and its rows, shown as JSON"),
    # Documents signed or parsed as they are.
    "audit/chain.py:AuditRecord": (1, "an audit event's fields (docs/audit.md lists them)"),
    "audit/chain.py:_plain_mapping": (2, "canonicalises any event data before hashing"),
    "audit/log.py:stored_record": (1, "the stored audit record"),
    "audit/receipts.py:sign_receipt": (1, "the signed receipt document"),
    "audit/receipts.py:_unique_keys": (2, "json.loads' object hook (any JSON object)"),
    "api/consent.py:ReceiptOut": (1, "a consent receipt as the host sent it"),
    "api/deliveries.py:DeliveryOut": (1, "a webhook's payload, per event"),
    "api/deliveries.py:EventOut": (1, "a webhook's payload, per event"),
    "api/schemas.py:SubmitIn": (3, "params as submitted, checked as plain JSON here"),
    "service/verification/codes.py:host_claims": (2, "a host's JWT claims"),
    "service/requests/receipts.py:document": (1, "the signed receipt document, as stored"),
    "service/requests/receipts.py:for_person": (1, "the signed receipt document, as stored"),
    "service/requests/views.py:AuditEntry": (1, "an audit event's fields (docs/audit.md)"),
    "service/requests/views.py:_entry": (1, "the stored audit record, read back"),
    "service/requests/tickets.py:_ticket": (1, "a line of an imported ticket file, checked here"),
    "service/runtime/runs.py:records": (1, "lines of a JSONL file"),
    "datamap/fides_references.py:Node": (1, "a node of a fides dataset's YAML"),
    "export/portability.py:schema": (2, "the published JSON Schema, loaded"),
    "observability/logs.py:JsonFormatter": (1, "a JSON log line with a record's extra fields"),
}

#: Every other ``dict[str, Any]`` in src/: records still waiting for a type. Only goes down.
CEILING = 98


def _is_str_any(node: ast.Subscript) -> bool:
    name = node.value
    if not (isinstance(name, ast.Name) and name.id in {"dict", "Dict"}):
        return False
    args = node.slice
    if not (isinstance(args, ast.Tuple) and len(args.elts) == 2):
        return False
    key, value = args.elts
    is_any = (isinstance(value, ast.Name) and value.id == "Any") or (
        isinstance(value, ast.Attribute) and value.attr == "Any"
    )
    return isinstance(key, ast.Name) and key.id == "str" and is_any


def _in_string(node: ast.AST) -> int:
    """A string annotation (``'dict[str, Any]'``) counts as the code it stands for."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return 0
    try:
        inner = ast.parse(node.value, mode="eval")
    except SyntaxError:
        return 0
    return sum(isinstance(n, ast.Subscript) and _is_str_any(n) for n in ast.walk(inner))


def count(source: str) -> Counter[str]:
    """``dict[str, Any]`` in a module's source, by the top-level name holding it
    (a function, a class, an alias's name; ``<module>`` for the rest)."""
    found: Counter[str] = Counter()
    for top in ast.parse(source).body:
        name = "<module>"
        if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = top.name
        elif isinstance(top, ast.Assign) and isinstance(top.targets[0], ast.Name):
            name = top.targets[0].id
        elif isinstance(top, ast.AnnAssign) and isinstance(top.target, ast.Name):
            name = top.target.id
        for node in ast.walk(top):
            found[name] += _in_string(node)
            if isinstance(node, ast.Subscript) and _is_str_any(node):
                found[name] += 1
    return +found


def _counts() -> Counter[str]:
    out: Counter[str] = Counter()
    for path in sorted(ROOT.rglob("*.py")):
        module = str(path.relative_to(ROOT))
        for name, n in count(path.read_text(encoding="utf-8")).items():
            out[f"{module}:{name}"] = n
    return out


def test_the_counter_sees_every_spelling() -> None:
    source = (
        "from typing import Any, Dict\nimport typing\n"
        "A = dict[str, Any]\n"
        "def f(x: 'dict[str, Any]') -> Mapped[dict[str, typing.Any]]: ...\n"
        "y: Dict[str, Any] = {}\n"
        "z: dict[str, int] = {}\nw: Mapping[str, Any] = {}\n"
    )
    assert count(source) == {"A": 1, "f": 2, "y": 1}


def test_free_form_places_hold_no_more_than_listed() -> None:
    now = _counts()
    over = {m: (now[m], n) for m, (n, _) in FREE_FORM.items() if now[m] > n}
    assert not over, f"more dict[str, Any] than listed (now, listed): {over}"


def test_records_only_get_typed() -> None:
    now = _counts()
    rest = sum(n for m, n in now.items() if m not in FREE_FORM)
    assert rest <= CEILING, (
        f"{rest} dict[str, Any] outside the free-form places (at most {CEILING}); give the "
        "record a type (a frozen dataclass, a TypedDict), or if the data really is free-form "
        "JSON, list the module in FREE_FORM with the reason"
    )


if __name__ == "__main__":  # python tests/test_untyped.py: the numbers to write above
    now = _counts()
    print("CEILING =", sum(n for m, n in now.items() if m not in FREE_FORM))
    for module, (listed, _) in sorted(FREE_FORM.items()):
        if now[module] < listed:
            print(f"FREE_FORM[{module!r}] holds {now[module]} now (listed {listed})")
    for module, n in now.most_common():
        print(f"{n:4} {module}{'  (free-form)' if module in FREE_FORM else ''}")
