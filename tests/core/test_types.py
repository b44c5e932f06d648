"""clastic.types: the ErrorHandler and RenderFactory protocols, the checks made against them, and ArgSource."""

from __future__ import annotations

from typing import Any

import pytest

from clastic import Application, Middleware, NotFound, render_basic
from clastic.errors import ErrorHandler as StockErrorHandler
from clastic.render import BasicRender
from clastic.types import ARG_SOURCE_KINDS, ArgSource, ErrorHandler, RenderFactory
from clastic.wrappers import Response


class PlainNotFound(NotFound):
    """A 404 whose body is always the same."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("nothing here")


class DuckHandler:
    """An error handler that subclasses nothing: the protocol is all an Application needs."""

    not_found_type = PlainNotFound
    method_not_allowed_type = StockErrorHandler.method_not_allowed_type
    wsgi_wrapper = None

    def render_error(self, _error: Any) -> Response:
        return Response(f"{_error.code}: {_error.detail}", status=_error.code)

    def uncaught_to_response(self, _application: Any, _route: Any, **kwargs: Any) -> Response:
        return Response("broken", status=500)


def test_the_stock_handler_and_a_duck_typed_one_follow_the_protocol() -> None:
    assert isinstance(StockErrorHandler(), ErrorHandler)
    assert isinstance(DuckHandler(), ErrorHandler)
    assert not isinstance(object(), ErrorHandler)


def test_an_application_uses_every_member_of_a_duck_typed_handler() -> None:
    def boom() -> str:
        raise RuntimeError("boom")

    app = Application([("/boom", boom, render_basic)], error_handler=DuckHandler())
    client = app.get_local_client()
    assert (client.get("/nowhere").status_code, client.get("/nowhere").text) == (404, "404: nothing here")
    assert (client.get("/boom").status_code, client.get("/boom").text) == (500, "broken")


def test_a_handler_missing_members_is_refused_naming_them() -> None:
    class Partial:
        def render_error(self, _error: Any) -> Response:
            return Response("x")

    with pytest.raises(
        TypeError,
        match=r"got a Partial object, which lacks uncaught_to_response, not_found_type, method_not_allowed_type, "
        r"wsgi_wrapper \(see clastic.types.ErrorHandler\); pass an instance of clastic.errors.ErrorHandler",
    ):
        Application([], error_handler=Partial())


def test_a_handler_member_that_cannot_be_called_is_refused_when_the_app_is_built() -> None:
    class Broken(DuckHandler):
        not_found_type = "NotFound"  # type: ignore[assignment]  # the mistake under test
        wsgi_wrapper = 42  # type: ignore[assignment]  # the mistake under test

    with pytest.raises(
        TypeError,
        match=r"got Broken, whose not_found_type = 'NotFound', wsgi_wrapper = 42 must be callable "
        r"\(see clastic.types.ErrorHandler",
    ):
        Application([], error_handler=Broken())


def test_render_factories_follow_their_protocol() -> None:
    def shout(render_arg: str) -> Any:
        return lambda context: Response(f"{render_arg}: {context}".upper())

    assert isinstance(BasicRender.factory(), RenderFactory)
    assert isinstance(shout, RenderFactory)
    app = Application([("/", lambda: "hello", "greeting")], render_factory=shout)
    assert app.get_local_client().get("/").text == "GREETING: HELLO"


def test_arg_source_kinds_and_labels() -> None:
    assert ARG_SOURCE_KINDS == ("url", "resource", "middleware", "builtin", "default")
    labels = [ArgSource(kind).label for kind in ARG_SOURCE_KINDS if kind != "middleware"]
    assert labels == ["url", "resources", "builtins", "default"]
    assert str(ArgSource("middleware", "SessionMiddleware")) == "SessionMiddleware"


def test_arg_sources_compare_by_kind_and_provider_name_and_are_frozen() -> None:
    class Session(Middleware):
        provides = ("session",)

    first, second = Session(), Session()
    assert ArgSource("middleware", "Session", first) == ArgSource("middleware", "Session", second)
    assert ArgSource("middleware", "Session") != ArgSource("middleware", "Other")
    assert ArgSource("url") != ArgSource("resource")
    assert len({ArgSource("url"), ArgSource("url"), ArgSource("middleware", "Session", first)}) == 2
    assert repr(ArgSource("middleware", "Session", first)) == "ArgSource(kind='middleware', provider='Session')"
    with pytest.raises(AttributeError, match=r"cannot assign to field 'kind'"):
        ArgSource("url").kind = "default"  # type: ignore[misc]  # the mistake under test


def test_an_arg_source_of_an_unknown_kind_is_refused_listing_the_kinds() -> None:
    with pytest.raises(
        ValueError,
        match=r"^ArgSource kind must be one of \['url', 'resource', 'middleware', 'builtin', 'default'\] "
        r"\(got 'resources'\)$",
    ):
        ArgSource("resources")  # type: ignore[arg-type]  # the mistake under test


@pytest.mark.parametrize(("kind", "provider"), [("middleware", None), ("url", "Session")])
def test_only_a_middleware_source_names_a_provider(kind: Any, provider: str | None) -> None:
    with pytest.raises(
        ValueError,
        match=r"^ArgSource provider names the middleware of kind 'middleware' and is None for the others "
        rf"\(got kind='{kind}', provider={provider!r}\)$",
    ):
        ArgSource(kind, provider)
