"""Hostile paths: a corpus of traversal attempts, none of which may reach a file outside the roots.

The tree (see conftest.py) keeps secrets next to the served directory
(``../secret.txt``), in a sibling whose name starts like the root's
(``../public-evil/secret.txt``, which catches prefix comparisons) and behind
symlinks that lead out. Every request goes over a real socket to the Werkzeug
server and, separately, straight into the WSGI app with the path as a server
that does not decode (or decodes differently) would pass it.
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import unquote_to_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from static_helpers import SECRET, raw_request, split_response
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

from clastic import Application
from clastic.static import StaticApplication

# Ways to write "..", encoded once, twice, overlong or padded.
DOTDOTS = [
    "..",
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "%2e.",
    "%252e%252e",
    "%c0%ae%c0%ae",
    "%e0%80%ae%e0%80%ae",
    "%c0%2e%c0%2e",
    "..%00",
    "..%2500",
    "%uff0e%uff0e",
    "%ef%bc%8e%ef%bc%8e",
    "...",
    "..;",
    ". .",
]
# Ways to write "/".
SEPARATORS = ["/", "%2f", "%2F", "\\", "%5c", "%5C", "%252f", "%c0%af", "%e0%80%af", "/./", "//"]
TARGETS = ["secret.txt", "public-evil/secret.txt", "etc/passwd"]

EXTRA = [
    # absolute paths and drive letters
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "%2Fetc/passwd",
    "//etc/passwd",
    "///etc/passwd",
    "C:/Windows/win.ini",
    "C:%5cWindows%5cwin.ini",
    "c:",
    "C%3a%5c..%5csecret.txt",
    "\\\\server\\share\\secret.txt",
    "%5c%5cserver%5cshare",
    "file:///etc/passwd",
    "file:%2f%2f%2fetc%2fpasswd",
    # NUL bytes
    "hello.txt%00",
    "hello.txt%00.png",
    "%00",
    "%00/../secret.txt",
    "..%00/secret.txt",
    "link-out.txt%00",
    # symlinks that leave the root
    "link-out.txt",
    "abs-link.txt",
    "up/secret.txt",
    "up/public-evil/secret.txt",
    "up/up/etc/passwd",
    "evil-dir/secret.txt",
    "etc/passwd",
    "etc/hostname",
    "nested-link/../../secret.txt",
    "sub/escape-index/index.html",
    "loop-a/secret.txt",
    # mixtures
    "sub/../../secret.txt",
    "sub/%2e%2e/%2e%2e/secret.txt",
    "./../secret.txt",
    "sub/./../../public-evil/secret.txt",
    "nested/deep/../../../secret.txt",
    "nested/deep/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
    "..%3f/secret.txt",
    "..%23/secret.txt",
    "%2e%2e%2fsecret.txt%3f",
    "....//....//secret.txt",
    ".../.../secret.txt",
    "..%c0%afsecret.txt",
    "..%c1%9csecret.txt",
    "%2e%2e%5c%2e%2e%5csecret.txt",
    "..%255c..%255csecret.txt",
    "%252e%252e%252fsecret.txt",
    "%25252e%25252e/secret.txt",
    "..%u2215secret.txt",
    "..%e2%88%95secret.txt",
    ".%00./secret.txt",
    "%20../secret.txt",
    "..%20/secret.txt",
    "..%09/secret.txt",
    "..%0d%0a/secret.txt",
    # hidden files and directories (404, as if absent), plainly and encoded
    ".env",
    "%2eenv",
    "%2Eenv",
    ".git/config",
    "%2egit/config",
    ".git%2fconfig",
    ".git/",
    ".git",
    "sub/.htpasswd",
    "sub/%2ehtpasswd",
    "nested-link/../.env",
    ".well-known/.secret",
    ".well-known/../.env",
    "up/public/.env",
    "..%2fpublic%2f.env",
]


def build_corpus() -> list[str]:
    """Return the hostile paths (relative to the /static mount), percent-encoded as sent."""
    corpus = []
    for dotdot, sep, depth, target in itertools.product(DOTDOTS, SEPARATORS, (1, 2, 3), TARGETS[:2]):
        corpus.append(sep.join([dotdot] * depth) + sep + target)
    for dotdot, depth in itertools.product(DOTDOTS, (1, 5)):
        corpus.append("/".join([dotdot] * depth) + "/etc/passwd")
    corpus += EXTRA
    return list(dict.fromkeys(corpus))


CORPUS = build_corpus()


def _forbidden_content(body: bytes) -> bool:
    return SECRET.encode() in body or b"root:" in body


def test_the_corpus_is_large():
    assert len(CORPUS) >= 500


def test_no_hostile_path_escapes_over_http(server):
    statuses = {}
    for path in CORPUS:
        raw = raw_request(
            server.url, b"GET /static/" + path.encode("latin-1") + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        status, _headers, body = split_response(raw)
        assert not _forbidden_content(body), path
        statuses.setdefault(status, []).append(path)
    assert set(statuses) <= {400, 403, 404}, {status: paths[:5] for status, paths in statuses.items()}
    # The traversal attempts proper are refused as such, not merely missed.
    for path in [
        "../secret.txt",
        "%2e%2e/secret.txt",
        "..%2fsecret.txt",
        "..\\secret.txt",
        "link-out.txt",
        "up/secret.txt",
    ]:
        assert path in statuses[403], path
    # Hidden files get the 404 of a missing file, so the answer does not tell they exist.
    for path in [".env", "%2eenv", ".git/config", "%2egit/config", "sub/.htpasswd", ".well-known/.secret"]:
        assert path in statuses[404], path


def _wsgi_get(app: Application, path_info: str) -> tuple[int, bytes]:
    """Call the app with PATH_INFO exactly as given (as a non-decoding server would)."""
    environ = EnvironBuilder(path="/").get_environ()
    environ["PATH_INFO"] = path_info
    environ["REQUEST_URI"] = environ["RAW_URI"] = path_info
    app_iter, status, _headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), b"".join(app_iter)


def test_no_hostile_path_escapes_whatever_the_server_decodes(site):
    app = site.app()
    for path in CORPUS:
        decoded = unquote_to_bytes(path).decode("latin-1")  # what a decoding server puts in PATH_INFO
        for path_info in (f"/static/{path}", f"/static/{decoded}"):
            status, body = _wsgi_get(app, path_info)
            assert status in (400, 403, 404), (path_info, status)
            assert not _forbidden_content(body), path_info


def test_prefix_sibling_directory_is_not_inside_the_root(tmp_path):
    # /x/public and /x/public-evil share a string prefix; only the first is the root.
    (tmp_path / "public").mkdir()
    (tmp_path / "public-evil").mkdir()
    (tmp_path / "public-evil" / "secret.txt").write_text(SECRET)
    os.symlink("../public-evil", tmp_path / "public" / "x")
    client = Client(Application([("/s", StaticApplication(tmp_path / "public"))]))
    response = client.get("/s/x/secret.txt")
    assert response.status_code == 403
    assert SECRET.encode() not in response.get_data()


def test_a_root_that_is_itself_a_symlink_still_serves(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("inside")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    client = Client(Application([("/s", StaticApplication(tmp_path / "alias"))]))
    assert client.get("/s/a.txt").get_data() == b"inside"


def test_file_names_with_backslashes_are_refused_everywhere(tmp_path):
    # On POSIX a backslash is an ordinary character, on Windows a separator: refuse it on both.
    (tmp_path / "a\\b.txt").write_text("backslash")
    client = Client(Application([("/s", StaticApplication(tmp_path))]))
    assert client.get("/s/a%5Cb.txt").status_code == 403


@pytest.mark.parametrize("name", ["c:", "C:secret.txt", "Z:"])
def test_drive_letter_segments_are_refused(tmp_path, name):
    client = Client(Application([("/s", StaticApplication(tmp_path))]))
    assert client.get(f"/s/{name}").status_code == 403


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "..",
                ".",
                "",
                "%2e",
                "%2f",
                "%5c",
                "\\",
                "%00",
                "%c0%ae",
                "secret.txt",
                "public-evil",
                "up",
                "link-out.txt",
                "evil-dir",
                "etc",
                "passwd",
                "hello.txt",
                "sub",
                "nested",
                "nested-link",
                "deep",
                "file.json",
                "%252e",
                "~",
                ".env",
                ".git",
                "config",
                ".well-known",
                ".htpasswd",
                "%2eenv",
            ]
        ),
        max_size=8,
    )
)
def test_any_combination_either_serves_a_file_under_the_root_or_refuses(site, parts):
    app = site.app()
    path = "/".join(parts)
    decoded = unquote_to_bytes(path).decode("latin-1")
    for path_info in (f"/static/{path}", f"/static/{decoded}"):
        status, body = _wsgi_get(app, path_info)
        assert not _forbidden_content(body), path_info
        if status == 200:
            served = {p.read_bytes() for p in site.public.rglob("*") if p.is_file() and not p.is_symlink()}
            assert body in served, path_info
        else:
            assert status in (301, 400, 403, 404), (path_info, status)


def test_windows_rules_refuse_device_names_and_colons(site, monkeypatch):
    # Werkzeug's safe_join refuses DOS device names (CON, NUL, COM1...) when os.name is "nt";
    # colons (alternate data streams) are refused there too.
    client = Client(site.app())
    monkeypatch.setattr(os, "name", "nt")
    try:
        refused = [
            client.get(path).status_code for path in ("/static/CON", "/static/sub/nul.txt", "/static/hello.txt:stream")
        ]
    finally:
        monkeypatch.undo()
    assert refused == [403, 403, 403]
    assert client.get("/static/hello.txt:stream").status_code == 404  # an ordinary (missing) name elsewhere
