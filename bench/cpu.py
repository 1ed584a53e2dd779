"""CPU seconds per process from ``/proc``, grouped by the benchmark's roles (workers, API
server, PostgreSQL, client), and the machine's busy share over the same window."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Cpu:
    """CPU seconds per role over a window of ``seconds``, and the machine's busy share."""

    seconds: float
    by_role: dict[str, float]
    busy: float

    def cores(self, role: str) -> float:
        return self.by_role.get(role, 0.0) / self.seconds if self.seconds else 0.0

    @property
    def bottleneck(self) -> str:
        """Which of the workers, the API server and PostgreSQL used the most CPU."""
        name = max(("workers", "API server", "PostgreSQL"), key=self.cores)
        return "database" if name == "PostgreSQL" else name

    def summary(self) -> str:
        shown = ", ".join(
            f"{role} {self.cores(role):.2f}"
            for role in ("workers", "API server", "PostgreSQL", "client", "other databases")
            if role in self.by_role
        )
        return f"{shown} cores; machine {self.busy:.0%} busy"


class CpuSampler(threading.Thread):
    """CPU seconds of every process from /proc, by role, between ``begin`` and ``end``."""

    PATTERN = re.compile(r"^postgres: (?:[^:]+: )?(\S+) (\S+) \S+\(\d+\)")

    def __init__(self, roles: dict[int, str], databases: Sequence[str], client: set[int]) -> None:
        super().__init__(name="bench-cpu", daemon=True)
        self.roles, self.databases, self.client = roles, set(databases), client
        self.tick = os.sysconf("SC_CLK_TCK")
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.stopped = threading.Event()
        self.began = 0.0
        self.machine = (0, 0)

    def begin(self) -> None:
        self.first = self._sample()
        self.last = dict(self.first)
        self.machine = _machine()
        self.began = time.perf_counter()
        self.start()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            self.last |= self._sample()

    def end(self) -> Cpu:
        self.stopped.set()
        self.join()
        self.last |= self._sample()
        seconds = time.perf_counter() - self.began
        busy0, total0 = self.machine
        busy1, total1 = _machine()
        by_role: dict[str, float] = {}
        for pid, spent in self.last.items():
            role = self.kind.get(pid)
            if role is not None:
                by_role[role] = by_role.get(role, 0.0) + spent - self.first.get(pid, 0.0)
        share = (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0
        return Cpu(seconds, by_role, share)

    def _sample(self) -> dict[int, float]:
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                if pid not in self.kind:
                    self.kind[pid] = self._classify(pid)
                if self.kind[pid] == "":
                    continue
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                found[pid] = (int(fields[11]) + int(fields[12])) / self.tick
            except (OSError, ValueError, IndexError):
                continue
        return found

    def _classify(self, pid: int) -> str:
        """The role of a process; "" for processes that are none of the benchmark's."""
        if pid in self.client:
            return "client"
        if pid in self.roles:
            return self.roles[pid]
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        if parent in self.roles:  # e.g. uvicorn's worker processes
            return self.roles[parent]
        title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        if not title.startswith("postgres"):
            return ""
        backend = self.PATTERN.match(title)
        if backend is None:  # the postmaster, WAL writer, checkpointer, autovacuum, ...
            return "PostgreSQL"
        return "PostgreSQL" if backend.group(2) in self.databases else "other databases"


def _machine() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)
