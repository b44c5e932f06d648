"""clastic.utils: Redirector and redirect_to_path."""

import pytest

from clastic import POST, Application, SubApplication, render_basic
from clastic.utils import Redirector, redirect_to_path


def test_redirector_redirects_with_its_code():
    client = Application(
        [("/old", Redirector("/new")), ("/tmp", Redirector("/elsewhere", code=307))]
    ).get_local_client()
    old = client.get("/old")
    assert (old.status_code, old.headers["Location"]) == (301, "/new")
    assert client.get("/tmp").status_code == 307
    assert repr(Redirector("/new")) == "Redirector('/new', code=301)"


def test_redirect_to_path_quotes_and_keeps_the_query():
    def go(request, target):
        # request.path includes the mount prefix
        return redirect_to_path(request, request.path.replace("/go/", "/landing/"))

    def keep_method(request):
        return redirect_to_path(request, "/shop/accepted", 308, keep_query=False)

    inner = Application([("/go/<target>", go), POST("/submit", keep_method)])
    app = Application([SubApplication("/shop", inner), ("/", lambda: "home", render_basic)])
    client = app.get_local_client()
    moved = client.get("/shop/go/caf%C3%A9 au lait?x=1&y=%2F")
    assert moved.status_code == 302
    assert moved.headers["Location"] == "/shop/landing/caf%C3%A9%20au%20lait?x=1&y=%2F"
    posted = client.post("/shop/submit?token=abc", data={"a": "1"})
    assert (posted.status_code, posted.headers["Location"]) == (308, "/shop/accepted")


def test_redirect_to_path_under_a_wsgi_script_root():
    def go(request):
        return redirect_to_path(request, "/next/<odd> path")

    app = Application([("/go", go)])
    reply = app.get_local_client().get("/go", environ_overrides={"SCRIPT_NAME": "/mounted"})
    assert reply.headers["Location"] == "/mounted/next/%3Codd%3E%20path"


def _request(remote_addr, headers=None, host="localhost"):
    from werkzeug.test import EnvironBuilder

    from clastic import Request

    environ = EnvironBuilder("/", headers=headers or {}, base_url=f"http://{host}/").get_environ()
    if remote_addr is None:
        environ.pop("REMOTE_ADDR", None)
    else:
        environ["REMOTE_ADDR"] = remote_addr
    return Request(environ)


def test_client_address_parses_and_normalises_remote_addr():
    import ipaddress

    from clastic.utils import client_address

    assert client_address(_request("192.0.2.7")) == ipaddress.ip_address("192.0.2.7")
    assert client_address(_request("::ffff:127.0.0.1")) == ipaddress.ip_address("127.0.0.1")
    assert client_address(_request("fe80::1%eth0")) == ipaddress.ip_address("fe80::1")
    for garbage in (None, "", "/run/app.sock", "not-an-ip"):
        assert client_address(_request(garbage)) is None


def test_is_loopback_client_refuses_relayed_and_remote_peers():
    from clastic.utils import is_loopback_client

    assert is_loopback_client(_request("127.0.0.1")) and is_loopback_client(_request("::1"))
    assert is_loopback_client(_request("127.3.2.1"))
    assert not is_loopback_client(_request("10.0.0.1"))
    assert not is_loopback_client(_request(None))
    for header in ("Forwarded", "X-Forwarded-For", "X-Real-IP"):
        assert not is_loopback_client(_request("127.0.0.1", {header: "203.0.113.9"}))


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("localhost:5000", True),
        ("app.localhost:8000", True),
        ("127.0.0.1:5000", True),
        ("127.9.9.9", True),
        ("[::1]:5000", True),
        ("localhost.:5000", True),
        ("0.0.0.0:5000", True),  # the address the dev server may be bound to, as the documents open it
        ("[::]:5000", True),
        ("[::ffff:127.0.0.1]:5000", True),
        ("rebind.attacker.example", False),
        ("rebind.attacker.example:5000", False),
        ("localhost.attacker.example", False),
        ("10.0.0.1", False),
        ("[::1", False),
    ],
)
def test_loopback_clients_must_also_address_a_loopback_host(host, loopback):
    # DNS rebinding: another site's page, in the developer's browser, reaching 127.0.0.1.
    from clastic.utils import is_loopback_client, is_loopback_host

    request = _request("127.0.0.1", host=host) if host != "[::1" else _request("127.0.0.1", headers={"Host": host})
    assert is_loopback_host(request) is loopback
    assert is_loopback_client(request) is loopback


@pytest.mark.parametrize("path", ["//evil.example/a", "///evil.example", "/" + "/" * 5 + "x"])
def test_redirect_to_path_never_leaves_the_site(path):
    def go(request):
        return redirect_to_path(request, path)

    location = Application([("/go", go)]).get_local_client().get("/go?next=1").headers["Location"]
    assert location.startswith("/") and not location.startswith("//")


@pytest.mark.parametrize("path", ["https://evil.example", "evil.example/a", "", None])
def test_redirect_to_path_refuses_what_is_not_a_path(path):
    with pytest.raises(ValueError, match="takes a path starting with '/'"):
        redirect_to_path(_request("127.0.0.1"), path)


# -- int2hexguid and random_hex (kept from Clastic 26) ------------------------------


def test_int2hexguid_is_24_hex_digits_stable_in_a_process_and_salted_per_process():
    import subprocess
    import sys

    from clastic.utils import int2hexguid

    guid = int2hexguid(1)
    assert len(guid) == 24 and int(guid, 16) >= 0
    assert int2hexguid(1) == guid and int2hexguid(2) != guid
    other_process = subprocess.run(
        [sys.executable, "-c", "from clastic.utils import int2hexguid; print(int2hexguid(1))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    assert len(other_process) == 24 and other_process != guid
    with pytest.raises(TypeError, match=r"int2hexguid\(\) takes an int, got '1' \(str\)"):
        int2hexguid("1")


@pytest.mark.parametrize(("bits", "digits"), [(1, 1), (4, 1), (5, 2), (64, 16), (160, 40)])
def test_random_hex_gives_bits_as_zero_padded_hex_digits(bits, digits):
    from clastic.utils import random_hex

    values = {random_hex(bits) for _ in range(20)}
    assert all(len(value) == digits and int(value, 16) < 2**bits for value in values)
    if bits >= 64:
        assert len(values) == 20


def test_random_hex_refuses_a_non_positive_bit_count():
    from clastic.utils import random_hex

    with pytest.raises(ValueError, match=r"random_hex\(\) takes a positive number of bits, got 0"):
        random_hex(0)


def test_bytes2human_and_rel_datetime_are_boltons_helpers():
    import datetime

    from clastic.utils import bytes2human, rel_datetime

    assert bytes2human(128991) == "126K" and bytes2human(100001221, 1) == "95.4M"
    now = datetime.datetime(2026, 5, 1, 12, 0, 0)
    assert rel_datetime(now - datetime.timedelta(hours=3), now) == "3 hours ago"
    assert rel_datetime(now + datetime.timedelta(days=2), now) == "2 days from now"
    aware = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    assert rel_datetime(aware) == "5 minutes ago"
