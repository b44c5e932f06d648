"""Clastic 26's module-level helpers of clastic.static, with today's path-safety rules."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from static_helpers import BINARY, SECRET
from werkzeug.wsgi import FileWrapper

import clastic
import clastic.errors
import clastic.static
from clastic import Application, Response
from clastic.static import (
    DEFAULT_BINARY_MIME,
    DEFAULT_TEXT_MIME,
    IS_WINDOWS,
    StaticApplication,
    build_file_response,
    find_file,
    get_file_mtime,
    is_binary_string,
    peek_file,
)


def test_constants_and_reexported_names() -> None:
    assert (DEFAULT_TEXT_MIME, DEFAULT_BINARY_MIME) == ("text/plain", "application/octet-stream")
    assert IS_WINDOWS is (os.name == "nt")
    assert clastic.static.Application is clastic.Application
    assert clastic.static.Route is clastic.Route
    assert clastic.static.Forbidden is clastic.errors.Forbidden
    assert clastic.static.NotFound is clastic.errors.NotFound
    for name in ("DEFAULT_TEXT_MIME", "find_file", "build_file_response", "Application", "NotFound"):
        assert name in clastic.static.__all__


def test_default_mimes_are_what_static_application_uses(site) -> None:
    static_app = StaticApplication(str(site.public))
    assert (static_app.default_text_mime, static_app.default_binary_mime) == (DEFAULT_TEXT_MIME, DEFAULT_BINARY_MIME)


# -- find_file ------------------------------------------------------------------


def test_find_file_searches_in_order(site) -> None:
    paths = [str(site.public2), str(site.public)]
    assert find_file(paths, "hello.txt") == str(site.public2 / "hello.txt")
    assert find_file(paths, "style.css") == str(site.public / "style.css")
    assert find_file(str(site.public), "nested/deep/file.json") == str(site.public / "nested" / "deep" / "file.json")
    assert find_file(str(site.public), "nested//deep/file.json") == str(site.public / "nested" / "deep" / "file.json")


@pytest.mark.parametrize("name", ["missing.txt", "sub", "noindex/", "fifo", "", "loop-a"])
def test_find_file_finds_only_regular_files(site, name: str) -> None:
    assert find_file([str(site.public)], name) is None


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../secret.txt", r"the path segment '\.\.' is not allowed \('\.\./secret\.txt'\)"),
        ("sub/../../secret.txt", r"the path segment '\.\.' is not allowed"),
        ("./hello.txt", r"the path segment '\.' is not allowed"),
        ("/etc/passwd", r"absolute paths are not allowed \('/etc/passwd'\)"),
        ("\\etc\\passwd", r"absolute paths are not allowed"),
        ("C:secret.txt", r"absolute paths and drive letters are not allowed"),
        ("sub\\..\\..\\secret.txt", r"backslashes are not allowed"),
        ("hello.txt\x00.png", r"NUL bytes are not allowed"),
    ],
)
def test_find_file_refuses_paths_that_leave_the_search_path(site, path: str, reason: str) -> None:
    with pytest.raises(ValueError, match=f"^find_file: {reason}"):
        find_file([str(site.public)], path)


def test_find_file_does_not_find_hidden_files(site) -> None:
    for hidden in (".env", ".git/config", "sub/.htpasswd", ".well-known/.secret"):
        assert find_file([str(site.public)], hidden) is None
    assert find_file([str(site.public)], ".well-known/security.txt") == str(
        site.public / ".well-known" / "security.txt"
    )


def test_find_file_limit_root_refuses_symlinks_out_of_the_search_path(site) -> None:
    public = str(site.public)
    assert find_file(public, "link-out.txt") is None
    assert find_file(public, "evil-dir/secret.txt") is None
    assert find_file(public, "link-in.txt") == str(site.public / "link-in.txt")
    # limit_root=False follows them; the path itself still may not climb out.
    assert find_file(public, "link-out.txt", limit_root=False) == str(site.public / "link-out.txt")
    with pytest.raises(ValueError, match=r"'\.\.' is not allowed"):
        find_file(public, "../secret.txt", limit_root=False)


def test_find_file_checks_its_arguments(site) -> None:
    with pytest.raises(TypeError, match=r"find_file: path must be a str such as 'css/site\.css' \(got b'x'\)"):
        find_file([str(site.public)], b"x")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"find_file: search_paths must be a directory path or a list of them \(got 3\)"
    ):
        find_file(3, "hello.txt")
    with pytest.raises(TypeError, match=r"find_file: each search path must be a str or os\.PathLike \(got None\)"):
        find_file([None], "hello.txt")


# -- small helpers --------------------------------------------------------------


def test_get_file_mtime_is_an_aware_utc_datetime_rounded(tmp_path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("x")
    os.utime(path, (1_700_000_000.75, 1_700_000_000.75))
    assert get_file_mtime(str(path)) == datetime.datetime(2023, 11, 14, 22, 13, 21, tzinfo=datetime.UTC)
    assert get_file_mtime(path, rounding=1) == datetime.datetime(2023, 11, 14, 22, 13, 20, 800000, tzinfo=datetime.UTC)
    with pytest.raises(TypeError, match=r"rounding must be an int number of decimal places \(got 0\.5\)"):
        get_file_mtime(str(path), rounding=0.5)  # type: ignore[arg-type]


def test_peek_file_reads_and_seeks_back() -> None:
    file = io.BytesIO(b"0123456789")
    file.seek(2)
    assert peek_file(file, 3) == b"234"
    assert file.tell() == 2
    assert peek_file(file) == b"23456789"
    assert file.read() == b"23456789"


def test_is_binary_string_uses_the_static_sniffing_rule() -> None:
    assert is_binary_string(b"plain text\r\n\twith tabs") is False
    assert is_binary_string("crème".encode()) is False
    assert is_binary_string(BINARY) is True
    assert is_binary_string(b"\x89PNG\r\n\x1a\n\x00\x00") is True
    # Only the sample counts: text first, a NUL after it.
    assert is_binary_string(b"a" * 10 + b"\x00", sample_size=10) is False
    assert is_binary_string(b"a" * 10 + b"\x00") is True
    with pytest.raises(TypeError, match=r"is_binary_string: needs bytes \(got str\)"):
        is_binary_string("text")  # type: ignore[arg-type]


# -- build_file_response ------------------------------------------------------------


def test_build_file_response_streams_the_file_with_validators(site) -> None:
    response = build_file_response(str(site.public / "hello.txt"), cache_timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == "13"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Last-Modified"] and response.headers["ETag"]
    assert isinstance(response.response, FileWrapper)
    assert b"".join(response.response) == b"hello, world\n"


def test_build_file_response_without_cache_timeout_sends_no_cache_control(site) -> None:
    response = build_file_response(str(site.public / "hello.txt"))
    assert "Cache-Control" not in response.headers
    response.close()


def test_build_file_response_answers_304_when_not_modified_since(site) -> None:
    path = site.public / "hello.txt"
    mtime = get_file_mtime(str(path))
    not_modified = build_file_response(str(path), cache_timeout=60, cached_modify_time=mtime)
    assert (not_modified.status_code, not_modified.get_data()) == (304, b"")
    assert not_modified.headers["Cache-Control"] == "public, max-age=60"
    naive_later = (mtime + datetime.timedelta(hours=1)).replace(tzinfo=None)  # naive means UTC
    assert build_file_response(str(path), cached_modify_time=naive_later).status_code == 304
    modified = build_file_response(str(path), cached_modify_time=mtime.timestamp() - 10)
    assert modified.status_code == 200
    modified.close()
    with pytest.raises(TypeError, match=r"cached_modify_time must be a datetime or a timestamp \(got 'yesterday'\)"):
        build_file_response(str(path), cached_modify_time="yesterday")  # type: ignore[arg-type]


def test_build_file_response_mimetypes(site) -> None:
    assert (
        build_file_response(str(site.public / "README"), default_text_mime="text/x-readme").content_type
        == "text/x-readme; charset=utf-8"
    )
    assert (
        build_file_response(str(site.public / "blob"), default_binary_mime="application/x-blob").content_type
        == "application/x-blob"
    )
    assert (
        build_file_response(str(site.public / "hello.txt"), mimetype="text/markdown").content_type
        == "text/markdown; charset=utf-8"
    )
    with pytest.raises(
        ValueError, match=r"build_file_response: mimetype must be a media type such as 'text/plain' \(got 'markdown'\)"
    ):
        build_file_response(str(site.public / "hello.txt"), mimetype="markdown")


def test_build_file_response_file_wrapper_and_response_type(site) -> None:
    wrapped = []

    def file_wrapper(file, block_size=8192):  # type: ignore[no-untyped-def]
        wrapped.append(block_size)
        return FileWrapper(file, block_size)

    class MyResponse(Response):
        pass

    response = build_file_response(str(site.public / "data.bin"), file_wrapper=file_wrapper, response_type=MyResponse)
    assert type(response) is MyResponse
    assert wrapped == [64 * 1024]
    assert b"".join(response.response) == BINARY


def test_build_file_response_for_a_missing_file_is_a_non_breaking_404_without_the_path(site) -> None:
    for path in (site.public / "missing.txt", site.public / "sub", site.public / "fifo"):
        with pytest.raises(clastic.errors.NotFound, match=r"^the requested file is missing$") as info:
            build_file_response(str(path))
        assert info.value.is_breaking is False
        assert str(site.public) not in info.value.get_data(as_text=True)


def test_build_file_response_in_an_endpoint(site) -> None:
    # The Clastic 26 pattern: find the file, then build its response.
    def download(name: str) -> Response:
        found = find_file([str(site.public)], name)
        if found is None:
            raise clastic.errors.NotFound(f"no {name!r}")
        return build_file_response(found, cache_timeout=30)

    client = Application([("/dl/<name>", download)]).get_local_client()
    response = client.get("/dl/style.css")
    assert (response.status_code, response.data) == (200, b"body { color: #333; }\n")
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert client.get("/dl/.env").status_code == 404
    assert SECRET not in client.get("/dl/link-out.txt").text
