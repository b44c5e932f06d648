"""GzipMiddleware through real Applications and over real HTTP."""

import gzip
import http.client

import brotli
import pytest
from werkzeug.test import Client

from clastic import Application, Response, render_basic
from clastic.errors import BadRequest, NotFound
from clastic.middleware.client_cache import HTTPCacheMiddleware
from clastic.middleware.compress import GzipMiddleware
from clastic.testing import LiveServer

TEXT = "Exogenic linkrot for limited sharing. " * 100


def big():
    return TEXT


def tiny():
    return "ok"


def png():
    return Response(b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000, content_type="image/png")


def svg():
    return Response("<svg>" + "<g/>" * 500 + "</svg>", content_type="image/svg+xml")


def streamed():
    return Response((TEXT for _ in range(3)), content_type="text/plain")


def encoded():
    return Response(gzip.compress(TEXT.encode()), headers={"Content-Encoding": "gzip"}, content_type="text/plain")


def no_transform():
    return Response(TEXT, headers={"Cache-Control": "no-transform"})


def returned_404():
    return NotFound("no such alias " + "x" * 600)


def raised_400():
    raise BadRequest("bad input " + "y" * 600)


def make_app(**options):
    routes = [
        (f"/{name}", func, render_basic)
        for name, func in [("big", big), ("tiny", tiny), ("png", png), ("svg", svg), ("streamed", streamed),
                           ("encoded", encoded), ("no_transform", no_transform), ("returned_404", returned_404),
                           ("raised_400", raised_400)]
    ]  # fmt: skip
    return Application(routes, middlewares=[GzipMiddleware(**options)])


def get(path, encoding="gzip", **options):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    return Client(make_app(**options)).get(path, headers=headers)


def test_gzip_when_accepted():
    resp = get("/big")
    assert resp.headers["Content-Encoding"] == "gzip" and resp.headers["Vary"] == "Accept-Encoding"
    assert int(resp.headers["Content-Length"]) == len(resp.data) < len(TEXT)
    assert gzip.decompress(resp.data).decode() == TEXT


def test_brotli_when_preferred_and_installed():
    resp = get("/big", "gzip;q=0.8, br")
    assert resp.headers["Content-Encoding"] == "br" and brotli.decompress(resp.data).decode() == TEXT
    assert get("/big", "gzip, br", use_brotli=False).headers["Content-Encoding"] == "gzip"
    assert get("/big", "br;q=0.5, gzip").headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("encoding", [None, "identity", "gzip;q=0", "deflate"])
def test_not_compressed_when_not_accepted(encoding):
    resp = get("/big", encoding)
    assert "Content-Encoding" not in resp.headers and resp.text == TEXT
    assert resp.headers["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize("path", ["/tiny", "/png", "/streamed", "/no_transform"])
def test_skipped_bodies_are_untouched(path):
    plain = get(path, None)
    resp = get(path)
    assert "Content-Encoding" not in resp.headers and resp.data == plain.data


def test_already_encoded_body_is_not_encoded_twice():
    resp = get("/encoded")
    assert resp.headers["Content-Encoding"] == "gzip" and gzip.decompress(resp.data).decode() == TEXT


def test_svg_is_an_image_that_compresses():
    assert get("/svg").headers["Content-Encoding"] == "gzip"


def test_returned_and_raised_http_errors_stay_correct():
    resp = Client(make_app()).get("/returned_404", headers={"Accept-Encoding": "gzip", "Accept": "application/json"})
    assert resp.status_code == 404 and "Content-Encoding" not in resp.headers
    assert resp.json["detail"].startswith("no such alias") and resp.headers["Vary"] == "Accept-Encoding"
    resp = Client(make_app()).get("/raised_400", headers={"Accept-Encoding": "gzip", "Accept": "text/html"})
    assert resp.status_code == 400 and "bad input" in resp.text and "Content-Encoding" not in resp.headers
    resp = Client(make_app()).get("/no/such/path", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 404 and "Content-Encoding" not in resp.headers


def cached_app(**options):
    routes = [("/big", big, render_basic), ("/tiny", tiny, render_basic), ("/png", png, render_basic)]
    return Application(routes, middlewares=[GzipMiddleware(**options), HTTPCacheMiddleware(max_age=60)])


def comparable(headers):
    return {name: value for name, value in headers.items() if name != "Date"}


@pytest.mark.parametrize("encoding", ["gzip", "gzip;q=0.5, br", None])
@pytest.mark.parametrize("path", ["/big", "/tiny", "/png"])
def test_head_gets_the_headers_get_gets(encoding, path):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    for app in (make_app(), cached_app()):
        client = Client(app)
        got, head = client.get(path, headers=headers), client.head(path, headers=headers)
        assert head.status_code == got.status_code == 200 and head.data == b""
        assert comparable(head.headers) == comparable(got.headers)
    if path == "/big" and encoding:
        assert head.headers["Content-Encoding"] in ("gzip", "br") and head.headers["ETag"].startswith('W/"')
        assert int(head.headers["Content-Length"]) == len(got.data) < len(TEXT)


def test_head_over_real_http_announces_the_compressed_length():
    with LiveServer(cached_app()) as server:
        answers = {}
        for method in ("GET", "HEAD"):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                conn.request(method, "/big", headers={"Accept-Encoding": "gzip"})
                resp = conn.getresponse()
                answers[method] = (resp.status, comparable(dict(resp.getheaders())), resp.read())
            finally:
                conn.close()
    assert answers["HEAD"][:2] == answers["GET"][:2] and answers["HEAD"][2] == b""
    assert answers["GET"][1]["Content-Encoding"] == "gzip"
    assert int(answers["HEAD"][1]["Content-Length"]) == len(answers["GET"][2])


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    ("path", "encoding", "weak"),
    [
        ("/big", "gzip", True),
        ("/big", "br", True),
        ("/big", "identity", False),
        ("/big", None, False),
        ("/tiny", "gzip", False),  # under min_size: sent as it is, the tag stays strong
        ("/png", "gzip", False),  # does not compress: sent as it is
    ],
)
def test_304_carries_the_same_etag_as_the_200(method, path, encoding, weak):
    client = Client(cached_app())
    headers = {"Accept-Encoding": encoding} if encoding else {}
    full = client.open(path, method=method, headers=headers)
    etag = full.headers["ETag"]
    assert etag.startswith('W/"') == weak
    again = client.open(path, method=method, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in again.headers


def test_304_made_by_the_endpoint_gets_the_weak_tag_when_an_encoding_applies():
    def not_modified():
        return Response(status=304, headers={"ETag": '"v1"'})

    client = Client(Application([("/nm", not_modified, render_basic)], middlewares=[GzipMiddleware()]))
    assert client.get("/nm", headers={"Accept-Encoding": "gzip"}).headers["ETag"] == 'W/"v1"'
    assert client.get("/nm", headers={"Accept-Encoding": "identity"}).headers["ETag"] == '"v1"'


def test_strong_etag_becomes_weak_and_revalidation_still_works():
    app = Application([("/big", big, render_basic)], middlewares=[GzipMiddleware(), HTTPCacheMiddleware(max_age=60)])
    client = Client(app)
    resp = client.get("/big", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip" and resp.headers["ETag"].startswith('W/"')
    again = client.get("/big", headers={"Accept-Encoding": "gzip", "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_constructor_checks():
    with pytest.raises(ValueError, match="compress_level must be between 1 and 9"):
        GzipMiddleware(0)
    with pytest.raises(ValueError, match="brotli_quality must be between 0 and 11"):
        GzipMiddleware(brotli_quality=12)


def test_over_real_http():
    with LiveServer(make_app()) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request("GET", "/big", headers={"Accept-Encoding": "gzip"})
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
    assert resp.status == 200 and resp.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body).decode() == TEXT
