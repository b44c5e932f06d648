"""Routing (clastic._router): the first route that answers wins, however many routes there are.

The Application indexes its routes by their leading literal segments. These
tests check that the index never changes which route answers: the answer is
always the one a plain scan of ``app.routes`` in order would pick.
"""

import random

import pytest

from clastic import GET, POST, S_REDIRECT, S_REWRITE, S_STRICT, Application, Route, render_basic
from clastic.errors import NotFound


def answer(tag):
    def endpoint():
        return tag

    return endpoint


def first_match(app, path, method="GET"):
    """What a scan of every route in order answers, ``(status, text)``: the reference for the index."""
    path_matched = False
    for route in app.routes:
        if route.match_path(path) is not None:
            if route.match_method(method):
                return 200, route.endpoint()
            path_matched = True
    return (405, None) if path_matched else (404, None)


def test_an_earlier_binding_beats_a_later_literal_in_another_branch():
    app = Application(
        [
            ("/<section>/about", answer("any section"), render_basic),
            ("/api/about", answer("api"), render_basic),
            ("/api/<name>", answer("api name"), render_basic),
        ]
    )
    client = app.get_local_client()
    assert client.get("/api/about").text == "any section"  # route 0 sits at the root of the index
    assert client.get("/api/other").text == "api name"
    assert client.get("/docs/about").text == "any section"


def test_an_earlier_literal_beats_a_later_binding():
    app = Application(
        [
            ("/api/about", answer("api"), render_basic),
            ("/<section>/about", answer("any section"), render_basic),
        ]
    )
    client = app.get_local_client()
    assert client.get("/api/about").text == "api"
    assert client.get("/docs/about").text == "any section"


def test_the_index_stops_at_the_first_binding_and_at_the_paths_end():
    app = Application(
        [
            ("/a/<x>/c", answer("a x c"), render_basic),
            ("/a/b/c/d", answer("deep"), render_basic),
            ("/a/b/<rest*>", answer("a b rest"), render_basic),
        ]
    )
    client = app.get_local_client()
    assert client.get("/a/b/c").text == "a x c"
    assert client.get("/a/zz/c").text == "a x c"
    assert client.get("/a/b/c/d").text == "deep"
    assert client.get("/a/b/c/d/e").text == "a b rest"  # deeper than the index goes
    assert client.get("/a/b").text == "a b rest"  # shallower than the deep route
    assert client.get("/a").status_code == 404


def test_empty_segments_do_not_hide_routes():
    app = Application([("/a/b/", answer("branch"), render_basic)], slash_mode=S_REDIRECT)
    client = app.get_local_client()
    reply = client.get("/a//b")
    assert (reply.status_code, reply.headers["Location"]) == (302, "/a/b/")
    assert client.get("/a/b/").text == "branch"


def test_methods_are_checked_per_candidate_in_order():
    app = Application(
        [
            POST("/items/<id>", answer("post"), render_basic),
            GET("/items/new", answer("new form"), render_basic),
            GET("/<kind>/<id>", answer("generic"), render_basic),
        ]
    )
    client = app.get_local_client()
    assert client.get("/items/new").text == "new form"
    assert client.get("/items/7").text == "generic"
    assert client.post("/items/7").text == "post"
    reply = client.put("/items/7")
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_added_routes_are_indexed_where_they_are_inserted():
    app = Application([("/<a>/<b>", answer("generic"), render_basic)])
    app.add(("/x/y", answer("late literal"), render_basic))
    client = app.get_local_client()
    assert client.get("/x/y").text == "generic"  # appended: after the generic route
    app.add(("/x/y", answer("first now"), render_basic), index=0)
    assert client.get("/x/y").text == "first now"


@pytest.mark.parametrize("slash_mode", [S_REDIRECT, S_REWRITE, S_STRICT])
def test_a_literal_path_goes_to_the_first_route_that_answers_it_as_a_scan_would(slash_mode):
    # Paths that only routes without bindings match are looked up at once, not matched:
    # the order, the methods, non-breaking errors and the slash mode must still decide.
    app = Application(
        [
            ("/n/<name>", answer("named"), render_basic),
            ("/n/x", answer("literal x"), render_basic),
            ("/n/x/", answer("branch x"), render_basic),
            GET("/y", answer("get y"), render_basic),
            POST("/y", answer("post y"), render_basic),
            ("/z", lambda: NotFound(is_breaking=False), render_basic),
            ("/z", answer("second z"), render_basic),
            ("/docs/", answer("docs"), render_basic),
            ("/", answer("home"), render_basic),
        ],
        slash_mode=slash_mode,
    )
    client = app.get_local_client()
    assert client.get("/n/x").text == "named"  # the earlier route with a binding answers
    assert client.get("/n/x/").text == ("named" if slash_mode != S_STRICT else "branch x")
    assert client.get("/y").text == "get y"
    assert client.post("/y").text == "post y"
    reply = client.put("/y")
    assert (reply.status_code, reply.headers["Allow"]) == (405, "GET, HEAD, OPTIONS, POST")
    assert client.get("/z").text == "second z"
    assert client.get("/docs/").text == "docs"
    assert client.get("/").text == "home"
    reply = client.get("/docs")
    if slash_mode == S_REDIRECT:
        assert (reply.status_code, reply.headers["Location"]) == (302, "/docs/")
    elif slash_mode == S_REWRITE:
        assert reply.text == "docs"
    else:
        assert reply.status_code == 404  # strict: '/docs' is not '/docs/'


WORDS = ["api", "users", "v1", "static", "a", "b"]


def random_routes(rng, count, bindings=True):
    routes = []
    for index in range(count):
        depth = rng.randint(1, 4)
        parts = []
        for position in range(depth):
            roll = rng.random() if bindings else 1.0
            if roll < 0.2:
                parts.append(f"<p{position}>")
            elif roll < 0.25 and position == depth - 1:
                parts.append(f"<rest{position}*>")
            else:
                parts.append(rng.choice(WORDS))
        pattern = "/" + "/".join(parts)
        methods = rng.choice([None, None, ["GET"], ["POST"]])
        routes.append(Route(pattern, answer(f"route {index} {pattern}"), render_basic, methods=methods))
    return routes


def random_paths(rng, count):
    paths = ["/" + "/".join(rng.choice([*WORDS, "zz", "7"]) for _ in range(rng.randint(0, 5))) for _ in range(count)]
    return [path + "/" if len(path) > 1 and rng.random() < 0.25 else path for path in paths]  # some branch paths


@pytest.mark.parametrize(
    ("seed", "slash_mode", "bindings"),
    [(0, S_STRICT, True), (1, S_STRICT, True), (2, S_REWRITE, True), (3, S_STRICT, False)],
)
def test_thousands_of_routes_answer_as_a_scan_in_order_would(seed, slash_mode, bindings):
    # The scan asks each route's match_path, which knows the slash mode; redirects it does not model.
    # Without bindings, every route's path is a literal one, answered from the dispatcher's table.
    rng = random.Random(seed)
    app = Application(random_routes(rng, 3000, bindings), slash_mode=slash_mode)
    client = app.get_local_client()
    answered = 0
    for path in random_paths(rng, 400):
        for method in ("GET", "POST"):
            status, text = first_match(app, path, method)
            reply = client.open(path, method=method)
            assert reply.status_code == status, (method, path)
            if status == 200:
                answered += 1
                assert reply.text == text, (method, path)
    assert answered > (300 if bindings else 150)  # the vocabulary overlaps enough for many paths to find a route


def test_no_route_is_404_and_a_method_mismatch_is_405_at_scale():
    routes = [GET(f"/r{index}/<x>", answer(f"r{index}"), render_basic) for index in range(5000)]
    app = Application(routes)
    client = app.get_local_client()
    assert client.get("/r4999/q").text == "r4999"
    assert client.get("/r0/q").text == "r0"
    assert client.get("/r5000/q").status_code == 404
    reply = client.post("/r1234/q")
    assert (reply.status_code, reply.headers["Allow"]) == (405, "GET, HEAD, OPTIONS")
