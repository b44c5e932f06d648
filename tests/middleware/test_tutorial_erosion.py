"""The Erosion tutorial's middleware code, unchanged, over real HTTP.

The tutorial renders ``home.html`` with Ashes; that belongs to clastic-render,
so this app renders the same context with ``render_basic`` (JSON). Everything
about the middlewares is written as the tutorial writes it.
"""

import configparser
import json
import time
from http import HTTPStatus

from middleware_helpers import Browser

from clastic import GET, POST, Application, redirect, render_basic
from clastic.errors import NotFound
from clastic.middleware.cookie import SignedCookieMiddleware
from clastic.middleware.form import PostDataMiddleware
from clastic.testing import LiveServer


class LinkDB:
    """The tutorial's storage, in memory."""

    def __init__(self):
        self.entries = {}
        self.last_id = 41660

    def add_link(self, target_url, alias=None, expiry_time=0, max_count=0):
        if not alias:
            self.last_id += 1
            alias = format(self.last_id, "x")
        now = time.time()
        entry = {"target": target_url, "alias": alias, "expires": now + expiry_time if expiry_time else 0,
                 "max_count": max_count or 0, "count": 0}  # fmt: skip
        self.entries[alias] = entry
        return entry

    def get_links(self):
        return list(self.entries.values())

    def use_link(self, alias):
        entry = self.entries.get(alias)
        if entry is not None:
            entry["count"] += 1
        return entry


def home(host_url, db, cookie):
    entries = db.get_links()
    new_entry_alias = cookie.pop("new_entry_alias", None)
    return {
        "host_url": host_url,
        "entries": entries,
        "new_entry_alias": new_entry_alias,
    }


def add_entry(db, cookie, target_url, new_alias, expiry_time, max_count):
    entry = db.add_link(  # noqa: F841 - unused, as in the tutorial
        alias=new_alias,
        target_url=target_url,
        expiry_time=expiry_time,
        max_count=max_count,
    )
    cookie["new_entry_alias"] = new_alias
    return redirect("/", code=HTTPStatus.SEE_OTHER)


def use_entry(alias, db):
    entry = db.use_link(alias)
    if entry is None:
        return NotFound()
    return redirect(entry["target"], code=HTTPStatus.MOVED_PERMANENTLY)


def create_app(config_path):
    config = configparser.ConfigParser()
    config.read(config_path)
    host_url = config["erosion"]["host_url"].rstrip("/") + "/"
    resources = {"host_url": host_url, "db": LinkDB()}
    new_link_mw = PostDataMiddleware({"target_url": str, "new_alias": str, "expiry_time": int, "max_count": int})
    routes = [
        ("/", home, render_basic),
        POST("/submit", add_entry, middlewares=[new_link_mw]),
        GET("/<alias>", use_entry),
    ]
    cookie_secret = config["erosion"]["cookie_secret"]
    cookie_mw = SignedCookieMiddleware(secret_key=cookie_secret)
    return Application(
        routes,
        resources=resources,
        middlewares=[cookie_mw],
    )


def test_erosion_middlewares_over_http(tmp_path):
    ini = tmp_path / "erosion.ini"
    ini.write_text("[erosion]\nhost_url = http://localhost:5000\ncookie_secret = s3cr3t-from-the-ini\n")
    browser = Browser()
    with LiveServer(create_app(str(ini))) as server:
        form = {
            "target_url": "https://example.com/a/long/path",
            "new_alias": "ex",
            "expiry_time": "3600",
            "max_count": "5",
        }
        status, headers, _ = browser.post_form(server.port, "/submit", form)
        assert status == 303 and headers["Location"].endswith("/")
        assert "clastic_cookie" in browser.cookies

        status, _, body = browser.get(server.port, "/")
        page = json.loads(body)
        assert status == 200 and page["new_entry_alias"] == "ex"
        [entry] = page["entries"]
        assert entry["target"] == "https://example.com/a/long/path" and entry["max_count"] == 5
        assert entry["expires"] > time.time() + 3500  # expiry_time arrived as an int

        # The notice is shown once: home() popped it and the cookie was rewritten.
        status, _, body = browser.get(server.port, "/")
        assert json.loads(body)["new_entry_alias"] is None

        status, headers, _ = browser.get(server.port, "/ex")
        assert status == 301 and headers["Location"] == "https://example.com/a/long/path"
        assert browser.get(server.port, "/nope")[0] == 404


def test_erosion_form_left_blank_gives_none_not_an_error(tmp_path):
    ini = tmp_path / "erosion.ini"
    ini.write_text("[erosion]\nhost_url = http://localhost:5000/\ncookie_secret = k\n")
    browser = Browser()
    with LiveServer(create_app(str(ini))) as server:
        form = {"target_url": "https://example.com", "new_alias": "", "expiry_time": "", "max_count": ""}
        status, _, _ = browser.post_form(server.port, "/submit", form)
        assert status == 303
        [entry] = json.loads(browser.get(server.port, "/")[2])["entries"]
        assert entry["expires"] == 0 and entry["max_count"] == 0 and entry["alias"] == format(41661, "x")
