"""Fixtures for the clastic-errors tests: a request helper that sets the client address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

#: Accept header per body format.
FORMATS = {
    "html": "text/html",
    "json": "application/json",
    "problem": "application/problem+json",
    "xml": "application/xml",
    "text": "text/plain",
}

LOOPBACK = "127.0.0.1"
REMOTE = "203.0.113.9"


@pytest.fixture
def call() -> Callable[..., TestResponse]:
    """``call(app, path, fmt=None, remote=LOOPBACK, method='GET', headers=None, **kw)``.

    Werkzeug's test client sends no ``REMOTE_ADDR``; this sets one, as a
    server would.
    """

    def _call(
        app: Any,
        path: str,
        fmt: str | None = None,
        *,
        remote: str | None = LOOPBACK,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        all_headers = dict(headers or {})
        if fmt is not None:
            all_headers["Accept"] = FORMATS[fmt]
        environ = {"REMOTE_ADDR": remote} if remote is not None else {}
        return Client(app, use_cookies=False).open(
            path, method=method, headers=all_headers, environ_base=environ, **kwargs
        )

    return _call
