"""HTTP semantics over a real server: conditional requests, byte ranges, precompressed files."""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime, timedelta

import brotli
import pytest
from static_helpers import APP_JS, BINARY, fetch, parse_byteranges, raw_request, split_response
from werkzeug.http import http_date

from clastic import Application
from clastic.static import StaticApplication
from clastic.testing import LiveServer


def _mtime(site, name):
    return datetime.fromtimestamp(int(os.stat(site.public / name).st_mtime), tz=UTC)


# -- conditional requests ---------------------------------------------------------


def test_if_none_match_with_the_current_etag_gives_304(server):
    etag = fetch(server.url, "/static/hello.txt").header("ETag")
    reply = fetch(server.url, "/static/hello.txt", headers={"If-None-Match": etag})
    assert reply.status == 304
    assert reply.body == b""
    assert reply.header("ETag") == etag
    assert reply.header("Cache-Control") == "public, max-age=360"
    assert reply.header("Content-Length") in (None, "0")


def test_if_none_match_in_a_list_weak_or_star_gives_304(server):
    etag = fetch(server.url, "/static/hello.txt").header("ETag")
    for value in (f'"other", {etag}', f"W/{etag}", "*"):
        assert fetch(server.url, "/static/hello.txt", headers={"If-None-Match": value}).status == 304, value


def test_if_none_match_with_another_etag_gives_the_file(server):
    reply = fetch(server.url, "/static/hello.txt", headers={"If-None-Match": '"stale-tag"'})
    assert (reply.status, reply.body) == (200, b"hello, world\n")


def test_if_modified_since(server, site):
    mtime = _mtime(site, "hello.txt")
    for since, status in [(mtime, 304), (mtime + timedelta(days=1), 304), (mtime - timedelta(seconds=1), 200)]:
        reply = fetch(server.url, "/static/hello.txt", headers={"If-Modified-Since": http_date(since)})
        assert reply.status == status, since
    garbage = fetch(server.url, "/static/hello.txt", headers={"If-Modified-Since": "yesterday-ish"})
    assert garbage.status == 200


def test_if_none_match_takes_precedence_over_if_modified_since(server, site):
    headers = {"If-None-Match": '"stale-tag"', "If-Modified-Since": http_date(_mtime(site, "hello.txt"))}
    assert fetch(server.url, "/static/hello.txt", headers=headers).status == 200


def test_head_is_conditional_too(server):
    etag = fetch(server.url, "/static/hello.txt").header("ETag")
    raw = raw_request(
        server.url,
        f"HEAD /static/hello.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n".encode(),
    )
    status, _headers, body = split_response(raw)
    assert (status, body) == (304, b"")


def test_if_match_and_if_unmodified_since_give_412_when_they_fail(server, site):
    etag = fetch(server.url, "/static/hello.txt").header("ETag")
    mtime = _mtime(site, "hello.txt")
    assert fetch(server.url, "/static/hello.txt", headers={"If-Match": etag}).status == 200
    assert fetch(server.url, "/static/hello.txt", headers={"If-Match": "*"}).status == 200
    failed = fetch(server.url, "/static/hello.txt", headers={"If-Match": '"other"', "Accept": "text/plain"})
    assert failed.status == 412
    assert b"If-Match" in failed.body
    # Weak tags never satisfy If-Match (strong comparison).
    assert fetch(server.url, "/static/hello.txt", headers={"If-Match": f"W/{etag}"}).status == 412
    older = http_date(mtime - timedelta(seconds=10))
    assert fetch(server.url, "/static/hello.txt", headers={"If-Unmodified-Since": older}).status == 412
    assert fetch(server.url, "/static/hello.txt", headers={"If-Unmodified-Since": http_date(mtime)}).status == 200
    # If-Match wins over If-Unmodified-Since.
    both = {"If-Match": etag, "If-Unmodified-Since": older}
    assert fetch(server.url, "/static/hello.txt", headers=both).status == 200
    # A passing If-Match still lets If-None-Match answer 304 (RFC 9110 §13.2.2).
    assert fetch(server.url, "/static/hello.txt", headers={"If-Match": etag, "If-None-Match": etag}).status == 304


# -- ranges -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-9", 0, 10),
        ("bytes=100-199", 100, 200),
        ("bytes=2000-", 2000, 2048),
        ("bytes=-48", 2000, 2048),
        ("bytes=2040-5000", 2040, 2048),  # the end is clipped to the file
        ("bytes=-99999", 0, 2048),  # a suffix longer than the file is the whole file
    ],
)
def test_single_range_gives_206_with_content_range(server, header, start, stop):
    reply = fetch(server.url, "/static/data.bin", headers={"Range": header})
    assert reply.status == 206
    assert reply.body == BINARY[start:stop]
    assert reply.header("Content-Range") == f"bytes {start}-{stop - 1}/{len(BINARY)}"
    assert reply.header("Content-Length") == str(stop - start)
    assert reply.header("Content-Type") == "application/octet-stream"


def test_multiple_ranges_give_multipart_byteranges(server):
    reply = fetch(server.url, "/static/data.bin", headers={"Range": "bytes=0-9, 13-13, 500-1023, -16"})
    assert reply.status == 206
    content_type = reply.header("Content-Type")
    parts = parse_byteranges(content_type, reply.body)
    assert int(reply.header("Content-Length")) == len(reply.body)
    assert reply.header("Content-Range") is None
    expected = [(0, 10), (13, 14), (500, 1024), (2032, 2048)]
    assert [data for _headers, data in parts] == [BINARY[a:b] for a, b in expected]
    assert [headers["content-range"] for headers, _data in parts] == [f"bytes {a}-{b - 1}/2048" for a, b in expected]
    assert {headers["content-type"] for headers, _data in parts} == {"application/octet-stream"}


def test_multiple_ranges_of_a_text_file_carry_its_type_in_each_part(server):
    reply = fetch(server.url, "/static/hello.txt", headers={"Range": "bytes=0-4,7-11"})
    parts = parse_byteranges(reply.header("Content-Type"), reply.body)
    assert [(headers["content-type"], data) for headers, data in parts] == [
        ("text/plain; charset=utf-8", b"hello"),
        ("text/plain; charset=utf-8", b"world"),
    ]


def test_unsatisfiable_ranges_among_satisfiable_ones_are_dropped(server):
    reply = fetch(server.url, "/static/data.bin", headers={"Range": "bytes=10-19,5000-6000"})
    assert (reply.status, reply.body) == (206, BINARY[10:20])
    assert reply.header("Content-Range") == "bytes 10-19/2048"


def test_unsatisfiable_range_gives_416_with_the_length(server):
    reply = fetch(server.url, "/static/data.bin", headers={"Range": "bytes=2048-", "Accept": "text/plain"})
    assert reply.status == 416
    assert reply.header("Content-Range") == "bytes */2048"
    assert b"2048 bytes" in reply.body
    both_out = fetch(server.url, "/static/data.bin", headers={"Range": "bytes=3000-3001,4000-4001"})
    assert both_out.status == 416


@pytest.mark.parametrize(
    "header", ["bytes=abc", "bytes=5-1", "items=0-1", "bytes=0-1,1-3", "bytes=10-20,0-1", "bytes=-0"]
)
def test_malformed_or_overlapping_ranges_are_ignored(server, header):
    reply = fetch(server.url, "/static/data.bin", headers={"Range": header})
    assert (reply.status, reply.body) == (200, BINARY)


def test_too_many_ranges_are_ignored(server):
    many = ",".join(f"{n}-{n}" for n in range(0, 200, 2))  # 100 one-byte ranges
    reply = fetch(server.url, "/static/data.bin", headers={"Range": f"bytes={many}"})
    assert (reply.status, reply.body) == (200, BINARY)


def test_if_range_with_the_current_etag_or_date_allows_the_range(server, site):
    etag = fetch(server.url, "/static/data.bin").header("ETag")
    matching = fetch(server.url, "/static/data.bin", headers={"Range": "bytes=0-3", "If-Range": etag})
    assert (matching.status, matching.body) == (206, BINARY[:4])
    date = http_date(_mtime(site, "data.bin"))
    by_date = fetch(server.url, "/static/data.bin", headers={"Range": "bytes=0-3", "If-Range": date})
    assert (by_date.status, by_date.body) == (206, BINARY[:4])


@pytest.mark.parametrize("if_range", ['"stale-tag"', "weak", "Mon, 01 Jan 2001 00:00:00 GMT"])
def test_if_range_that_does_not_match_sends_the_whole_file(server, if_range):
    if if_range == "weak":
        if_range = "W/" + fetch(server.url, "/static/data.bin").header("ETag")
    reply = fetch(server.url, "/static/data.bin", headers={"Range": "bytes=0-3", "If-Range": if_range})
    assert (reply.status, reply.body) == (200, BINARY)


def test_head_ignores_range(server):
    raw = raw_request(
        server.url, b"HEAD /static/data.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-3\r\nConnection: close\r\n\r\n"
    )
    status, headers, body = split_response(raw)
    assert (status, headers["content-length"], body) == (200, "2048", b"")


def test_range_on_an_empty_file_sends_the_empty_file(server):
    reply = fetch(server.url, "/static/empty.txt", headers={"Range": "bytes=0-"})
    assert (reply.status, reply.body, reply.header("Content-Length")) == (200, b"", "0")


def test_ranges_of_a_large_binary_file_are_exact(tmp_path):
    data = os.urandom(300_000)
    (tmp_path / "big.bin").write_bytes(data)
    with LiveServer(Application([("/s", StaticApplication(tmp_path))])) as server:
        single = fetch(server.url, "/s/big.bin", headers={"Range": "bytes=65530-200000"})
        multi = fetch(server.url, "/s/big.bin", headers={"Range": "bytes=1-70000,131072-262144,-5"})
    assert single.body == data[65530:200001]
    parts = parse_byteranges(multi.header("Content-Type"), multi.body)
    assert [d for _h, d in parts] == [data[1:70001], data[131072:262145], data[-5:]]


# -- precompressed siblings -------------------------------------------------------


def test_brotli_sibling_for_clients_that_accept_br(server):
    reply = fetch(server.url, "/static/app.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert reply.status == 200
    assert reply.header("Content-Encoding") == "br"
    assert reply.header("Vary") == "Accept-Encoding"
    assert reply.header("Content-Type").endswith("javascript; charset=utf-8")
    assert brotli.decompress(reply.body) == APP_JS
    assert reply.header("Content-Length") == str(len(reply.body))


@pytest.mark.parametrize(
    ("accept_encoding", "expected"),
    [
        ("gzip", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("identity", None),
        ("deflate", None),
        ("br;q=0, gzip;q=0", None),
        ("gzip;q=0.5, identity;q=1", None),
        (None, None),
    ],
)
def test_encoding_chosen_by_accept_encoding(server, accept_encoding, expected):
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding is not None else {}
    reply = fetch(server.url, "/static/app.js", headers=headers)
    assert reply.header("Content-Encoding") == expected
    assert reply.header("Vary") == "Accept-Encoding"  # the answer depends on it either way
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda body: body}[expected]
    assert decode(reply.body) == APP_JS


def test_only_the_siblings_that_exist_are_offered(server):
    reply = fetch(server.url, "/static/only-gz.css", headers={"Accept-Encoding": "br, gzip"})
    assert reply.header("Content-Encoding") == "gzip"
    assert gzip.decompress(reply.body) == b"p { margin: 0; }\n"
    assert reply.header("Content-Type") == "text/css; charset=utf-8"
    plain = fetch(server.url, "/static/style.css", headers={"Accept-Encoding": "br, gzip"})
    assert (plain.header("Content-Encoding"), plain.header("Vary")) == (None, None)


def test_each_encoding_has_its_own_etag_and_conditional_requests_use_it(server):
    tags = {}
    for encoding in ("br", "gzip", "identity"):
        tags[encoding] = fetch(server.url, "/static/app.js", headers={"Accept-Encoding": encoding}).header("ETag")
    assert len(set(tags.values())) == 3
    revalidated = fetch(server.url, "/static/app.js", headers={"Accept-Encoding": "br", "If-None-Match": tags["br"]})
    assert revalidated.status == 304
    assert revalidated.header("Vary") == "Accept-Encoding"
    other = fetch(server.url, "/static/app.js", headers={"Accept-Encoding": "gzip", "If-None-Match": tags["br"]})
    assert other.status == 200


def test_ranges_apply_to_the_compressed_bytes(server):
    full = fetch(server.url, "/static/app.js", headers={"Accept-Encoding": "gzip"}).body
    reply = fetch(server.url, "/static/app.js", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
    assert (reply.status, reply.body) == (206, full[:10])
    assert reply.header("Content-Encoding") == "gzip"
    assert reply.header("Content-Range") == f"bytes 0-9/{len(full)}"


def test_416_does_not_claim_a_content_encoding(server):
    reply = fetch(server.url, "/static/app.js", headers={"Accept-Encoding": "br", "Range": "bytes=999999-"})
    assert reply.status == 416
    assert reply.header("Content-Encoding") is None


def test_a_sibling_that_escapes_the_root_is_not_used(server):
    # public/hello.txt.br is a symlink to the secret outside the root.
    reply = fetch(server.url, "/static/hello.txt", headers={"Accept-Encoding": "br"})
    assert (reply.status, reply.body, reply.header("Content-Encoding")) == (200, b"hello, world\n", None)


def test_precompressed_can_be_turned_off(site):
    client = site.app(precompressed=False).get_local_client()
    response = client.get("/static/app.js", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers.get("Content-Encoding") is None
    assert response.headers.get("Vary") is None
    assert response.data == APP_JS
