"""pytest fixtures for Clastic applications (loaded through the ``pytest11`` entry point).

Fixtures:

* ``clastic_app``: the Application under test. By default the test module's
  ``create_app()`` result or its ``app`` attribute; override the fixture in
  ``conftest.py`` to build it another way.
* ``clastic_client``: a Werkzeug test client for ``clastic_app``.
* ``clastic_live_server``: ``clastic_app`` served on 127.0.0.1 on a free
  port; ``.url`` is its base URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from clastic.testing import LiveServer, make_client


@pytest.fixture
def clastic_app(request: pytest.FixtureRequest) -> Any:
    """The Application under test: the module's ``create_app()`` or ``app``."""
    module = request.module
    factory = getattr(module, "create_app", None)
    if callable(factory):
        return factory()
    app = getattr(module, "app", None)
    if app is None:
        raise pytest.UsageError(
            f"{module.__name__} defines neither create_app() nor app; define one, or override the clastic_app fixture"
        )
    return app


@pytest.fixture
def clastic_client(clastic_app: Any) -> Client:
    """A Werkzeug test client for ``clastic_app``."""
    return make_client(clastic_app)


@pytest.fixture
def clastic_live_server(clastic_app: Any) -> Iterator[LiveServer]:
    """``clastic_app`` served over real HTTP on 127.0.0.1."""
    with LiveServer(clastic_app) as server:
        yield server
