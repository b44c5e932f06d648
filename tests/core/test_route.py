"""Routes (clastic.route): what a Route checks when it is written, what binding it to an Application produces."""

import pytest

from clastic import (
    DELETE,
    GET,
    HEAD,
    POST,
    S_REDIRECT,
    S_REWRITE,
    S_STRICT,
    Application,
    InvalidMethod,
    InvalidPattern,
    Response,
    Route,
    render_basic,
    render_json,
)
from clastic.exceptions import InvalidEndpoint, RenderFactoryError
from clastic.route import BoundRoute, normalize_path


def hello(name="world"):
    return f"Hello, {name}!"


# -- Route: checked when written ---------------------------------------------


def test_route_keeps_what_was_written():
    route = Route("/hello/<name>/", hello, render_basic, name="greeting")
    assert route.pattern == "/hello/<name>/"
    assert route.is_branch is True
    assert route.endpoint is hello
    assert route.render_arg is render_basic
    assert route.render is render_basic  # Clastic 26's name
    assert route.name == "greeting"
    assert route.methods is None
    assert route.slash_mode is None
    assert route.middlewares == ()
    assert route.resources == {}
    assert list(route.iter_routes()) == [route]
    assert repr(route) == "<Route '/hello/<name>/' endpoint='hello'>"


def test_render_setter_changes_the_render_argument():
    route = Route("/", hello)
    route.render = render_json
    assert route.render_arg is render_json


@pytest.mark.parametrize(
    ("methods", "expected"),
    [
        (["get"], {"GET", "HEAD"}),  # case-insensitive; GET implies HEAD
        ("post", {"POST"}),  # one method as a string
        (("PUT", "patch"), {"PUT", "PATCH"}),
        (["HEAD"], {"HEAD"}),
    ],
)
def test_methods_are_normalized(methods, expected):
    assert Route("/", hello, methods=methods).methods == frozenset(expected)


@pytest.mark.parametrize(
    ("cls", "expected"),
    [(GET, {"GET", "HEAD"}), (POST, {"POST"}), (DELETE, {"DELETE"}), (HEAD, {"HEAD"})],
)
def test_method_classes_restrict_their_routes(cls, expected):
    route = cls("/x", hello)
    assert route.methods == frozenset(expected)
    assert repr(route) == f"<{cls.__name__} '/x' endpoint='hello' methods={sorted(expected)}>"


def test_explicit_methods_override_the_method_class():
    assert GET("/", hello, methods=["POST"]).methods == frozenset({"POST"})


def test_unknown_method_is_named_with_a_suggestion():
    with pytest.raises(
        InvalidMethod,
        match=r"unrecognized HTTP method\(s\): \['PSOT'\] in route '/p'; expected some of \[.*'POST'.*\]\..*'POST'",
    ):
        Route("/p", hello, methods=["GET", "psot"])


def test_bad_slash_mode_endpoint_render_error_and_resources_are_named():
    with pytest.raises(
        ValueError, match=r"route '/': unknown slash_mode 'loose', expected one of \['redirect', 'rewrite', 'strict'\]"
    ):
        Route("/", hello, slash_mode="loose")
    with pytest.raises(
        InvalidEndpoint, match=r"expected endpoint to be a function or method, not: 'hello' \(route '/'\)"
    ):
        Route("/", "hello")
    with pytest.raises(InvalidEndpoint, match=r"expected render_error to be callable, not: 42 \(route '/'\)"):
        Route("/", hello, render_basic, 42)
    with pytest.raises(TypeError, match=r"route '/': resources must be a dict of name -> value, got list"):
        Route("/", hello, resources=[("db", 1)])
    with pytest.raises(InvalidPattern, match=r"segment '<unclosed': a binding '<name>' must fill a whole segment"):
        Route("/<unclosed", hello)


def test_normalize_path():
    assert normalize_path("//goof//spoof", True) == "/goof/spoof/"
    assert normalize_path("//goof//spoof", False) == "/goof/spoof"
    assert normalize_path("", False) == "/"


# -- BoundRoute: what the Application holds ----------------------------------


def test_application_routes_are_bound_routes_with_the_route_attributes():
    route = GET("/hello/<name>", hello, render_basic, name="greeting")
    app = Application([route], slash_mode=S_REWRITE)
    [bound] = app.routes
    assert isinstance(bound, BoundRoute)
    assert bound.route is route
    assert bound.pattern == "/hello/<name>"
    assert bound.is_branch is False
    assert bound.endpoint is hello
    assert bound.render is render_basic
    assert bound.render_arg is render_basic
    assert bound.render_factory is None
    assert bound.methods == frozenset({"GET", "HEAD"})
    assert bound.name == "greeting"
    assert bound.slash_mode == S_REWRITE  # the Application's
    assert bound.application is app
    assert bound.bound_apps == (app,)
    assert bound.is_null_route is False
    assert list(bound.iter_routes()) == [bound]
    assert repr(bound) == "<BoundRoute '/hello/<name>' endpoint='hello' methods=['GET', 'HEAD']>"


def test_a_routes_slash_mode_overrides_the_applications():
    app = Application([Route("/a/", hello, render_basic, slash_mode=S_STRICT), ("/b/", hello, render_basic)])
    assert [r.slash_mode for r in app.routes] == [S_STRICT, S_REDIRECT]


def test_a_string_render_goes_through_the_render_factory_once_at_build():
    made = []

    def factory(template):
        made.append(template)
        return lambda context: Response(f"{template}: {context}")

    app = Application(
        [("/", lambda: "ctx", "page.html"), ("/same", lambda: "other", "page.html")], render_factory=factory
    )
    assert made == ["page.html", "page.html"]
    first = app.routes[0]
    assert first.render_arg == "page.html"
    assert first.render_factory is factory
    assert callable(first.render)
    assert app.get_local_client().get("/").text == "page.html: ctx"
    assert made == ["page.html", "page.html"]  # nothing more per request


def test_render_factory_mistakes_are_named_at_build():
    with pytest.raises(
        RenderFactoryError, match=r"route '/': render factory .* returned None for 'page.html', which is not callable"
    ):
        Application([("/", hello, "page.html")], render_factory=lambda name: None)

    def missing(name):
        raise LookupError(f"no template {name}")

    with pytest.raises(
        RenderFactoryError, match=r"route '/': render factory could not use 'gone.html': no template gone.html"
    ) as info:
        Application([("/", hello, "gone.html")], render_factory=missing)
    assert isinstance(info.value, LookupError)  # still the factory's own exception class


def test_embedding_prefixes_the_bound_pattern_and_records_the_applications():
    inner = Application([("/hello/<name>", hello, render_basic)])
    outer = Application([("/sub", inner)])
    [bound] = outer.routes
    assert bound.pattern == "/sub/hello/<name>"
    assert bound.bound_apps == (inner, outer)
    assert bound.application is outer
    assert bound.route is inner.routes[0].route
    assert outer.get_local_client().get("/sub/hello/Ann").text == "Hello, Ann!"


# -- matching ----------------------------------------------------------------


def test_match_path_converts_or_refuses():
    app = Application([("/n/<x:int>/<rest*>", lambda x, rest: "n", render_basic), ("/plain", hello, render_basic)])
    numbered, plain = app.routes
    assert numbered.match_path("/n/7/a/b") == {"x": 7, "rest": ["a", "b"]}
    assert numbered.match_path("/n/seven/a") is None
    assert numbered.match_path("/n/" + "9" * 5000) is None  # more digits than int() takes: no match, not an error
    assert plain.match_path("/plain") == {}
    assert plain.match_path("/plain/more") is None


def test_match_method():
    app = Application([POST("/p", hello, render_basic), ("/any", hello, render_basic)])
    post, any_method = app.routes
    assert post.match_method("POST") is True
    assert post.match_method("GET") is False
    assert any_method.match_method("BREW") is True


@pytest.mark.parametrize(
    ("mode", "path", "expected"),
    [
        (S_REDIRECT, "/b", "/b/"),
        (S_REDIRECT, "/b//", "/b/"),
        (S_REDIRECT, "/b/", None),
        (S_REWRITE, "/b", None),
        (S_STRICT, "/b", None),
    ],
)
def test_redirect_path_only_in_redirect_mode(mode, path, expected):
    [bound] = Application([("/b/", hello, render_basic)], slash_mode=mode).routes
    assert bound.redirect_path(path) == expected


def test_the_regex_follows_the_slash_mode():
    strict = Application([("/b/", hello, render_basic)], slash_mode=S_STRICT).routes[0]
    lenient = Application([("/b/", hello, render_basic)], slash_mode=S_REWRITE).routes[0]
    assert strict.regex.match("/b/") and not strict.regex.match("/b")
    assert lenient.regex.match("/b/") and lenient.regex.match("/b")
