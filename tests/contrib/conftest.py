"""Helpers for the clastic.contrib tests: a client that says where the request comes from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import TestResponse

from clastic.testing import make_client


@pytest.fixture
def local_get() -> Callable[..., TestResponse]:
    """``local_get(app, path, remote_addr='127.0.0.1', **kwargs)``: GET *path* from *remote_addr*.

    Werkzeug's test client sends no REMOTE_ADDR by default, which the
    loopback-only contrib applications treat as an unknown (refused) client.
    """

    def get(app: Any, path: str, remote_addr: str = "127.0.0.1", **kwargs: Any) -> TestResponse:
        return make_client(app).get(path, environ_base={"REMOTE_ADDR": remote_addr}, **kwargs)

    return get
