"""GetParamMiddleware and ScriptRootMiddleware through real Applications."""

import json
import uuid

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

import clastic
from clastic import GET, Application, render_basic, render_json
from clastic.exceptions import ReservedArgumentError, UnresolvedArgumentError
from clastic.middleware.url import GetParamMiddleware, ScriptRootMiddleware


def search(q, page):
    return {"q": q, "page": page}


def make_client(mw):
    return Client(Application([("/search", search, render_json)], middlewares=[mw]))


def test_mapping_converts_types():
    client = make_client(GetParamMiddleware({"q": str, "page": int}))
    assert client.get("/search?q=rocks&page=2").json == {"q": "rocks", "page": 2}


def test_original_default_missing_and_bad_values_are_none():
    client = make_client(GetParamMiddleware({"q": str, "page": int}))
    assert client.get("/search").json == {"q": None, "page": None}
    assert client.get("/search?q=x&page=abc").json == {"q": "x", "page": None}


def test_single_name_and_list_of_names_give_strings():
    client = Client(Application([("/one", lambda q: {"q": q}, render_json)], middlewares=[GetParamMiddleware("q")]))
    assert client.get("/one?q=7").json == {"q": "7"}
    client = make_client(GetParamMiddleware(["q", "page"]))
    assert client.get("/search?q=a&page=3").json == {"q": "a", "page": "3"}


def test_converter_functions_and_bool():
    def show(token, flag):
        return {"token": str(token), "flag": flag}

    app = Application([("/t", show, render_json)], middlewares=[GetParamMiddleware({"token": uuid.UUID, "flag": bool})])
    client = Client(app)
    token = uuid.uuid4()
    assert client.get(f"/t?token={token}&flag=false").json == {"token": str(token), "flag": False}
    assert client.get(f"/t?token={token}&flag=on").json["flag"] is True
    assert client.get("/t?token=nope&flag=maybe").json == {"token": "None", "flag": None}


def test_strict_missing_parameter_is_400_naming_field_and_type():
    client = make_client(GetParamMiddleware({"q": str, "page": int}, strict=True))
    resp = client.get("/search?q=rocks", headers={"Accept": "application/json"})
    assert resp.status_code == 400
    assert "missing required query parameter 'page' (expected an int)" in resp.json["detail"]


def test_strict_bad_conversion_is_400_naming_value():
    client = make_client(GetParamMiddleware({"q": str, "page": int}, strict=True))
    resp = client.get("/search?q=rocks&page=two", headers={"Accept": "application/problem+json"})
    assert resp.status_code == 400
    problem = json.loads(resp.data)
    assert problem["detail"] == "query parameter 'page' must be an int, got 'two'"
    assert problem["field"] == "page" and problem["expected"] == "int"


def test_strict_with_defaults_keeps_them_optional():
    client = make_client(GetParamMiddleware({"q": str, "page": int}, strict=True, defaults={"page": 1}))
    assert client.get("/search?q=a").json == {"q": "a", "page": 1}
    assert client.get("/search?q=a&page=5").json == {"q": "a", "page": 5}
    assert client.get("/search?page=5").status_code == 400


def test_constructor_errors():
    with pytest.raises(TypeError, match="param mapping values must be a valid type"):
        GetParamMiddleware({"page": "int"})
    with pytest.raises(TypeError, match="expected a string, dict, mapping, or iterable"):
        GetParamMiddleware(42)
    with pytest.raises(ValueError, match="'page-no' is not a valid Python identifier"):
        GetParamMiddleware(["page-no"])
    with pytest.raises(ReservedArgumentError, match="'request' is reserved"):
        GetParamMiddleware("request")
    with pytest.raises(ValueError, match=r"defaults given for \['size'\], which are not among the parameters"):
        GetParamMiddleware("q", defaults={"size": 1})


@pytest.mark.parametrize("params", [{}, [], ()], ids=["dict", "list", "tuple"])
def test_empty_params_are_accepted_and_provide_nothing(params):
    # Clastic 26 apps build GetParamMiddleware({}) and add names later, or not at all.
    mw = GetParamMiddleware(params)
    assert mw.provides == () and mw.params == {}
    client = Client(Application([("/", lambda request: dict(request.args), render_json)], middlewares=[mw]))
    assert client.get("/?q=1").json == {"q": "1"}
    with pytest.raises(UnresolvedArgumentError, match="'q'"):
        Application([("/search", lambda q: q, render_json)], middlewares=[mw])


def test_params_attribute_keeps_the_declared_types():
    assert GetParamMiddleware({"q": str, "page": int, "flag": bool, "id": uuid.UUID}).params == {
        "q": str, "page": int, "flag": bool, "id": uuid.UUID,
    }  # fmt: skip
    assert GetParamMiddleware(["a", "b"]).params == {"a": str, "b": str}
    assert GetParamMiddleware("q").params == {"q": str}


def test_endpoint_needing_an_unprovided_name_fails_at_build():
    with pytest.raises(UnresolvedArgumentError, match="'page'"):
        Application([("/search", search, render_json)], middlewares=[GetParamMiddleware("q")])


def test_upstream_names_resolve_to_this_class():
    assert clastic.GetParamMiddleware is GetParamMiddleware
    assert clastic.middleware.GetParamMiddleware is GetParamMiddleware
    assert clastic.middleware.ScriptRootMiddleware is ScriptRootMiddleware


def test_script_root_when_mounted_under_a_prefix():
    app = Application(
        [("/where", lambda script_root: f"root={script_root!r}", render_basic)], middlewares=[ScriptRootMiddleware()]
    )
    mounted = DispatcherMiddleware(Application([]), {"/tools": app})
    assert Client(mounted).get("/tools/where").text == "root='/tools'"
    assert Client(app).get("/where").text == "root=''"


def test_script_root_custom_name():
    app = Application([("/", lambda base: base or "-", render_basic)], middlewares=[ScriptRootMiddleware("base")])
    assert Client(app).get("/").text == "-"
    with pytest.raises(ValueError, match="not a valid Python identifier"):
        ScriptRootMiddleware("script root")


def test_app_level_strict_params_leave_unmatched_requests_their_404_and_405():
    app = Application(
        [GET("/search", search, render_json)], middlewares=[GetParamMiddleware({"q": str, "page": int}, strict=True)]
    )
    client = Client(app)
    assert client.get("/search").status_code == 400
    assert client.get("/elsewhere").status_code == 404
    assert client.post("/search").status_code == 405
