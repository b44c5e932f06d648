"""The "Rate limits" meta peripheral, through clastic-core's MetaPeripheralPlugin protocol."""

from __future__ import annotations

from werkzeug.test import Client

from clastic import Application, Route, render_basic, render_json
from clastic.plugins import META_PERIPHERALS_GROUP, MetaPeripheralPlugin, iter_plugins
from clastic_ratelimit import RateLimitMiddleware, RateLimitPeripheral, find_limiters


def test_the_entry_point_names_the_peripheral_class():
    found = {entry_point.name: obj for entry_point, obj in iter_plugins(META_PERIPHERALS_GROUP)}
    assert found["ratelimit"] is RateLimitPeripheral
    assert isinstance(RateLimitPeripheral(), MetaPeripheralPlugin)


def test_get_context_is_injected_like_an_endpoint(clock):
    # A meta application injects get_context like an endpoint; so can we.
    limiter = RateLimitMiddleware(4, per=40, clock=clock)
    peripheral = RateLimitPeripheral()
    app = Application(
        [("/", lambda: "ok", render_basic), ("/limits", peripheral.get_context, render_json)],
        middlewares=[limiter],
    )
    client = Client(app)
    client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    context = client.get("/limits", environ_base={"REMOTE_ADDR": "192.0.2.1"}).json
    assert context == {
        "limiters": [
            {
                "scope": "default",
                "limit": 4.0,
                "per": 40.0,
                "burst": 4.0,
                "cost": 1.0,
                "key": "client_address",
                "store": "MemoryStore(max_buckets=100000)",
                "active_clients": 2,
                "clients": [
                    {"key": "192.0.2.1", "tokens": 3.0, "full_in": 10.0},
                    {"key": "192.0.2.9", "tokens": 3.0, "full_in": 10.0},
                ],
            }
        ]
    }


def test_find_limiters_sees_route_level_ones_once():
    shared = RateLimitMiddleware(10)
    login = RateLimitMiddleware(2, scope="login")
    app = Application(
        [Route("/login", lambda: "in", render_basic, middlewares=[login]), ("/", lambda: "home", render_basic)],
        middlewares=[shared],
    )
    assert find_limiters(app) == [shared, login]
    assert find_limiters(Application([("/", lambda: "x", render_basic)])) == []


def test_render_html_escapes_what_clients_control(clock):
    limiter = RateLimitMiddleware(2, per=60, key=lambda request: request.headers.get("X-Client"), clock=clock)
    app = Application([("/", lambda: "ok", render_basic)], middlewares=[limiter])
    Client(app).get("/", headers={"X-Client": "<script>alert(1)</script>"})
    peripheral = RateLimitPeripheral()
    html = peripheral.render_html(peripheral.get_context(_application=app))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "2 requests per 60 s, bursts of 2" in html
    assert "<td>1</td><td>30</td>" in html


def test_render_html_without_limiters():
    peripheral = RateLimitPeripheral()
    app = Application([("/", lambda: "x", render_basic)])
    html = peripheral.render_html(peripheral.get_context(_application=app))
    assert html == "<p>This application uses no RateLimitMiddleware.</p>"
    assert (peripheral.title, peripheral.group_key) == ("Rate limits", "ratelimit")
