"""Fixtures for clastic-static: a directory tree with secrets around it, and live servers."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest
from static_helpers import APP_JS, BINARY, SECRET

from clastic import Application
from clastic.static import StaticApplication
from clastic.testing import LiveServer


@dataclass
class Site:
    """Paths of the test tree."""

    base: Path
    public: Path
    public2: Path

    def app(self, **kwargs: object) -> Application:
        """The tutorial's shape: a StaticApplication mounted at /static."""
        return Application([("/static", StaticApplication(str(self.public), **kwargs))])


def build_site(base: Path) -> Site:
    """Write the tree used by most tests.

    base/secret.txt, base/public-evil/secret.txt   files that must never be served
    base/public/                                   the served root
    base/public2/                                  a second search path
    base/public/.env, .git/, sub/.htpasswd         hidden files, never served by default
    """
    (base / "secret.txt").write_text(SECRET + "\n")
    evil = base / "public-evil"
    evil.mkdir()
    (evil / "secret.txt").write_text(SECRET + " (sibling directory)\n")

    public = base / "public"
    public.mkdir()
    (public / "hello.txt").write_text("hello, world\n")
    (public / "style.css").write_text("body { color: #333; }\n")
    (public / "café.txt").write_text("crème brûlée\n")
    (public / "app.js").write_bytes(APP_JS)
    (public / "app.js.br").write_bytes(brotli.compress(APP_JS))
    (public / "app.js.gz").write_bytes(gzip.compress(APP_JS, mtime=0))
    (public / "only-gz.css").write_text("p { margin: 0; }\n")
    (public / "only-gz.css.gz").write_bytes(gzip.compress(b"p { margin: 0; }\n", mtime=0))
    (public / "archive.tar.gz").write_bytes(gzip.compress(b"not really a tar", mtime=0))
    (public / "data.bin").write_bytes(BINARY)
    (public / "README").write_text("Plain text without an extension.\nSecond line.\n")
    (public / "blob").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(200))
    (public / "empty.txt").write_bytes(b"")
    (public / "sub").mkdir()
    (public / "sub" / "index.html").write_text("<!doctype html><title>sub</title>\n")
    (public / "sub" / "page.html").write_text("<!doctype html><title>page</title>\n")
    (public / "nested").mkdir()
    (public / "nested" / "deep").mkdir()
    (public / "nested" / "deep" / "file.json").write_text('{"deep": true}\n')
    (public / "noindex").mkdir()
    (public / "noindex" / "other.txt").write_text("other\n")
    os.mkfifo(public / "fifo")
    # Hidden files a deployment leaves behind: never served (404, as if absent) unless serve_hidden=True.
    (public / ".env").write_text(f"DATABASE_PASSWORD={SECRET}\n")
    (public / ".git").mkdir()
    (public / ".git" / "config").write_text(f"[remote]\n  url = https://{SECRET}@example.com/repo.git\n")
    (public / ".git" / "index.html").write_text(SECRET)
    (public / "sub" / ".htpasswd").write_text(f"admin:{SECRET}\n")
    # RFC 8615's well-known URIs are served (ACME challenges, security.txt); hidden names under it are not.
    (public / ".well-known").mkdir()
    (public / ".well-known" / "security.txt").write_text("Contact: mailto:security@example.com\n")
    (public / ".well-known" / ".secret").write_text(SECRET)

    # Symlinks: some lead out of the root, some stay inside.
    os.symlink("../secret.txt", public / "link-out.txt")
    os.symlink(base / "secret.txt", public / "abs-link.txt")
    os.symlink("..", public / "up")
    os.symlink("../public-evil", public / "evil-dir")
    os.symlink("/etc", public / "etc")
    os.symlink("hello.txt", public / "link-in.txt")
    os.symlink("nested", public / "nested-link")
    os.symlink("loop-b", public / "loop-a")
    os.symlink("loop-a", public / "loop-b")
    (public / "sub" / "escape-index").mkdir()
    os.symlink(base / "secret.txt", public / "sub" / "escape-index" / "index.html")
    os.symlink(base / "secret.txt", public / "hello.txt.br")  # a precompressed "sibling" that escapes

    public2 = base / "public2"
    public2.mkdir()
    (public2 / "hello.txt").write_text("shadowed hello\n")
    (public2 / "only2.txt").write_text("only in the second search path\n")
    (public2 / "noindex").mkdir()
    (public2 / "noindex" / "index.html").write_text("<p>index from public2</p>\n")
    return Site(base, public, public2)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The shared, read-only test tree."""
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[LiveServer]:
    """The tutorial's app (StaticApplication at /static) on 127.0.0.1."""
    with LiveServer(site.app()) as live:
        yield live
