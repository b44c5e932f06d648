"""Who may see the meta pages: loopback by default, explicit networks or callables otherwise."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from clastic import Application
from clastic.meta import LOOPBACK_NETWORKS, MetaApplication


def _app(**kwargs: Any) -> Application:
    return Application([("/_meta/", MetaApplication(**kwargs))])


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
@pytest.mark.parametrize("path", ["/_meta/", "/_meta/json/"])
def test_loopback_clients_are_served_by_default(meta_get: Any, address: str, path: str) -> None:
    assert meta_get(_app(), path, remote_addr=address).status_code == 200


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.20", "2001:db8::7", "::ffff:10.0.0.5"])
@pytest.mark.parametrize("path", ["/_meta/", "/_meta/json/"])
def test_other_clients_get_403_with_a_clear_body(meta_get: Any, address: str, path: str) -> None:
    response = meta_get(_app(), path, remote_addr=address)
    assert response.status_code == 403
    parsed = ipaddress.ip_address(address)
    shown = str(getattr(parsed, "ipv4_mapped", None) or parsed)
    assert f"served to loopback clients (127.0.0.0/8 and ::1) only, and this request came from {shown}" in response.text
    assert "MetaApplication(allow=...)" in response.text
    assert "routes" not in response.text


@pytest.mark.parametrize("header", ["Forwarded", "X-Forwarded-For", "X-Real-IP"])
def test_a_loopback_proxy_relaying_for_someone_else_is_refused_by_default(meta_get: Any, header: str) -> None:
    # nginx on the same host, in front of gunicorn: REMOTE_ADDR is 127.0.0.1 but the client is not.
    value = "for=203.0.113.9" if header == "Forwarded" else "203.0.113.9"
    response = meta_get(_app(), "/_meta/json/", remote_addr="127.0.0.1", headers={header: value})
    assert response.status_code == 403
    assert "relayed by a proxy" in response.text and "MetaApplication(allow=...)" in response.text
    # An explicit rule is the way to serve it through a proxy.
    allowed = _app(allow=[*LOOPBACK_NETWORKS])
    assert meta_get(allowed, "/_meta/json/", remote_addr="127.0.0.1", headers={header: value}).status_code == 200


@pytest.mark.parametrize("host", ["rebind.attacker.example", "rebind.attacker.example:5000", "localhost.evil.example"])
def test_a_loopback_request_for_a_foreign_host_name_is_refused(meta_get: Any, host: str) -> None:
    # DNS rebinding: another site's page in the developer's browser reaching 127.0.0.1.
    response = meta_get(_app(), "/_meta/json/", remote_addr="127.0.0.1", headers={"Host": host})
    assert response.status_code == 403
    assert "does not name this machine" in response.text and "DNS rebinding" in response.text
    assert (
        meta_get(_app(), "/_meta/json/", remote_addr="127.0.0.1", headers={"Host": "localhost:5000"}).status_code == 200
    )
    # An explicit rule that lists the loopback networks keeps the protection.
    with_networks = _app(allow=[*LOOPBACK_NETWORKS, "10.0.0.0/8"])
    refused = meta_get(with_networks, "/_meta/json/", remote_addr="127.0.0.1", headers={"Host": host})
    assert refused.status_code == 403 and "DNS rebinding" in refused.text
    assert (
        meta_get(with_networks, "/_meta/json/", remote_addr="10.1.2.3", headers={"Host": "meta.internal"}).status_code
        == 200
    )


def test_a_request_without_a_client_address_is_refused(meta_get: Any) -> None:
    response = meta_get(_app(), "/_meta/", remote_addr=None)
    assert response.status_code == 403
    assert "this request came from an unknown address (None)" in response.text


def test_refusal_is_rendered_as_json_when_asked(meta_get: Any) -> None:
    response = meta_get(_app(), "/_meta/json/", remote_addr="10.0.0.5", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json()["detail"].startswith("This Clastic meta page is served to loopback clients")


def test_allowed_networks_replace_the_loopback_default(meta_get: Any) -> None:
    app = _app(allow=["10.0.0.0/8", "192.168.1.7"])
    assert meta_get(app, "/_meta/", remote_addr="10.20.30.40").status_code == 200
    assert meta_get(app, "/_meta/", remote_addr="192.168.1.7").status_code == 200
    refused = meta_get(app, "/_meta/", remote_addr="127.0.0.1")
    assert refused.status_code == 403
    assert (
        "served to clients in 10.0.0.0/8, 192.168.1.7/32, and this request from 127.0.0.1 is not one of them"
        in refused.text
    )
    assert meta_get(app, "/_meta/", remote_addr="192.168.1.8").status_code == 403


def test_loopback_can_be_kept_next_to_other_networks(meta_get: Any) -> None:
    app = _app(allow=[*LOOPBACK_NETWORKS, ipaddress.ip_network("172.16.0.0/12")])
    assert meta_get(app, "/_meta/", remote_addr="127.0.0.1").status_code == 200
    assert meta_get(app, "/_meta/", remote_addr="172.16.4.4").status_code == 200
    assert meta_get(app, "/_meta/", remote_addr="8.8.8.8").status_code == 403


def test_a_callable_rule_decides_per_request(meta_get: Any) -> None:
    def has_admin_key(request: Any) -> bool:
        return request.headers.get("X-Admin-Key") == "open-sesame"

    app = _app(allow=has_admin_key)
    assert (
        meta_get(app, "/_meta/json/", remote_addr="203.0.113.9", headers={"X-Admin-Key": "open-sesame"}).status_code
        == 200
    )
    refused = meta_get(app, "/_meta/json/", remote_addr="127.0.0.1")
    assert refused.status_code == 403
    assert (
        "served to requests that test_a_callable_rule_decides_per_request.<locals>.has_admin_key() approves"
        in refused.text
    )


def test_an_empty_rule_refuses_everyone(meta_get: Any) -> None:
    refused = meta_get(_app(allow=[]), "/_meta/", remote_addr="127.0.0.1")
    assert refused.status_code == 403
    assert "no one (the allow rule is empty)" in refused.text


def test_the_page_footer_says_who_is_allowed(meta_get: Any) -> None:
    assert "shown to loopback clients (127.0.0.0/8 and ::1) only" in meta_get(_app(), "/_meta/").text


def test_an_invalid_network_fails_when_the_app_is_built() -> None:
    with pytest.raises(ValueError, match=r"MetaApplication\(allow=...\): '10.0.0.0/33' is not an IP network"):
        _app(allow=["10.0.0.0/33"])


@pytest.mark.parametrize("allow", [42, [3.5]])
def test_an_allow_rule_of_the_wrong_type_fails_when_the_app_is_built(allow: Any) -> None:
    with pytest.raises(TypeError, match=r"MetaApplication\(allow=...\)"):
        _app(allow=allow)
