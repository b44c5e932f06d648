"""clastic.access: the one allow rule of developer-only pages (clastic-meta, clastic-errors)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from clastic.access import LOOPBACK_NETWORKS, AccessRule


def request(remote: str | None = "127.0.0.1", host: str = "localhost:5000", **headers: str) -> Request:
    environ = EnvironBuilder(path="/", headers={"Host": host, **headers}).get_environ()
    environ["REMOTE_ADDR"] = remote
    return Request(environ)


@pytest.mark.parametrize("remote", ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"])
def test_the_default_allows_loopback_clients(remote: str) -> None:
    assert AccessRule().allows(request(remote))
    assert AccessRule().refusal(request(remote)) is None


def test_the_default_refuses_other_clients_and_says_how_to_open_it() -> None:
    rule = AccessRule(subject="This page", setting="Thing(allow=...)")
    assert not rule.allows(request("10.0.0.5"))
    assert rule.refusal(request("10.0.0.5")) == (
        "This page is served to loopback clients (127.0.0.0/8 and ::1) only, and this request came from 10.0.0.5. "
        "To open it to other clients, build it with Thing(allow=...), giving networks such as '10.0.0.0/8' or a "
        "function of the request."
    )
    assert "came from an unknown address (None)" in rule.refusal(request(None))


@pytest.mark.parametrize("header", ["Forwarded", "X-Forwarded-For", "X-Real-IP"])
def test_the_default_refuses_a_loopback_proxy_but_listed_loopback_networks_serve_it(header: str) -> None:
    relayed = request("127.0.0.1", **{header: "203.0.113.9"})
    assert "relayed by a proxy" in AccessRule().refusal(relayed)
    assert AccessRule(LOOPBACK_NETWORKS).allows(relayed)


@pytest.mark.parametrize("allow", [None, LOOPBACK_NETWORKS, [*LOOPBACK_NETWORKS, "10.0.0.0/8"]])
def test_a_loopback_client_naming_a_foreign_host_is_refused(allow: Any) -> None:
    rebound = request("127.0.0.1", host="rebind.attacker.example")
    assert not AccessRule(allow).allows(rebound)
    assert "through DNS rebinding" in AccessRule(allow).refusal(rebound)


def test_an_explicit_rule_replaces_the_loopback_default() -> None:
    rule = AccessRule(["10.0.0.0/8", ipaddress.ip_address("192.0.2.7"), ipaddress.ip_network("2001:db8::/32")])
    assert [rule.allows(request(remote)) for remote in ("10.1.2.3", "192.0.2.7", "2001:db8::5")] == [True] * 3
    assert not rule.allows(request("127.0.0.1"))
    assert rule.refusal(request("127.0.0.1")) == (
        "This page is served to clients in 10.0.0.0/8, 192.0.2.7/32, 2001:db8::/32, "
        "and this request from 127.0.0.1 is not one of them."
    )
    assert AccessRule([*LOOPBACK_NETWORKS, "10.0.0.0/8"]).allows(request("127.0.0.1"))


def test_callables_decide_for_the_requests_they_approve_and_mix_with_networks() -> None:
    def has_key(req: Request) -> bool:
        return req.headers.get("X-Key") == "open"

    rule = AccessRule(["10.0.0.0/8", has_key])
    assert rule.allows(request("203.0.113.9", **{"X-Key": "open"}))
    assert rule.allows(request("10.0.0.1"))
    assert not rule.allows(request("127.0.0.1"))
    assert rule.describe() == (
        "clients in 10.0.0.0/8 or requests that "
        "test_callables_decide_for_the_requests_they_approve_and_mix_with_networks.<locals>.has_key() approves"
    )
    assert AccessRule(has_key).allows(request("203.0.113.9", **{"X-Key": "open"}))


def test_a_single_network_string_and_an_empty_rule() -> None:
    assert AccessRule("198.51.100.7").networks == (ipaddress.ip_network("198.51.100.7/32"),)
    empty = AccessRule([])
    assert not empty.allows(request("127.0.0.1"))
    assert empty.describe() == "no one (the allow rule is empty)"
    assert repr(AccessRule()) == "<AccessRule loopback clients (127.0.0.0/8 and ::1) only>"


def test_bad_rules_fail_when_built_naming_the_setting() -> None:
    with pytest.raises(ValueError, match=r"^Thing\(allow=...\): '10.0.0.0/33' is not an IP network or address \("):
        AccessRule(["10.0.0.0/33"], setting="Thing(allow=...)")
    with pytest.raises(TypeError, match=r"^allow=: 3.5 \(float\) is neither an IP network \(such as '10.0.0.0/8'\)"):
        AccessRule([3.5])
    with pytest.raises(TypeError, match=r"^allow= takes networks \(such as '10.0.0.0/8'\), .* got 42 \(int\)$"):
        AccessRule(42)  # type: ignore[arg-type]  # the mistake under test
