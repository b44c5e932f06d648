"""Content types: by extension with a charset for text, sniffed for unknown extensions."""

from __future__ import annotations

import pytest
from static_helpers import fetch

from clastic import Application
from clastic.static import StaticApplication


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/hello.txt", "text/plain; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/sub/page.html", "text/html; charset=utf-8"),
        ("/static/nested/deep/file.json", "application/json"),
        ("/static/data.bin", "application/octet-stream"),
        # Asked for by its own name, a .gz file is a gzip file, not gzip-encoded text.
        ("/static/archive.tar.gz", "application/gzip"),
        ("/static/app.js.gz", "application/gzip"),
    ],
)
def test_content_type_by_extension(server, path, content_type):
    reply = fetch(server.url, path)
    assert reply.status == 200
    assert reply.header("Content-Type") == content_type
    assert reply.header("Content-Encoding") is None


def test_javascript_gets_a_charset(server):
    # The registered type varies with the system's mime.types; the charset must not.
    content_type = fetch(server.url, "/static/app.js").header("Content-Type")
    assert content_type in ("text/javascript; charset=utf-8", "application/javascript; charset=utf-8")


def test_unknown_extension_is_sniffed_as_text_or_binary(server):
    readme = fetch(server.url, "/static/README")
    blob = fetch(server.url, "/static/blob")
    assert readme.header("Content-Type") == "text/plain; charset=utf-8"
    assert readme.body == b"Plain text without an extension.\nSecond line.\n"
    assert blob.header("Content-Type") == "application/octet-stream"


def test_default_types_for_unknown_extensions_are_configurable(site):
    app = Application(
        [
            (
                "/static",
                StaticApplication(
                    site.public, default_text_mime="text/markdown", default_binary_mime="application/x-thing"
                ),
            )
        ]
    )
    client = app.get_local_client()
    assert client.get("/static/README").headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert client.get("/static/blob").headers["Content-Type"] == "application/x-thing"
    assert client.get("/static/hello.txt").headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"", "text/plain; charset=utf-8"),
        ("naïve café ".encode() * 300, "text/plain; charset=utf-8"),
        # A multi-byte character cut at the end of the sniffed sample is still text.
        (b"a" * 2047 + "é".encode() + b"tail", "text/plain; charset=utf-8"),
        ("naïve café".encode("latin-1"), "application/octet-stream"),  # not UTF-8: not announced as UTF-8 text
        (b"\x01\x02\x03\x04 mostly control bytes \x05\x06\x07\x0e\x0f\x10\x11", "application/octet-stream"),
        (b"GIF89a\x01\x00\x01\x00\x00\xff\x00", "application/octet-stream"),
        (b"line one\r\n\tindented\r\n\x1b[1mbold\x1b[0m\r\n", "text/plain; charset=utf-8"),
    ],
)
def test_sniffing_decides_on_the_first_bytes(tmp_path, content, content_type):
    (tmp_path / "unknown").write_bytes(content)
    response = Application([("/s", StaticApplication(tmp_path))]).get_local_client().get("/s/unknown")
    assert response.headers["Content-Type"] == content_type
    assert response.data == content
