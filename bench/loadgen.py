"""Drive an HTTP server with ``wrk`` (closed loop, fixed connections) and read back its figures."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Each request is a distinct person (unique email) with its own Idempotency-Key, so no
#: submission can join another; ``done`` prints one JSON line the harness parses.
SCRIPT = r"""
local threads = {}
local prefix = "x"

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  prefix = args[1] or "x"
  sent, created, other = 0, 0, 0
  method = args[2] or "POST"
end

function request()
  if method == "GET" then
    return wrk.format("GET", wrk.path)
  end
  sent = sent + 1
  local who = string.format("%s-%d-%d", prefix, tid, sent)
  local body = '{"type":"access","identities":[{"kind":"email","value":"p' .. who ..
    '@bench.example"}]}'
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = who}
  return wrk.format("POST", wrk.path, headers, body)
end

function response(status, headers, body)
  if status == 201 or (method == "GET" and status == 200) then
    created = created + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("created")
    bad = bad + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    '{"seconds":%f,"requests":%d,"ok":%d,"bad_status":%d,"socket_errors":%d,' ..
    '"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%f}\n',
    summary.duration / 1e6, summary.requests, ok, bad,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
"""


@dataclass(frozen=True)
class Load:
    """One measured wrk run; latencies in milliseconds."""

    seconds: float
    ok: int
    errors: int
    p50: float
    p95: float
    p99: float
    max: float

    @property
    def rate(self) -> float:
        """Successful responses (201 for submissions, 200 for GETs) per second."""
        return self.ok / self.seconds


def available() -> bool:
    return shutil.which("wrk") is not None


def drive(url: str, *, seconds: float, connections: int, prefix: str, method: str = "POST") -> Load:
    """Hold ``connections`` requests in flight for ``seconds`` (one wrk thread, like a client)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "intake.lua"
        script.write_text(SCRIPT, encoding="utf-8")
        out = subprocess.run(
            [
                "wrk",
                "--threads",
                "1",
                "--connections",
                str(connections),
                "--duration",
                f"{seconds:g}s",
                "--timeout",
                "10s",
                "--script",
                str(script),
                url,
                "--",
                prefix,
                method,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    figures = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    return Load(
        seconds=figures["seconds"],
        ok=figures["ok"],
        errors=figures["bad_status"] + figures["socket_errors"],
        p50=figures["p50"] / 1000,
        p95=figures["p95"] / 1000,
        p99=figures["p99"] / 1000,
        max=figures["max"] / 1000,
    )
