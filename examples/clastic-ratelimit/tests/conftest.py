"""Shared helpers for clastic-ratelimit's tests.

The ``clastic_app``/``clastic_client``/``clastic_live_server`` fixtures come
from clastic-core's pytest plugin, which pytest loads by itself.
"""

from __future__ import annotations

import pytest


class FakeClock:
    """A clock the tests move by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
