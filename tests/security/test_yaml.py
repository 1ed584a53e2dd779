"""Finding 8: a 440-byte YAML file took 3 GB (aliases expanded at every reference).

Each hostile file is fed to every YAML entry point (data map, Fides import, policy file) and
must be refused quickly with the file and line, and by the CLI with exit code 2.
"""

from __future__ import annotations

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


@pytest.mark.parametrize(
    "command",
    [["datamap", "validate", "{file}"], ["datamap", "import-fides", "{file}", "-o", "{out}"]],
)
def test_the_cli_refuses_billion_laughs_with_exit_code_2(
    tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "laughs.yml"
    path.write_text(LAUGHS)
    args = [a.format(file=path, out=tmp_path / "out.yml") for a in command]
    done = subprocess.run(
        [sys.executable, "-m", "rightsdesk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"{path}:2" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
