"""Shadowed-route detection (``clastic routes``/``check``) never reports a route that some request reaches."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from clastic import S_REDIRECT, S_REWRITE, S_STRICT, Application, Route, render_basic
from clastic._dev.introspect import find_shadowed

LITERALS = ["a", "b", "7", "1.5", "-3"]
SEGMENTS = [*LITERALS, "x", "2.5e3", "9" * 400, "9" * 5000, "0" * 5000 + "1", "1e999"]

binding = st.builds(
    lambda op, type_name: (op, type_name),
    st.sampled_from([":", "?", "+", "*"]),
    st.sampled_from(["str", "int", "float"]),
)
segment = st.one_of(st.sampled_from(LITERALS), binding)


@st.composite
def patterns(draw):
    parts = draw(st.lists(segment, max_size=3))
    text = "/" + "/".join(
        part if isinstance(part, str) else f"<v{i}{part[0]}{part[1]}>" for i, part in enumerate(parts)
    )
    if parts and draw(st.booleans()):
        text += "/"
    return text


@st.composite
def paths(draw):
    path = "/" + "/".join(draw(st.lists(st.sampled_from(SEGMENTS), max_size=4)))
    return draw(st.sampled_from(["", "/"])) + path + draw(st.sampled_from(["", "/"]))


modes = st.sampled_from([S_STRICT, S_REDIRECT, S_REWRITE])


@settings(max_examples=150, deadline=None)
@given(patterns(), modes, patterns(), modes, st.lists(paths(), min_size=20, max_size=40))
def test_no_route_reported_shadowed_is_reachable(wide, wide_mode, narrow, narrow_mode, requests):
    app = Application(
        [
            Route(wide, lambda: "1", render_basic, slash_mode=wide_mode),
            Route(narrow, lambda: "2", render_basic, slash_mode=narrow_mode),
        ]
    )
    if 1 not in find_shadowed(app.routes):
        return
    first, second = app.routes
    for path in requests:
        if second.match_path(path) is not None:
            assert first.match_path(path) is not None, (wide, wide_mode, narrow, narrow_mode, path[:40])


def test_identical_and_wider_patterns_are_found_in_every_slash_mode():
    def shadowed(first, second, first_mode=S_REDIRECT, second_mode=S_REDIRECT):
        app = Application(
            [
                Route(first, lambda: "1", render_basic, slash_mode=first_mode),
                Route(second, lambda: "2", render_basic, slash_mode=second_mode),
            ]
        )
        return 1 in find_shadowed(app.routes)

    assert shadowed("/a/<x>", "/a/b") and shadowed("/a/<x>", "/a/<y>") and shadowed("/a", "/a/")
    assert shadowed("/<xs*>", "/") and shadowed("/<xs*>", "/a/<y:int>/<zs+float>")
    assert shadowed("/a/<x?>", "/a", S_STRICT, S_STRICT) and shadowed(
        "/a/<x:float>", "/a/<y:float>/", S_REWRITE, S_STRICT
    )
    assert not shadowed("/a/<x:int>", "/a/<x>") and not shadowed("/a/<x:float>", "/a/<x:int>")
    assert not shadowed("/a", "/a/", S_STRICT, S_STRICT) and not shadowed("/a", "/a", S_STRICT, S_REDIRECT)
    assert not shadowed("/<x*int>/<y*>", "/<z*>") and not shadowed("/<x+>", "/")
