"""CSRFMiddleware through real Applications, in cookie and session mode, and over real HTTP."""

import io
import json
import pickle
import re
from gzip import decompress as gzip_decompress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from middleware_helpers import Browser, ExplodingStream, FakeClock
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

from clastic import GET, POST, Application, Response, render_basic, render_json
from clastic.exceptions import UnresolvedArgumentError
from clastic.middleware.context import SimpleContextProcessor
from clastic.middleware.csrf import CSRFMiddleware, CSRFToken
from clastic.middleware.form import PostDataMiddleware
from clastic.middleware.session import MemorySessionStore, SessionMiddleware
from clastic.testing import LiveServer

SECRET = "csrf secret"


def form_page(context):
    # A stand-in for a template: it sees csrf_token through the context processor.
    field = f'<input type="hidden" name="csrf_token" value="{context["csrf_token"]}">'
    html = f'<!doctype html><form method="post">{field}</form>'
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
        "CSRF check failed: the request carries no CSRF token; "
        "send it in the 'X-CSRF-Token' header or the 'csrf_token' form field"
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
    clock = FakeClock(start=1_800_000_000.0)
    client = Client(make_app(max_age=1, clock=clock))
    token = token_from(client.get("/form"))
    clock.advance(1)  # itsdangerous counts whole seconds: an age of 1 is still within max_age=1
    ok = client.post("/transfer", data={"amount": "5", "csrf_token": token}, headers={"Accept": "text/plain"})
    assert ok.status_code == 200
    clock.advance(1)
    resp = client.post("/transfer", data={"amount": "5", "csrf_token": token}, headers={"Accept": "text/plain"})
    assert resp.status_code == 403 and "the CSRF token has expired" in resp.text


def test_clock_must_be_callable():
    with pytest.raises(TypeError, match="CSRFMiddleware: clock must be a function returning the time"):
        CSRFMiddleware(SECRET, clock="now")


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


def session_csrf_app(store, routes):
    """*routes* behind sessions, session-mode CSRF and the token in every render context."""
    return Application(
        routes,
        middlewares=[
            SessionMiddleware(store, secret_key=SECRET),
            CSRFMiddleware(SECRET, session_arg="session"),
            SimpleContextProcessor("csrf_token"),
        ],
    )


def session_app(store):
    return session_csrf_app(
        store,
        [
            GET("/form", lambda: {}, form_page),
            POST("/transfer", transfer, render_json, middlewares=[PostDataMiddleware({"amount": int})]),
            POST("/logout", lambda session: session.clear() or "bye", render_basic),
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


# -- session mode: the secret is stored only for pages that use the token ---------


def plain_page():
    return "a public page that does not use the token"


def lazy_app(store, *, extra_routes=()):
    return session_csrf_app(
        store,
        [
            GET("/form", lambda: {}, form_page),
            GET("/plain", plain_page, render_basic),
            GET("/context", lambda: {"title": "no token in this template"}, lambda context: Response(context["title"])),
            POST("/transfer", transfer, render_json, middlewares=[PostDataMiddleware({"amount": int})]),
            *extra_routes,
        ],
    )


def test_session_mode_stores_no_session_for_anonymous_gets_of_pages_without_the_token():
    # A crawler without cookies: every request is a new browser.
    store = MemorySessionStore()
    app = lazy_app(store)
    for path in ["/plain", "/context"] * 25:
        resp = Client(app).get(path)
        assert resp.status_code == 200 and "Set-Cookie" not in resp.headers, path
    assert len(store) == 0


def test_session_mode_stores_one_session_per_browser_that_gets_the_token_and_it_validates():
    store = MemorySessionStore()
    app = lazy_app(store)
    browsers = [Client(app) for _ in range(5)]
    tokens = []
    for browser in browsers:
        browser.get("/plain")
        tokens.append(token_from(browser.get("/form")))
        assert token_from(browser.get("/form"))  # a second form in the same session reuses its secret
    assert len(store) == 5
    for browser, token in zip(browsers, tokens, strict=True):
        assert browser.post("/transfer", data={"amount": "4", "csrf_token": token}).json["transferred"] == 4
    other = {"amount": "4", "csrf_token": tokens[1]}
    resp = browsers[0].post("/transfer", data=other, headers={"Accept": "text/plain"})
    assert resp.status_code == 403 and "belongs to another session or browser" in resp.text


def test_session_mode_token_is_a_str_that_counts_every_way_a_page_uses_it():
    # Templates interpolate it, scripts get it in JSON or a header: each of these must store the secret.
    def header(csrf_token):
        resp = Response("see the header")
        resp.headers["X-CSRF-Token"] = csrf_token
        return resp

    uses = {
        "/str": (lambda csrf_token: "token: " + str(csrf_token), render_basic),
        "/format": (lambda csrf_token: f"token: {csrf_token}", render_basic),
        "/percent": (lambda csrf_token: "token: %s" % csrf_token, render_basic),  # noqa: UP031  # the way under test
        "/concat": (lambda csrf_token: "token: " + csrf_token, render_basic),
        "/join": (lambda csrf_token: "".join(["token: ", csrf_token]), render_basic),
        "/value": (lambda csrf_token: {"token": csrf_token.value}, render_json),
        "/json": (lambda csrf_token: {"token": csrf_token}, render_json),
        "/context-json": (lambda: {"other": 1}, render_json),  # the context processor adds it
        "/header": (header, None),
    }
    store = MemorySessionStore()
    app = lazy_app(store, extra_routes=[GET(path, func, render) for path, (func, render) in uses.items()])
    for path in uses:
        before = len(store)
        browser = Client(app)
        resp = browser.get(path)
        assert resp.status_code == 200, path
        text = resp.headers.get("X-CSRF-Token") or resp.text
        token = re.search(r"[\w-]+\.[\w-]+\.[\w-]+", text).group(0)
        assert len(store) == before + 1, path
        assert browser.post("/transfer", data={"amount": "1"}, headers={"X-CSRF-Token": token}).status_code == 200
    assert isinstance(browser.get("/context-json").json["csrf_token"], str)


class CountingStore(MemorySessionStore):
    """A memory store that counts the sessions written."""

    def __init__(self):
        super().__init__()
        self.saves = 0

    def save(self, session_id, record, expires_at):
        self.saves += 1
        super().save(session_id, record, expires_at)


def test_session_mode_an_unused_token_leaves_an_existing_session_unchanged():
    store = CountingStore()
    app = lazy_app(store, extra_routes=[GET("/put", lambda session: session.update(a=1) or "ok", render_basic)])
    browser = Client(app)
    browser.get("/put")  # a session that has no CSRF secret yet
    assert store.saves == 1
    for path in ("/plain", "/context"):
        resp = browser.get(path)
        assert resp.status_code == 200 and "Set-Cookie" not in resp.headers
    assert store.saves == 1
    token = token_from(browser.get("/form"))  # now the page uses it: the secret joins the session
    assert store.saves == 2 and len(store) == 1
    assert browser.post("/transfer", data={"amount": "2", "csrf_token": token}).json["transferred"] == 2


def test_session_mode_form_over_real_http_then_post():
    store = MemorySessionStore()
    browser = Browser()
    with LiveServer(lazy_app(store)) as server:
        for _ in range(10):
            assert Browser().get(server.port, "/plain")[0] == 200
        assert len(store) == 0
        status, _, body = browser.get(server.port, "/form")
        token = re.search(rb'value="([^"]+)"', body).group(1).decode()
        assert len(store) == 1
        status, _, body = browser.post_form(server.port, "/transfer", {"amount": "9", "csrf_token": token})
        assert status == 200 and b'"transferred": 9' in body


def test_cookie_mode_is_unchanged_the_cookie_comes_with_every_first_page():
    resp = Client(make_app()).get("/form")
    assert "clastic_csrf=" in resp.headers["Set-Cookie"]
    app = Application(
        [GET("/plain", plain_page, render_basic)],
        middlewares=[CSRFMiddleware(SECRET), SimpleContextProcessor("csrf_token")],
    )
    assert "clastic_csrf=" in Client(app).get("/plain").headers["Set-Cookie"]


def test_session_mode_streamed_or_compressed_responses_store_the_secret():
    # Such a body cannot be searched for the token, so it counts as carrying it: a form must never fail for that.
    from clastic.middleware.compress import GzipMiddleware

    def stream_with(csrf_token):
        return Response(iter([b"token: ", "".join([csrf_token]).encode()]))  # join reads it without a noted use

    def json_token(csrf_token):
        return {"t": csrf_token, "padding": "x" * 600}

    gzip = GzipMiddleware(min_size=100)
    store = MemorySessionStore()
    app = lazy_app(
        store, extra_routes=[GET("/with", stream_with), GET("/json", json_token, render_json, middlewares=[gzip])]
    )
    browser = Client(app)
    token = browser.get("/with").text.removeprefix("token: ")
    assert len(store) == 1
    assert browser.post("/transfer", data={"amount": "5", "csrf_token": token}).json["transferred"] == 5
    other = Client(app)
    page = other.get("/json", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    token = json.loads(gzip_decompress(page.data))["t"]
    assert other.post("/transfer", data={"amount": "6", "csrf_token": token}).json["transferred"] == 6


def test_session_mode_a_token_used_by_a_page_that_clears_the_session_still_validates():
    # A log-out page that shows the log-in form again: the token it renders must work afterwards.
    def logout_page(session, csrf_token):
        session.clear()
        return f'<form><input name="csrf_token" value="{csrf_token}"></form>'

    store = MemorySessionStore()
    app = lazy_app(store, extra_routes=[POST("/logout", logout_page, render_basic)])
    browser = Client(app)
    first = token_from(browser.get("/form"))
    page = browser.post("/logout", headers={"X-CSRF-Token": first})
    token = re.search(r'value="([^"]+)"', page.text).group(1)
    assert browser.post("/transfer", data={"amount": "6", "csrf_token": token}).json["transferred"] == 6


def test_csrf_token_behaves_as_its_text():
    token = CSRFToken("abc.def.ghi")
    assert token == "abc.def.ghi" and isinstance(token, str) and hash(token) == hash("abc.def.ghi")
    assert (str(token), f"[{token}]", "x" + token, token + "x", token.value) == (
        "abc.def.ghi", "[abc.def.ghi]", "xabc.def.ghi", "abc.def.ghix", "abc.def.ghi",
    )  # fmt: skip
    assert type(str(token)) is str and json.dumps({"t": token}) == '{"t": "abc.def.ghi"}'
    assert pickle.loads(pickle.dumps(token)) == "abc.def.ghi"
    uses = []
    token = CSRFToken("abc", lambda: uses.append(1))
    assert token == "abc" and len(token) == 3 and not uses  # comparing is not using
    assert f"{token}{token}" == "abcabc" and uses == [1]  # counted once


def test_session_mode_a_token_first_used_while_streaming_the_body_validates():
    def late(csrf_token):
        def body():
            yield b"token: "
            yield str(csrf_token).encode()  # runs after the session was saved

        return Response(body())

    store = MemorySessionStore()
    app = lazy_app(store, extra_routes=[GET("/late", late)])
    browser = Client(app)
    token = browser.get("/late").text.removeprefix("token: ")
    assert len(store) == 1  # stored up front: a streamed body cannot be searched
    assert browser.post("/transfer", data={"amount": "8", "csrf_token": token}).json["transferred"] == 8
