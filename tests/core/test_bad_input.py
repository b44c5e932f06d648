"""Garbage from clients gets a 4xx or a normal 404, never a 500."""

import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import create_environ, run_wsgi_app

from clastic import GET, POST, Application, render_basic
from clastic.testing import LiveServer


def make_app():
    return Application(
        [
            ("/", lambda: "home", render_basic),
            ("/n/<x:int>", lambda x: str(x), render_basic),
            ("/f/<x:float>", lambda x: repr(x), render_basic),
            ("/opt/<x?int>", lambda x: repr(x), render_basic),
            ("/files/<path*>", lambda path: "/".join(path), render_basic),
            ("/branch/", lambda: "branch", render_basic),
            GET("/only-get", lambda: "get", render_basic),
            POST("/only-post", lambda: "post", render_basic),
            ("/u/<word>", lambda word: word, render_basic),
        ]
    )


APP = make_app()


def raw_reply(path_info, method="GET", headers=()):
    environ = create_environ("/", method=method, headers=list(headers))
    environ["PATH_INFO"] = path_info  # as a WSGI server would pass it: latin-1 decoded bytes
    iterable, status, response_headers = run_wsgi_app(APP, environ, buffered=True)
    return int(status.split()[0]), response_headers, b"".join(iterable)


def raw_status(path_info, method="GET", headers=()):
    return raw_reply(path_info, method, headers)[0]


@pytest.mark.parametrize(
    ("raw", "status", "body"),
    [
        (b"/%zz", 404, None),  # PATH_INFO is already unquoted: a literal "%zz" segment
        (b"/n/%", 404, None),  # not an int
        (b"/\xff\xfe", 404, None),
        # Werkzeug decodes a path that is not UTF-8 with replacement characters.
        (b"/u/\xc3\x28", 200, "\ufffd(".encode()),
        (b"/u/a\x00b", 200, b"a\x00b"),
        (b"/n/\x00", 404, None),
        (b"/" + b"a" * 10_000, 404, None),
        (b"/u/" + b"b" * 10_000, 200, b"b" * 10_000),
        (b"/n/" + b"9" * 10_000, 404, None),  # more digits than int() converts
        (b"/f/nan", 404, None),
        (b"/f/1e99999", 404, None),  # overflows a float
        (b"/files/../../etc/passwd", 200, b"../../etc/passwd"),  # segments, not a file lookup
        (b"//////", 200, b"home"),  # Werkzeug's request.path drops the extra leading slashes
        (b"/branch/%2F%2F", 404, None),
    ],
)
def test_garbage_paths_never_500(raw, status, body):
    got_status, _headers, got_body = raw_reply(raw.decode("latin-1"))
    assert got_status == status, raw
    if body is not None:
        assert got_body == body


@pytest.mark.parametrize("method", ["BREW", "", "G E T", "PROPFIND", "X" * 1000])
def test_odd_methods_on_a_get_route_are_405_with_allow(method):
    status, headers, _body = raw_reply("/only-get", method=method)
    assert status == 405, method
    assert headers["Allow"] == "GET, HEAD, OPTIONS"


def test_method_names_are_case_insensitive():
    assert raw_status("/only-get", method="get") == 200


def test_malformed_headers_never_500():
    for headers in ([("Accept", "\x00;;q=")], [("Accept-Language", ";;;")], [("Cookie", "a=\x00; ;;")]):
        assert raw_status("/nope", headers=headers) == 404


SEGMENT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SEGMENT, max_size=6), st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "DELETE"]))
def test_random_paths_never_500(segments, method):
    path = "/" + "/".join(segments)
    raw = path.encode("utf-8").decode("latin-1")
    assert raw_status(raw, method=method) < 500


LITERAL = st.text(alphabet="abcxyz.-_~+()", min_size=1, max_size=6)
BINDING = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.sampled_from([":", "?", "+", "*"]),
    st.sampled_from(["", "int", "float", "str"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(LITERAL, BINDING), min_size=0, max_size=4), st.lists(SEGMENT, max_size=5))
def test_random_patterns_match_or_404_never_500(parts, segments):
    from clastic import InvalidPattern

    seen = set()
    text_parts = []
    for part in parts:
        if isinstance(part, tuple):
            name, op, type_name = part
            if name in seen:
                continue
            seen.add(name)
            text_parts.append(f"<{name}{op}{type_name}>")
        else:
            text_parts.append(part)
    pattern = "/" + "/".join(text_parts)
    try:
        app = Application([(pattern, lambda _route: repr(_route.pattern), render_basic)])
    except InvalidPattern:
        return
    environ = create_environ("/")
    environ["PATH_INFO"] = ("/" + "/".join(segments)).encode("utf-8").decode("latin-1")
    _body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert int(status.split()[0]) in (200, 302, 404)


def test_url_for_round_trips_through_matching():
    app = Application([("/r/<a:int>/<b>/<c*float>", lambda a, b, c: repr((a, b, c)), render_basic)])
    client = app.get_local_client()

    @settings(max_examples=100, deadline=None)
    @given(
        st.integers(),
        SEGMENT.filter(lambda s: s and "/" not in s),
        st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=3),
    )
    def check(a, b, c):
        path = app.url_for("<lambda>", a=a, b=b, c=c)
        assert client.get(path).text == repr((a, b, c))

    check()


def test_raw_garbage_over_a_real_server():
    statuses = []
    with LiveServer(make_app()) as server:
        requests = [
            b"GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET /u/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET /n/" + b"9" * 5000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"BREW /only-get HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET /nope HTTP/1.1\r\nHost: x\r\nAccept: ;;;q=zz\r\nConnection: close\r\n\r\n",
        ]
        for raw in requests:
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                sock.sendall(raw)
                reply = b""
                while chunk := sock.recv(65536):
                    reply += chunk
            statuses.append(int(reply.split(b" ", 2)[1]))
    assert statuses == [404, 200, 404, 405, 404]


@pytest.mark.parametrize("query", ["q=\xff", "\xff=1", "a=1&b=\xc3\x28"])
def test_raw_bytes_in_the_query_string_are_a_400_naming_them(query):
    # Some WSGI servers pass a query string's raw bytes through; they are not UTF-8 here.
    def echo(request):
        return repr(dict(request.args))

    app = Application([("/echo", echo, render_basic), ("/plain", lambda: "no query read", render_basic)])
    environ = create_environ("/echo")
    environ["QUERY_STRING"] = query
    iterable, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("400")
    assert b"the query string is not valid UTF-8" in b"".join(iterable)
    environ = create_environ("/plain")
    environ["QUERY_STRING"] = query
    _iterable, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("200")  # an endpoint that never reads the query is not disturbed
    environ = create_environ("/echo", query_string="q=%ff")
    iterable, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("200") and b"%FF" in b"".join(iterable)  # percent-encoded bytes stay as they are


def test_deeply_nested_brackets_in_a_text_body_are_text_not_a_500():
    # render_basic sniffs str/bytes that look like JSON; nesting too deep to parse is text.
    def echo(request):
        return request.get_data()

    app = Application([POST("/echo", echo, render_basic)])
    reply = app.get_local_client().post("/echo", data=b"[" * 200_000)
    assert reply.status_code == 200
    assert reply.content_type == "text/plain; charset=utf-8" and len(reply.data) == 200_000
    assert app.get_local_client().post("/echo", data=b"[1, 2]").content_type == "application/json; charset=utf-8"


class _ServerStreamError(Exception):
    """Stands for a WSGI server's own body error, such as gunicorn's InvalidChunkSize."""


class _BrokenInput:
    def __init__(self, fail_after=b""):
        self._data = fail_after

    def read(self, size=-1):
        if self._data:
            data, self._data = self._data, b""
            return data
        raise _ServerStreamError("Invalid chunk size: b'zz'")

    readline = read


@pytest.mark.parametrize("read", ["data", "form", "json"])
def test_a_body_the_server_cannot_read_is_a_400(read):
    def endpoint(request):
        if read == "data":
            return str(len(request.get_data()))
        if read == "form":
            return repr(dict(request.form))
        return repr(request.get_json())

    app = Application([POST("/in", endpoint, render_basic)])
    content_type = {
        "data": "application/octet-stream",
        "form": "application/x-www-form-urlencoded",
        "json": "application/json",
    }[read]
    environ = create_environ("/in", method="POST", content_type=content_type)
    environ.update({"wsgi.input": _BrokenInput(), "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    environ.pop("CONTENT_LENGTH", None)
    iterable, status, _headers = run_wsgi_app(app, environ, buffered=True)
    body = b"".join(iterable)
    assert status.startswith("400"), body
    assert b"the request body could not be read (_ServerStreamError: Invalid chunk size" in body


def test_malformed_chunked_bodies_under_gunicorn_are_400(tmp_path):
    import os
    import sys

    from cli_fixtures.devproc import DevProcess

    from net_helpers import free_port

    (tmp_path / "bodyapp.py").write_text(
        "from clastic import POST, Application, render_basic\n"
        "app = Application([POST('/in', lambda request: str(len(request.get_data())), render_basic)])\n"
    )
    port = free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    args = [gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "2", "bodyapp:app"]
    with DevProcess(args, cwd=tmp_path, log_dir=tmp_path / "logs") as server:
        server.wait_for(f"http://127.0.0.1:{port}/in", lambda r: r.status == 405)
        for chunked in (b"zz\r\n{}\r\n0\r\n\r\n", b"-5\r\nhello\r\n0\r\n\r\n", b"2\r\nabXX0\r\n\r\n"):
            raw = b"POST /in HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(raw)
                reply = b""
                while chunk := sock.recv(65536):
                    reply += chunk
            assert reply.split(b" ", 2)[1] == b"400", reply[:300]
            assert b"the request body could not be read" in reply
        good = (
            b"POST /in HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n0\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(good)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        assert reply.split(b" ", 2)[1] == b"200" and reply.endswith(b"3")
        assert "Traceback" not in server.stderr


def test_upload_files_of_a_form_that_fails_half_way_are_closed():
    import gc
    import io
    import warnings

    from werkzeug.test import EnvironBuilder

    app = Application([POST("/up", lambda request: repr(sorted(request.files)), render_basic)])
    builder = EnvironBuilder("/up", method="POST", data={"f": (io.BytesIO(b"x" * 700_000), "big.bin")})
    environ = builder.get_environ()
    full = environ["wsgi.input"]
    body = full.read()
    full.close()
    builder.close()
    # Over Werkzeug's 500 kB the upload goes to a temporary file; the body then ends early.
    environ["wsgi.input"] = io.BytesIO(body[:600_000])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        iterable, status, _headers = run_wsgi_app(app, environ, buffered=True)
        reply = b"".join(iterable)
        del iterable
        gc.collect()
    assert status == "400 BAD REQUEST", reply  # the body ended early: the client's problem
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
