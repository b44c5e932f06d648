"""The tutorials' templates, copied unchanged from the documents, render as described.

The time zone convertor (``home.html`` with the ``{@eq}`` helper,
``show_time.html``, and the final ``home.html`` with its script) and the
Erosion link shortener (``home.html``, and with the notice markup of the
cookies section). The apps follow the tutorials' code, served on 127.0.0.1.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import datetime
from zoneinfo import ZoneInfo

from render_helpers import TEMPLATES, fetch

from clastic import POST, Application, render_json
from clastic.render import AshesRenderFactory
from clastic.testing import LiveServer

ZONES = ["Africa/Abidjan", "America/North_Dakota/New_Salem", "Australia/Tasmania", "UTC"]


def get_location(zone: str) -> str:
    return zone.split("/")[-1].replace("_", " ")


def get_all_time_zones() -> list[dict[str, str]]:
    entries = {get_location(zone): zone for zone in ZONES}
    return [{"location": location, "zone": entries[location]} for location in sorted(entries.keys())]


def tzconvert_app(
    template_dir: str, default_dst: str = "UTC", *, show_render: object = "show_time.html"
) -> Application:
    def home() -> dict[str, object]:
        return {
            "zones": get_all_time_zones(),
            "default_src": "UTC",
            "default_dst": default_dst,
            "now": "2020-04-01T10:28",
        }

    def show_time(request) -> dict[str, object]:  # type: ignore[no-untyped-def]
        dt = request.values.get("dt")
        dt_naive = datetime.fromisoformat(dt)
        src = request.values.get("src")
        dst = request.values.get("dst")
        dst_dt = dt_naive.replace(tzinfo=ZoneInfo(src)).astimezone(ZoneInfo(dst))
        return {
            "src_dt": {"text": dt_naive.ctime(), "value": dt},
            "dst_dt": {"text": dst_dt.ctime(), "value": dst_dt.strftime("%Y-%m-%dT%H:%M")},
            "src_location": get_location(src),
            "dst_location": get_location(dst),
        }

    routes = [("/", home, "home.html"), POST("/show", show_time, show_render)]
    render_factory = AshesRenderFactory(template_dir)
    return Application(routes, render_factory=render_factory)


def options(select_html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), label)
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select_html)
    ]


def select_block(text: str, name: str) -> str:
    match = re.search(rf'<select name="{name}" id="{name}">(.*?)</select>', text, re.DOTALL)
    assert match, f"no <select name={name!r}> in the page"
    return match.group(1)


def assert_no_template_tags(text: str) -> None:
    leftovers = re.findall(r"\{[#/?@:^>~]?[a-zA-Z_.][\w.]*[^}\n]*\}", text)
    assert not leftovers, f"unrendered template tags: {leftovers}"


def test_tzconvert_home_marks_the_default_zones_with_the_eq_helper() -> None:
    app = tzconvert_app(str(TEMPLATES / "tzconvert"), default_dst="Tasmania")
    with LiveServer(app) as server:
        page = fetch(server.url, "/")
    assert page.status == 200
    assert page.content_type == "text/html; charset=utf-8"
    assert '<input type="datetime-local" name="dt" value="2020-04-01T10:28" required>' in page.text
    expected_labels = ["Abidjan", "New Salem", "Tasmania", "UTC"]
    src = options(select_block(page.text, "src"))
    dst = options(select_block(page.text, "dst"))
    assert [label for _, _, label in src] == expected_labels
    assert [value for value, _, _ in src] == [
        "Africa/Abidjan",
        "America/North_Dakota/New_Salem",
        "Australia/Tasmania",
        "UTC",
    ]
    assert [label for _, selected, label in src if selected] == ["UTC"]
    assert [label for _, selected, label in dst if selected] == ["Tasmania"]
    assert_no_template_tags(page.text)


def test_tzconvert_show_time_renders_the_posted_conversion() -> None:
    app = tzconvert_app(str(TEMPLATES / "tzconvert"))
    form = urllib.parse.urlencode({"dt": "2020-04-01T10:28", "src": "Australia/Tasmania", "dst": "Africa/Abidjan"})
    with LiveServer(app) as server:
        page = fetch(server.url, "/show", data=form.encode())
    assert page.status == 200
    text = page.text
    assert "When it's <time datetime=\"2020-04-01T10:28\">Wed Apr  1 10:28:00 2020</time>\nin Tasmania,<br>" in text
    assert "it's <time datetime=\"2020-03-31T23:28\">Tue Mar 31 23:28:00 2020</time>\nin Abidjan." in text
    assert_no_template_tags(text)


def test_tzconvert_final_home_keeps_its_script_and_stylesheet() -> None:
    template = (TEMPLATES / "tzconvert_json" / "home.html").read_text()
    # The last part of the tutorial answers /show with render_json.
    app = tzconvert_app(str(TEMPLATES / "tzconvert_json"), show_render=render_json)
    with LiveServer(app) as server:
        page = fetch(server.url, "/")
    assert page.status == 200
    script = template[template.index("<script>") : template.index("</script>")]
    assert script in page.text  # braces of the JavaScript are not template tags
    assert '<link rel="stylesheet" href="/static/custom.css">' in page.text
    assert [label for _, selected, label in options(select_block(page.text, "dst")) if selected] == ["UTC"]
    assert '<form action="." method="POST" onsubmit="showResult(event, this)">' in page.text
    assert_no_template_tags(page.text)


class LinkDB:
    """The tutorial's storage, in memory: entries are a dict's values."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, object]] = {}

    def add_link(self, target_url: str, alias: str, expiry_time: int = 0, max_count: int = 0) -> dict[str, object]:
        entry = {"target": target_url, "alias": alias, "expires": 0, "max_count": max_count, "count": 0}
        self.entries[alias] = entry
        return entry

    def get_links(self):  # type: ignore[no-untyped-def]
        return self.entries.values()


def erosion_app(template_dir: str, db: LinkDB, new_entry_alias: str | None = None) -> Application:
    def home(host_url: str, db: LinkDB) -> dict[str, object]:
        entries = db.get_links()
        return {"host_url": host_url, "entries": entries, "new_entry_alias": new_entry_alias}

    routes = [("/", home, "home.html")]
    resources = {"host_url": "http://localhost:5000/", "db": db}
    render_factory = AshesRenderFactory(template_dir)
    return Application(routes, resources=resources, render_factory=render_factory)


def test_erosion_home_without_entries_shows_only_the_form() -> None:
    app = erosion_app(str(TEMPLATES / "erosion"), LinkDB())
    with LiveServer(app) as server:
        page = fetch(server.url, "/")
    assert page.status == 200
    assert '<span class="input-prefix">http://localhost:5000/</span>' in page.text
    assert '<form method="POST" action="/submit" class="new">' in page.text
    assert "Recorded URLs" not in page.text
    assert_no_template_tags(page.text)


def test_erosion_home_lists_entries_with_targets_escaped() -> None:
    db = LinkDB()
    db.add_link("https://example.com/?q=1&r=2", "abc", max_count=3)
    db.add_link("https://example.org/<b>", "xyz")
    app = erosion_app(str(TEMPLATES / "erosion"), db)
    with LiveServer(app) as server:
        page = fetch(server.url, "/")
    text = page.text
    assert "<h2>Recorded URLs</h2>" in text
    assert (
        '<a href="http://localhost:5000/abc">http://localhost:5000/abc</a> » https://example.com/?q=1&amp;r=2 -' in text
    )
    assert '<span class="click-count"> (0 / 3 clicks)</span>' in text
    assert "https://example.org/&lt;b&gt;" in text and "<b>" not in text
    assert text.index("/abc") < text.index("/xyz")  # in the order stored
    assert_no_template_tags(text)


def test_erosion_notice_appears_only_after_a_new_entry() -> None:
    db = LinkDB()
    with_notice = erosion_app(str(TEMPLATES / "erosion_notice"), db, new_entry_alias="fresh")
    without = erosion_app(str(TEMPLATES / "erosion_notice"), db)
    with LiveServer(with_notice) as server:
        page = fetch(server.url, "/")
    assert 'Successfully created <a href="http://localhost:5000/fresh">http://localhost:5000/fresh</a>.' in page.text
    assert '<p class="message">' not in without.get_local_client().get("/").text
