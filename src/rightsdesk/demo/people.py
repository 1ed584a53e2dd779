"""Deterministic synthetic people for the demo platform: one row builder per table, in chunks."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TypeVar

from rightsdesk.demo import vocabulary as words

T = TypeVar("T")
Row = tuple[object, ...]
Batch = dict[str, list[Row]]

DAY = 86_400
YEAR = 365 * DAY
DEMO_EMAIL = "li.wei@example.com"
DEMO_PHONE = "+8613800138000"

#: Column order of every generated tuple; the loader names these columns explicitly.
COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(columns.split())
    for table, columns in {
        "accounts": "id email phone display_name password_hash real_name_verified "
        "login_provider status created_at",
        "account_bindings": "id account_id provider external_uid bound_at",
        "security_devices": "id account_id kind label serial added_at",
        "identity_verifications": "id account_id real_name national_id status verified_at",
        "consents": "id account_id purpose granted_at withdrawn_at",
        "login_events": "id account_id ip user_agent at",
        "support_tickets": "id account_id subject body created_at",
        "services": "id name price",
        "subscriptions": "id user_id service_id status enabled_at",
        "orders": "id user_id service_id amount status created_at",
        "bills": "id user_id period amount status due_date",
        "transactions": "id order_id user_id amount method card_last4 at",
        "invoices": "id user_id order_id buyer_name buyer_tax_id amount status issued_at",
    }.items()
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@cache
def _clock() -> list[str]:
    """Every time of day as ``HH:MM:SS``, built once, on first use (formatting is the hot path)."""
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]


def national_id(region: str, birth: date, sequence: int) -> str:
    """An 18-character PRC resident ID number with a valid ISO 7064 MOD 11-2 check character."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


class Dice:
    """Draws from one seeded stream; plain multiplication, several times faster than randrange."""

    def __init__(self, seed: str) -> None:
        rng = random.Random(seed)
        self.random, self.bits = rng.random, rng.getrandbits

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """``low <= x < high``."""
        return low + int(self.random() * (high - low))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def distinct(self, items: Sequence[T], k: int) -> list[T]:
        """``k`` different items, for ``k`` of at most 2 (much cheaper than ``sample``)."""
        first = self.below(len(items))
        second = (first + 1 + self.below(len(items) - 1)) % len(items)
        return [items[first], items[second]][:k]


def _last_two_months(today: date) -> list[tuple[str, str]]:
    """(period, due date) of the two months before ``today``'s, due on the 15th after each."""
    month, out = today.replace(day=1), []
    for _ in range(2):
        month = (month - timedelta(days=1)).replace(day=1)
        due = (month + timedelta(days=45)).replace(day=15)
        out.append((f"{month:%Y-%m}", due.isoformat()))
    return out


@dataclass(frozen=True)
class Person:
    """One subject's fixed traits; ``age`` is how many seconds ago the account was created."""

    id: int
    name: str  # real name, as on the ID card
    stem: str  # ascii form for emails and handles, e.g. wei.li
    email: str
    phone: str | None
    age: int
    provider: str | None  # third party the account logs in through, if any


class Population:
    """Builds subjects chunk by chunk, each chunk seeded on its own; row ids run on across them."""

    def __init__(self, seed: int, today: date) -> None:
        self.seed = seed
        self.today = today.toordinal()
        self.days: dict[int, str] = {}
        self.clock = _clock()
        self.next_id = dict.fromkeys(COLUMNS, 1)
        self.rng = Dice(str(seed))
        self.periods = _last_two_months(today)
        self.national_id: str | None = None  # of the subject being built, for its invoices

    def ts(self, seconds_ago: int) -> str:
        """A timestamp ``seconds_ago`` before now, as ISO text every backend accepts."""
        day, second = divmod(self.today * DAY - seconds_ago, DAY)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = date.fromordinal(day).isoformat()
        return f"{text} {self.clock[second]}"

    def since(self, p: Person, limit: int | None = None) -> str:
        """A random moment after ``p`` signed up (and within ``limit`` seconds of now)."""
        return self.ts(self.rng.below(min(p.age, limit or p.age)))

    def add(self, out: Batch, table: str, *values: object) -> int:
        """Append one row with the next id of ``table``; return the id."""
        row_id = self.next_id[table]
        self.next_id[table] = row_id + 1
        out[table].append((row_id, *values))
        return row_id

    def chunk(self, first: int, last: int) -> Batch:
        """Every row of subjects ``first..last`` (inclusive), per table."""
        self.rng = Dice(f"{self.seed}:{first}")
        out: Batch = {table: [] for table in COLUMNS if table != "services"}
        for subject in range(first, last + 1):
            self.person(self.demo() if subject == 1 else self.someone(subject), out)
        return out

    def demo(self) -> Person:
        return Person(1, "李伟", "wei.li", DEMO_EMAIL, DEMO_PHONE, 12 * YEAR + 40 * DAY, None)

    def someone(self, subject: int) -> Person:
        r = self.rng
        name, stem = r.pick(words.CHINESE_NAMES if r.chance(0.8) else words.LATIN_NAMES)
        email = f"{stem}{subject}@{r.pick(words.DOMAINS)}"
        suffix = (subject * 7_919_863 + 138_000 - 7_919_863) % 100_000_000  # unique per subject
        phone = f"+86{r.pick(words.MOBILE_PREFIXES)}{suffix:08d}" if r.chance(0.92) else None
        provider = r.pick(words.PROVIDERS[:3]) if r.chance(0.1) else None
        return Person(subject, name, stem, email, phone, r.between(30 * DAY, 14 * YEAR), provider)

    def person(self, p: Person, out: Batch) -> None:
        """Append every row of ``p``; person 1 gets a fixed set with every kind of row."""
        demo, r = p.id == 1, self.rng
        self.national_id = self.verification(p, out) if demo or r.chance(0.6) else None
        self.account(p, out)
        self.bindings(p, out, ["wechat", "github"] if demo else self.providers(p))
        self.devices(p, out, 2 if demo else r.below(3))
        self.consents(p, out, 3 if demo else r.between(2, 4))
        self.logins(p, out, 3 if demo else r.between(1, 6))
        self.tickets(p, out, 1 if demo else r.below(3))
        self.subscriptions(p, out)
        self.bills(p, out)
        ages = [11 * YEAR, 2 * YEAR, 20 * DAY] if demo else self.order_ages(p)
        self.orders(p, out, ages, 2 if demo else r.between(1, 3))

    def providers(self, p: Person) -> list[str]:
        picked = self.rng.distinct(words.PROVIDERS, self.rng.between(1, 3))
        return [p.provider, *(x for x in picked if x != p.provider)][:2] if p.provider else picked

    def order_ages(self, p: Person) -> list[int]:
        count = self.rng.between(2, 4)
        return sorted((self.rng.below(p.age) for _ in range(count)), reverse=True)

    def verification(self, p: Person, out: Batch) -> str | None:
        """Add a real-name verification; return the national id when it passed."""
        r, demo = self.rng, p.id == 1
        status = "passed" if demo or r.chance(0.85) else r.pick(("rejected", "pending"))
        birth = date(1960, 1, 1) + timedelta(r.below(16_000))
        number = (
            national_id("110101", date(1990, 3, 7), 775)
            if demo
            else national_id(r.pick(words.REGIONS), birth, r.below(1000))
        )
        self.add(out, "identity_verifications", p.id, p.name, number, status, self.since(p))
        return number if status == "passed" else None

    def account(self, p: Person, out: Batch) -> None:
        r = self.rng
        handle = f"{p.stem.replace('.', '')[:10]}_{p.id % 997}"
        display = p.name if p.id == 1 or r.chance(0.5) else handle
        secret = None if p.provider else f"$argon2id$v=19$m=65536,t=3,p=4${r.bits(128):032x}"
        status = "active" if p.id == 1 or r.chance(0.94) else r.pick(("suspended", "closing"))
        verified = int(self.national_id is not None)
        row = (
            p.id,
            p.email,
            p.phone,
            display,
            secret,
            verified,
            p.provider,
            status,
            self.ts(p.age),
        )
        out["accounts"].append(row)

    def bindings(self, p: Person, out: Batch, providers: list[str]) -> None:
        for provider in providers:
            wechat = provider == "wechat"
            uid = f"o{self.rng.bits(120):030x}" if wechat else str(self.rng.bits(33))
            self.add(out, "account_bindings", p.id, provider, uid, self.since(p))

    def devices(self, p: Person, out: Batch, count: int) -> None:
        for n in range(count):
            kind, label = words.DEVICES[(p.id + n) % len(words.DEVICES)]
            serial = f"SN{self.rng.bits(40):010X}"
            self.add(out, "security_devices", p.id, kind, label, serial, self.since(p))

    def consents(self, p: Person, out: Batch, count: int) -> None:
        """Terms and privacy policy at sign-up, then optional purposes, some withdrawn later."""
        self.add(out, "consents", p.id, "terms_of_service", self.ts(p.age), None)
        self.add(out, "consents", p.id, "privacy_policy", self.ts(p.age), None)
        for purpose in self.rng.distinct(words.PURPOSES, count - 2):
            granted = self.rng.below(p.age)
            withdrawn = p.id == 1 or self.rng.chance(0.3)
            ended = self.ts(granted // 2) if withdrawn else None
            self.add(out, "consents", p.id, purpose, self.ts(granted), ended)

    def logins(self, p: Person, out: Batch, count: int) -> None:
        for _ in range(count):
            agent = self.rng.pick(words.AGENTS)
            self.add(out, "login_events", p.id, self.ip(), agent, self.since(p, YEAR))

    def ip(self) -> str:
        r = self.rng
        return r.pick(words.NETWORKS).format(r.below(256), r.between(1, 255))

    def tickets(self, p: Person, out: Batch, count: int) -> None:
        for _ in range(count):
            subject, body = self.rng.pick(words.TICKETS)
            text = body.format(phone=p.phone or "-", name=p.name)
            self.add(out, "support_tickets", p.id, subject, text, self.since(p))

    def subscriptions(self, p: Person, out: Batch) -> None:
        for service in self.rng.distinct(range(1, len(words.SERVICES) + 1), 2):
            status = "active" if self.rng.chance(0.8) else "suspended"
            self.add(out, "subscriptions", p.id, service, status, self.since(p))

    def bills(self, p: Person, out: Batch) -> None:
        """The last two monthly bills; the latest may still be unpaid."""
        for n, (period, due) in enumerate(self.periods):
            status = "unpaid" if n == 0 and self.rng.chance(0.3) else "paid"
            self.add(out, "bills", p.id, period, self.money(), status, due)

    def money(self) -> str:
        pareto = (1.0 - self.rng.random()) ** (-1 / 1.2)  # many small amounts, a few large
        cents = min(int(pareto * 990), 99_999_999)
        return f"{cents // 100}.{cents % 100:02d}"

    def orders(self, p: Person, out: Batch, ages: list[int], invoiced: int) -> None:
        """Orders, each paid by one transaction; the oldest ``invoiced`` orders get an invoice."""
        r, demo = self.rng, p.id == 1
        for n, age in enumerate(ages):
            amount, status = self.money(), "paid" if demo or r.chance(0.9) else "refunded"
            service = r.between(1, len(words.SERVICES) + 1)
            order = self.add(out, "orders", p.id, service, amount, status, self.ts(age))
            method = "card" if demo else r.pick(("alipay", "wechat_pay", "card", "bank_transfer"))
            last4 = f"{r.below(10_000):04d}" if method == "card" else None
            paid = self.ts(max(age - 60, 0))
            self.add(out, "transactions", order, p.id, amount, method, last4, paid)
            if n < invoiced:
                self.invoice(p, out, order, amount, max(age - r.between(DAY, 10 * DAY), 0))

    def invoice(self, p: Person, out: Batch, order: int, amount: str, age: int) -> None:
        """Individuals' invoices carry their ID number as tax id; companies their credit code."""
        demo = p.id == 1
        company = not demo and self.rng.chance(0.35)
        buyer = self.rng.pick(words.COMPANIES) if company else p.name
        tax_id = f"91{self.rng.bits(64):016X}" if company else self.national_id
        status = "issued" if demo or self.rng.chance(0.92) else "void"
        self.add(out, "invoices", p.id, order, buyer, tax_id, amount, status, self.ts(age))

    def heavy_logins(self, count: int, chunk: int) -> Iterator[list[Row]]:
        """``count`` extra login events of subject 1, ``chunk`` rows at a time."""
        self.rng = Dice(f"{self.seed}:heavy")
        out: Batch = {"login_events": []}
        for start in range(0, count, chunk):
            for _ in range(min(chunk, count - start)):
                agent = self.rng.pick(words.AGENTS)
                self.add(
                    out, "login_events", 1, self.ip(), agent, self.ts(self.rng.below(2 * YEAR))
                )
            yield out["login_events"]
            out["login_events"] = []
