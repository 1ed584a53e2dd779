"""The three classic traps of walking references (docs/datamap.md), as one small database.

Three people. Shared parent: orders of 1 and 2 reference one product. Owned parent with other
people's children: person 1 owns an OAuth application whose tokens belong to 2 and 3. Relation
rows: 1 follows 2, 2 follows 3.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

SCHEMA = [
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(80) UNIQUE, name VARCHAR(80))",
    "CREATE TABLE products (id INTEGER PRIMARY KEY, title VARCHAR(80))",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), "
    "product_id INTEGER NOT NULL REFERENCES products(id), contact VARCHAR(80))",
    "CREATE TABLE applications (id INTEGER PRIMARY KEY, "
    "user_id INTEGER REFERENCES users(id), name VARCHAR(80))",
    "CREATE TABLE tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), "
    "application_id INTEGER NOT NULL REFERENCES applications(id), token VARCHAR(80))",
    "CREATE TABLE follows (id INTEGER PRIMARY KEY, follower_id INTEGER REFERENCES users(id), "
    "followee_id INTEGER REFERENCES users(id))",
]
ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [{"id": n, "email": f"p{n}@example.com", "name": f"Person {n}"} for n in (1, 2, 3)],
    "products": [{"id": 1, "title": "Kettle"}],
    "orders": [
        {"id": 11, "user_id": 1, "product_id": 1, "contact": "p1@example.com"},
        {"id": 21, "user_id": 2, "product_id": 1, "contact": "p2@example.com"},
    ],
    "applications": [{"id": 1, "user_id": 1, "name": "Person 1's app"}],
    "tokens": [
        {"id": 12, "user_id": 2, "application_id": 1, "token": "t-2"},
        {"id": 13, "user_id": 3, "application_id": 1, "token": "t-3"},
    ],
    "follows": [
        {"id": 1, "follower_id": 1, "followee_id": 2},
        {"id": 2, "follower_id": 2, "followee_id": 3},
    ],
}

#: Every reference mapped, no ownership: the walk goes everywhere (what issue 12 found).
BY_REFERENCES = """
systems:
  - name: app
    url: {url}
    collections:
      - name: users
        fields:
          - {{name: id, primary_key: true, identity: user_id}}
          - {{name: email, identity: email, categories: user.contact.email}}
          - {{name: name, categories: user.name}}
      - name: products
        fields:
          - {{name: id, primary_key: true}}
          - {{name: title}}
      - name: orders
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: product_id, references: products.id}}
          - {{name: contact, categories: user.contact.email}}
      - name: applications
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: name}}
      - name: tokens
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: application_id, references: applications.id}}
          - {{name: token, categories: user.authorization.credentials}}
      - name: follows
        fields:
          - {{name: id, primary_key: true}}
          - {{name: follower_id, references: users.id}}
          - {{name: followee_id, references: users.id}}
"""

#: The same map by ownership.
BY_OWNERSHIP = """
systems:
  - name: app
    url: {url}
    collections:
      - name: users
        max_rows_per_person: 1
        fields:
          - {{name: id, primary_key: true, identity: user_id}}
          - {{name: email, identity: email, categories: user.contact.email, erase: set_null}}
          - {{name: name, categories: user.name, erase: set_null}}
      - name: products
        personal: false
        fields:
          - {{name: id, primary_key: true}}
      - name: orders
        owner: user_id
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: product_id, references: products.id}}
          - {{name: contact, categories: user.contact.email}}
      - name: applications
        owner: user_id
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: name, erase: {{fixed: "[erased]"}}}}
      - name: tokens
        owner: user_id
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id}}
          - {{name: application_id, references: applications.id}}
          - {{name: token, categories: user.authorization.credentials}}
      - name: follows
        relation: [follower_id, followee_id]
        fields:
          - {{name: id, primary_key: true}}
          - {{name: follower_id, references: users.id, erase: set_null}}
          - {{name: followee_id, references: users.id, erase: set_null}}
"""


def create(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in SCHEMA:
                conn.execute(sa.text(statement))
            for table, rows in ROWS.items():
                columns = ", ".join(rows[0])
                values = ", ".join(f":{c}" for c in rows[0])
                conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows)
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id"))]
                for t in ROWS
            }
    finally:
        engine.dispose()
