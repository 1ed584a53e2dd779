"""The secret detector: password hashes always; digests and tokens under a hint."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

SECRET = by_name("secret")
BCRYPT = "$2b$12$" + "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
DJANGO = "pbkdf2_sha256$600000$salt123$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG="
SHA512 = (
    "$6$rounds=5000$usesomesillystri$"
    + "D4IrlXatmP7rx3P3InaxBeoomnAihCKRVQP22JZ6EY47Wc6BkroIuUUBOov1i.S5KPgErtP/EN5mcO.ChWQW21"
)


@pytest.mark.parametrize(
    ("value", "hinted", "expected"),
    [
        (BCRYPT, False, True),
        ("$2a$10$" + "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", False, True),
        (ARGON2, False, True),
        ("$argon2id$v=19$m=65536,t=3,p=4$a6b661d263ef3bda4abbd1c327e7c340", False, True),
        ("$argon2id$v=19$m=65536", False, False),
        (DJANGO, False, True),
        ("$pbkdf2-sha256$29000$N2ZjWnPu$abc.def", False, True),
        (SHA512, False, True),
        ("5f4dcc3b5aa765d61d8327deb882cf99", True, True),  # md5 under a hint
        ("5f4dcc3b5aa765d61d8327deb882cf99", False, False),  # a bare digest may be anything
        ("a94a8fe5ccb19ba61c4c0873d7e2e2f3a3b2c1d0" * 1, True, True),  # sha1
        ("sk_live_51HqLyjWDarjtT1zdp7dc", True, True),  # an API token under a hint
        ("hunter2", True, False),
        ("$2b$12$short", False, False),
    ],
)
def test_whole_values(value: str, hinted: bool, expected: bool) -> None:
    assert SECRET.matches(value, hinted=hinted) is expected


def test_secret_detector_is_flagged() -> None:
    assert SECRET.secret
    assert SECRET.category == "user.authorization.credentials"


@pytest.mark.parametrize(
    ("column", "hint"),
    [
        ("password_hash", "password"),
        ("api_key", "api_key"),
        ("accessToken", "token"),
        ("密码", "密码"),
        ("tokenizer_model", None),
    ],
)
def test_column_hints(column: str, hint: str | None) -> None:
    assert SECRET.hint(column) == hint
