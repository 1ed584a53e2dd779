"""Fides dataset import: identities, references, keys, categories, strategies and warnings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from rightsdesk.datamap import DataMap, loads
from rightsdesk.datamap.fides import ConversionResult, convert, map_category
from rightsdesk.datamap.fides_policy import load_policy
from rightsdesk.domain.actions import ReferenceDirection
from rightsdesk.domain.errors import DataMapError

FIXTURES = Path(__file__).parent / "fides"


def converted(name: str, **kwargs: Any) -> tuple[ConversionResult, DataMap]:
    result = convert((FIXTURES / name).read_text(), source=name, **kwargs)
    env = {var: "sqlite:///x.db" for var in re.findall(r"\$\{(\w+)\}", result.yaml_text)}
    return result, loads(result.yaml_text, source="out.yml", env=env)


def field(datamap: DataMap, dotted: str) -> Any:
    system, collection, name = dotted.split(".")
    found = datamap.resolve(f"{system}.{collection}")
    assert found is not None, dotted
    return found[1].field(name)


def warnings(result: ConversionResult) -> list[str]:
    return [str(w) for w in result.warnings]


@pytest.mark.parametrize(
    ("fixture", "dotted", "identity", "primary_key", "categories"),
    [
        (
            "postgres.yml",
            "postgres_example.customer.email",
            "email",
            False,
            ("user.contact.email",),
        ),
        ("postgres.yml", "postgres_example.customer.id", None, True, ("user.unique_id",)),
        (
            "postgres.yml",
            "postgres_example.address.city",
            None,
            False,
            ("user.contact.address.city",),
        ),
        (
            "postgres.yml",
            "postgres_example.payment_card.ccn",
            None,
            False,
            ("user.financial.bank_account",),
        ),
        ("postgres.yml", "postgres_example.login.time", None, False, ("user",)),
        ("postgres.yml", "postgres_example.visit.email", "phone", False, ("user.contact.email",)),
        ("nested.yml", "app_db.customer.email", "email", False, ("user.contact.email",)),
        ("nested.yml", "mongo_test.customer_details._id", None, True, ("system.operations",)),
        (
            "masking.yml",
            "masking_example.customer.ssn",
            None,
            False,
            ("user.government_id.national_id",),
        ),
        (
            "masking.yml",
            "masking_example.customer.token",
            None,
            False,
            ("user.authorization.credentials",),
        ),
    ],
)
def test_fields_keep_identity_key_and_categories(
    fixture: str, dotted: str, identity: str | None, primary_key: bool, categories: tuple[str, ...]
) -> None:
    _, datamap = converted(fixture)
    spec = field(datamap, dotted)
    assert (spec.identity, spec.primary_key, spec.categories) == (identity, primary_key, categories)


@pytest.mark.parametrize(
    ("fixture", "dotted", "target", "direction"),
    [
        (
            "postgres.yml",
            "postgres_example.customer.address_id",
            "address.id",
            ReferenceDirection.TO,
        ),
        (
            "postgres.yml",
            "postgres_example.orders.customer_id",
            "customer.id",
            ReferenceDirection.FROM,
        ),
        (
            "postgres.yml",
            "postgres_example.payment_card.customer_id",
            "customer.id",
            ReferenceDirection.FROM,
        ),
        (
            "postgres.yml",
            "postgres_example.payment_card.billing_address_id",
            "address.id",
            ReferenceDirection.BOTH,
        ),
        (
            "postgres.yml",
            "postgres_example.service_request.employee_id",
            "employee.id",
            ReferenceDirection.FROM,
        ),
        (
            "nested.yml",
            "mongo_test.customer_details.customer_id",
            "app_db.customer.id",
            ReferenceDirection.FROM,
        ),
        (
            "masking.yml",
            "masking_example.orders.customer_id",
            "customer.id",
            ReferenceDirection.FROM,
        ),
    ],
)
def test_references_keep_their_direction(
    fixture: str, dotted: str, target: str, direction: ReferenceDirection
) -> None:
    _, datamap = converted(fixture)
    [reference] = field(datamap, dotted).references
    assert (reference.field, reference.direction) == (target, direction)


@pytest.mark.parametrize(
    ("name", "erase"),
    [
        ("state", "set_null"),
        ("house", "fixed(value='1234')"),
        ("name", "hash(length=8)"),
        ("ssn", "hash"),
        ("token", "hash"),
        ("notes", "hash"),
        ("kept", None),
        ("odd", None),
    ],
)
def test_masking_overrides_become_erase_strategies(name: str, erase: str | None) -> None:
    _, datamap = converted("masking.yml")
    strategy = field(datamap, f"masking_example.customer.{name}").erase
    assert (strategy.describe() if strategy else None) == erase


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "postgres.yml",
            "postgres.yml:60: postgres_example.login.time: no rightsdesk category like 'user.sensor'; mapped to its parent 'user'",
        ),
        ("postgres.yml", "postgres.yml:87: postgres_example.service_request: has no primary key"),
        ("nested.yml", "nested.yml:3: app-db: renamed to 'app_db'"),
        (
            "nested.yml",
            "nested.yml:27: mongo_test.customer_details.workplace_info: nested fields skipped (rightsdesk maps flat columns): workplace_info.employer, workplace_info.position",
        ),
        ("nested.yml", "customer_information.email (identity), customer_information.address.city"),
        (
            "nested.yml",
            "nested.yml:40: mongo_test.customer_feedback: skipped: no field could be carried over",
        ),
        (
            "nested.yml",
            "nested.yml:58: mongo_test.conversations.customer_ref: fides_meta.return_all_elements is not carried over",
        ),
        (
            "nested.yml",
            "reference to mongo_test.customer_details.thread.comment dropped: nested fields are not mapped",
        ),
        (
            "nested.yml",
            "nested.yml:61: mongo_test.conversations.customer_ref: reference to other_dataset.customer.id dropped",
        ),
        ("masking.yml", "masking.yml:3: masking_example: dataset after is not carried over"),
        (
            "masking.yml",
            "masking.yml:54: masking_example.orders: after [masking_example.customer] dropped",
        ),
        (
            "masking.yml",
            "masking.yml:20: masking_example.customer.name: masking 'random_string_rewrite': format_preservation is dropped",
        ),
        ("masking.yml", "a keyed hash of 8 hex characters instead"),
        (
            "masking.yml",
            "masking_example.customer.ssn: masking 'hash': becomes a keyed HMAC-SHA256",
        ),
        (
            "masking.yml",
            "masking_example.customer.notes: masking 'aes_encrypt': reversible encryption is not supported",
        ),
        ("masking.yml", "masking_example.customer.odd: masking 'shuffle': not supported"),
        (
            "masking.yml",
            "masking_example.orders.id: erase 'set_null' dropped: a primary key cannot be masked",
        ),
        ("masking.yml", "masking_example.audit_log: erasure dropped for email"),
        (
            "masking.yml",
            "masking.yml:70: masking_example.archived: skipped: fides_meta.skip_processing is set",
        ),
        (
            "masking.yml",
            "masking.yml:7: masking_example.customer: delete_row dropped: orders.customer_id points at its rows",
        ),
    ],
)
def test_what_cannot_be_carried_over_is_a_warning_with_file_and_line(
    fixture: str, expected: str
) -> None:
    result, _ = converted(fixture)
    assert any(expected in w for w in warnings(result)), warnings(result)
    assert f"# WARNING {next(w for w in warnings(result) if expected in w)}" in result.yaml_text


def test_faithful_parts_give_no_warning() -> None:
    result, _ = converted("masking.yml")
    text = "\n".join(warnings(result))
    for quiet in ("customer.state", "customer.house", "customer.token", "customer.kept"):
        assert quiet not in text


def test_collections_and_urls() -> None:
    result, datamap = converted("nested.yml", systems={"app-db": "sqlite:///app.db"})
    assert [s.name for s in datamap.systems] == ["app_db", "mongo_test"]
    assert datamap.systems[0].url == "sqlite:///app.db"
    assert "url: ${MONGO_TEST_URL}" in result.yaml_text
    assert [c.name for c in datamap.systems[1].collections] == ["customer_details", "conversations"]
    assert field(datamap, "app_db.customer.id").primary_key


def test_collection_delete_is_kept_when_children_are_erased() -> None:
    text = (
        (FIXTURES / "masking.yml")
        .read_text()
        .replace(
            "          - name: customer_id\n",
            "          - name: customer_id\n            masking_strategy_override: {strategy: null_rewrite}\n",
        )
    )
    result = convert(text, source="m.yml")
    datamap = loads(result.yaml_text, env={"MASKING_EXAMPLE_URL": "sqlite:///x.db"})
    customer = datamap.resolve("masking_example.customer")
    assert customer is not None and customer[1].deletes_rows
    assert not any("delete_row dropped" in w for w in warnings(result))


@pytest.mark.parametrize(
    ("category", "expected", "warns"),
    [
        ("user.contact.email", "user.contact.email", False),
        ("user.contact.address.postal_code", "user.contact.address.postal_code", False),
        ("user.financial.credit_card", "user.financial.bank_account", False),
        ("user.government_id.passport_number", "user.government_id.passport", False),
        ("user.device.cookie_id", "user.device.device_id", False),
        ("user.provided.identifiable.contact.phone_number", "user.contact.phone_number", False),
        ("user.derived.identifiable.device.ip_address", "user.device.ip_address", False),
        ("user.demographic.race_ethnicity", "user.demographic", True),
        ("user.childrens", "user", True),
        ("system.authentication", "system", True),
        ("account.contact.email", "custom.fides.account.contact.email", True),
    ],
)
def test_category_mapping(category: str, expected: str, warns: bool) -> None:
    mapped, why = map_category(category)
    assert (mapped, why is not None) == (expected, warns)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "dataset:\n  - fides_key: x\n    collections:\n      - name: c\n        fields:\n          - name: a\n            data_categories: [user]\n              data_type: string\n",
            "bad.yml:8: not valid YAML",
        ),
        ("", "bad.yml:1: the file is empty"),
        (
            "collections: []\n",
            "bad.yml:1: not a Fides dataset file: expected a top-level 'dataset:' list",
        ),
        (
            "dataset:\n  - name: no key\n",
            "bad.yml:2: dataset: a dataset needs a fides_key and a collections list",
        ),
        (
            "dataset:\n  - fides_key: x\n    collections:\n      - name: c\n",
            "bad.yml:4: x: a collection needs a name and a fields list",
        ),
        (
            "dataset:\n  - fides_key: x\n    collections:\n      - name: c\n        fields:\n          - data_type: string\n",
            "bad.yml:6: x.c: a field needs a name",
        ),
        (
            "dataset:\n  - fides_key: x\n    collections:\n      - name: c\n        fields:\n          - name: a\n            fides_meta:\n              references: [{field: c.a}]\n",
            "bad.yml:8: x.c.a: a reference needs a dataset and a field",
        ),
    ],
)
def test_malformed_fides_yaml_is_an_error_naming_file_and_line(text: str, expected: str) -> None:
    with pytest.raises(DataMapError) as caught:
        convert(text, source="bad.yml")
    assert any(str(issue).startswith(expected) for issue in caught.value.issues), caught.value


def test_a_map_without_identity_says_so() -> None:
    text = "dataset:\n  - fides_key: x\n    collections:\n      - name: c\n        fields:\n          - name: a\n"
    result = convert(text, source="x.yml")
    assert any("no field has fides_meta.identity" in w for w in warnings(result))


def test_the_docs_example_is_what_the_converter_writes() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "fides-import.md").read_text(encoding="utf-8")
    fides, expected = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    result = convert(fides, source="customers.yml")
    assert result.yaml_text == expected
    loads(result.yaml_text, env={"SHOP_URL": "sqlite:///shop.db"})


def test_the_cli_writes_a_map_that_validates(tmp_path: Path) -> None:
    from tests.test_cli import invoke

    out = tmp_path / "datamap.yml"
    code, output = invoke(
        "datamap",
        "import-fides",
        str(FIXTURES / "postgres.yml"),
        "-o",
        str(out),
        "--url",
        "postgres_example=sqlite:///example.db",
    )
    assert code == 0 and "written" in output, output
    assert "sqlite:///example.db" in out.read_text()
    assert loads(out.read_text(), env={}).systems


@pytest.mark.parametrize(
    ("name", "value_type", "erase", "warning"),
    [
        ("id", "integer", None, None),
        ("email", "string", None, None),
        ("age", "integer", None, "typed.people.age: erase: hash cannot write a integer field"),
        ("rank", "integer", None, "typed.people.rank: erase: fixed value 'x' is not a integer"),
        ("nickname", "string", "fixed(value='x')", None),
        ("tags", None, None, "typed.people.tags: data_type 'string[]' has no rightsdesk type"),
    ],
)
def test_data_type_is_kept_and_never_given_a_strategy_of_another_type(
    name: str, value_type: str | None, erase: str | None, warning: str | None
) -> None:
    result, datamap = converted("typed.yml")
    found = field(datamap, f"typed.people.{name}")
    assert (found.type, found.erase.describe() if found.erase else None) == (value_type, erase)
    about = [w for w in warnings(result) if f"typed.people.{name}:" in w]
    if warning:
        assert any(warning in w for w in about), about
    else:
        assert not [w for w in about if "data_type" in w], about


def test_a_map_refuses_a_strategy_that_cannot_write_the_declared_type() -> None:
    text = """
systems:
  - name: app
    url: sqlite:///x.db
    collections:
      - name: people
        fields:
          - {name: id, primary_key: true, identity: user_id}
          - {name: age, type: integer, erase: hash}
"""
    with pytest.raises(DataMapError) as caught:
        loads(text, source="map.yml")
    assert [str(i) for i in caught.value.issues] == [
        "map.yml:9: app.people.age: erase: hash cannot write a integer field"
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # user.name is targeted: its override (hash 8) applies; the rule's null_rewrite elsewhere
        (
            "erase_names",
            {"name": "hash(length=8)", "ssn": None, "token": None, "state": None, "house": None},
        ),
        # ids and credentials targeted; name not, so its override is not used
        (
            "erase_ids",
            {"name": None, "ssn": "hash", "token": "hash", "state": None, "house": None},
        ),
    ],
)
def test_a_masking_override_applies_only_under_the_policy_that_targets_the_field(
    key: str, expected: dict[str, str | None]
) -> None:
    policy = load_policy((FIXTURES / "policies.yml").read_text(), source="policies.yml", key=key)
    result, datamap = converted("masking.yml", policy=policy)
    got = {}
    for name in expected:
        strategy = field(datamap, f"masking_example.customer.{name}").erase
        got[name] = strategy.describe() if strategy else None
    assert got == expected
    assert any("masking override not used" in w and ".state:" in w for w in warnings(result))


def test_a_policy_rule_without_override_uses_the_rules_strategy() -> None:
    policy = load_policy((FIXTURES / "policies.yml").read_text(), source="p.yml", key="erase_names")
    _, datamap = converted("postgres.yml", policy=policy)
    assert field(datamap, "postgres_example.customer.name").erase.describe() == "set_null"
    assert field(datamap, "postgres_example.customer.email").erase is None


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("rules: 3\n", None, "p.yml:1: policy: not a Fides policy"),
        (
            (FIXTURES / "policies.yml").read_text(),
            None,
            "several policies (erase_names, erase_ids)",
        ),
        ((FIXTURES / "policies.yml").read_text(), "nope", "no policy with key 'nope'"),
    ],
)
def test_a_bad_policy_file_is_an_error_naming_the_file(
    text: str, key: str | None, message: str
) -> None:
    with pytest.raises(DataMapError) as caught:
        load_policy(text, source="p.yml", key=key)
    assert message in str(caught.value)


def test_the_cli_converts_for_one_policy(tmp_path: Path) -> None:
    from tests.test_cli import invoke

    out = tmp_path / "datamap.yml"
    args = ["datamap", "import-fides", str(FIXTURES / "masking.yml"), "-o", str(out)]
    code, output = invoke(*args, "--policy", str(FIXTURES / "policies.yml"))
    assert code == 2 and "--policy-key" in output, output
    code, output = invoke(
        *args, "--policy", str(FIXTURES / "policies.yml"), "--policy-key", "erase_ids"
    )
    assert code == 0, output
    assert "masking override not used" in output
