"""The README, run: every ``sh`` block in order, on a fresh folder, as a newcomer would.

``console`` blocks are illustrative (``make``, files the reader brings) and are not run; the
demo ``make demo`` runs is built by ``rightsdesk demo`` first. The API listens on a free port
instead of 8000, and the whole process group is stopped afterwards, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(kind: str) -> list[str]:
    """The README's fenced blocks of one language, in order."""
    return [body for lang, body in FENCE.findall(README.read_text()) if lang == kind]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_block_is_runnable_or_marked_illustrative() -> None:
    kinds = {lang for lang, _ in FENCE.findall(README.read_text())}
    assert kinds <= {"sh", "console"}, kinds
    assert len(blocks("sh")) >= 3


def test_the_readme_runs_line_by_line(tmp_path: Path) -> None:
    port = str(_free_port())
    steps = ["set -euo pipefail", "rightsdesk demo > demo.log"]  # what `make demo` runs
    for number, body in enumerate(blocks("sh")):
        steps += [body.replace("8000", port), f"echo '@@ block {number} done'"]
    (tmp_path / ".venv").symlink_to(sys.prefix)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")}
    env["PATH"] = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    shell = subprocess.Popen(
        ["bash", "-c", "\n".join(steps)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = shell.communicate(timeout=600)
    finally:
        with contextlib.suppress(ProcessLookupError):  # a server the README left running
            os.killpg(shell.pid, signal.SIGTERM)
    assert shell.returncode == 0, output[-4000:]
    ran = re.findall(r"^@@ block (\d+) done$", output, re.M)
    assert ran == [str(n) for n in range(len(blocks("sh")))], output[-4000:]
    assert "Traceback" not in output
    assert re.search(r"fang\.luo4@example\.net: [1-9]\d* records", output), "nobody found"
    assert "valid, signed by the given key" in output
    assert "audit log intact" in output
    assert '"status":"awaiting_approval"' in output or '"status":"verified"' in output
