"""Findings 1, 3 and 4: out-guessing a code, hijacking a joined request, flooding an inbox."""

from __future__ import annotations

import httpx

from rightsdesk.service.verification.attempts import CAPS
from tests.api.steps import bearer, body, submit
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import CODE, emailed_code, mails_to, wait_for_mail

TYPES = ("access", "delete", "correct", "cancel_account")
WRONG = ("000000", "111111")


def _guess(live: httpx.Client, submitted: dict[str, str], code: str) -> httpx.Response:
    url = f"/v1/requests/{submitted['id']}/verify"
    return live.post(url, json={"code": code}, headers=bearer(submitted["token"]))


def test_cancel_and_resubmit_gives_no_fresh_guesses(
    live: httpx.Client, mailbox: Mailbox, clock: Clock
) -> None:
    """A simulated day of the attack in the finding: guess until locked, cancel, submit again
    (also as other request types); the person's guesses stay within the daily cap."""
    mailbox.clear()
    compared = refused = 0
    current: dict[str, str] | None = None
    for step in range(24 * 12):  # every 5 minutes for a day
        clock.advance(minutes=5)
        if current is None:
            kind = TYPES[step % 2]  # access and delete need no params
            response = live.post("/v1/requests", json=body(kind))
            if response.status_code == 429:  # too many codes sent to this person
                refused += 1
                continue
            assert response.status_code == 201, response.text
            current = response.json()
        for _ in range(6):
            code = WRONG[0] if WRONG[0] != emailed_code(mailbox) else WRONG[1]
            answer = _guess(live, current, code)
            if answer.status_code == 429:
                refused += 1
                break
            assert answer.status_code == 401, answer.text
            if "wrong code" not in answer.json()["detail"]:
                break  # this code is locked (or none is out): cancel and submit again
            compared += 1
        url = f"/v1/requests/{current['id']}/cancel"
        cancelled = live.post(url, headers=bearer(current["token"]))
        assert cancelled.status_code == 200, cancelled.text
        current = None
    assert compared <= CAPS["person", "guess"].day  # 20 a day, not 5 per request
    assert refused > 0
    codes = [m for m in mails_to(mailbox) if CODE.search(m.body)]
    assert 0 < len(codes) <= CAPS["person", "send"].day


def test_a_stranger_joining_gets_no_token_and_keeps_the_persons_code(
    live: httpx.Client, mailbox: Mailbox, clock: Clock
) -> None:
    mailbox.clear()
    person = submit(live, "delete")
    wait_for_mail(mailbox, 1)
    code = emailed_code(mailbox)
    clock.advance(minutes=2)  # past the resend minute: a join used to void the code
    joined = live.post("/v1/requests", json=body("delete"))
    assert joined.status_code == 200 and joined.json()["joined"], joined.text
    assert joined.json()["token"] is None
    assert "already open" in joined.json()["next_step"]
    assert len(mails_to(mailbox)) == 1
    answer = _guess(live, person, code)
    assert answer.status_code == 200, answer.text


def test_one_client_cannot_mail_codes_to_any_number_of_people(
    live: httpx.Client, mailbox: Mailbox
) -> None:
    cap = CAPS["client", "send"].hour
    statuses = [
        live.post("/v1/requests", json=body("access", f"victim{n}@example.com")).status_code
        for n in range(cap + 5)
    ]
    assert statuses.count(201) <= cap and statuses[-1] == 429
    assert PERSON not in {m.envelope_to[0] for m in mailbox.messages}
