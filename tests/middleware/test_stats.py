"""StatsMiddleware and create_stats_app through real Applications."""

import logging

import pytest
from werkzeug.test import Client

from clastic import GET, Application, render_basic
from clastic.errors import BadRequest
from clastic.middleware.stats import StatsMiddleware, create_stats_app


def hello(name):
    return f"hi {name}"


def bad():
    raise BadRequest("nope")


def broken():
    raise KeyError("oops")


def make_app(stats):
    routes = [
        GET("/hello/<name>", hello, render_basic),
        ("/bad", bad, render_basic),
        ("/broken", broken, render_basic),
        ("/_stats", create_stats_app()),
    ]
    return Application(routes, middlewares=[stats])


def test_every_status_is_counted_and_none_is_changed(caplog):
    stats = StatsMiddleware()
    client = Client(make_app(stats))
    for name in ("a", "b", "c"):
        assert client.get(f"/hello/{name}").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    assert client.delete("/hello/a").status_code == 405
    assert client.get("/bad").status_code == 400
    with caplog.at_level(logging.ERROR):
        assert client.get("/broken").status_code == 500
    summary = stats.get_summary()
    assert summary["/hello/<name>"]["200"]["count"] == 3
    assert summary["(unmatched)"]["404"]["count"] == 1
    assert summary["(unmatched)"]["405"]["count"] == 1
    assert summary["/bad"]["400"]["count"] == 1
    assert summary["/broken"]["KeyError"]["count"] == 1
    entry = summary["/hello/<name>"]["200"]
    assert entry["min"] <= entry["quantiles"]["0.5"] <= entry["max"]
    assert set(entry) == {
        "count",
        "sampled",
        "mean",
        "min",
        "max",
        "std_dev",
        "mad",
        "quantiles",
        "last_hit",
        "total_duration",
    }
    assert set(entry["quantiles"]) == {"0.25", "0.5", "0.75", "0.9", "0.95", "0.99"}


def test_stats_app_summary_and_reset():
    stats = StatsMiddleware()
    client = Client(make_app(stats))
    client.get("/hello/x")
    summary = client.get("/_stats/").json
    assert summary["/hello/<name>"]["200"]["count"] == 1
    assert client.post("/_stats/reset").json == {"reset": True}
    assert list(stats.get_summary()) == ["/_stats/reset"]  # the reset request itself, counted after the reset


def test_stats_app_without_middleware_is_501():
    app = Application([("/_stats", create_stats_app())])
    resp = Client(app).get("/_stats/", headers={"Accept": "application/json"})
    assert resp.status_code == 501 and "no StatsMiddleware is installed in this Application" in resp.json["detail"]


def test_stats_app_with_an_explicit_middleware():
    stats = StatsMiddleware()
    counted = Application([("/x", lambda: "x", render_basic)], middlewares=[stats])
    Client(counted).get("/x")
    viewer = Application([("/", create_stats_app(stats))])
    assert Client(viewer).get("/").json["/x"]["200"]["count"] == 1


def test_reservoir_keeps_exact_counts_with_a_bounded_sample():
    stats = StatsMiddleware(reservoir_size=5)
    client = Client(make_app(stats))
    for i in range(40):
        client.get(f"/hello/{i}")
    entry = stats.get_summary()["/hello/<name>"]["200"]
    assert (entry["count"], entry["sampled"]) == (40, 5)
    with pytest.raises(ValueError, match="reservoir_size must be at least 1"):
        StatsMiddleware(reservoir_size=0)
