"""The data map's notice keys (source, kept, recipients' country and safeguard, notice): what an
access answer tells besides the data (ACC-03), validated with file:line like every other key."""

from __future__ import annotations

import pytest

from rightsdesk.datamap import loads
from rightsdesk.datamap.rights import ReceivedFrom
from rightsdesk.domain.errors import DataMapError

MAP = """\
systems:
  - name: app
    url: sqlite:///app.db
    collections:
      - name: users
        source: person
        kept: while the account exists
        fields:
          - {name: id, primary_key: true, identity: user_id}
          - {name: email, identity: email, categories: user.contact.email}
      - name: logins
        source: {received_from: the identity provider}
        keep_for: {period: 1y, from: at}
        fields:
          - {name: id, primary_key: true}
          - {name: user_id, references: users.id}
          - {name: at, categories: user.behavior.login}
recipients:
  - {name: mailer, collections: [app.users], email: a@b.example, country: SG,
     safeguard: standard contractual clauses}
notice:
  controller: Example Ltd.
  automated_decisions: none
"""


def errors(text: str) -> list[str]:
    with pytest.raises(DataMapError) as caught:
        loads(text, source="map.yml", env={})
    return [str(i) for i in caught.value.issues]


def test_the_notice_keys_load() -> None:
    datamap = loads(MAP, env={})
    users, logins = datamap.systems[0].collections
    assert users.source == "person" and str(users.kept) == "while the account exists"
    assert logins.source == ReceivedFrom(received_from="the identity provider")
    assert datamap.recipients[0].country == "SG"
    assert datamap.notice is not None and str(datamap.notice.controller) == "Example Ltd."
    assert datamap.notice.contact is None  # omitted: the answer says nothing rather than guess


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("source: person", "source: bought", "map.yml:6: app.users: source:"),
        (
            "source: {received_from: the identity provider}",
            "source: {from: the identity provider}",
            "map.yml:12: app.logins: source",
        ),
        ("kept: while the account exists", "kept: ''", "map.yml:7: app.users: kept:"),
        (
            "keep_for: {period: 1y, from: at}",
            "keep_for: {period: 1y, from: at}\n        kept: forever",
            "map.yml:14: app.logins: kept and a retention rule or keep_for",
        ),
        ("  controller: Example Ltd.\n", "", "map.yml:22: notice.controller: Field required"),
        ("country: SG", "country: S", "map.yml:19: mailer: country:"),
    ],
)
def test_bad_notice_keys_name_file_line_and_field(old: str, new: str, expected: str) -> None:
    assert old in MAP
    found = errors(MAP.replace(old, new))
    assert any(e.startswith(expected) for e in found), found
