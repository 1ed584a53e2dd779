"""The deployment guide's one-command local cluster, driven end to end.

`scripts/cluster.sh` with two workers against the real PostgreSQL and Redis: a ticket-verified
deletion submitted over the API is run by a worker through the broker; the API's /metrics and a
worker's metrics port answer; Ctrl-C stops every process. When a service is missing the script
cannot start it and the test fails, never skips.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import SERVERS
from tests.mailbox import free_ports
from tests.service.conftest import PERSON

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "cluster.sh"

pytestmark = pytest.mark.postgres


class LocalCluster:
    def __init__(
        self, process: subprocess.Popen[bytes], directory: Path, port: int, metrics: int, said: Path
    ) -> None:
        self.process, self.directory, self.said = process, directory, said
        self.api = f"http://127.0.0.1:{port}"
        self.metrics_port = metrics

    def env(self) -> dict[str, str]:
        """The settings the script gave its processes (cluster.env), for a CLI call."""
        found = dict(os.environ)
        text = (self.directory / "cluster.env").read_text()
        for name, value in re.findall(r"^export (\w+)=(.*)$", text, re.M):
            found[name] = subprocess.run(
                ["bash", "-c", f"printf %s {value}"], check=True, capture_output=True, text=True
            ).stdout
        return found

    def output(self) -> str:
        logs = sorted((self.directory / "logs").glob("*.log"))
        tails = "\n".join(f"== {p.name}\n{p.read_text()[-2000:]}" for p in logs)
        return f"{self.said.read_text()}\n{tails}"


@contextlib.contextmanager
def _explained(cluster: LocalCluster) -> Iterator[None]:
    """An API that stops answering mid-test fails with the script's words and the logs (seen
    once under load as a bare 'connection refused' right after /healthz had answered)."""
    try:
        yield
    except httpx.TransportError as exc:
        pytest.fail(f"the cluster's API stopped answering ({exc}):\n{cluster.output()}")


@pytest.fixture
def local_cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    port = free_ports(3)  # the API, then the two workers' metrics ports (the script counts up)
    metrics = port + 1
    env = {
        **os.environ,
        "WORKERS": "2",
        "PORT": str(port),
        "METRICS_PORT": str(metrics),
        "CLUSTER_DIR": str(tmp_path / "cluster"),
        "CLUSTER_DB": f"rd_cluster_{os.getpid()}",
        "RIGHTSDESK_BROKER_URL": f"redis://127.0.0.1:6379/{10 + os.getpid() % 5}",
        "PEOPLE": "30",
    }
    with (tmp_path / "cluster.out").open("w") as said:
        process = subprocess.Popen(
            ["bash", str(SCRIPT)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=said,
            start_new_session=True,  # its own process group, as in a terminal
        )
    running = LocalCluster(process, tmp_path / "cluster", port, metrics, tmp_path / "cluster.out")
    try:
        _wait_until_up(running)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        _drop(env["CLUSTER_DB"])  # the script creates it afresh and leaves it for the user


def _drop(database: str) -> None:
    server = SERVERS["postgres"]
    admin = create_engine(
        os.environ.get(server.env, server.admin_url), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(server.drop.format(database)))
    finally:
        admin.dispose()


def _wait_until_up(cluster: LocalCluster) -> None:
    """Until the script says the cluster is up: every process answers (not only the API)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if cluster.process.poll() is not None:
            pytest.fail(f"cluster.sh exited {cluster.process.returncode}:\n{cluster.output()}")
        if "cluster: up:" in cluster.said.read_text():
            return
        time.sleep(0.5)
    pytest.fail(f"the cluster did not come up in 120 s:\n{cluster.output()}")


def test_the_local_cluster_runs_a_deletion_on_its_workers_and_stops_on_ctrl_c(
    local_cluster: LocalCluster,
) -> None:
    cluster = local_cluster
    created = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rightsdesk"), "apikey", "create", "smoke", "-s", "decide"],
        env=cluster.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"rdk_\S+", created.stdout)
    assert found, created.stdout
    key = {"X-API-Key": found.group()}
    with _explained(cluster), httpx.Client(base_url=cluster.api, headers=key, timeout=10) as api:
        body = {
            "type": "delete",
            "identities": [{"kind": "email", "value": PERSON}],
            "evidence": "ticket 42: signed request on file",
        }
        submitted = api.post("/v1/admin/requests", json=body)
        assert submitted.status_code == 201, submitted.text
        request_id = submitted.json()["id"]
        approved = api.post(f"/v1/admin/requests/{request_id}/approve", json={})
        assert approved.status_code == 200, approved.text
        deadline, status = time.monotonic() + 60, ""
        while time.monotonic() < deadline:
            status = api.get(f"/v1/admin/requests/{request_id}").json()["status"]
            if status in ("completed", "failed"):
                break
            time.sleep(0.3)
        assert status == "completed", cluster.output()
        scraped = api.get("/metrics").text
    assert 'rightsdesk_requests{status="completed",type="delete"} 1.0' in scraped
    # one of the two workers ran the erasure and observed its steps
    ran = 0.0
    for offset in (0, 1):
        text = httpx.get(f"http://127.0.0.1:{cluster.metrics_port + offset}/metrics").text
        counted = re.search(
            r'rightsdesk_step_seconds_count\{action="erasure",system="platform"\} (\S+)', text
        )
        ran += float(counted.group(1)) if counted else 0.0
    assert ran == 1
    worker_lines = "".join(p.read_text() for p in (cluster.directory / "logs").glob("worker-*.log"))
    assert f'"request_id": "{request_id}"' in worker_lines and PERSON not in worker_lines

    os.killpg(cluster.process.pid, signal.SIGINT)  # Ctrl-C in the terminal
    assert cluster.process.wait(30) in (0, 130)
    with pytest.raises(ProcessLookupError):  # nothing of the group is left running
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            os.killpg(cluster.process.pid, 0)
            time.sleep(0.2)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{cluster.api}/healthz", timeout=1)
