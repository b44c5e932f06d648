"""Clastic 26 middleware merging kept (COMPAT items 2, 3 and 12): equality by type, resource precedence."""

import inspect
import logging

import pytest

from clastic import Application, Middleware, Route, SubApplication, render_basic
from clastic.decorators import clastic_decorator
from clastic.exceptions import ConflictingProvidesError
from clastic.middleware import DummyMiddleware, merge_middlewares
from clastic.middleware.core import DuplicateMiddlewareError


class Named(Middleware):
    """Provides ``name`` (as SignedCookieMiddleware provides ``cookie``)."""

    provides = ("name",)

    def __init__(self, value):
        self.value = value

    def request(self, next):
        return next(name=self.value)

    def __repr__(self):
        return f"Named({self.value!r})"


class Tag(Middleware):
    def __init__(self, tag, seen):
        self.tag = tag
        self.seen = seen

    def request(self, next):
        self.seen.append(self.tag)
        return next()

    def __repr__(self):
        return f"{type(self).__name__}({self.tag!r})"


def test_equality_and_hash_are_by_type():
    assert Named("a") == Named("b") and hash(Named("a")) == hash(Named("b"))
    assert Named("a") != Tag("a", [])
    assert not (Named("a") != Named("b"))  # noqa: SIM202 - checks __ne__ itself
    assert (Middleware.unique, Middleware.reorderable, DummyMiddleware.unique, DummyMiddleware.reorderable) == (
        True,
        True,
        True,
        True,
    )

    class DuckTyped:  # not a Middleware subclass: identity, as any object
        def request(self, next):
            return next()

    assert DuckTyped() != DuckTyped()
    assert Named("a") != DuckTyped() and DuckTyped() != Named("a")


def test_embedded_application_middleware_gives_way_to_the_embedding_ones(caplog):
    hello = ("/hello", lambda name: f"hi {name}", render_basic)
    sub = Application([hello], middlewares=[Named("sub")])
    with caplog.at_level(logging.INFO, logger="clastic.application"):
        outer = Application([("/sub", sub), hello], middlewares=[Named("outer")])  # no ConflictingProvidesError
    client = outer.get_local_client()
    assert (client.get("/sub/hello").text, client.get("/hello").text) == ("hi outer", "hi outer")
    assert sub.get_local_client().get("/hello").text == "hi sub"
    [record] = [r for r in caplog.records if r.name == "clastic.application"]
    assert record.levelno == logging.INFO
    assert record.getMessage().endswith(
        "at '/sub': its middleware Named('sub') is dropped in favour of the embedding Application's equal "
        "Named('outer') (routes /sub/hello)"
    )
    assert outer.routes[0].middlewares == (Named("outer"),) and outer.routes[0].middlewares[0].value == "outer"


def test_route_middleware_gives_way_to_the_application_one_with_a_warning(caplog):
    seen = []
    with caplog.at_level(logging.WARNING, logger="clastic.route"):
        app = Application(
            [Route("/", lambda: "x", render_basic, middlewares=[Tag("route", seen)])], middlewares=[Tag("app", seen)]
        )
    app.get_local_client().get("/")
    assert seen == ["app"]
    assert (
        "route '/': its middleware Tag('route') is dropped in favour of the Application's equal Tag('app')"
        in caplog.text
    )
    assert [r.levelno for r in caplog.records if r.name == "clastic.route"] == [logging.WARNING]


def test_same_instance_merges_silently(caplog):
    seen = []
    mw = Tag("one", seen)
    with caplog.at_level(logging.INFO):
        app = Application([Route("/", lambda: "x", render_basic, middlewares=[mw])], middlewares=[mw])
    app.get_local_client().get("/")
    assert seen == ["one"] and "dropped" not in caplog.text


def test_non_reorderable_duplicate_is_an_error_naming_both_and_the_route():
    class Pinned(Tag):
        reorderable = False

    seen = []
    with pytest.raises(
        DuplicateMiddlewareError,
        match=r"multiple inclusion of unique middleware Pinned in route '/p': the Application has Pinned\('app'\) "
        r"and the route or embedded Application also has Pinned\('route'\)",
    ) as info:
        Application(
            [Route("/p", lambda: "x", render_basic, middlewares=[Pinned("route", seen)])],
            middlewares=[Pinned("app", seen)],
        )
    assert isinstance(info.value, ValueError)
    sub = Application([("/p", lambda: "x", render_basic)], middlewares=[Pinned("sub", seen)])
    with pytest.raises(ValueError, match=r"multiple inclusion of unique middleware Pinned in route '/s/p'"):
        Application([("/s", sub)], middlewares=[Pinned("outer", seen)])


def test_non_unique_middleware_runs_in_both_places():
    class Repeatable(Tag):
        unique = False

    seen = []
    app = Application(
        [Route("/", lambda: "x", render_basic, middlewares=[Repeatable("route", seen)])],
        middlewares=[Repeatable("app", seen)],
    )
    app.get_local_client().get("/")
    assert seen == ["app", "route"]


def test_duplicates_within_one_list_are_kept():
    seen = []
    app = Application(
        [("/", lambda: "x", render_basic)],
        middlewares=[DummyMiddleware() for _ in range(100)] + [Tag("a", seen), Tag("b", seen)],
    )
    assert app.get_local_client().get("/").text == "x"
    assert seen == ["a", "b"] and len(app.routes[0].middlewares) == 102
    with pytest.raises(ConflictingProvidesError, match="found conflicting provides"):
        Application([("/", lambda name: name, render_basic)], middlewares=[Named("a"), Named("b")])


def test_duck_typed_middlewares_keep_identity_semantics():
    seen = []

    class Duck:
        def __init__(self, tag):
            self.tag = tag

        def request(self, next):
            seen.append(self.tag)
            return next()

    app = Application([Route("/", lambda: "x", render_basic, middlewares=[Duck("route")])], middlewares=[Duck("app")])
    app.get_local_client().get("/")
    assert seen == ["app", "route"]


def test_wsgi_wrappers_of_equal_middlewares_wrap_once():
    class Header(Middleware):
        def __init__(self, value):
            self.value = value

        def wsgi_wrapper(self, wsgi_app):
            def wrapped(environ, start_response):
                def start(status, headers, exc_info=None):
                    return start_response(status, [*headers, ("X-Wrapped", self.value)], exc_info)

                return wsgi_app(environ, start)

            return wrapped

    app = Application([("/", lambda: "x", render_basic)], middlewares=[Header("first"), Header("second")])
    assert app.get_local_client().get("/").headers.getlist("X-Wrapped") == ["first"]


def test_merge_middlewares_takes_the_route_list_first():
    route_level, app_level, other = Named("route"), Named("app"), DummyMiddleware()
    merged = merge_middlewares([route_level, other], [app_level])
    assert merged == [app_level, other] and merged[0] is app_level
    assert list(inspect.signature(merge_middlewares).parameters) == ["old", "new"]
    assert list(inspect.signature(clastic_decorator).parameters) == ["subdecorator"]


# -- COMPAT item 3: resource precedence across applications --------------------------


def test_embedding_application_resources_override_the_embedded_ones():
    sub = Application([("/", lambda name: f"Hello, {name}!", render_basic)], resources={"name": "Rajkumar"})
    outer = Application([("/beta/", sub)], resources={"name": "Kurt"})
    assert outer.get_local_client().get("/beta/").text == "Hello, Kurt!"
    assert sub.get_local_client().get("/").text == "Hello, Rajkumar!"
    # Two levels: the outermost application wins.
    top = Application([SubApplication("/o", outer)], resources={"name": "Top"})
    assert top.get_local_client().get("/o/beta/").text == "Hello, Top!"


def test_a_route_own_resources_stay_the_most_specific():
    route = Route("/r", lambda name: name, render_basic, resources={"name": "route"})
    sub = Application([route], resources={"name": "sub"})
    outer = Application([("/s", sub)], resources={"name": "outer"})
    assert outer.get_local_client().get("/s/r").text == "route"
