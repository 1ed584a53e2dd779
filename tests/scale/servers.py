"""Broker servers a test owns (a port of its own, never the shared ones other runs use), so it
can kill them and start new processes on the same address."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from kombu import Connection
from kombu.exceptions import OperationalError

from tests.mailbox import free_port


class RedisServer:
    """A `redis-server` on a free loopback port, keeping nothing on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start a new server process on this port and wait until it answers."""
        self.starts += 1
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
        ]  # fmt: skip
        with (self.folder / f"redis-{self.starts}.log").open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the server: its clients see their connections reset, its data is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def replace(self) -> None:
        """A new server process on the same address, as a supervisor or an orchestrator would."""
        self.kill()
        self.start()

    def answers(self) -> bool:
        ping = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
        )
        return ping.stdout.strip() == b"PONG"


class RabbitServer:
    """A RabbitMQ node of its own (its name, ports and data folder), started as the `rabbitmq`
    user when the tests run as root; a restart keeps its durable queues."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rd-rabbit-"))  # rabbitmq must reach it
        self.port = free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"
        (self.folder / "plugins").write_text("[].\n")
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": "/var/lib/rabbitmq",  # the Erlang cookie
            "RABBITMQ_NODENAME": f"rdtest{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "none"),  # absent: the defaults
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.folder / "feature_flags"),
        }
        for sub in ("mnesia", "log"):
            (self.folder / sub).mkdir()
        self.user: str | None = None
        if os.geteuid() == 0:  # RabbitMQ refuses to run as root
            self.user = "rabbitmq"
            owner = pwd.getpwnam(self.user)
            for path in (self.folder, *self.folder.iterdir()):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start the node and wait until it takes AMQP connections."""
        self.starts += 1
        with (self.folder / f"rabbit-{self.starts}.out").open("wb") as log:
            self.process = subprocess.Popen(
                ["/usr/lib/rabbitmq/bin/rabbitmq-server"],
                env=self.env,
                user=self.user,
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() reaches the whole node
            )
        deadline = time.monotonic() + 90
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"RabbitMQ on port {self.port} did not start: {self.folder}")
            time.sleep(0.2)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM: the node shuts down and closes its connections; SIGKILL: they are reset."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, how)
            self.process.wait(60)

    def restart(self) -> None:
        self.stop()
        self.start()

    def answers(self) -> bool:
        try:
            with Connection(self.url, connect_timeout=2) as conn:
                conn.connect()
        except (OSError, OperationalError):
            return False
        return True

    def remove(self) -> None:
        self.stop(signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)
