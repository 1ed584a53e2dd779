"""Finding 8: a 440-byte YAML file took 3 GB (aliases expanded at every reference).

Each hostile file is fed to every YAML entry point (data map, Fides import, policy file) and
must be refused quickly with the file and line, and by the CLI with exit code 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rightsdesk.datamap import load
from rightsdesk.datamap.fides import convert
from rightsdesk.datamap.yamltext import MAX_BYTES, MAX_DEPTH
from rightsdesk.domain.errors import DataMapError, PolicyError
from rightsdesk.policy import PolicyConfig

LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
HOSTILE = {
    "billion-laughs": (LAUGHS, 2, "aliases"),
    "recursive-alias": ("a: &a [1, *a]\n", 1, "aliases"),
    "deep-nesting": ("a: " + "[" * 500 + "]" * 500 + "\n", 1, "nested deeper"),
    "deep-mappings": (
        "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "v\n",
        64,
        "nested deeper",
    ),
    "too-large": ("# " + "x" * MAX_BYTES + "\n", None, "larger than"),
}

Loader = Callable[[Path], object]
LOADERS: dict[str, Loader] = {
    "datamap": load,
    "fides": lambda path: convert(path.read_text(), source=str(path)),
    "policy": PolicyConfig.load,
}


@pytest.mark.parametrize("attack", HOSTILE)
@pytest.mark.parametrize("entry", LOADERS)
def test_hostile_yaml_is_refused_with_file_and_line(
    tmp_path: Path, attack: str, entry: str
) -> None:
    text, line, message = HOSTILE[attack]
    path = tmp_path / f"{attack}.yml"
    path.write_text(text)
    with pytest.raises((DataMapError, PolicyError)) as caught:
        LOADERS[entry](path)
    where = f"{path}:{line}" if line is not None else str(path)
    assert where in str(caught.value) and message in str(caught.value)
    assert MAX_DEPTH == 64


#: Each entry point of the CLI that reads YAML: a data map, a Fides import, the policy file
#: (read by every service command, here `status`).
COMMANDS = {
    "datamap": ["datamap", "validate", "{file}"],
    "fides": ["datamap", "import-fides", "{file}", "-o", "{out}"],
    "policy": ["status"],
}
#: A hostile file and a malformed one (tracebacks and exit 1 in the finding), with the line named.
FILES = {"billion-laughs": (LAUGHS, 2), "malformed": ("systems: [\n  - oops\n", 2)}


@pytest.mark.parametrize("text", FILES)
@pytest.mark.parametrize("command", COMMANDS)
def test_the_cli_refuses_hostile_or_malformed_yaml_with_exit_code_2(
    tmp_path: Path, command: str, text: str
) -> None:
    content, line = FILES[text]
    path = tmp_path / f"{text}.yml"
    path.write_text(content)
    args = [a.format(file=path, out=tmp_path / "out.yml") for a in COMMANDS[command]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")}
    env["RIGHTSDESK_STATE_DIR"] = str(tmp_path / "state")
    if command == "policy":
        env["RIGHTSDESK_POLICY"] = str(path)
    done = subprocess.run(
        [sys.executable, "-m", "rightsdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"{path}:{line}" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.yml").exists()
