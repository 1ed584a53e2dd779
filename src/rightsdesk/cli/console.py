"""Consoles that are Rich on a terminal and plain text on a pipe or a file.

On a pipe (a script, ``| grep``, ``> file``) nothing is wrapped or cut at 80 columns, tables are
tab-separated lines (a title line, a header, one line per row), nothing is coloured, and emoji
codes such as ``:100:`` stay as typed. Text from outside (a path, a table name in brackets, an
error message) goes through ``plain()`` wherever it meets markup, so ``[shop.customer]`` is
printed, not swallowed as a tag.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text


def plain(text: object) -> str:
    """``text`` escaped for a markup string: brackets print as themselves."""
    return escape(str(text))


class CliConsole(Console):
    """A Rich console that prints plain, unwrapped text when it is not on a terminal."""

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr, emoji=False, highlight=False)

    def print(self, *objects: Any, **options: Any) -> None:
        if self.is_terminal:
            super().print(*objects, **options)
            return
        options.update(soft_wrap=True, crop=False, highlight=False, emoji=False)
        for item in objects:
            if isinstance(item, Table):
                self._table(item)
            else:
                super().print(item, **options)

    def _table(self, table: Table) -> None:
        """A table as tab-separated lines: its title, the header, then one line per row."""
        lines = [] if table.title is None else [_text(table.title)]
        lines.append("\t".join(_text(c.header) for c in table.columns))
        cells = [[_text(cell) for cell in column.cells] for column in table.columns]
        lines += ["\t".join(row) for row in zip(*cells, strict=True)]
        self.file.write("\n".join(lines) + "\n")
        self.file.flush()


def _text(value: object) -> str:
    """The plain text of a cell (cells are never markup), tabs and newlines as spaces."""
    shown = value.plain if isinstance(value, Text) else str(value)
    return shown.replace("\t", " ").replace("\n", " ")
