"""Who sees debug details, and what production bodies never contain."""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request

import pytest

from clastic import GET, Application, render_basic
from clastic.access import LOOPBACK_NETWORKS
from clastic.errors import Forbidden
from clastic.testing import LiveServer

SECRET_MESSAGE = "card 4111-1111 declined for acct-778"
SECRET_LOCAL = "hunter2-local-value"
SECRET_HEADER = "tok-5f0c1e"
FORMATS = ["html", "json", "problem", "xml", "text"]


def explode(request):
    api_key = SECRET_LOCAL  # noqa: F841 - a local that must never reach a production body
    raise ValueError(SECRET_MESSAGE)


def forbid():
    raise Forbidden("you may not")


def make_app(debug=True, **handler_kwargs):
    handler = None
    if handler_kwargs:
        from clastic.errors import ContextualErrorHandler

        handler = ContextualErrorHandler(**handler_kwargs)
    return Application(
        [
            GET("/explode", explode, render_basic),
            GET("/forbid", forbid, render_basic),
            GET("/secret-route/<x>", forbid, render_basic),
        ],
        error_handler=handler,
        debug=debug,
    )


def assert_plain(body: str) -> None:
    """Nothing but the status, title and the error's own detail."""
    for leak in (
        SECRET_MESSAGE, SECRET_LOCAL, SECRET_HEADER, "ValueError", "Traceback", __file__, "test_debug_access",
        "raise ValueError", "api_key", "/secret-route", "<clastic chain", "site-packages", "sys.path",
    ):  # fmt: skip
        assert leak not in body, f"production body leaks {leak!r}:\n{body}"


PRODUCTION_MODES = {
    "debug=False, default handler": (lambda: make_app(debug=False), "127.0.0.1", {}),
    "debug=True, remote client": (lambda: make_app(), "203.0.113.9", {}),
    "debug=True, loopback proxy forwarding a client": (
        lambda: make_app(),
        "127.0.0.1",
        {"X-Forwarded-For": "198.51.100.4"},
    ),
    "debug=True, Forwarded header": (lambda: make_app(), "127.0.0.1", {"Forwarded": "for=198.51.100.4"}),
    "debug=True, DNS-rebound Host": (lambda: make_app(), "127.0.0.1", {"Host": "rebind.attacker.example:5000"}),
    "debug=True, no REMOTE_ADDR": (lambda: make_app(), None, {}),
}


@pytest.mark.parametrize("mode", PRODUCTION_MODES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_production_500_shows_no_exception_paths_source_or_locals(call, mode, fmt):
    factory, remote, headers = PRODUCTION_MODES[mode]
    response = call(factory(), "/explode", fmt, remote=remote, headers={**headers, "X-Api-Token": SECRET_HEADER})
    assert response.status_code == 500
    assert "Internal server error" in response.text
    assert_plain(response.text)
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize("mode", PRODUCTION_MODES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_production_4xx_shows_no_routes_or_request(call, mode, fmt):
    factory, remote, headers = PRODUCTION_MODES[mode]
    app = factory()
    not_found = call(app, "/nowhere", fmt, remote=remote, headers={**headers, "X-Api-Token": SECRET_HEADER})
    assert not_found.status_code == 404
    assert_plain(not_found.text)
    forbidden = call(app, "/forbid", fmt, remote=remote, headers={**headers, "X-Api-Token": SECRET_HEADER})
    assert forbidden.status_code == 403
    assert "you may not" in forbidden.text
    assert_plain(forbidden.text)


@pytest.mark.parametrize("fmt", ["json", "problem"])
def test_production_json_bodies_have_only_the_standard_keys(call, fmt):
    data = call(make_app(), "/explode", fmt, remote="203.0.113.9").json
    if fmt == "json":
        assert set(data) == {"code", "message", "detail", "error_type"}
    else:
        assert set(data) == {"type", "title", "status", "detail", "instance"}


# -- who is allowed ---------------------------------------------------------------


@pytest.mark.parametrize("remote", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_see_details(call, remote):
    assert call(make_app(), "/explode", "json", remote=remote).json["exc_type"] == "ValueError"


@pytest.mark.parametrize("remote", ["203.0.113.9", "10.1.2.3", "::ffff:10.0.0.1", "2001:db8::1", "", "unix-socket"])
def test_other_clients_get_the_plain_body(call, remote):
    response = call(make_app(), "/explode", "json", remote=remote)
    assert response.status_code == 500
    assert "exc_type" not in response.json


def test_allow_networks_replace_the_loopback_rule(call):
    # One meaning of allow= across Clastic (clastic.access.AccessRule): an explicit rule replaces the default.
    app = make_app(allow=["203.0.113.0/24", ipaddress.ip_network("2001:db8::/32")])
    assert call(app, "/explode", "json", remote="203.0.113.9").json["exc_type"] == "ValueError"
    assert call(app, "/explode", "json", remote="2001:db8::5").json["exc_type"] == "ValueError"
    assert "exc_type" not in call(app, "/explode", "json", remote="127.0.0.1").json
    assert "exc_type" not in call(app, "/explode", "json", remote="198.51.100.1").json
    assert "routes" not in call(app, "/nowhere", "json", remote="198.51.100.1").json


def test_listing_the_loopback_networks_keeps_loopback_next_to_others(call):
    app = make_app(allow=[*LOOPBACK_NETWORKS, "203.0.113.0/24"])
    assert call(app, "/explode", "json", remote="127.0.0.1").json["exc_type"] == "ValueError"
    assert call(app, "/explode", "json", remote="203.0.113.9").json["exc_type"] == "ValueError"
    assert "exc_type" not in call(app, "/explode", "json", remote="198.51.100.1").json


def test_allow_mixes_networks_and_callables(call):
    app = make_app(allow=["203.0.113.0/24", lambda request: request.headers.get("X-Debug-Key") == "letmein"])
    assert call(app, "/explode", "json", remote="203.0.113.9").json["exc_type"] == "ValueError"
    assert call(app, "/explode", "json", remote="198.51.100.1", headers={"X-Debug-Key": "letmein"}).json["exc_type"]
    assert "exc_type" not in call(app, "/explode", "json", remote="198.51.100.1").json


def test_listing_loopback_networks_keeps_the_dns_rebinding_check(call):
    app = make_app(allow=["127.0.0.0/8", "::1/128"])
    rebound = call(app, "/explode", "json", remote="127.0.0.1", headers={"Host": "rebind.attacker.example"})
    assert rebound.status_code == 500 and "exc_type" not in rebound.json
    assert (
        call(app, "/explode", "json", remote="127.0.0.1", headers={"Host": "localhost:5000"}).json["exc_type"]
        == "ValueError"
    )


def test_allow_a_single_address_string(call):
    app = make_app(allow="198.51.100.7")
    assert call(app, "/nowhere", "json", remote="198.51.100.7").json["routes"]
    assert "routes" not in call(app, "/nowhere", "json", remote="198.51.100.8").json


def test_allow_callable_decides_alone(call):
    app = make_app(allow=lambda request: request.headers.get("X-Debug-Key") == "letmein")
    assert call(app, "/explode", "json", remote="198.51.100.1", headers={"X-Debug-Key": "letmein"}).json["exc_type"]
    # Even loopback is refused when the callable says no.
    assert "exc_type" not in call(app, "/explode", "json", remote="127.0.0.1").json


def test_invalid_allow_entries_fail_at_construction():
    from clastic.errors import ContextualErrorHandler, REPLErrorHandler

    with pytest.raises(
        ValueError, match=r"^ContextualErrorHandler\(allow=...\): '10\.0\.0\.0/33' is not an IP network or address"
    ):
        ContextualErrorHandler(allow=["10.0.0.0/33"])
    with pytest.raises(
        TypeError, match=r"^ContextualErrorHandler\(allow=...\): 42 \(int\) is neither an IP network .* nor a callable"
    ):
        ContextualErrorHandler(allow=[42])
    with pytest.raises(TypeError, match=r"^REPLErrorHandler\(allow=...\) takes networks .* got 42 \(int\)$"):
        REPLErrorHandler(allow=42)


# -- over real HTTP -----------------------------------------------------------------


def _get(url, headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as ex:
        with ex:
            return ex.code, ex.read().decode()


def test_live_server_loopback_client_sees_details_proxied_one_does_not():
    with LiveServer(make_app()) as server:
        status, body = _get(server.url + "/explode", {"Accept": "application/json"})
        assert status == 500
        assert json.loads(body)["exc_type"] == "ValueError"
        status, body = _get(server.url + "/explode", {"Accept": "application/json", "X-Forwarded-For": "198.51.100.4"})
        assert status == 500
        assert_plain(body)
        status, body = _get(server.url + "/explode", {"Accept": "application/json", "Host": "rebind.attacker.example"})
        assert status == 500
        assert_plain(body)  # a foreign site's page reaching 127.0.0.1 through DNS rebinding sees nothing
        status, body = _get(server.url + "/nowhere", {"Accept": "text/html"})
        assert status == 404
        assert "/secret-route/&lt;x&gt;" in body
