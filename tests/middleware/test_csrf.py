"""CSRFMiddleware through real Applications, in cookie and session mode, and over real HTTP."""

import io
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

from clastic import GET, POST, Application, Response, render_basic, render_json
from clastic.exceptions import UnresolvedArgumentError
from clastic.middleware.context import SimpleContextProcessor
from clastic.middleware.csrf import CSRFMiddleware
from clastic.middleware.form import PostDataMiddleware
from clastic.middleware.session import MemorySessionStore, SessionMiddleware
from clastic.testing import LiveServer
from middleware_helpers import Browser, ExplodingStream

SECRET = "csrf secret"


def form_page(context):
    # A stand-in for a template: it sees csrf_token through the context processor.
    html = f'<!doctype html><form method="post"><input type="hidden" name="csrf_token" value="{context["csrf_token"]}"></form>'
    return Response(html, content_type="text/html; charset=utf-8")


def transfer(amount):
    return {"transferred": amount}


def make_app(**options):
    options.setdefault("secret_key", SECRET)
    return Application(
        [
            GET("/form", lambda: {}, form_page),
            POST("/transfer", transfer, render_json, middlewares=[PostDataMiddleware({"amount": int})]),
        ],
        middlewares=[CSRFMiddleware(**options), SimpleContextProcessor("csrf_token")],
    )


def token_from(resp):
    return re.search(r'name="csrf_token" value="([^"]+)"', resp.text).group(1)


def test_token_in_form_field_or_header_passes():
    client = Client(make_app())
    page = client.get("/form")
    assert "HttpOnly" in page.headers["Set-Cookie"] and "SameSite=Lax" in page.headers["Set-Cookie"]
    token = token_from(page)
    assert client.post("/transfer", data={"amount": "5", "csrf_token": token}).json["transferred"] == 5
    assert client.post("/transfer", data={"amount": "6"}, headers={"X-CSRF-Token": token}).json["transferred"] == 6


def test_missing_token_is_403_with_a_clear_body():
    client = Client(make_app())
    client.get("/form")
    resp = client.post("/transfer", data={"amount": "5"}, headers={"Accept": "application/json"})
    assert resp.status_code == 403
    assert resp.json["detail"] == (
        "CSRF check failed: the request carries no CSRF token; send it in the 'X-CSRF-Token' header or the 'csrf_token' form field"
    )


def test_forged_request_from_another_site_without_the_cookie_is_403():
    victim_token = token_from(Client(make_app()).get("/form"))
    attacker = Client(make_app())  # no cookie: the browser of someone who never loaded the form
    resp = attacker.post(
        "/transfer", data={"amount": "500", "csrf_token": victim_token}, headers={"Accept": "text/plain"}
    )
    assert resp.status_code == 403 and "has no CSRF 'clastic_csrf' cookie" in resp.text


def test_token_of_another_browser_is_403():
    other_token = token_from(Client(make_app()).get("/form"))
    client = Client(make_app())
    client.get("/form")
    resp = client.post("/transfer", data={"amount": "5", "csrf_token": other_token}, headers={"Accept": "text/plain"})
    assert resp.status_code == 403 and "belongs to another session or browser" in resp.text


@pytest.mark.parametrize("bad", ["garbage", "a.b.c", "", "x" * 300])
def test_malformed_tokens_are_403_never_500(bad):
    client = Client(make_app())
    client.get("/form")
    resp = client.post("/transfer", data={"amount": "5"}, headers={"X-CSRF-Token": bad, "Accept": "text/plain"})
    assert resp.status_code == 403


def test_token_signed_with_another_key_is_403():
    foreign = token_from(Client(make_app(secret_key="other")).get("/form"))
    client = Client(make_app())
    client.get("/form")
    resp = client.post("/transfer", data={"amount": "5"}, headers={"X-CSRF-Token": foreign, "Accept": "text/plain"})
    assert resp.status_code == 403 and "malformed or was not issued by this site" in resp.text


def test_tampered_cookie_is_treated_as_missing():
    client = Client(make_app())
    token = token_from(client.get("/form"))
    client.set_cookie("clastic_csrf", "forged.value")
    resp = client.post("/transfer", data={"amount": "5", "csrf_token": token}, headers={"Accept": "text/plain"})
    assert resp.status_code == 403 and "no CSRF" in resp.text


def test_expired_token_is_403():
    client = Client(make_app(max_age=1))
    token = token_from(client.get("/form"))
    time.sleep(2.1)  # itsdangerous counts whole seconds
    resp = client.post("/transfer", data={"amount": "5", "csrf_token": token}, headers={"Accept": "text/plain"})
    assert resp.status_code == 403 and "the CSRF token has expired" in resp.text


def test_safe_methods_are_exempt_and_configurable():
    client = Client(make_app())
    assert client.get("/form").status_code == 200
    assert client.head("/form").status_code == 200
    lenient = Client(make_app(safe_methods=("GET", "HEAD", "POST")))
    assert lenient.post("/transfer", data={"amount": "1"}).json["transferred"] == 1


def test_key_rotation_keeps_tokens_valid():
    old = Client(make_app(secret_key="old"))
    token = token_from(old.get("/form"))
    cookie = old.get_cookie("clastic_csrf").value
    rotated = Client(make_app(secret_key=["new", "old"]))
    rotated.set_cookie("clastic_csrf", cookie)
    assert rotated.post("/transfer", data={"amount": "2", "csrf_token": token}).json["transferred"] == 2


# -- session mode ----------------------------------------------------------------


def session_app(store):
    return Application(
        [
            GET("/form", lambda: {}, form_page),
            POST("/transfer", transfer, render_json, middlewares=[PostDataMiddleware({"amount": int})]),
            POST("/logout", lambda session: session.clear() or "bye", render_basic),
        ],
        middlewares=[
            SessionMiddleware(store, secret_key=SECRET),
            CSRFMiddleware(SECRET, session_arg="session"),
            SimpleContextProcessor("csrf_token"),
        ],
    )


def test_session_mode_ties_the_token_to_the_session():
    store = MemorySessionStore()
    client = Client(session_app(store))
    page = client.get("/form")
    assert [c.split("=")[0] for c in page.headers.getlist("Set-Cookie")] == [
        "clastic_session"
    ]  # no separate CSRF cookie
    token = token_from(page)
    assert client.post("/transfer", data={"amount": "3", "csrf_token": token}).json["transferred"] == 3
    client.post("/logout", headers={"X-CSRF-Token": token})
    resp = client.post("/transfer", data={"amount": "3", "csrf_token": token}, headers={"Accept": "text/plain"})
    assert resp.status_code == 403 and "has no CSRF session" in resp.text


def test_session_mode_needs_a_session_provider_at_build_time():
    with pytest.raises(UnresolvedArgumentError, match="'session'"):
        Application([("/", lambda: "x", render_basic)], middlewares=[CSRFMiddleware(SECRET, session_arg="session")])


def test_over_real_http():
    browser = Browser()
    with LiveServer(make_app()) as server:
        status, _, body = browser.get(server.port, "/form")
        token = re.search(rb'value="([^"]+)"', body).group(1).decode()
        status, _, body = browser.post_form(server.port, "/transfer", {"amount": "9", "csrf_token": token})
        assert status == 200 and b'"transferred": 9' in body
        status, _, body = Browser().post_form(server.port, "/transfer", {"amount": "9", "csrf_token": token})
        assert status == 403 and b"CSRF check failed" in body


def test_unmatched_requests_keep_their_404_and_get_no_cookie():
    resp = Client(make_app()).post("/nowhere", data={"amount": "1"})
    assert resp.status_code == 404 and "Set-Cookie" not in resp.headers


def test_large_urlencoded_body_without_header_token_is_413():
    client = Client(make_app(max_form_size=100))
    token = token_from(client.get("/form"))
    resp = client.post(
        "/transfer", data={"amount": "1", "pad": "x" * 500, "csrf_token": token}, headers={"Accept": "text/plain"}
    )
    assert resp.status_code == 413
    resp = client.post("/transfer", data={"amount": "1", "pad": "x" * 500}, headers={"X-CSRF-Token": token})
    assert resp.status_code == 200 and resp.json["transferred"] == 1


def post_declared_size(app, cookie, content_type, length):
    """POST with a declared Content-Length and a body that must not be read."""
    headers = {"Accept": "application/json", "Cookie": f"clastic_csrf={cookie}"}
    environ = EnvironBuilder(path="/transfer", method="POST", headers=headers).get_environ()
    environ.update({"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(length), "wsgi.input": ExplodingStream()})
    app_iter, status, _headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), b"".join(app_iter)


def test_multipart_body_over_16_mib_is_413_before_reading():
    app = make_app()
    client = Client(app)
    client.get("/form")
    cookie = client.get_cookie("clastic_csrf").value
    status, body = post_declared_size(app, cookie, "multipart/form-data; boundary=x", 17 * 1024 * 1024)
    assert status == 413
    assert b"the request body is 17 MiB, over the 16 MiB this endpoint accepts for a form" in body
    assert CSRFMiddleware(SECRET).max_content_length == 16 * 1024 * 1024


def test_multipart_limit_is_configurable_and_files_are_not_held_to_the_form_size():
    client = Client(make_app(max_form_size=1000, max_content_length=100_000))
    token = token_from(client.get("/form"))
    upload = {"amount": "7", "csrf_token": token, "doc": (io.BytesIO(b"z" * 50_000), "doc.txt")}
    resp = client.post("/transfer", data=upload)  # a 50 KB file with a 1000-byte form limit: files go to disk
    assert resp.status_code == 200 and resp.json["transferred"] == 7
    upload = {"amount": "7", "csrf_token": token, "doc": (io.BytesIO(b"z" * 150_000), "doc.txt")}
    resp = client.post("/transfer", data=upload, headers={"Accept": "application/json"})
    assert resp.status_code == 413 and "over the 97.7 KiB this endpoint accepts for a form" in resp.json["detail"]


@settings(max_examples=100, deadline=None)
@given(token=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=200))
def test_any_token_text_is_a_403_never_a_500(token):
    client = Client(make_app())
    client.get("/form")
    resp = client.post("/transfer", data={"amount": "1", "csrf_token": token}, headers={"Accept": "text/plain"})
    assert resp.status_code == 403
