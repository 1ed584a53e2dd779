"""Synthetic people in Chinese and Latin scripts, the same in every builder and in the truth.

Person 1 and person 3 share a display name (王伟), as two real people often do; every other
value (username, emails, phone, IP address, street address) is unique to one person, so a value
found after erasing someone is theirs and nobody else's.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILY = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
]
GIVEN = [("伟", "wei"), ("娜", "na"), ("敏", "min"), ("洋", "yang"), ("静", "jing"), ("磊", "lei")]
FIRST = ["Olivia", "Lucas", "Sofía", "Jonas", "Chloé", "Mateo", "Ingrid", "Kofi"]
LAST = ["Martin", "Bernard", "García", "Müller", "Dubois", "Rossi", "Larsen", "Mensah"]
STREETS = ["人民路", "Rue des Lilas", "长江路", "Calle Mayor", "中山路", "Hauptstraße"]


@dataclass(frozen=True)
class Person:
    """One synthetic person; ``n`` is their index, stable across builds."""

    n: int
    first: str
    last: str
    username: str
    email: str
    old_email: str
    phone: str
    ip: str
    street: str

    @property
    def chinese(self) -> bool:
        return self.n % 2 == 1

    @property
    def display(self) -> str:
        """The name as the application shows it (family name first in Chinese)."""
        return f"{self.last}{self.first}" if self.chinese else f"{self.first} {self.last}"

    @property
    def unique_strings(self) -> tuple[str, ...]:
        """Values that must not survive this person's erasure (none is shared with anyone)."""
        values = [self.username, self.email, self.old_email, self.phone, self.ip, self.street]
        return tuple(values if self.n in SAME_NAME else [*values, self.display])


#: People who share a display name: their names are not unique, so not searched for.
SAME_NAME = frozenset({1, 3})


def person(n: int) -> Person:
    """The ``n``-th person (odd: Chinese script, even: Latin script)."""
    k = 0 if n in SAME_NAME else n // 2  # the k-th name of its script, unique for k < 36
    if n % 2 == 1:
        (last, py_last), (first, py_first) = FAMILY[k % 6], GIVEN[(k // 6 + k) % 6]
        handle = f"{py_last}{py_first}"
    else:
        first, last = FIRST[k % 8], LAST[(k // 8 + k) % 8]
        handle = f"{first[0]}{last}".lower().replace("ü", "u").replace("í", "i")
    handle = f"{handle}{n:02d}"
    street = f"{STREETS[n % len(STREETS)]} {100 + n}号" if n % 2 else f"{17 + n} {STREETS[n % 6]}"
    return Person(
        n=n,
        first=first,
        last=last,
        username=handle,
        email=f"{handle}@mail{n % 3}.example.com",
        old_email=f"{handle}.old@example.net",
        phone=f"+86 139 {1000 + n:04d} {n * 37 % 10000:04d}" if n % 2 else f"+44 7700 9{n:05d}",
        ip=f"203.0.113.{n + 10}" if n % 2 else f"2001:db8::{n + 10:x}",
        street=street,
    )


def people(count: int) -> list[Person]:
    """People 0 .. count-1."""
    return [person(n) for n in range(count)]
