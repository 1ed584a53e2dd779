"""The Low list: a batch interrupted by a killed worker was re-run one request per lease."""

from __future__ import annotations

from pathlib import Path

from rightsdesk.domain.requests import RequestType
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import execution, views
from rightsdesk.service.runtime import leases, wiring
from rightsdesk.settings import Settings
from tests.mailbox import Mailbox
from tests.service.conftest import Clock
from tests.service.flows import submit
from tests.service.test_batching import people, verify_as
from tests.service.test_flow import OPERATOR
from tests.service.test_recovery import Stalled


def test_a_lapsed_batch_is_reclaimed_as_a_batch(
    settings: Settings, clock: Clock, mailbox: Mailbox, platform: Path
) -> None:
    mailbox.clear()
    queue = Stalled()
    built = wiring.build(settings, clock=clock, jobs=queue)
    try:
        ids = []
        for email in people(platform, 5):
            done = submit(built, RequestType.DELETE, email=email)
            verify_as(built, mailbox, done, email)
            requests.approve(built, OPERATOR, done.request.id, None)
            ids.append(done.request.id)
        # a worker leases all five and is killed before it erases anyone
        assert len(execution._claim(built, "", 5, "killed-worker", RequestType.DELETE)) == 5
        assert {views.detail(built, i).status for i in ids} == {"in_progress"}
        clock.advance(seconds=settings.lease_seconds + 1)
        assert leases.recover(built) == 5
        execution.run_job(built, queue.submitted[-1])  # the first re-delivery takes them all
        summaries = [views.detail(built, i).outcome.get("run", {}) for i in ids]
        assert {views.detail(built, i).status for i in ids} == {"completed"}
        assert {s["run_id"] for s in summaries} == {summaries[0]["run_id"]}
    finally:
        wiring.close(built)
