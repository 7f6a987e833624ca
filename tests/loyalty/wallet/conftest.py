"""Every stored-value test runs on a frozen clock."""

from collections.abc import Iterator
from datetime import datetime

import pytest

from memberops.kernel import clock

NOW = datetime.fromisoformat("2026-11-11T12:00:00+08:00")


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield
