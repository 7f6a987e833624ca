"""Every recommendations test runs on a frozen clock, after the hand-made orders of
``support``."""

from collections.abc import Iterator

import pytest

from memberops.kernel import clock
from tests.recommendations.support import NOW


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield
