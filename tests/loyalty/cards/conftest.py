"""Every benefit-card test starts on a frozen clock and moves it: 2026-11-11 12:00 in Shanghai
(not the member day, the 18th, so points are not doubled by it)."""

from collections.abc import Iterator

import pytest

from memberops.kernel import clock
from tests.loyalty.cards.support import NOW


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield
