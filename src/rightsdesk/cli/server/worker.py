"""`rightsdesk worker`: run request jobs from the broker in this process (the scale-out mode)."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from rightsdesk.cli.app import app, err
from rightsdesk.domain.errors import PolicyError
from rightsdesk.settings import Settings


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", help="Jobs run at once (threads).")
    ] = 2,
    queues: Annotated[
        str | None, typer.Option("--queues", "-Q", help="Comma-separated queues to consume.")
    ] = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve this worker's Prometheus metrics on this port.")
    ] = None,
) -> None:
    """Run jobs from the Celery broker until stopped (RIGHTSDESK_JOB_BACKEND=celery).

    Also sweeps leases: jobs whose worker died or whose message was lost are submitted again.
    """
    from rightsdesk.jobs.base import JOB_BACKENDS, BrokerBackend
    from rightsdesk.observability import logs, metrics
    from rightsdesk.service.runtime import leases, wiring

    settings = Settings()
    logs.configure(settings.log_format, settings.log_level)
    backend = JOB_BACKENDS.get(settings.job_backend).from_settings(settings)
    if not isinstance(backend, BrokerBackend):  # its jobs run where they are submitted
        backend.close()
        raise PolicyError("a worker needs RIGHTSDESK_JOB_BACKEND=celery and RIGHTSDESK_BROKER_URL")
    services = wiring.build(settings, jobs=backend)
    metrics.install(services)
    if metrics_port is not None:  # each worker process is its own scrape target
        metrics.serve(metrics_port, broker=backend.state)
    stop = threading.Event()
    sweeper = threading.Thread(
        target=leases.sweep_forever, args=(services, stop), name="rightsdesk-sweep", daemon=True
    )
    sweeper.start()
    named = [q.strip() for q in (queues or "").split(",") if q.strip()]
    err.print(f"rightsdesk worker: {concurrency} thread(s) on {named or [backend.queue]}")
    try:
        code = backend.work(concurrency=concurrency, queues=named)
    finally:
        stop.set()
        wiring.close(services)
    raise typer.Exit(code)
