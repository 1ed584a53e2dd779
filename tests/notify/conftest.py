"""The ``mailbox`` fixture: a real SMTP server for one test (move to tests/conftest.py to share)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mailbox import Mailbox


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with Mailbox() as box:
        yield box
