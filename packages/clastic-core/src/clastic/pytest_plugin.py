"""pytest fixtures for Clastic applications (loaded through the ``pytest11`` entry point).

pytest loads this module by itself once clastic-core is installed; nothing
imports it outside a pytest run. Fixtures:

* ``clastic_app``: the Application under test. By default the test module's
  ``create_app()`` result or its ``app`` attribute; override the fixture in
  ``conftest.py`` (or in the module) to build it another way.
* ``clastic_resources``: resource overrides for the test, a dict. By default
  the keyword arguments of the ``clastic_resources`` markers on the test,
  its class and its module (the closest wins); override the fixture to
  compute them from other fixtures (``tmp_path``...).
* ``clastic_client``: a Werkzeug test client for ``clastic_app`` with
  ``clastic_resources`` applied.
* ``clastic_live_server``: the same Application served over real HTTP on
  127.0.0.1 on a free port; ``.url`` is its base URL.
* ``clastic_override``: a function ``override(**values) -> Application``
  that rebuilds ``clastic_app`` with more resources replaced.

Example::

    from clastic import Application, render_basic

    def create_app():
        return Application([("/", lambda db: db.count(), render_basic)], resources={"db": RealDB()})

    @pytest.mark.clastic_resources(db=FakeDB(count=3))
    def test_home(clastic_client):
        assert clastic_client.get("/").text == "3"
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from clastic.testing import LiveServer, make_client, override_resources

if TYPE_CHECKING:
    from werkzeug.test import Client

    from clastic.application import Application

#: The marker that replaces resources for one test, class or module.
RESOURCES_MARKER = "clastic_resources"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``clastic_resources`` marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{RESOURCES_MARKER}(**values): replace these resources of clastic_app for the test "
        "(see clastic.testing.override_resources)",
    )


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
def clastic_resources(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Resource overrides for this test, from its ``clastic_resources`` markers."""
    values: dict[str, Any] = {}
    # iter_markers() yields the closest marker first; apply the farthest
    # first so the test's own marker wins over its class's and module's.
    for marker in reversed(list(request.node.iter_markers(RESOURCES_MARKER))):
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.{RESOURCES_MARKER} takes resource names as keyword arguments, got positional "
                f"arguments {marker.args!r}; write @pytest.mark.{RESOURCES_MARKER}(db=FakeDB())"
            )
        values.update(marker.kwargs)
    return values


def _app_under_test(app: Any, resources: dict[str, Any]) -> Any:
    return override_resources(app, **resources) if resources else app


@pytest.fixture
def clastic_override(clastic_app: Any, clastic_resources: dict[str, Any]) -> Callable[..., Application]:
    """A function that rebuilds ``clastic_app`` with resources replaced.

    ``clastic_override(db=FakeDB())`` returns a new Application; markers'
    overrides apply too, the function's keyword arguments win.
    """

    def override(**values: Any) -> Application:
        return override_resources(clastic_app, **{**clastic_resources, **values})

    return override


@pytest.fixture
def clastic_client(clastic_app: Any, clastic_resources: dict[str, Any]) -> Client:
    """A Werkzeug test client for ``clastic_app`` (with ``clastic_resources`` applied)."""
    return make_client(_app_under_test(clastic_app, clastic_resources))


@pytest.fixture
def clastic_live_server(clastic_app: Any, clastic_resources: dict[str, Any]) -> Iterator[LiveServer]:
    """``clastic_app`` (with ``clastic_resources`` applied) served over real HTTP on 127.0.0.1."""
    with LiveServer(_app_under_test(clastic_app, clastic_resources)) as server:
        yield server
