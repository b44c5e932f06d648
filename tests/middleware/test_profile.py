"""SimpleProfileMiddleware through real Applications."""

import logging

import pytest
from werkzeug.test import Client

from clastic import Application, render_basic
from clastic.middleware.profile import SORT_KEYS, SimpleProfileMiddleware


def busy_endpoint():
    return str(sum(distinctive_helper(i) for i in range(200)))


def distinctive_helper(i):
    return i * i


def failing():
    raise ValueError("boom in the endpoint")


def make_app(debug=False, **options):
    routes = [("/busy", busy_endpoint, render_basic), ("/fail", failing, render_basic)]
    return Application(routes, middlewares=[SimpleProfileMiddleware(**options)], debug=debug)


def test_inactive_without_debug():
    resp = Client(make_app()).get("/busy?_prof=1")
    assert resp.text == str(sum(i * i for i in range(200)))


def test_profile_in_debug_mode():
    resp = Client(make_app(debug=True)).get("/busy?_prof=1&_prof_sort=ncalls")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "Profile of GET /busy" in resp.text and "distinctive_helper" in resp.text and "Sorted by ncalls" in resp.text


def test_falsy_flag_and_explicit_switches():
    assert Client(make_app(debug=True)).get("/busy?_prof=0").text.isdigit()
    assert "distinctive_helper" in Client(make_app(enabled=True)).get("/busy?_prof=1").text
    assert Client(make_app(debug=True, enabled=False)).get("/busy?_prof=1").text.isdigit()


def test_bad_sort_key_is_400_listing_the_keys():
    resp = Client(make_app(debug=True)).get("/busy?_prof=1&_prof_sort=speed", headers={"Accept": "application/json"})
    assert resp.status_code == 400
    assert resp.json["detail"].startswith("unknown profile sort key 'speed' in ?_prof_sort=; use one of")
    assert all(key in resp.json["detail"] for key in ("cumulative", "tottime"))
    assert "cumulative" in SORT_KEYS


def test_exceptions_propagate_or_are_shown(caplog):
    with caplog.at_level(logging.ERROR):
        assert Client(make_app(debug=True)).get("/fail?_prof=1").status_code == 500
    resp = Client(make_app(debug=True, raise_exc=False)).get("/fail?_prof=1")
    assert resp.status_code == 200 and "The request raised" in resp.text and "boom in the endpoint" in resp.text
    assert "profiled request GET /fail raised" in caplog.text


@pytest.mark.parametrize("name", ["prof", "p"])
def test_custom_parameter_names(name):
    app = Application(
        [("/busy", busy_endpoint, render_basic)],
        middlewares=[SimpleProfileMiddleware(get_param_name=name, sort_param_name="s", enabled=True)],
    )
    assert "Sorted by tottime" in Client(app).get(f"/busy?{name}=yes&s=tottime").text
