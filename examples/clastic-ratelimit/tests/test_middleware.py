"""RateLimitMiddleware in Applications: bursts, 429 + Retry-After, keys, scopes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from werkzeug.test import Client

from clastic import GET, Application, Middleware, Route, render_basic
from clastic.errors import NotFound
from clastic.exceptions import ConflictingProvidesError, MiddlewareError
from clastic_ratelimit import MemoryStore, RateLimitMiddleware, SQLiteStore


class Hits:
    """Counts endpoint calls, to prove refused requests never reach the endpoint."""

    def __init__(self) -> None:
        self.count = 0


def hello(hits):
    hits.count += 1
    return f"hello #{hits.count}"


def create_app():
    # 3 requests a minute: in a test lasting well under a second the bucket
    # regains ~0.05 tokens, never a whole request.
    limiter = RateLimitMiddleware(3, per=60)
    return Application([("/", hello, render_basic)], resources={"hits": Hits()}, middlewares=[limiter])


def test_burst_passes_then_429_with_retry_after(clastic_app, clastic_client):
    remaining = []
    for expected in ("hello #1", "hello #2", "hello #3"):
        response = clastic_client.get("/")
        assert response.status_code == 200
        assert response.text == expected
        remaining.append(response.headers["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    refused = clastic_client.get("/")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"  # one token at 3 per 60 s
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Limit"] == "3"
    assert "Retry in 20 seconds" in refused.text
    assert clastic_app.resources["hits"].count == 3


def test_429_over_real_http_negotiates_json(clastic_live_server):
    for _ in range(3):
        with urllib.request.urlopen(clastic_live_server.url + "/", timeout=10) as response:
            assert response.status == 200
    request = urllib.request.Request(clastic_live_server.url + "/", headers={"Accept": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    with caught.value as error:
        assert error.code == 429
        assert error.headers["Retry-After"] == "20"
        body = json.loads(error.read())
    assert body["code"] == 429
    assert "3 per 60 seconds" in body["detail"]


def test_each_client_address_has_its_own_bucket(clastic_app):
    client = Client(clastic_app)
    for address in ("10.0.0.1", "10.0.0.2"):
        codes = [client.get("/", environ_base={"REMOTE_ADDR": address}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429], address


def test_bucket_refills_at_the_configured_rate(clock):
    app = Application([("/", lambda: "ok", render_basic)], middlewares=[RateLimitMiddleware(2, per=10, clock=clock)])
    client = Client(app)
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    clock.advance(4)  # 0.8 of a token
    refused = client.get("/")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")
    clock.advance(1)
    assert client.get("/").status_code == 200
    clock.advance(10)
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]


def test_burst_smaller_than_limit_smooths_traffic(clock):
    limiter = RateLimitMiddleware(60, per=60, burst=2, clock=clock)
    client = Client(Application([("/", lambda: "ok", render_basic)], middlewares=[limiter]))
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    clock.advance(1)
    assert [client.get("/").status_code for _ in range(2)] == [200, 429]


def test_cost_takes_several_tokens(clock):
    limiter = RateLimitMiddleware(10, per=10, cost=4, clock=clock)
    client = Client(Application([("/", lambda: "ok", render_basic)], middlewares=[limiter]))
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/").headers["Retry-After"] == "2"


def test_custom_key_limits_per_api_key_and_exempts_none(clock):
    limiter = RateLimitMiddleware(1, per=60, key=lambda request: request.headers.get("X-API-Key"), clock=clock)
    client = Client(Application([("/", lambda: "ok", render_basic)], middlewares=[limiter]))
    assert client.get("/", headers={"X-API-Key": "alice"}).status_code == 200
    assert client.get("/", headers={"X-API-Key": "alice"}).status_code == 429
    assert client.get("/", headers={"X-API-Key": "bob"}).status_code == 200
    exempt = [client.get("/") for _ in range(5)]
    assert {r.status_code for r in exempt} == {200}
    assert "RateLimit-Remaining" not in exempt[0].headers


def test_route_level_limiter_limits_only_its_route(clock):
    login_limit = RateLimitMiddleware(2, per=60, scope="login", clock=clock)
    app = Application(
        [
            Route("/login", lambda: "welcome", render_basic, middlewares=[login_limit]),
            ("/", lambda: "home", render_basic),
        ]
    )
    client = Client(app)
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get("/").status_code for _ in range(5)] == [200] * 5


def test_app_level_limiter_counts_unmatched_requests(clock):
    app = Application([("/", lambda: "ok", render_basic)], middlewares=[RateLimitMiddleware(2, per=60, clock=clock)])
    client = Client(app)
    assert [client.get("/nope").status_code for _ in range(2)] == [404, 404]
    assert client.get("/").status_code == 429


def test_errors_raised_by_the_endpoint_keep_the_headers(clock):
    def missing():
        raise NotFound("no such thing")

    app = Application([("/missing", missing, render_basic)], middlewares=[RateLimitMiddleware(5, per=60, clock=clock)])
    response = Client(app).get("/missing")
    assert response.status_code == 404
    assert response.headers["RateLimit-Remaining"] == "4"


def test_headers_can_be_turned_off(clock):
    limiter = RateLimitMiddleware(1, per=60, headers=False, clock=clock)
    client = Client(Application([("/", lambda: "ok", render_basic)], middlewares=[limiter]))
    ok, refused = client.get("/"), client.get("/")
    assert "RateLimit-Remaining" not in ok.headers
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert "RateLimit-Remaining" not in refused.headers


def test_provide_as_injects_the_decision(clock):
    def quota(rate_limit):
        return f"{rate_limit.remaining:g} of {rate_limit.limit:g} left"

    limiter = RateLimitMiddleware(3, per=60, provide_as="rate_limit", clock=clock)
    client = Client(Application([GET("/quota", quota, render_basic)], middlewares=[limiter]))
    assert client.get("/quota").text == "2 of 3 left"
    assert client.get("/quota").text == "1 of 3 left"


def test_provide_as_is_checked_when_the_application_is_built():
    first = RateLimitMiddleware(3, provide_as="quota", scope="a")
    second = RateLimitMiddleware(30, provide_as="quota", scope="b")
    with pytest.raises(ConflictingProvidesError, match="quota"):
        Application([("/", lambda quota: "x", render_basic)], middlewares=[first, second])
    with pytest.raises(NameError, match="Did you mean 'quota'"):
        Application([("/", lambda quotaa: "x", render_basic)], middlewares=[first])


def test_limiters_sharing_a_sqlite_file_share_the_budget(tmp_path, clock):
    # Two Applications stand for two worker processes reading one file.
    path = tmp_path / "limits.db"
    stores = [SQLiteStore(path), SQLiteStore(path)]
    try:
        limiters = [RateLimitMiddleware(4, per=60, store=store, clock=clock) for store in stores]
        clients = [
            Client(Application([("/", lambda: "ok", render_basic)], middlewares=[limiter])) for limiter in limiters
        ]
        codes = [clients[i % 2].get("/").status_code for i in range(6)]
        assert codes == [200, 200, 200, 200, 429, 429]
    finally:
        for store in stores:
            store.close()


def test_two_scopes_in_one_store_are_independent(clock):
    store = MemoryStore()
    strict = RateLimitMiddleware(1, per=60, store=store, scope="strict", clock=clock)
    loose = RateLimitMiddleware(3, per=60, store=store, scope="loose", clock=clock)
    app = Application(
        [
            Route("/strict", lambda: "s", render_basic, middlewares=[strict]),
            Route("/loose", lambda: "l", render_basic, middlewares=[loose]),
        ]
    )
    client = Client(app)
    assert [client.get("/strict").status_code for _ in range(2)] == [200, 429]
    assert [client.get("/loose").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert sorted(b.scope for b in store.buckets()) == ["loose", "strict"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"limit": 0}, ValueError, r"limit must be a positive number, got 0"),
        ({"limit": "10/minute"}, ValueError, r"limit must be a positive number, got '10/minute'"),
        ({"limit": 5, "per": -1}, ValueError, r"per must be a positive number, got -1"),
        ({"limit": 5, "burst": float("inf")}, ValueError, r"burst must be a positive number, got inf"),
        (
            {"limit": 5, "burst": 1, "cost": 2},
            ValueError,
            r"cost \(2\) is larger than burst \(1\).*raise burst or lower cost",
        ),
        ({"limit": 5, "key": "REMOTE_ADDR"}, TypeError, r"key must be a function of the request, got 'REMOTE_ADDR'"),
        ({"limit": 5, "store": {}}, TypeError, r"store must implement take\(\), buckets\(\), reset\(\) and prune\(\)"),
        ({"limit": 5, "scope": ""}, ValueError, r"scope must be a non-empty string, got ''"),
        (
            {"limit": 5, "provide_as": "rate-limit"},
            ValueError,
            r"provide_as must be a valid argument name, got 'rate-limit'",
        ),
    ],
)
def test_bad_settings_fail_when_the_middleware_is_made(kwargs, error, message):
    with pytest.raises(error, match=message):
        RateLimitMiddleware(**kwargs)


def test_written_for_middleware_protocol_1():
    assert RateLimitMiddleware.protocol_version == 1

    class FutureLimiter(RateLimitMiddleware):
        protocol_version = 2

    with pytest.raises(MiddlewareError, match=r"FutureLimiter was written for middleware protocol version 2"):
        Application([("/", lambda: "x", render_basic)], middlewares=[FutureLimiter(5)])


def test_is_a_clastic_middleware_with_a_request_hook():
    limiter = RateLimitMiddleware(5)
    assert isinstance(limiter, Middleware)
    assert limiter.requires == ["request"]
    assert (
        repr(limiter)
        == "RateLimitMiddleware(5, per=60, burst=5, scope='default', store=MemoryStore(max_buckets=100000))"
    )
