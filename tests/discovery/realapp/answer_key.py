"""The labelled answer key for the Django + django-allauth schema (see ``build.py``).

Labelling rule: a column is personal data when its *values* identify, contact or authenticate a
person, or are content about them: names, usernames, emails, external account ids, password
hashes, tokens and session keys, free text and JSON describing them, and the people table's key.
Foreign-key copies of a person's key, timestamps and flags in a person's rows are not labelled:
they go with the row (erasure is row-level), and no column classifier can tell them apart from the
same columns of a catalogue table. Application credentials (the OAuth app's client secret) are not
a person's data.

Declared foreign keys are not typed here: ``declared_foreign_keys`` reads them from the live schema.
"""

from __future__ import annotations

import sqlalchemy as sa

PERSONAL = frozenset(
    {
        "auth_user.id",
        "auth_user.username",
        "auth_user.first_name",
        "auth_user.last_name",
        "auth_user.email",
        "auth_user.password",
        "account_emailaddress.email",
        "account_emailconfirmation.key",  # a secret sent to the person's address
        "django_admin_log.object_repr",  # str(user): the username
        "django_admin_log.change_message",  # "Changed email to ..."
        "django_session.session_key",  # a logged-in person's bearer secret
        "django_session.session_data",  # signed JSON holding _auth_user_id
        "socialaccount_socialaccount.uid",  # the person's id at the provider
        "socialaccount_socialaccount.extra_data",  # provider profile: email, name
        "socialaccount_socialtoken.token",
        "socialaccount_socialtoken.token_secret",
    }
)

#: ``table.column`` -> identity kind a person may be looked up by.
IDENTITIES = {
    "auth_user.id": "user_id",
    "auth_user.email": "email",
    "account_emailaddress.email": "email",
    "auth_user.username": "username",
}


def declared_foreign_keys(url: str) -> set[tuple[str, str]]:
    """Every declared single-column foreign key as (``child.column``, ``parent.column``)."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        found = set()
        for table in inspector.get_table_names():
            for fk in inspector.get_foreign_keys(table):
                assert len(fk["constrained_columns"]) == 1, (table, fk)  # Django declares no others
                child = f"{table}.{fk['constrained_columns'][0]}"
                found.add((child, f"{fk['referred_table']}.{fk['referred_columns'][0]}"))
        return found
    finally:
        engine.dispose()
