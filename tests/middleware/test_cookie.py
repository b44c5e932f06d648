"""SignedCookieMiddleware through real Applications and over real HTTP."""

import base64
import hashlib
import inspect
import json
import logging
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from middleware_helpers import Browser, FakeClock
from werkzeug.test import Client

from clastic import Application, render_basic, render_json
from clastic.errors import NotFound
from clastic.middleware.cookie import (
    DEFAULT_EXPIRY,
    NEVER,
    NOW,
    SESSION,
    CookieTooLargeError,
    JSONCookie,
    SignedCookieMiddleware,
)
from clastic.testing import LiveServer

SECRET = "correct horse battery staple"


def show(cookie):
    return {"cookie": dict(cookie)}


def put(cookie, request):
    cookie.update(request.args.to_dict())
    return {"cookie": dict(cookie)}


def forget(cookie):
    cookie.set_expires()
    return "forgotten"


def make_app(**options):
    options.setdefault("secret_key", SECRET)
    return Application(
        [("/show", show, render_json), ("/put", put, render_json), ("/forget", forget, render_basic)],
        middlewares=[SignedCookieMiddleware(**options)],
    )


def set_cookies(resp):
    return resp.headers.getlist("Set-Cookie")


def cookie_value(resp, name="clastic_cookie"):
    for header in set_cookies(resp):
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {set_cookies(resp)}")


def test_round_trip_and_defaults():
    client = Client(make_app())
    resp = client.get("/put?a=1&b=two")
    [header] = set_cookies(resp)
    assert header.startswith("clastic_cookie=")
    assert "; Path=/" in header and "SameSite=Lax" in header
    assert "Expires" not in header and "Max-Age" not in header and "HttpOnly" not in header  # a browser-session cookie
    assert client.get("/show").json == {"cookie": {"a": "1", "b": "two"}}


def test_written_only_when_modified():
    client = Client(make_app())
    client.get("/put?a=1")
    assert set_cookies(client.get("/show")) == []
    assert set_cookies(client.get("/put?a=1")) == []  # same value: nothing changed
    assert set_cookies(client.get("/put?a=2")) != []


def test_nested_change_is_a_modification():
    def append(cookie):
        cookie.setdefault("items", [])
        cookie["items"].append(len(cookie["items"]))
        return {"cookie": dict(cookie)}

    client = Client(
        Application([("/append", append, render_json)], middlewares=[SignedCookieMiddleware(secret_key=SECRET)])
    )
    client.get("/append")
    assert client.get("/append").json == {"cookie": {"items": [0, 1]}}


def test_value_is_signed_json_with_sha256():
    resp = Client(make_app()).get("/put?a=1")
    value = cookie_value(resp)
    payload, _sig = value.rsplit(".", 1)
    assert json.loads(base64.urlsafe_b64decode(payload + "==")) == {"d": {"a": "1"}, "e": None}
    serializer = URLSafeSerializer(
        SECRET,
        salt="clastic.middleware.cookie:clastic_cookie",
        signer_kwargs={"digest_method": hashlib.sha256, "key_derivation": "hmac"},
    )
    assert serializer.loads(value) == {"d": {"a": "1"}, "e": None}
    sha1 = URLSafeSerializer(SECRET, salt="clastic.middleware.cookie:clastic_cookie",
                             signer_kwargs={"digest_method": hashlib.sha1, "key_derivation": "hmac"})  # fmt: skip
    with pytest.raises(Exception, match="Signature"):
        sha1.loads(value)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-2] + ("AA" if not v.endswith("AA") else "BB"),  # signature changed
        lambda v: (
            base64.urlsafe_b64encode(b'{"d":{"admin":true},"e":null}').decode().rstrip("=") + "." + v.rsplit(".", 1)[1]
        ),
        lambda v: "garbage",
        lambda v: "",
        lambda v: "a.b.c.d",
        lambda v: "\u00e9\u00e8.x",
    ],
)
def test_tampered_cookie_is_empty_never_an_error(tamper, caplog):
    client = Client(make_app())
    value = cookie_value(client.get("/put?user=ann"))
    client.set_cookie("clastic_cookie", tamper(value))
    with caplog.at_level(logging.INFO, logger="clastic.middleware.cookie"):
        resp = client.get("/show")
    assert resp.status_code == 200 and resp.json == {"cookie": {}}


def test_cookie_signed_with_a_foreign_key_is_empty():
    other = Client(make_app(secret_key="another key"))
    value = cookie_value(other.get("/put?user=mallory"))
    client = Client(make_app())
    client.set_cookie("clastic_cookie", value)
    assert client.get("/show").json == {"cookie": {}}


def test_signed_payload_of_the_wrong_shape_is_empty():
    serializer = URLSafeSerializer(
        SECRET,
        salt="clastic.middleware.cookie:clastic_cookie",
        signer_kwargs={"digest_method": hashlib.sha256, "key_derivation": "hmac"},
    )
    client = Client(make_app())
    for payload in ([1, 2], {"d": "text"}, "x"):
        client.set_cookie("clastic_cookie", serializer.dumps(payload))
        assert client.get("/show").json == {"cookie": {}}


def test_key_rotation_first_signs_all_verify():
    old_value = cookie_value(Client(make_app(secret_key="old")).get("/put?v=old"))
    rotated = Client(make_app(secret_key=["new", "old"]))
    rotated.set_cookie("clastic_cookie", old_value)
    assert rotated.get("/show").json == {"cookie": {"v": "old"}}
    new_value = cookie_value(rotated.get("/put?v=new"))
    only_new = Client(make_app(secret_key="new"))
    only_new.set_cookie("clastic_cookie", new_value)
    assert only_new.get("/show").json == {"cookie": {"v": "new"}}
    only_old = Client(make_app(secret_key="old"))
    only_old.set_cookie("clastic_cookie", new_value)
    assert only_old.get("/show").json == {"cookie": {}}


def test_lifetime_sets_max_age_and_expires_and_is_checked_by_the_server():
    clock = FakeClock(start=1_800_000_000.25)
    client = Client(make_app(expiry=1, clock=clock))
    header = set_cookies(client.get("/put?a=1"))[0]
    assert "Max-Age=1" in header and "Expires=Fri, 15 Jan 2027 08:00:01 GMT" in header  # by the given clock
    clock.advance(0.9)
    assert client.get("/show").json == {"cookie": {"a": "1"}}
    clock.advance(0.2)
    # A client that ignores Expires still gets nothing: the expiry is signed into the value.
    assert client.get("/show").json == {"cookie": {}}


def test_clock_must_be_callable():
    with pytest.raises(TypeError, match="SignedCookieMiddleware: clock must be a function returning the time"):
        SignedCookieMiddleware(secret_key=SECRET, clock=12.0)


def test_never_and_timedelta_expiry():
    header = set_cookies(Client(make_app(expiry=NEVER)).get("/put?a=1"))[0]
    assert f"Max-Age={400 * 24 * 3600}" in header
    header = set_cookies(Client(make_app(expiry=timedelta(minutes=5))).get("/put?a=1"))[0]
    assert "Max-Age=300" in header


def test_refresh_resends_a_lifetime_cookie_on_every_response():
    client = Client(make_app(expiry=60, refresh=True))
    client.get("/put?a=1")
    assert "Max-Age=60" in set_cookies(client.get("/show"))[0]
    assert set_cookies(Client(make_app(expiry=60)).get("/show")) == []


def test_set_expires_now_deletes_the_cookie():
    client = Client(make_app())
    client.get("/put?a=1")
    [header] = set_cookies(client.get("/forget"))
    assert header.startswith("clastic_cookie=;") and "Max-Age=0" in header and "1970" in header
    assert client.get("/show").json == {"cookie": {}}


def test_emptying_the_cookie_deletes_it_and_untouched_empty_cookies_are_not_sent():
    def pop_all(cookie):
        cookie.clear()
        return "ok"

    client = Client(
        Application(
            [("/put", put, render_json), ("/pop", pop_all, render_basic)],
            middlewares=[SignedCookieMiddleware(secret_key=SECRET)],
        )
    )
    client.get("/put?a=1")
    assert "Max-Age=0" in set_cookies(client.get("/pop"))[0]
    assert set_cookies(client.get("/pop")) == []


def test_set_expires_with_lifetime_and_datetime():
    def remember(cookie, request):
        cookie["a"] = 1
        cookie.set_expires(datetime.now(UTC) + timedelta(hours=1) if "dt" in request.args else 120)
        return "ok"

    client = Client(
        Application([("/r", remember, render_basic)], middlewares=[SignedCookieMiddleware(secret_key=SECRET)])
    )
    assert "Max-Age=120" in set_cookies(client.get("/r"))[0]
    header = set_cookies(client.get("/r?dt=1"))[0]
    max_age = int(header.split("Max-Age=")[1].split(";")[0])
    assert 3590 <= max_age <= 3600
    with pytest.raises(ValueError, match="expiry must be SESSION, NEVER, NOW"):
        JSONCookie().set_expires(-5)
    with pytest.raises(ValueError, match="timezone-aware"):
        JSONCookie().set_expires(datetime(2030, 1, 1))


def test_cookie_attributes():
    mw = SignedCookieMiddleware(
        "prefs", secret_key=SECRET, domain="example.com", path="/app", secure=True, http_only=True, samesite="Strict"
    )
    client = Client(Application([("/app/p", lambda prefs: prefs.update(x=1) or "ok", render_basic)], middlewares=[mw]))
    [header] = set_cookies(client.get("/app/p"))
    assert header.startswith("clastic_prefs=")
    for part in ("Domain=example.com", "Path=/app", "Secure", "HttpOnly", "SameSite=Strict"):
        assert part in header
    header = set_cookies(Client(make_app(samesite=None, cookie_name="c")).get("/put?a=1"))[0]
    assert "SameSite" not in header and header.startswith("c=")


def test_constructor_errors():
    with pytest.raises(ValueError, match="samesite='None' requires secure=True"):
        SignedCookieMiddleware(secret_key=SECRET, samesite="None")
    with pytest.raises(ValueError, match="samesite must be one of"):
        SignedCookieMiddleware(secret_key=SECRET, samesite="loose")
    with pytest.raises(ValueError, match="is not a valid cookie name"):
        SignedCookieMiddleware(secret_key=SECRET, cookie_name="my cookie")
    with pytest.raises(ValueError, match="expiry=NOW would delete every cookie"):
        SignedCookieMiddleware(secret_key=SECRET, expiry=NOW)
    with pytest.raises(ValueError, match="expiry must be"):
        SignedCookieMiddleware(secret_key=SECRET, expiry="tomorrow")
    with pytest.raises(ValueError, match="secret_key is an empty list"):
        SignedCookieMiddleware(secret_key=[])
    with pytest.raises(TypeError, match="secret keys must be str or bytes"):
        SignedCookieMiddleware(secret_key=[123])


def test_data_expiry_is_deprecated_and_acts_as_expiry():
    with pytest.warns(DeprecationWarning, match=r"data_expiry=\.\.\.\) is deprecated"):
        mw = SignedCookieMiddleware(secret_key=SECRET, data_expiry=30)
    assert mw.expiry == 30 and SESSION == 0


def test_missing_secret_key_logs_a_warning_and_still_works(caplog):
    with caplog.at_level(logging.WARNING, logger="clastic.middleware.cookie"):
        app = make_app(secret_key=None)
    assert "has no secret_key: using a random key" in caplog.text
    client = Client(app)
    client.get("/put?a=1")
    assert client.get("/show").json == {"cookie": {"a": "1"}}
    other_process = Client(make_app(secret_key=None))
    other_process.set_cookie("clastic_cookie", cookie_value(client.get("/put?a=2")))
    assert other_process.get("/show").json == {"cookie": {}}


def test_oversize_cookie_fails_loudly_with_its_size(caplog):
    def stuff(cookie):
        cookie["blob"] = secrets.token_urlsafe(4000)  # random, so itsdangerous' zlib step cannot shrink it
        return "ok"

    app = Application([("/stuff", stuff, render_basic)], middlewares=[SignedCookieMiddleware(secret_key=SECRET)])
    with caplog.at_level(logging.ERROR):
        resp = Client(app).get("/stuff")
    assert resp.status_code == 500 and set_cookies(resp) == []
    record = next(r for r in caplog.records if r.name == "clastic.middleware.cookie")
    assert "cookie 'clastic_cookie' for GET /stuff is" in record.getMessage()
    assert "over the 4093 bytes browsers store" in record.getMessage()
    size = int(record.getMessage().split(" is ")[1].split(" bytes")[0])
    assert size > 5000
    uncaught = next(r for r in caplog.records if r.exc_info)
    assert isinstance(uncaught.exc_info[1], CookieTooLargeError) and uncaught.exc_info[1].size == size


def test_unserialisable_value_is_a_clear_author_error(caplog):
    def bad(cookie):
        cookie["when"] = datetime.now(UTC)
        return "ok"

    app = Application([("/bad", bad, render_basic)], middlewares=[SignedCookieMiddleware(secret_key=SECRET)])
    with caplog.at_level(logging.ERROR):
        assert Client(app).get("/bad").status_code == 500
    assert "cannot be stored as JSON" in str(next(r for r in caplog.records if r.exc_info).exc_info[1])


def test_raised_http_error_keeps_the_cookie_change():
    def missing(cookie):
        cookie["seen_404"] = True
        raise NotFound("no such alias")

    client = Client(
        Application(
            [("/x", missing, render_basic), ("/show", show, render_json)],
            middlewares=[SignedCookieMiddleware(secret_key=SECRET)],
        )
    )
    resp = client.get("/x")
    assert resp.status_code == 404 and set_cookies(resp)
    assert client.get("/show").json == {"cookie": {"seen_404": True}}


def test_unmatched_paths_still_work_with_the_app_level_middleware():
    resp = Client(make_app()).get("/nowhere")
    assert resp.status_code == 404 and set_cookies(resp) == []


def test_over_real_http():
    browser = Browser()
    with LiveServer(make_app()) as server:
        status, headers, _ = browser.get(server.port, "/put?lang=fr")
        assert status == 200 and "SameSite=Lax" in headers["Set-Cookie"]
        status, _, body = browser.get(server.port, "/show")
        assert json.loads(body) == {"cookie": {"lang": "fr"}}
        browser.cookies["clastic_cookie"] = browser.cookies["clastic_cookie"].replace("e", "f", 1)  # tamper
        status, _, body = browser.get(server.port, "/show")
        assert status == 200 and json.loads(body) == {"cookie": {}}


COOKIE_TEXT = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=';,"\\'), max_size=300
)


@settings(max_examples=150, deadline=None)
@given(raw=COOKIE_TEXT)
def test_any_cookie_text_gives_an_empty_cookie_never_an_error(raw):
    resp = Client(make_app()).get("/show", headers={"Cookie": f"clastic_cookie={raw}"})
    assert resp.status_code == 200 and resp.json == {"cookie": {}}


# -- names and attributes kept from Clastic 26 ----------------------------------


def test_default_expiry_is_a_browser_session_cookie():
    assert DEFAULT_EXPIRY == SESSION == 0 and (NEVER, NOW) == ("never", "now")
    mw = SignedCookieMiddleware(secret_key=SECRET)
    assert mw.expiry == DEFAULT_EXPIRY
    assert inspect.signature(SignedCookieMiddleware).parameters["expiry"].default is DEFAULT_EXPIRY


@pytest.mark.parametrize(
    ("given", "expected"),
    [(SECRET, SECRET), (b"raw bytes", b"raw bytes"), (["new", "old"], "new"), (iter(["gen", "old"]), "gen")],
    ids=["str", "bytes", "list", "iterator"],
)
def test_secret_key_attribute_is_the_signing_key_as_given(given, expected):
    mw = SignedCookieMiddleware(secret_key=given)
    assert mw.secret_key == expected
    with pytest.raises(AttributeError, match="'secret_key'"):  # Python 3.11 and 3.12+ word it differently
        mw.secret_key = "other"  # read-only: changing it would not change the signing


def test_generated_secret_key_signs_the_cookies(caplog):
    with caplog.at_level(logging.WARNING):
        mw = SignedCookieMiddleware()
    assert isinstance(mw.secret_key, bytes) and len(mw.secret_key) == 32
    client = Client(Application([("/show", show, render_json)], middlewares=[mw]))
    signer = URLSafeSerializer(mw.secret_key, salt="clastic.middleware.cookie:clastic_cookie",
                               signer_kwargs={"digest_method": hashlib.sha256, "key_derivation": "hmac"})  # fmt: skip
    client.set_cookie("clastic_cookie", signer.dumps({"d": {"made": "outside"}, "e": None}))
    assert client.get("/show").json == {"cookie": {"made": "outside"}}


def test_json_cookie_modified_and_set_expires_in_an_endpoint():
    def look(cookie, request):
        before = cookie.modified
        if "v" in request.args:
            cookie["v"] = request.args["v"]
        if "drop" in request.args:
            cookie.set_expires()
        return {"before": before, "after": cookie.modified}

    client = Client(
        Application([("/look", look, render_json)], middlewares=[SignedCookieMiddleware(secret_key=SECRET)])
    )
    assert client.get("/look?v=1").json == {"before": False, "after": True}
    assert client.get("/look?v=1").json == {"before": False, "after": False}  # the same value is no change
    resp = client.get("/look?drop=1")
    assert resp.json == {"before": False, "after": True}
    assert set_cookies(resp)[0].startswith("clastic_cookie=; Expires=Thu, 01 Jan 1970")
    assert not hasattr(JSONCookie, "serialize") and not hasattr(JSONCookie, "load_cookie")  # secure-cookie's, not kept
