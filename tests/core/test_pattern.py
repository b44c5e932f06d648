"""The pattern mini-language: parsing errors, typed segments, arities, URL building."""

import pytest

from clastic import Application, InvalidPattern, render_basic
from clastic.exceptions import URLBuildError


def echo(**_unused):  # pragma: no cover - replaced per test
    raise AssertionError


def client_for(pattern, endpoint):
    return Application([(pattern, endpoint, render_basic)]).get_local_client()


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("a/b", "must start with a forward slash"),
        ("/a//b", "empty segment"),
        ("/<a>xyz", "text after the binding '<a>'"),
        ("/foo<a>", "must fill a whole segment"),
        ("/<x-int>", "unknown arity operator '-'"),
        ("/<x:bool>", "unknown type 'bool'"),
        ("/<a>/<a>", "duplicate binding 'a'"),
        ("/<1a>", "not a valid Python identifier"),
    ],
)
def test_malformed_patterns_name_pattern_and_reason(pattern, message):
    with pytest.raises(InvalidPattern, match=message) as info:
        Application([(pattern, lambda: "x", render_basic)])
    assert pattern in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_type_suggests_closest():
    with pytest.raises(InvalidPattern, match="Did you mean 'int'"):
        Application([("/<x:itn>", lambda x: x, render_basic)])


def test_literal_segments_are_not_regexes():
    client = client_for("/a.b", lambda: "dot")
    assert client.get("/a.b").text == "dot"
    assert client.get("/axb").status_code == 404


def test_int_segment_converts_and_rejects():
    client = client_for("/n/<x:int>", lambda x: repr(x * 2))
    assert client.get("/n/21").text == "42"
    assert client.get("/n/-5").text == "-10"
    assert client.get("/n/abc").status_code == 404
    assert client.get("/n/%205").status_code == 404  # no spaces
    assert client.get("/n/+5").status_code == 404
    assert client.get("/n/" + "9" * 5000).status_code == 404  # beyond int()'s digit limit: no match, no 500


def test_float_segment_rejects_non_finite():
    client = client_for("/f/<x:float>", lambda x: repr(x))
    assert client.get("/f/1.5").text == "1.5"
    assert client.get("/f/2").text == "2.0"
    assert client.get("/f/1e3").text == "1000.0"
    for bad in ("nan", "inf", "-inf", "1e999", "x"):
        assert client.get(f"/f/{bad}").status_code == 404, bad


def test_optional_segment():
    client = client_for("/opt/<x?int>", lambda x: repr(x))
    assert client.get("/opt").text == "None"
    assert client.get("/opt/3").text == "3"
    assert client.get("/opt/x").status_code == 404


def test_one_or_more_and_zero_or_more():
    plus = client_for("/plus/<x+>", lambda x: repr(x))
    assert plus.get("/plus/a/b").text == "['a', 'b']"
    assert plus.get("/plus").status_code == 404
    multi = client_for("/multi/<x*int>", lambda x: repr(x))
    assert multi.get("/multi").text == "[]"
    assert multi.get("/multi/1/2").text == "[1, 2]"
    assert multi.get("/multi/1/x").status_code == 404


def test_multi_bindings_are_greedy_left_to_right():
    client = client_for("/<a*int>/<b*>", lambda a, b: repr((a, b)))
    assert client.get("/1/2/x/y").text == "([1, 2], ['x', 'y'])"
    client = client_for("/x/<a+>/<b>", lambda a, b: repr((a, b)))
    assert client.get("/x/1/2/3").text == "(['1', '2'], '3')"


def test_non_ascii_segments_are_decoded():
    client = client_for("/u/<word>", lambda word: word)
    assert client.get("/u/%E2%9C%93").text == "\u2713"


def test_url_for_builds_quotes_and_checks_values():
    def user(uid, tags):
        return "x"

    app = Application([("/u/<uid:int>/<tags*>", user, render_basic)])
    assert app.url_for("user", uid=3, tags=["a b", "\u2713"]) == "/u/3/a%20b/%E2%9C%93"
    with pytest.raises(URLBuildError, match="contains '/'"):
        app.url_for("user", uid=3, tags=["c/d"])
    assert app.url_for(user, uid=3, tags=[]) == "/u/3"
    assert app.url_for("user", uid=1, tags=["x"], _query={"q": "1 2"}) == "/u/1/x?q=1+2"
    assert app.url_for("user", uid=1, tags=[], _base_url="http://example.test/") == "http://example.test/u/1"
    with pytest.raises(URLBuildError, match=r"bad value for <uid:int>: expected an int, got 'x'"):
        app.url_for("user", uid="x", tags=[])
    with pytest.raises(URLBuildError, match=r"missing \['uid'\]"):
        app.url_for("user", tags=[])
    with pytest.raises(URLBuildError, match=r"unexpected \['zzz'\]"):
        app.url_for("user", uid=1, tags=[], zzz=2)
    with pytest.raises(URLBuildError, match="Did you mean 'user'"):
        app.url_for("usr", uid=1)


def test_url_for_picks_the_route_whose_fields_fit_and_applies_mount_prefixes():
    def hello(name="world"):
        return name

    child = Application([("/", hello, render_basic), ("/<name>", hello, render_basic)])
    app = Application([("/greet", child)])
    assert app.url_for("hello") == "/greet/"
    assert app.url_for("hello", name="Ben") == "/greet/Ben"
    named = Application([("/a/<x:int>", lambda x: x, render_basic)])
    named.add(__import__("clastic").Route("/b/<x:int>", lambda x: x, render_basic, name="bee"))
    assert named.url_for("bee", x=4) == "/b/4"


def test_url_for_rejects_slash_in_single_segment():
    app = Application([("/p/<name>", lambda name: name, render_basic, None)])
    with pytest.raises(URLBuildError, match="contains '/'"):
        app.url_for("<lambda>", name="a/b")
