"""StatsMiddleware and create_stats_app through real Applications."""

import logging
from datetime import UTC, datetime

import pytest
from werkzeug.test import Client

from clastic import GET, Application, render_basic
from clastic.errors import BadRequest
from clastic.middleware.stats import (
    Hit,
    Reservoir,
    RouteStatReservoir,
    StatsMiddleware,
    create_stats_app,
    fast_randint,
    get_and_reset_stats_dict,
    get_stats_dict,
)

QUANTILE_KEYS = {"0.25", "0.5", "0.75", "0.9", "0.95", "0.99"}
ENTRY_KEYS = {"count", "sampled", "mean", "min", "max", "std_dev", "mad", "last_hit", "total_duration"} | QUANTILE_KEYS


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
    assert entry["min"] <= entry["0.5"] <= entry["max"]
    assert set(entry) == ENTRY_KEYS


def test_stats_page_answers_route_stats_and_times():
    stats = StatsMiddleware()
    client = Client(make_app(stats))
    client.get("/hello/x")
    client.get("/hello/y")
    page = client.get("/_stats/").json
    assert set(page) == {"route_stats", "start_time_utc", "cur_time_utc"}
    assert list(page["route_stats"]) == ["/hello/<name>"]  # this request is counted once it is answered
    entry = page["route_stats"]["/hello/<name>"]["200"]
    assert set(entry) == ENTRY_KEYS and entry["count"] == 2
    start = datetime.fromisoformat(page["start_time_utc"])
    now = datetime.fromisoformat(page["cur_time_utc"])
    assert start == datetime.fromtimestamp(stats.last_reset, UTC)
    assert start <= now


def test_reset_answers_the_figures_from_before_and_starts_over():
    stats = StatsMiddleware()
    client = Client(make_app(stats))
    client.get("/hello/x")
    first_start = stats.last_reset
    answer = client.post("/_stats/reset").json
    assert answer["reset"] is True
    assert set(answer) == {"route_stats", "start_time_utc", "cur_time_utc", "reset"}
    assert answer["route_stats"]["/hello/<name>"]["200"]["count"] == 1
    assert datetime.fromisoformat(answer["start_time_utc"]) == datetime.fromtimestamp(first_start, UTC)
    assert stats.last_reset >= first_start
    assert list(stats.route_hits) == ["/_stats/reset"]  # the reset request itself, counted after the reset
    after = client.get("/_stats/").json["route_stats"]
    assert list(after) == ["/_stats/reset"] and after["/_stats/reset"]["200"]["count"] == 1


def test_compat_endpoints_work_in_an_application_of_their_own():
    stats = StatsMiddleware()
    routes = [("/x", lambda: "x", render_basic), ("/s", get_stats_dict, render_basic)]
    routes.append(("/r", get_and_reset_stats_dict, render_basic))
    client = Client(Application(routes, middlewares=[stats]))
    client.get("/x")
    assert client.get("/s").json["route_stats"]["/x"]["200"]["count"] == 1
    reset = client.get("/r").json
    assert reset["reset"] is True and reset["route_stats"]["/s"]["200"]["count"] == 1
    assert sorted(client.get("/s").json["route_stats"]) == ["/r"]


def test_route_hits_holds_route_stat_reservoirs():
    stats = StatsMiddleware()
    client = Client(make_app(stats))
    client.get("/hello/a?x=1")
    reservoir = stats.route_hits["/hello/<name>"]["200"]
    assert isinstance(reservoir, RouteStatReservoir)
    assert reservoir.total_count == 1
    hit = reservoir.last_hit
    assert (hit.url, hit.pattern, hit.status_code, hit.content_type) == (
        "http://localhost/hello/a?x=1", "/hello/<name>", "200", "text/plain",
    )  # fmt: skip
    assert reservoir.to_list() == [hit] and reservoir.total_duration == hit.duration


def test_stats_app_without_middleware_is_501():
    app = Application([("/_stats", create_stats_app())])
    resp = Client(app).get("/_stats/", headers={"Accept": "application/json"})
    assert resp.status_code == 501 and "no StatsMiddleware is installed in this Application" in resp.json["detail"]


def test_stats_app_with_an_explicit_middleware():
    stats = StatsMiddleware()
    counted = Application([("/x", lambda: "x", render_basic)], middlewares=[stats])
    Client(counted).get("/x")
    viewer = Client(Application([("/", create_stats_app(stats))]))
    assert viewer.get("/").json["route_stats"]["/x"]["200"]["count"] == 1
    reset = viewer.post("/reset").json
    assert reset["reset"] is True and reset["route_stats"]["/x"]["200"]["count"] == 1
    assert stats.route_hits == {}


def test_reservoir_keeps_exact_counts_with_a_bounded_sample():
    stats = StatsMiddleware(reservoir_size=5)
    client = Client(make_app(stats))
    for i in range(40):
        client.get(f"/hello/{i}")
    entry = stats.get_summary()["/hello/<name>"]["200"]
    assert (entry["count"], entry["sampled"]) == (40, 5)
    with pytest.raises(ValueError, match="reservoir size must be a whole number of at least 1, got 0"):
        StatsMiddleware(reservoir_size=0)


def test_reservoir_add_resize_to_list_total_count():
    reservoir = Reservoir(range(100), cap=10)
    sample = reservoir.to_list()
    assert reservoir.total_count == 100 and len(sample) == 10 and set(sample) <= set(range(100))
    sample.append("not in the reservoir")  # a copy
    assert len(reservoir.to_list()) == 10
    reservoir.resize(4)
    assert len(reservoir.to_list()) == 4 and set(reservoir.to_list()) <= set(sample)
    assert reservoir.total_count == 100
    reservoir.resize(50)
    for value in range(100, 146):
        reservoir.add(value)
    assert len(reservoir.to_list()) == 50 and reservoir.total_count == 146
    small = Reservoir(cap=3)
    small.add("a")
    assert small.to_list() == ["a"] and small.total_count == 1
    with pytest.raises(ValueError, match=r"Reservoir.resize\(\): the reservoir size must be .* got -1"):
        small.resize(-1)
    with pytest.raises(ValueError, match="Reservoir: the reservoir size must be a whole number of at least 1, got 'x'"):
        Reservoir(cap="x")


def test_reservoir_samples_uniformly():
    # Each of 20 values should land in a 5-slot sample a quarter of the time.
    counts = dict.fromkeys(range(20), 0)
    for _ in range(2000):
        for value in Reservoir(range(20), cap=5).to_list():
            counts[value] += 1
    assert all(350 < n < 650 for n in counts.values()), counts  # expected 500 each


def test_route_stat_reservoir_totals_are_exact():
    hits = [Hit(float(i), f"/p/{i}", "/p/<n>", "200", 0.5, "text/plain") for i in range(10)]
    reservoir = RouteStatReservoir(hits, cap=3)
    assert reservoir.total_count == 10 and len(reservoir.to_list()) == 3
    assert reservoir.last_hit == hits[-1] and reservoir.total_duration == 5.0
    figures = reservoir.describe()
    assert figures["total_duration"] == 5000.0 and figures["mean"] == 500.0 and figures["last_hit"] == 9.0
    assert RouteStatReservoir().last_hit is None


def test_fast_randint_is_half_open():
    assert {fast_randint(3, 6) for _ in range(500)} == {3, 4, 5}
    assert fast_randint(7, 8) == 7
    with pytest.raises(ValueError, match="fast_randint: empty range, start=5 must be below stop=5"):
        fast_randint(5, 5)
