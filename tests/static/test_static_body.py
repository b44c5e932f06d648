"""Streaming: large files in small chunks, wsgi.file_wrapper and sendfile, files always closed."""

from __future__ import annotations

import gc
import hashlib
import http.client
import os
import socket
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from static_helpers import SECRET, fetch, parse_byteranges, raw_request, split_response
from werkzeug.test import EnvironBuilder

from clastic import Application
from clastic.static import StaticApplication
from clastic.testing import LiveServer
from net_helpers import free_port, wait_for_port, wait_until

BIG_SIZE = 20 * 1024 * 1024


def write_big_file(path: Path, size: int) -> str:
    """Write *size* pseudo-random bytes; return their SHA-256."""
    digest = hashlib.sha256()
    block = hashlib.sha512(b"seed").digest() * 1024  # 64 KiB
    with open(path, "wb") as out:
        written = 0
        counter = 0
        while written < size:
            chunk = (counter.to_bytes(8, "big") + block)[: size - written]
            out.write(chunk)
            digest.update(chunk)
            written += len(chunk)
            counter += 1
    return digest.hexdigest()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("big")
    digest = write_big_file(root / "big.bin", BIG_SIZE)
    return root, digest


def open_fds_to(path: Path) -> int:
    """How many of this process's file descriptors point at *path*."""
    target = os.path.realpath(path)
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}") == target:
                count += 1
        except OSError:  # closed while listing
            continue
    return count


def wsgi_call(app, path: str, headers: dict[str, str] | None = None, method: str = "GET", file_wrapper=None):
    """Call *app* like a server; return (status, headers, the unread app iterable)."""
    environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
    if file_wrapper is not None:
        environ["wsgi.file_wrapper"] = file_wrapper
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"] = status
        started["headers"] = dict(response_headers)
        return lambda data: None

    app_iter = app(environ, start_response)
    return started["status"], started["headers"], app_iter


class RecordingFileWrapper:
    """A server's wsgi.file_wrapper that records how it was used."""

    instances: ClassVar[list[RecordingFileWrapper]] = []

    def __init__(self, filelike, block_size=8192):
        self.filelike = filelike
        self.block_size = block_size
        self.closed = False
        RecordingFileWrapper.instances.append(self)

    def __iter__(self):
        while True:
            data = self.filelike.read(self.block_size)
            if not data:
                return
            yield data

    def close(self):
        self.closed = True
        self.filelike.close()


# -- memory -----------------------------------------------------------------------


def test_a_20_mb_file_is_streamed_without_being_read_into_memory(big):
    root, digest = big
    app = Application([("/static", StaticApplication(root))])
    with LiveServer(app) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        tracemalloc.start()
        try:
            conn.request("GET", "/static/big.bin")
            response = conn.getresponse()
            received = hashlib.sha256()
            total = peak = 0
            while chunk := response.read(65536):
                received.update(chunk)
                total += len(chunk)
                # Measured until the last chunk: once the client has all of it and
                # closes, Werkzeug's dev server drains the socket with a 10 MB read().
                if total < BIG_SIZE:
                    peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            conn.close()
    assert response.status == 200
    assert response.getheader("Content-Length") == str(BIG_SIZE)
    assert (total, received.hexdigest()) == (BIG_SIZE, digest)
    # Server and client together never held more than a few chunks of the file.
    assert peak < 2 * 1024 * 1024, f"peak traced memory {peak} bytes for a {BIG_SIZE}-byte file"


def test_iterating_the_body_of_a_20_mb_file_holds_one_chunk_at_a_time(big):
    root, _digest = big
    app = Application([("/static", StaticApplication(root))])
    for headers in ({}, {"Range": "bytes=0-9999999,10000000-"}):
        tracemalloc.start()
        try:
            _status, _headers, body = wsgi_call(app, "/static/big.bin", headers)
            total = sum(len(chunk) for chunk in body)
            body.close()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert total >= BIG_SIZE
        assert peak < 512 * 1024, f"peak traced memory {peak} bytes while iterating a {BIG_SIZE}-byte file"


# -- wsgi.file_wrapper --------------------------------------------------------------


def test_the_servers_file_wrapper_is_used_for_whole_files_and_single_ranges(big):
    root, _digest = big
    (root / "small.txt").write_text("0123456789")
    app = Application([("/static", StaticApplication(root))])
    RecordingFileWrapper.instances.clear()

    status, headers, body = wsgi_call(app, "/static/small.txt", file_wrapper=RecordingFileWrapper)
    assert isinstance(body, RecordingFileWrapper)
    assert (status, headers["Content-Length"]) == ("200 OK", "10")
    assert b"".join(body) == b"0123456789"
    body.close()
    assert body.closed

    status, headers, body = wsgi_call(
        app, "/static/big.bin", {"Range": "bytes=100-199"}, file_wrapper=RecordingFileWrapper
    )
    assert isinstance(body, RecordingFileWrapper)
    assert status == "206 PARTIAL CONTENT"
    # A sendfile-capable wrapper uses fileno() at the current offset for Content-Length bytes.
    fd = body.filelike.fileno()
    assert os.lseek(fd, 0, os.SEEK_CUR) == 100
    assert os.pread(fd, int(headers["Content-Length"]), 100) == Path(root, "big.bin").read_bytes()[100:200]
    assert b"".join(body) == Path(root, "big.bin").read_bytes()[100:200]
    body.close()
    assert open_fds_to(root / "big.bin") == 0
    with pytest.raises(ValueError, match="I/O operation on closed file"):
        body.filelike.fileno()
    assert body.filelike.read() == b""
    assert len(RecordingFileWrapper.instances) == 2


def test_multiple_ranges_do_not_use_the_file_wrapper(big):
    root, _digest = big
    app = Application([("/static", StaticApplication(root))])
    _status, headers, body = wsgi_call(
        app, "/static/big.bin", {"Range": "bytes=0-1,10-11"}, file_wrapper=RecordingFileWrapper
    )
    assert not isinstance(body, RecordingFileWrapper)
    data = b"".join(body)
    body.close()
    parts = parse_byteranges(headers["Content-Type"], data)
    assert [d for _h, d in parts] == [Path(root, "big.bin").read_bytes()[a:b] for a, b in ((0, 2), (10, 12))]


# -- closing ------------------------------------------------------------------------


def test_a_response_that_is_never_iterated_opens_no_file(big):
    root, _digest = big
    app = Application([("/static", StaticApplication(root))])
    for method in ("GET", "HEAD"):
        _status, headers, body = wsgi_call(app, "/static/big.bin", method=method)
        assert headers["Content-Length"] == str(BIG_SIZE)
        assert open_fds_to(root / "big.bin") == 0
        del body


def test_a_half_read_body_dropped_without_close_closes_its_file(big):
    root, _digest = big
    app = Application([("/static", StaticApplication(root))])
    for headers in ({}, {"Range": "bytes=0-999999,2000000-2999999"}):
        _status, _headers, body = wsgi_call(app, "/static/big.bin", headers)
        iterator = iter(body)
        next(iterator)
        next(iterator)  # a multipart body starts with a part header: the file opens for the data
        assert open_fds_to(root / "big.bin") == 1
        del body, iterator  # no close(): the file must not be left to the garbage collector (ResourceWarning)
        assert open_fds_to(root / "big.bin") == 0
        gc.collect()


def test_close_midway_closes_the_file(big):
    root, _digest = big
    app = Application([("/static", StaticApplication(root))])
    for headers in ({}, {"Range": "bytes=5-"}, {"Range": "bytes=0-999999,2000000-2999999"}):
        _status, _headers, body = wsgi_call(app, "/static/big.bin", headers)
        iterator = iter(body)
        next(iterator)
        next(iterator)
        assert open_fds_to(root / "big.bin") == 1
        body.close()
        assert open_fds_to(root / "big.bin") == 0
        assert list(iterator) == []


def test_a_body_read_to_its_end_closes_its_file_without_close(tmp_path):
    (tmp_path / "f.bin").write_bytes(os.urandom(300_000))
    app = Application([("/static", StaticApplication(tmp_path))])
    for headers in ({}, {"Range": "bytes=10-20,100-200"}):
        _status, _headers, body = wsgi_call(app, "/static/f.bin", headers)
        chunks = list(body)
        assert chunks
        assert open_fds_to(tmp_path / "f.bin") == 0
        body.close()


def test_a_client_that_disconnects_mid_download_leaves_no_open_file(big):
    root, _digest = big
    app = Application([("/static", StaticApplication(root))])
    with LiveServer(app) as server:
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(b"GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            received = 0
            while received < 512 * 1024:
                received += len(sock.recv(65536))
            assert open_fds_to(root / "big.bin") == 1
            sock.close()
            wait_until(
                lambda: open_fds_to(root / "big.bin") == 0,
                what="the server to close big.bin after the client left",
                timeout=10,
            )
        # The server is still fine afterwards.
        assert fetch(server.url, "/static/big.bin", headers={"Range": "bytes=0-9"}).status == 206


# -- files that change while being served -------------------------------------------


@pytest.mark.parametrize("follow_symlinks", [False, True])
def test_a_file_swapped_for_a_symlink_after_the_headers_is_not_sent(tmp_path, follow_symlinks):
    (tmp_path / "secret.txt").write_text(SECRET)
    public = tmp_path / "public"
    public.mkdir()
    target = public / "page.txt"
    target.write_text("original text, x" * 100)
    app = Application([("/static", StaticApplication(public, follow_symlinks=follow_symlinks))])
    _status, _headers, body = wsgi_call(app, "/static/page.txt")
    target.unlink()
    os.symlink(tmp_path / "secret.txt", target)
    # Refused by O_NOFOLLOW (the path was already resolved), or else by the identity check.
    expected = "symbolic links" if not follow_symlinks else "changed while it was being served"
    with pytest.raises(OSError, match=expected):
        b"".join(body)
    body.close()


def test_a_file_modified_after_the_headers_is_not_sent(tmp_path):
    target = tmp_path / "page.txt"
    target.write_text("original text, x" * 100)
    app = Application([("/static", StaticApplication(tmp_path))])
    _status, headers, body = wsgi_call(app, "/static/page.txt")
    assert headers["Content-Length"] == "1600"
    target.write_text("new content, longer than before " * 100)
    with pytest.raises(OSError, match="changed while it was being served"):
        b"".join(body)
    body.close()
    assert open_fds_to(target) == 0


def test_a_file_truncated_while_streaming_ends_the_response(tmp_path):
    target = tmp_path / "grows.bin"
    target.write_bytes(os.urandom(1_000_000))
    app = Application([("/static", StaticApplication(tmp_path))])
    _status, _headers, body = wsgi_call(app, "/static/grows.bin")
    iterator = iter(body)
    next(iterator)
    os.truncate(target, 100_000)
    with pytest.raises(OSError, match="became shorter"):
        for _chunk in iterator:
            pass
    body.close()
    assert open_fds_to(target) == 0


def test_a_file_truncated_while_sending_ranges_ends_the_response(tmp_path):
    target = tmp_path / "shrinks.bin"
    target.write_bytes(os.urandom(1_000_000))
    app = Application([("/static", StaticApplication(tmp_path))])
    _status, _headers, body = wsgi_call(app, "/static/shrinks.bin", {"Range": "bytes=0-9,500000-999999"})
    iterator = iter(body)
    next(iterator)  # first part's header
    next(iterator)  # first part's data: the file is open now
    os.truncate(target, 600_000)
    with pytest.raises(OSError, match="became shorter"):
        for _chunk in iterator:
            pass
    assert open_fds_to(target) == 0
    assert list(iterator) == []


# -- gunicorn: the server's file wrapper and sendfile ---------------------------------

GUNICORN_APP = textwrap.dedent(
    """
    import os

    from clastic import Application
    from clastic.static import StaticApplication

    LOG = os.environ["STATIC_TEST_LOG"]
    STATIC = Application([("/static", StaticApplication(os.environ["STATIC_TEST_ROOT"]))])


    def record(word):
        with open(LOG, "a") as log:
            log.write(word + "\\n")


    def app(environ, start_response):
        # Record whether gunicorn's file wrapper is used, and whether it iterates
        # (read()) or sends the file with sendfile (fileno()).
        base = environ["wsgi.file_wrapper"]

        class Recording(base):
            def __init__(self, filelike, blksize=8192):
                record("wrap")
                super().__init__(filelike, blksize)

            def __next__(self):
                record("read")
                return super().__next__()

        environ["wsgi.file_wrapper"] = Recording
        return STATIC(environ, start_response)
    """
)


@pytest.fixture
def gunicorn_server(tmp_path: Path) -> Iterator[tuple[str, Path, Path, bytes]]:
    root = tmp_path / "files"
    root.mkdir()
    data = os.urandom(3 * 1024 * 1024 + 17)
    (root / "data.bin").write_bytes(data)
    (tmp_path / "gunicorn_static_app.py").write_text(GUNICORN_APP)
    log = tmp_path / "wrapper.log"
    log.write_text("")
    port = free_port()
    env = dict(os.environ, STATIC_TEST_LOG=str(log), STATIC_TEST_ROOT=str(root))
    errors = open(tmp_path / "gunicorn.err", "wb")  # noqa: SIM115 - closed after the process ends, below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
            "gunicorn_static_app:app",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_port(port, server="gunicorn", process=process, details=(tmp_path / "gunicorn.err").read_text)
        yield url, log, root, data
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        errors.close()


def test_gunicorn_sends_files_and_ranges_with_sendfile(gunicorn_server):
    url, log, _root, data = gunicorn_server
    full = fetch(url, "/static/data.bin")
    assert (full.status, full.body) == (200, data)
    single = fetch(url, "/static/data.bin", headers={"Range": "bytes=1000000-2000000"})
    assert (single.status, single.body) == (206, data[1000000:2000001])
    suffix = fetch(url, "/static/data.bin", headers={"Range": "bytes=-17"})
    assert (suffix.status, suffix.body) == (206, data[-17:])
    multi = fetch(url, "/static/data.bin", headers={"Range": "bytes=0-99,3000000-3000099"})
    parts = parse_byteranges(multi.header("Content-Type"), multi.body)
    assert [d for _h, d in parts] == [data[:100], data[3000000:3000100]]
    status, headers, body = split_response(
        raw_request(url, b"HEAD /static/data.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    )
    assert (status, headers["content-length"], body) == (200, str(len(data)), b"")
    etag = full.header("ETag")
    assert fetch(url, "/static/data.bin", headers={"If-None-Match": etag}).status == 304
    events = log.read_text().split()
    # Whole file, single range and suffix went through gunicorn's wrapper, by sendfile (no reads).
    assert events.count("wrap") >= 3
    assert "read" not in events
