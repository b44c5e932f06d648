"""MetaApplication through real Applications: JSON document, mounting, the page, failing peripherals."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

import clastic
from clastic import Application, render_basic
from clastic.meta import DEFAULT_PERIPHERALS, MetaApplication, MetaPeripheral


def home() -> str:
    return "home"


def widget(widget_id: int) -> dict[str, int]:
    return {"id": widget_id}


def test_moved_name_resolves_to_this_distribution() -> None:
    assert clastic.MetaApplication is MetaApplication


def test_json_document_has_the_documented_top_level_keys(meta_get: Any) -> None:
    app = Application([("/", home, render_basic), ("/_meta/", MetaApplication(page_title="Shop"))])
    response = meta_get(app, "/_meta/json/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert sorted(body) == [
        "app",
        "basic",
        "host",
        "page_title",
        "peripheral_errors",
        "proc",
        "pyvm",
        "rusage",
        "script_root",
    ]
    assert body["page_title"] == "Shop"
    assert body["script_root"] == "/_meta"
    assert body["peripheral_errors"] == []
    assert sorted(body["app"]) == ["middlewares", "resources", "routes", "script_root"]
    assert {"start_time", "uptime_seconds", "now"} <= set(body["basic"])
    assert body["basic"]["uptime_seconds"] >= 0
    assert {"hostname", "platform", "cpu_count", "load_avgs", "utc_time"} <= set(body["host"])
    assert {"pid", "ppid", "cwd", "umask_str", "owner", "rlimit"} <= set(body["proc"])
    assert {"cpu_times", "memory", "page_faults", "blocking_io", "ctx_switches"} <= set(body["rusage"])
    assert {"executable", "version", "recursion_limit", "gc", "active_thread_count"} <= set(body["pyvm"])
    assert body["proc"]["pid"] > 0
    assert body["pyvm"]["gc"]["obj_count"] > 0


def test_format_query_parameter_on_the_page(meta_get: Any) -> None:
    app = Application([("/_meta/", MetaApplication())])
    as_json = meta_get(app, "/_meta/?format=json")
    assert as_json.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "routes" in as_json.get_json()["app"]
    bad = meta_get(app, "/_meta/?format=xml")
    assert bad.status_code == 400
    assert "unsupported format 'xml' in ?format=; use one of ['html', 'json']" in bad.text


def test_mounted_under_any_prefix(meta_get: Any) -> None:
    app = Application([("/", home, render_basic), ("/admin/inspect/", MetaApplication())])
    body = meta_get(app, "/admin/inspect/json/").get_json()
    assert body["script_root"] == "/admin/inspect"
    assert [r["pattern"] for r in body["app"]["routes"]] == ["/", "/admin/inspect/", "/admin/inspect/json/"]
    page = meta_get(app, "/admin/inspect/")
    assert page.status_code == 200
    assert 'href="/admin/inspect/json/"' in page.text
    redirect = meta_get(app, "/admin/inspect")
    assert redirect.status_code == 302
    assert redirect.headers["Location"].endswith("/admin/inspect/")


def test_nested_sub_applications_introspect_the_dispatching_application(meta_get: Any) -> None:
    inner = Application([("/widgets/<widget_id:int>", widget, render_basic), ("/_meta/", MetaApplication())])
    middle = Application([("/v1", inner)], resources={"region": "eu-west"})
    outer = Application([("/", home, render_basic), ("/api", middle)], resources={"db_host": "db.local"})
    response = meta_get(outer, "/api/v1/_meta/json/")
    assert response.status_code == 200
    body = response.get_json()
    assert body["script_root"] == "/api/v1/_meta"
    assert [r["pattern"] for r in body["app"]["routes"]] == [
        "/",
        "/api/v1/widgets/<widget_id:int>",
        "/api/v1/_meta/",
        "/api/v1/_meta/json/",
    ]
    # The dispatching (outermost) Application's resources, not the embedded ones'.
    assert [r["key"] for r in body["app"]["resources"]] == ["db_host"]
    widget_route = body["app"]["routes"][1]
    assert widget_route["endpoint"]["name"] == "widget"
    assert widget_route["args"] == [{"name": "widget_id", "source": "url", "provider": None}]
    assert widget_route["route_resources"] == ["region"]
    page = meta_get(outer, "/api/v1/_meta/")
    assert page.status_code == 200
    assert 'href="/api/v1/_meta/json/"' in page.text
    assert meta_get(outer, "/api/v1/_meta/", remote_addr="10.1.1.1").status_code == 403


def test_a_standalone_meta_application_describes_itself(meta_get: Any) -> None:
    meta = MetaApplication()
    body = meta_get(meta, "/json/").get_json()
    assert body["script_root"] == ""
    assert [r["pattern"] for r in body["app"]["routes"]] == ["/", "/json/"]
    assert [r["endpoint"]["name"] for r in body["app"]["routes"]] == ["get_page", "get_json"]


class ExplodingPeripheral(MetaPeripheral):
    title = "Exploding"
    group_key = "exploding"

    def get_context(self) -> dict[str, Any]:
        raise RuntimeError("the queue server is down")


class BadRenderPeripheral(MetaPeripheral):
    title = "Bad render"
    group_key = "badrender"

    def get_context(self) -> dict[str, Any]:
        return {"jobs": 3}

    def render_html(self, context: Any) -> str:
        raise KeyError("missing-template")


class ListPeripheral(MetaPeripheral):
    title = "Wrong type"
    group_key = "wrongtype"

    def get_context(self) -> Any:
        return [1, 2, 3]


class BadItemsPeripheral(MetaPeripheral):
    title = "Bad items"
    group_key = "baditems"

    def get_context(self) -> dict[str, Any]:
        return {"ok": True}

    def get_general_items(self, context: Any) -> list[tuple[str, str]]:
        raise ValueError("no items")


def test_a_failing_peripheral_shows_its_error_in_its_own_section(
    meta_get: Any, caplog: pytest.LogCaptureFixture
) -> None:
    meta = MetaApplication(peripherals=[ExplodingPeripheral, BadRenderPeripheral(), ListPeripheral, BadItemsPeripheral])
    app = Application([("/", home, render_basic), ("/_meta/", meta)])
    with caplog.at_level(logging.ERROR, logger="clastic.meta"):
        page = meta_get(app, "/_meta/")
    assert page.status_code == 200
    text = page.text
    exploding = re.search(r'<details class="section failed" id="section-exploding".*?</details>', text, re.S)
    assert exploding is not None
    assert "RuntimeError: the queue server is down" in exploding.group(0)
    assert re.search(r'id="section-bad-render".*?KeyError: &#x27;missing-template&#x27;', text, re.S)
    assert "TypeError: get_context() returned list, expected a dict" in text
    assert "3 section(s) failed to load: Exploding, Bad render, Wrong type." in text
    # The other sections are intact.
    assert 'id="route-table"' in text
    assert 'id="section-bad-items"' in text
    assert "/_meta/json/" in text
    failures = [r for r in caplog.records if r.name == "clastic.meta"]
    assert {r.getMessage().split(" failed")[0] for r in failures if r.exc_info} >= {
        "meta peripheral 'Exploding' (peripherals)",
        "meta peripheral 'Bad render' (peripherals)",
        "meta peripheral 'Bad items' (peripherals)",
    }

    body = meta_get(app, "/_meta/json/").get_json()
    assert body["peripheral_errors"] == [
        {"title": "Exploding", "group_key": "exploding", "error": "RuntimeError: the queue server is down"},
        {
            "title": "Wrong type",
            "group_key": "wrongtype",
            "error": "TypeError: get_context() returned list, expected a dict",
        },
    ]
    assert body["exploding"] == {}
    assert body["badrender"] == {"jobs": 3}
    assert body["app"]["routes"]


def test_peripheral_errors_are_scrubbed(meta_get: Any) -> None:
    class Leaky(MetaPeripheral):
        title = "Leaky"
        group_key = "leaky"

        def get_context(self) -> dict[str, Any]:
            raise ConnectionError("cannot reach redis://:pw-0042-kilo@cache:6379/0 with password=pw-0042-kilo")

    app = Application([("/_meta/", MetaApplication(peripherals=[Leaky]))])
    assert "pw-0042-kilo" not in meta_get(app, "/_meta/").text
    errors = meta_get(app, "/_meta/json/").get_json()["peripheral_errors"]
    assert (
        errors[0]["error"] == "ConnectionError: cannot reach redis://:[REDACTED]@cache:6379/0 with password=[REDACTED]"
    )


def test_contexts_of_one_group_are_merged(meta_get: Any) -> None:
    class Extra(MetaPeripheral):
        title = "Feature flags"
        group_key = "app"

        def get_context(self, _application: Application) -> dict[str, Any]:
            return {"flags": {"new_checkout": True}, "route_count": len(_application.routes)}

    app = Application([("/", home, render_basic), ("/_meta/", MetaApplication(peripherals=[Extra()]))])
    group = meta_get(app, "/_meta/json/").get_json()["app"]
    assert group["flags"] == {"new_checkout": True}
    assert group["route_count"] == 3
    assert len(group["routes"]) == 3


def test_base_peripherals_can_be_chosen(meta_get: Any) -> None:
    from clastic.meta import RoutePeripheral

    app = Application([("/_meta/", MetaApplication(base_peripherals=[RoutePeripheral], use_plugins=False))])
    body = meta_get(app, "/_meta/json/").get_json()
    assert sorted(body) == ["app", "page_title", "peripheral_errors", "script_root"]
    assert len(DEFAULT_PERIPHERALS) == 8


def test_extra_routes_of_a_peripheral_are_served_behind_the_access_rule(meta_get: Any) -> None:
    class Profiler(MetaPeripheral):
        title = "Profiler"
        group_key = "profiler"

        def get_extra_routes(self) -> list[Any]:
            return [("/profiler/", lambda: "profile data", render_basic)]

    app = Application([("/_meta/", MetaApplication(peripherals=[Profiler]))])
    assert meta_get(app, "/_meta/profiler/").text == "profile data"
    assert meta_get(app, "/_meta/profiler/", remote_addr="10.9.9.9").status_code == 403


def test_page_is_self_contained_and_escaped(meta_get: Any) -> None:
    class Shouty(MetaPeripheral):
        title = "<b>Shouty</b>"
        group_key = "shouty"

        def get_context(self) -> dict[str, Any]:
            return {"note": "<script>alert(1)</script>"}

    app = Application(
        [("/", home, render_basic), ("/_meta/", MetaApplication(peripherals=[Shouty], page_title="A & B <Shop>"))],
        resources={"banner": "<img src=x onerror=alert(2)>"},
    )
    response = meta_get(app, "/_meta/")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    text = response.text
    assert "<title>A &amp; B &lt;Shop&gt; · meta</title>" in text
    assert "&lt;b&gt;Shouty&lt;/b&gt;" in text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x" not in text
    # No external assets: nothing is loaded from another origin.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', text)
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<script nonce="{nonce}">' in text
    assert text.count("<script") == 1
    assert "default-src 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert "<details class=\"section\" id=\"section-routes\" open>" in text


def test_page_lists_every_route_in_the_searchable_table(meta_get: Any) -> None:
    app = Application(
        [("/", home, render_basic), ("/widgets/<widget_id:int>", widget, render_basic), ("/_meta/", MetaApplication())]
    )
    text = meta_get(app, "/_meta/").text
    rows = re.findall(r'<tr class="route[^"]*" data-search="([^"]*)">', text)
    assert len(rows) == 4
    assert "/widgets/<widget_id:int>" in rows[1].replace("&lt;", "<").replace("&gt;", ">")
    assert "widget_id" in rows[1]
    assert 'id="route-filter"' in text
    assert '<span id="route-count" class="count" data-total="4" aria-live="polite">4 routes</span>' in text
