"""Dispatch: ordered routing, non-breaking errors, methods, slashes, embedding."""

import pytest
from werkzeug.test import Client

from clastic import (
    GET,
    POST,
    S_REDIRECT,
    S_REWRITE,
    S_STRICT,
    Application,
    Middleware,
    RerouteWSGI,
    Response,
    Route,
    SubApplication,
    render_basic,
)
from clastic.errors import ErrorHandler, Forbidden, NotFound


def const(text):
    def endpoint():
        return text

    return endpoint


def test_routes_are_tried_in_order_and_first_match_wins():
    app = Application([("/<x>", const("binding"), render_basic), ("/fixed", const("fixed"), render_basic)])
    assert app.get_local_client().get("/fixed").text == "binding"


def test_add_with_index_goes_first():
    app = Application([("/a", const("old"), render_basic)])
    app.add(("/a", const("new"), render_basic), index=0)
    assert app.get_local_client().get("/a").text == "new"
    assert [r.pattern for r in app.routes] == ["/a", "/a"]


def test_non_breaking_error_lets_the_next_route_answer():
    def deny():
        raise Forbidden(is_breaking=False)

    app = Application([("/p", deny, render_basic), ("/p", const("second"), render_basic)])
    resp = app.get_local_client().get("/p")
    assert (resp.status_code, resp.text) == (200, "second")


def test_returned_non_breaking_errors_last_one_wins():
    app = Application(
        [
            ("/p", lambda: Forbidden(is_breaking=False), render_basic),
            ("/p", lambda: NotFound("not here either", is_breaking=False), render_basic),
        ]
    )
    resp = app.get_local_client().get("/p")
    assert resp.status_code == 404
    assert "not here either" in resp.text


def test_non_breaking_error_outranks_method_not_allowed():
    app = Application(
        [("/p", lambda: NotFound(is_breaking=False), render_basic), POST("/p", const("post"), render_basic)]
    )
    assert app.get_local_client().get("/p").status_code == 404


def test_405_lists_methods_in_allow_header():
    app = Application([GET("/p", const("get"), render_basic), POST("/p", const("post"), render_basic)])
    resp = app.get_local_client().put("/p")
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert "GET, HEAD, OPTIONS, POST" in resp.text


def test_options_is_answered_with_allow_unless_a_route_handles_it():
    app = Application([GET("/p", const("get"), render_basic)])
    resp = app.get_local_client().options("/p")
    assert resp.status_code == 204
    assert resp.headers["Allow"] == "GET, HEAD, OPTIONS"
    handled = Application([Route("/p", const("custom"), render_basic, methods=["OPTIONS", "GET"])])
    assert handled.get_local_client().options("/p").text == "custom"


def test_head_is_served_by_get_routes_without_a_body():
    app = Application([GET("/p", const("body"), render_basic)])
    resp = app.get_local_client().head("/p")
    assert resp.status_code == 200
    assert resp.data == b""
    assert resp.headers["Content-Length"] == "4"


def test_methods_none_accepts_any_method():
    app = Application([("/p", lambda request: request.method, render_basic)])
    client = app.get_local_client()
    assert client.delete("/p").text == "DELETE"
    assert client.patch("/p").text == "PATCH"
    assert client.open("/p", method="BREW").text == "BREW"


def test_unknown_method_on_restricted_route_is_405():
    app = Application([GET("/p", const("get"), render_basic)])
    assert app.get_local_client().open("/p", method="BREW").status_code == 405


SLASH_CASES = [
    # path, redirect, rewrite, strict
    ("/leaf", 200, 200, 200),
    ("/leaf/", 200, 200, 404),
    ("/branch/", 200, 200, 200),
    ("/branch", 302, 200, 404),
    ("/branch//", 302, 200, 404),
    ("/goof//spoof//", 302, 200, 404),
    ("/n/5/", 200, 200, 404),
]


@pytest.mark.parametrize(("path", "redirect", "rewrite", "strict"), SLASH_CASES)
def test_slash_mode_matrix(path, redirect, rewrite, strict):
    routes = [
        ("/leaf", const("leaf"), render_basic),
        ("/branch/", const("branch"), render_basic),
        ("/goof/spoof/", const("goof"), render_basic),
        ("/n/<x:int>", lambda x: str(x), render_basic),
    ]
    for mode, expected in ((S_REDIRECT, redirect), (S_REWRITE, rewrite), (S_STRICT, strict)):
        resp = Application(routes, slash_mode=mode).get_local_client().get(path)
        assert resp.status_code == expected, (mode, path)


def test_slash_redirect_keeps_query_and_uses_308_for_unsafe_methods():
    app = Application([("/branch/", lambda request: request.method, render_basic)])
    client = app.get_local_client()
    resp = client.get("/branch?q=1&r=%20")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/branch/?q=1&r=%20"
    resp = client.post("/branch", data={"a": "1"})
    assert resp.status_code == 308
    assert resp.headers["Location"] == "/branch/"
    followed = client.post("/branch", data={"a": "1"}, follow_redirects=True)
    assert followed.text == "POST"


def test_application_middlewares_see_slash_redirects():
    seen = []

    class Tag(Middleware):
        def request(self, next, request):
            response = next()
            seen.append((request.path, response.status_code))
            response.headers["X-Seen"] = "1"
            return response

    app = Application([("/docs/", const("docs"), render_basic)], middlewares=[Tag()])
    client = app.get_local_client()
    assert client.get("/docs/").headers["X-Seen"] == "1"
    moved = client.get("/docs?page=2")
    assert (moved.status_code, moved.headers["Location"], moved.headers["X-Seen"]) == (302, "/docs/?page=2", "1")
    assert client.get("/nope").headers["X-Seen"] == "1"
    assert seen == [("/docs/", 200), ("/docs", 302), ("/nope", 404)]


def test_route_slash_mode_overrides_the_application():
    app = Application([Route("/b/", const("b"), render_basic, slash_mode=S_STRICT)])
    assert app.get_local_client().get("/b").status_code == 404


def test_subapplication_prefixes_and_nests():
    inner = Application([("/leaf", const("inner leaf"), render_basic)])
    middle = Application([("/in", inner), ("/m", const("middle"), render_basic)])
    app = Application([("/out", middle), ("/", const("root"), render_basic)])
    client = app.get_local_client()
    assert client.get("/out/in/leaf").text == "inner leaf"
    assert client.get("/out/m").text == "middle"
    assert client.get("/").text == "root"
    assert [r.pattern for r in app.routes] == ["/out/in/leaf", "/out/m", "/"]
    assert app.routes[0].bound_apps[-1] is app


def test_subapplication_at_root_merges_routes():
    child = Application([("/c", const("child"), render_basic)])
    app = Application([("/", child)])
    assert app.get_local_client().get("/c").text == "child"


def test_embedding_copies_routes_at_embed_time():
    child = Application([("/a", const("a"), render_basic)])
    app = Application([("/x", child)])
    child.add(("/b", const("b"), render_basic))
    assert app.get_local_client().get("/x/b").status_code == 404


def test_inherit_slashes():
    child = Application([("/b/", const("b"), render_basic)], slash_mode=S_STRICT)
    inherited = Application([SubApplication("/c", child)])
    assert inherited.get_local_client().get("/c/b").status_code == 302
    kept = Application([SubApplication("/c", child, inherit_slashes=False)])
    assert kept.get_local_client().get("/c/b").status_code == 404


def test_parent_middlewares_and_resources_reach_embedded_routes():
    from clastic import Middleware

    class Stamp(Middleware):
        def request(self, next):
            response = next()
            response.headers["X-Parent"] = "stamped"
            return response

    child = Application([("/c", lambda greeting: greeting, render_basic)], resources={"greeting": "hi"})
    parent = Application([("/x", child)], middlewares=[Stamp()], resources={"greeting": "hello", "other": 1})
    resp = parent.get_local_client().get("/x/c")
    assert resp.text == "hello"  # the embedding app configures what it embeds (COMPAT item 3)
    assert resp.headers["X-Parent"] == "stamped"
    alone = child.get_local_client().get("/c")
    assert "X-Parent" not in alone.headers
    assert alone.text == "hi"


def test_embedded_routes_must_build_on_their_own():
    from clastic import Middleware

    class Tag(Middleware):
        provides = ("tag",)

        def request(self, next):
            return next(tag="parent")

    with pytest.raises(NameError, match="needs 'tag'"):
        Application([("/x", Application([("/c", lambda tag: tag, render_basic)]))], middlewares=[Tag()])


def test_reroute_wsgi_hands_off_the_environ():
    def other(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"other app saw " + environ["PATH_INFO"].encode()]

    app = Application([("/other/<rest*>", RerouteWSGI(other)), ("/", const("home"), render_basic)])
    client = app.get_local_client()
    assert client.get("/other/x/y").text == "other app saw /other/x/y"
    assert client.get("/").text == "home"

    def raiser():
        raise RerouteWSGI(other)

    assert Application([("/r", raiser)]).get_local_client().get("/r").text == "other app saw /r"


def test_endpoint_returning_response_skips_render():
    app = Application([("/r", lambda: Response("raw", status=201), render_basic)])
    resp = app.get_local_client().get("/r")
    assert (resp.status_code, resp.text) == (201, "raw")


def test_routes_and_the_error_handler_can_change_after_serving_started():
    # As documented ("add more with add()"): adding while serving swaps in new tables.
    app = Application([("/", const("x"), render_basic)])
    client = app.get_local_client()
    assert client.get("/late").status_code == 404
    app.add(("/late", const("late"), render_basic))
    assert client.get("/late").text == "late"
    app.add(GET("/late", const("first"), render_basic), index=0)
    assert client.get("/late").text == "first"

    class Teapot(ErrorHandler):
        def render_error(self, _error):
            return Response("custom " + str(_error.code), status=_error.code)

    app.set_error_handler(Teapot())
    assert client.get("/nowhere").text == "custom 404"  # unmatched requests use the new handler


def test_adding_routes_while_requests_run_in_other_threads():
    import threading

    app = Application([("/base", const("base"), render_basic)])
    client_errors = []
    stop = threading.Event()

    def hammer():
        client = app.get_local_client()
        while not stop.is_set():
            if client.get("/base").status_code != 200:
                client_errors.append("base")

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for i in range(50):
            app.add((f"/r{i}", const(f"r{i}"), render_basic), index=0 if i % 2 else None)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert client_errors == []
    client = app.get_local_client()
    assert [client.get(f"/r{i}").text for i in (0, 25, 49)] == ["r0", "r25", "r49"]


def test_bad_route_entries_are_type_errors():
    for entry in ["/just-a-string", ("/only-pattern",), 42, ("/x", const("x"), render_basic, None, "extra")]:
        with pytest.raises(TypeError, match="could not create a route from"):
            Application([entry])


def test_unknown_method_and_slash_mode_raise():
    from clastic import InvalidMethod

    with pytest.raises(InvalidMethod, match=r"unrecognized HTTP method\(s\): \['GTE'\].*Did you mean 'GET'"):
        Route("/", const("x"), methods=["GTE"])
    with pytest.raises(ValueError, match="unknown slash_mode 'loose'"):
        Application([], slash_mode="loose")


def test_endpoint_must_be_callable():
    with pytest.raises(TypeError, match="expected endpoint to be a function or method, not: 'home'"):
        Route("/", "home")


def test_request_ids_are_per_application_and_guid_is_hex():
    seen = []

    def ep(request):
        seen.append((request.request_id, request.request_guid))
        return "x"

    app = Application([("/", ep, render_basic)])
    client = Client(app)
    client.get("/")
    client.get("/")
    assert [rid for rid, _ in seen] == [0, 1]
    assert all(len(guid) == 24 and int(guid, 16) >= 0 for _, guid in seen)
    assert seen[0][1] != seen[1][1]


def test_dispatch_state_records_attempted_routes():
    def inspect_state(_dispatch_state):
        return repr([r.pattern for r in _dispatch_state.attempted_routes])

    app = Application(
        [("/s", lambda: Forbidden(is_breaking=False), render_basic), ("/<x>", inspect_state, render_basic)]
    )
    assert app.get_local_client().get("/s").text == "['/s', '/<x>']"


def test_repr_mentions_routes_and_settings():
    app = Application([("/", const("x"), render_basic)], resources={"db": 1}, debug=False)
    assert "routes_count=1" in repr(app) and "resources_keys=['db']" in repr(app)


def test_with_resources_rebuilds_a_checked_copy():
    child = Application([("/db", lambda db: db, render_basic)], resources={"db": "real child"})
    app = Application(
        [
            ("/x", lambda db: db, render_basic),
            ("/c", child),
            Route("/r", lambda token: token, render_basic, resources={"token": "t"}),
        ],
        resources={"db": "real"},
    )
    fake = app.with_resources(db="fake", token="fake token")
    client = fake.get_local_client()
    assert (client.get("/x").text, client.get("/c/db").text, client.get("/r").text) == ("fake", "fake", "fake token")
    original = app.get_local_client()
    # The embedding app's resources win over the embedded app's (COMPAT item 3); on its own the child keeps its own.
    assert (original.get("/x").text, original.get("/c/db").text) == ("real", "real")
    assert child.get_local_client().get("/db").text == "real child"
    with pytest.raises(LookupError, match=r"no resource named 'dbb'.*Did you mean 'db'"):
        app.with_resources(dbb=1)


def test_uploaded_files_are_closed_after_the_response():
    import io

    streams = []

    def upload(request):
        storage = request.files["f"]
        streams.append(storage.stream)
        return storage.read().decode()

    app = Application([POST("/up", upload, render_basic)])
    # Under 500 kB: Werkzeug's test client itself leaks the temporary file it uses for larger bodies.
    with app.get_local_client().post("/up", data={"f": (io.BytesIO(b"x" * 400_000), "big.bin")}) as resp:
        assert resp.text == "x" * 400_000
        assert streams and streams[0].closed


def test_debug_uses_the_contextual_handler_when_clastic_errors_is_installed():
    from clastic._moved import satellite_available

    app = Application([], debug=True)
    installed = satellite_available("clastic.errors.contextual")
    expected = "ContextualErrorHandler" if installed else "ErrorHandler"
    assert type(app.error_handler).__name__ == expected
    # The documented attribute says the same, and a subclass or an instance may override it.
    assert getattr(Application.default_debug_error_handler_type, "__name__", None) == (
        "ContextualErrorHandler" if installed else None
    )

    class Plain(Application):
        default_debug_error_handler_type = ErrorHandler

    assert type(Plain([], debug=True).error_handler) is ErrorHandler


def test_local_client_requests_come_from_loopback():
    app = Application([("/", lambda request: str(request.remote_addr), render_basic)])
    client = app.get_local_client()
    assert client.get("/").text == "127.0.0.1"
    assert client.get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}).text == "10.1.2.3"
    assert client.get("/", environ_base={}).text == "None"


def test_requests_leave_no_reference_cycles_behind():
    import gc

    from werkzeug.test import create_environ

    app = Application([("/", lambda request: "hi", render_basic), GET("/only-get", lambda: "x", render_basic)])
    environs = [create_environ(path) for path in ("/", "/missing", "/only-get")]
    gc.collect()
    gc.disable()
    try:
        for environ in environs * 50:
            b"".join(app(dict(environ), lambda status, headers, exc_info=None: None))
        assert gc.collect() == 0
    finally:
        gc.enable()


# -- author mistakes in the Application's arguments --------------------------------


def test_a_single_route_or_middleware_where_a_list_belongs_is_named():
    from clastic.exceptions import MiddlewareError

    class Log(Middleware):
        def request(self, next):
            return next()

    with pytest.raises(
        MiddlewareError,
        match=r"Application: middlewares must be a list .*wrap it in a list: middlewares=\[Log\(...\)\]",
    ):
        Application([("/", const("x"), render_basic)], middlewares=Log())
    with pytest.raises(MiddlewareError, match=r"route '/': middlewares must be a list .*middlewares=\[Log\(...\)\]"):
        Route("/", const("x"), render_basic, middlewares=Log())
    with pytest.raises(TypeError, match=r"takes a list of routes, got a single one .*wrap it in a list"):
        Application(Route("/", const("x"), render_basic))
    with pytest.raises(TypeError, match=r"takes a list of routes, got a single one"):
        Application(("/", const("x"), render_basic))
    with pytest.raises(TypeError, match=r"takes a list of routes, got str"):
        Application("/")


def test_resources_and_error_handler_of_the_wrong_kind_are_named():
    from clastic.errors import ErrorHandler

    with pytest.raises(TypeError, match=r"resources=...\) takes a dict of name -> value, got list"):
        Application([], resources=[1, 2])
    with pytest.raises(TypeError, match=r"route '/': resources must be a dict of name -> value, got tuple"):
        Route("/", const("x"), render_basic, resources=(("db", 1),))
    with pytest.raises(TypeError, match=r"got the class ErrorHandler; call it: error_handler=ErrorHandler\(\)"):
        Application([], error_handler=ErrorHandler)
    with pytest.raises(
        TypeError, match=r"lacks render_error, uncaught_to_response, .*pass an instance of clastic.errors.ErrorHandler"
    ):
        Application([], error_handler=object())
    app = Application([("/", const("x"), render_basic)])
    with pytest.raises(TypeError, match=r"got the class ErrorHandler"):
        app.set_error_handler(ErrorHandler)
    assert app.get_local_client().get("/").text == "x"  # the failed call changed nothing


def test_a_render_factory_that_cannot_be_called_is_refused_when_the_app_is_built():
    with pytest.raises(
        TypeError,
        match=r"render_factory=...\) takes a callable that turns a render argument \(a template name, say\) "
        r"into a render function, got str 'templates/'",
    ):
        Application([("/", const("x"), "page.html")], render_factory="templates/")


def test_every_request_has_its_own_path_params():
    from clastic import Request

    class Tag(Middleware):
        def request(self, next, request):
            request.path_params["seen_by_tag"] = request.path  # a middleware may write to it
            return next()

    app = Application(
        [("/n/<x:int>", lambda request: repr(sorted(request.path_params.items())), render_basic)], middlewares=[Tag()]
    )
    client = app.get_local_client()
    assert client.get("/n/3").text == "[('seen_by_tag', '/n/3'), ('x', 3)]"
    assert client.get("/nope").status_code == 404  # the null route's request gets a dict of its own too
    assert client.get("/n/4").text == "[('seen_by_tag', '/n/4'), ('x', 4)]"
    assert dict(Request.path_params) == {}
    # The class default cannot be changed by accident.
    with pytest.raises(TypeError, match="does not support item assignment"):
        Request.path_params["x"] = 1


def test_an_application_and_what_its_callables_hold_are_freed_once_it_is_gone():
    # Build-time caches (signatures, chain shapes) must not keep an Application's endpoints,
    # hooks and renders alive, nor what they hold (a database connection, say).
    import gc
    import weakref

    from clastic import Middleware

    class Connection:
        def lookup(self, name):
            return f"found {name}"

    class Stamp(Middleware):
        provides = ("stamp",)

        def __init__(self, connection):
            self.connection = connection

        def request(self, next, request):
            return next(stamp=request.path)

    def build():
        connection = Connection()

        def show(name, stamp):
            return connection.lookup(name) + " at " + stamp

        def render(context):
            return Response(f"{context} ({type(connection).__name__})")

        app = Application([("/<name>", show, render)], middlewares=[Stamp(connection)])
        assert app.get_local_client().get("/ada").text == "found ada at /ada (Connection)"
        return weakref.ref(connection), weakref.ref(app)

    connection, app = build()
    gc.collect()
    assert app() is None
    assert connection() is None
