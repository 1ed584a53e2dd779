"""Finding 1 and 3 on a live server: back-off, the client's caps, lock-outs operators can see,
and a live code no one but the person replaces."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification.attempts import CAPS, Kind
from tests.api.conftest import KeyMaker
from tests.api.steps import bearer, body
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import CODE, emailed_code, mails_to, wait_for_mail
from tests.test_cli import invoke


@pytest.fixture
def clock() -> Clock:
    """Now, so `rightsdesk status` (on the machine's clock) counts what the server did."""
    return Clock(datetime.now(UTC).replace(microsecond=0))


def _guess(live: httpx.Client, submitted: dict[str, Any], code: str) -> httpx.Response:
    url = f"/v1/requests/{submitted['id']}/verify"
    return live.post(url, json={"code": code}, headers=bearer(submitted["token"]))


def _wrong(mailbox: Mailbox, email: str = PERSON) -> str:
    return "000000" if emailed_code(mailbox, email) != "000000" else "111111"


def test_wrong_codes_back_off_exponentially(
    live: httpx.Client, mailbox: Mailbox, clock: Clock
) -> None:
    mailbox.clear()
    cap = CAPS["person", Kind.GUESS]
    submitted = live.post("/v1/requests", json=body("access")).json()
    wait_for_mail(mailbox, 1)
    for _ in range(cap.free):  # the free guesses, at once (they also lock this code)
        assert _guess(live, submitted, _wrong(mailbox)).status_code == 401
    clock.advance(minutes=16)  # past the code's own lock-out: the person asks for a new one
    resent = live.post(f"/v1/requests/{submitted['id']}/code", headers=bearer(submitted["token"]))
    assert resent.status_code == 202, resent.text
    wait_for_mail(mailbox, 2)
    assert _guess(live, submitted, _wrong(mailbox)).status_code == 401  # long after: compared
    waits = []
    for _ in range(3):
        waited = 0
        while (answer := _guess(live, submitted, _wrong(mailbox))).status_code == 429:
            assert "try again after" in answer.text  # refused before the code is compared
            clock.advance(seconds=15)
            waited += 15
            assert waited <= 3600, "the back-off never ended"
        assert answer.status_code == 401, answer.text
        waits.append(waited)
    # after the free guesses each wait doubles: 60 s, 120 s, 240 s
    expected = [cap.wait(n).total_seconds() for n in range(cap.free + 1, cap.free + 4)]
    assert waits == expected and waits[1] == 2 * waits[0] and waits[2] == 2 * waits[1], waits


def test_one_client_guessing_at_many_people_is_capped(
    live: httpx.Client, mailbox: Mailbox, clock: Clock
) -> None:
    """A simulated day of guessing from one address, moving to a new person whenever a code
    locks: the per-person caps never bite, the client's do."""
    mailbox.clear()
    compared = people = 0
    blocked: set[str] = set()
    current: dict[str, Any] | None = None
    for _ in range(24 * 30):  # every 2 minutes for a day
        clock.advance(minutes=2)
        if current is None:
            email = f"victim{people}@example.com"
            answer = live.post("/v1/requests", json=body("access", email))
            if answer.status_code == 429:
                blocked.add(answer.json()["detail"].split(";")[0])
                continue
            assert answer.status_code == 201, answer.text
            current, people = {**answer.json(), "email": email}, people + 1
            wait_for_mail(mailbox, 1, email)
        answer = _guess(live, current, _wrong(mailbox, current["email"]))
        if answer.status_code == 429:
            blocked.add(answer.json()["detail"].split(";")[0])
            continue
        assert answer.status_code == 401, answer.text
        detail = answer.json()["detail"]
        compared += "wrong code" in detail or "is locked" in detail
        if "wrong code" not in detail:  # locked, or lapsed while backing off: the next person
            current = None
    assert "too many wrong codes for this address" in blocked, blocked
    # the per-person caps alone would allow 5 a person (and 20 a day each): the client's
    # back-off holds one address to a few dozen a day, whoever it guesses at
    assert compared <= 2 * CAPS["client", Kind.GUESS].free + 10, (compared, people)
    assert people <= CAPS["client", Kind.SEND].day


def test_lockouts_are_audited_and_visible_to_operators(
    live: httpx.Client,
    mailbox: Mailbox,
    clock: Clock,
    key: KeyMaker,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cancel and resubmit until the person's hourly cap of codes sent is reached: the lock-out
    is in the request's history, in GET /v1/admin/lockouts, in the metrics and in `status`."""
    mailbox.clear()
    last: dict[str, Any] | None = None
    for _ in range(CAPS["person", Kind.SEND].hour + 1):
        clock.advance(minutes=5)
        answer = live.post("/v1/requests", json=body("delete"))
        if answer.status_code == 429:
            assert "too many codes sent for this contact" in answer.text
            break
        assert answer.status_code == 201, answer.text
        last = answer.json()
        cancel = live.post(f"/v1/requests/{last['id']}/cancel", headers=bearer(last["token"]))
        assert cancel.status_code == 200, cancel.text
    else:
        raise AssertionError("the person's hourly cap of codes sent was never reached")
    assert last is not None
    assert len([m for m in mails_to(mailbox) if CODE.search(m.body)]) == CAPS["person", "send"].hour
    reader = key("read")

    history = live.get(f"/v1/admin/requests/{last['id']}", headers=reader).json()
    events = [e for e in history["events"] if e["event"] == "lockout"]
    assert events and events[0]["data"] == {
        "scope": "person",
        "kind": "send",
        "cap": "hour",
        "until": events[0]["data"]["until"],
    }, events

    listed = live.get("/v1/admin/lockouts", headers=reader)
    assert listed.status_code == 200, listed.text
    assert [(x["request_id"], x["scope"], x["kind"], x["cap"]) for x in listed.json()] == [
        (last["id"], "person", "send", "hour")
    ]
    assert live.get("/v1/admin/lockouts").status_code == 401

    scraped = live.get("/metrics", headers=reader).text
    assert 'rightsdesk_lockouts_last_day{kind="send",scope="person"} 1.0' in scraped
    assert 'rightsdesk_lockouts_last_day{kind="guess",scope="client"} 0.0' in scraped

    settings = services.settings
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(settings.state_dir))
    monkeypatch.setenv("RIGHTSDESK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RIGHTSDESK_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("RIGHTSDESK_DATAMAP", str(settings.datamap))
    code, output = invoke("status", "--json")
    assert code == 0, output
    assert {"scope": "person", "kind": "send", "count": 1} in json.loads(output)[
        "lockouts_last_day"
    ]
    code, output = invoke("status")
    assert code == 0 and "lock-outs in the last day: 1 person send" in output, output


def test_a_live_code_is_never_replaced_unless_the_person_asks(
    live: httpx.Client, mailbox: Mailbox, clock: Clock, key: KeyMaker
) -> None:
    mailbox.clear()
    person = live.post("/v1/requests", json=body("delete")).json()
    wait_for_mail(mailbox, 1)
    code = emailed_code(mailbox)
    # within the code's 10 minutes: strangers and an operator's unproven ticket join
    for minutes, joiner in [(2, "stranger"), (3, "operator"), (4, "stranger")]:
        clock.advance(minutes=minutes)
        if joiner == "operator":
            joined = live.post("/v1/admin/requests", json=body("delete"), headers=key("decide"))
        else:
            joined = live.post("/v1/requests", json=body("delete"))
        assert joined.status_code in (200, 201) and joined.json()["joined"], joined.text
    assert len(mails_to(mailbox)) == 1  # no new code went out
    assert _guess(live, person, code).status_code == 200  # 9 minutes on, the first code works

    # the person asks for a new one: it replaces the code out
    asker = "asker@example.com"
    mine = live.post("/v1/requests", json=body("access", asker)).json()
    wait_for_mail(mailbox, 1, asker)
    first = emailed_code(mailbox, asker)
    clock.advance(minutes=2)
    asked = live.post(f"/v1/requests/{mine['id']}/code", headers=bearer(mine["token"]))
    assert asked.status_code == 202, asked.text
    wait_for_mail(mailbox, 2, asker)
    second = emailed_code(mailbox, asker)
    if first != second:  # one in a million they are equal
        assert _guess(live, mine, first).status_code == 401
    assert _guess(live, mine, second).status_code == 200

    # once a code has lapsed, a join sends a fresh one, to the request's contact only
    late = "late@example.com"
    theirs = live.post("/v1/requests", json=body("delete", late)).json()
    wait_for_mail(mailbox, 1, late)
    clock.advance(minutes=11)
    joined = live.post("/v1/requests", json=body("delete", late))
    assert joined.json()["token"] is None
    wait_for_mail(mailbox, 2, late)
    assert _guess(live, theirs, emailed_code(mailbox, late)).status_code == 200
