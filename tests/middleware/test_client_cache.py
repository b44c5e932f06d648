"""HTTPCacheMiddleware through real Applications."""

import pytest
from werkzeug.test import Client

from clastic import POST, Application, Response, render_basic
from clastic.errors import NotFound
from clastic.middleware.client_cache import HTTPCacheMiddleware


def article(request):
    return "article body " + request.args.get("v", "1")


def own_cache_control():
    return Response("x", headers={"Cache-Control": "no-store"})


def streamed():
    return Response(iter([b"a", b"b"]), content_type="text/plain")


def missing():
    raise NotFound()


def make_app(**options):
    routes = [
        ("/article", article, render_basic),
        ("/own", own_cache_control),
        ("/streamed", streamed),
        ("/missing", missing, render_basic),
        POST("/post", lambda: "posted", render_basic),
    ]
    return Application(routes, middlewares=[HTTPCacheMiddleware(**options)])


def test_directives_and_etag():
    resp = Client(make_app(max_age=3600, s_maxage=60, public=True, must_revalidate=True, immutable=True)).get(
        "/article"
    )
    directives = {d.strip() for d in resp.headers["Cache-Control"].split(",")}
    assert directives == {"max-age=3600", "s-maxage=60", "public", "must-revalidate", "immutable"}
    assert resp.headers["ETag"].startswith('"') and "Date" in resp.headers


def test_if_none_match_gives_304_and_a_changed_body_does_not():
    client = Client(make_app(max_age=60))
    etag = client.get("/article").headers["ETag"]
    resp = client.get("/article", headers={"If-None-Match": etag})
    assert resp.status_code == 304 and resp.data == b"" and resp.headers["ETag"] == etag
    changed = client.get("/article?v=2", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.text == "article body 2"
    assert client.head("/article", headers={"If-None-Match": etag}).status_code == 304


def test_a_failed_if_match_is_a_412_without_the_page():
    client = Client(make_app(max_age=60))
    etag = client.get("/article").headers["ETag"]
    resp = client.get("/article", headers={"If-Match": '"nope"', "Accept": "application/json"})
    assert resp.status_code == 412
    assert b"article body" not in resp.data
    assert resp.json["detail"] == "the resource's current ETag does not match the request's If-Match condition"
    assert resp.headers["Content-Length"] == str(len(resp.data))
    assert resp.headers["ETag"] == etag and "Cache-Control" not in resp.headers
    text = client.get("/article", headers={"If-Match": f"W/{etag}"})  # If-Match compares strongly
    assert text.status_code == 412 and b"article body" not in text.data
    head = client.head("/article", headers={"If-Match": '"nope"'})
    assert (head.status_code, head.data) == (412, b"")


def test_a_matching_if_match_or_star_gives_the_page():
    client = Client(make_app(max_age=60))
    etag = client.get("/article").headers["ETag"]
    for value in (etag, f'"other", {etag}', "*"):
        resp = client.get("/article", headers={"If-Match": value})
        assert (resp.status_code, resp.text) == (200, "article body 1"), value
    # If-Match holds, so If-None-Match decides next (RFC 9110 section 13.2.2).
    both = client.get("/article", headers={"If-Match": etag, "If-None-Match": etag})
    assert (both.status_code, both.data) == (304, b"")


def test_flags_and_no_etags():
    resp = Client(make_app(no_cache=True, no_store=True, private=True, use_etags=False)).get("/article")
    directives = {d.strip() for d in resp.headers["Cache-Control"].split(",")}
    assert directives == {"no-cache", "no-store", "private"} and "ETag" not in resp.headers


def test_untouched_responses():
    client = Client(make_app(max_age=60))
    assert client.get("/own").headers["Cache-Control"] == "no-store"
    assert "ETag" not in client.get("/streamed").headers
    missing_resp = client.get("/missing")
    assert (
        missing_resp.status_code == 404
        and "Cache-Control" not in missing_resp.headers
        and "ETag" not in missing_resp.headers
    )
    posted = client.post("/post")
    assert posted.text == "posted" and "Cache-Control" not in posted.headers and "ETag" not in posted.headers
    assert client.get("/nowhere").status_code == 404


def test_constructor_checks():
    with pytest.raises(ValueError, match="max_age must be a whole number of seconds"):
        HTTPCacheMiddleware(max_age=-1)
    with pytest.raises(ValueError, match="public and private contradict"):
        HTTPCacheMiddleware(public=True, private=True)


def test_cache_attrs_names_every_setting_and_matches_the_header():
    mw = HTTPCacheMiddleware(max_age=3600, public=True, must_revalidate=True)
    assert mw.cache_attrs == {
        "max_age": 3600, "s_maxage": None, "no_cache": False, "no_store": False, "no_transform": False,
        "must_revalidate": True, "proxy_revalidate": False, "public": True, "private": False, "immutable": False,
    }  # fmt: skip
    resp = Client(Application([("/article", article, render_basic)], middlewares=[mw])).get("/article")
    sent = {d.strip().replace("-", "_") for d in resp.headers["Cache-Control"].split(",")}
    expected = {name if value is True else f"{name}={value}" for name, value in mw.cache_attrs.items() if value}
    assert sent == expected == {"max_age=3600", "public", "must_revalidate"}
