"""Peripherals: the protocol third parties implement, entry-point discovery, build-time checks."""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from clastic import Application, UnresolvedArgumentError, render_basic
from clastic.meta import MetaApplication, MetaPeripheral
from clastic.plugins import META_PERIPHERALS_GROUP, MetaPeripheralPlugin


class WeatherPeripheral:
    """A peripheral written against clastic-core alone: no MetaPeripheral base class."""

    title = "Weather"
    group_key = "weather"

    def get_context(self, request: Any, script_root: str) -> dict[str, Any]:
        return {"forecast": "sunny", "asked_for": request.path, "mounted_at": script_root}

    def render_html(self, context: Any) -> str:
        return f'<p class="weather">Forecast: {context["forecast"]}</p>'


def test_a_protocol_object_is_a_peripheral(meta_get: Any) -> None:
    weather = WeatherPeripheral()
    assert isinstance(weather, MetaPeripheralPlugin)
    assert not isinstance(weather, MetaPeripheral)
    app = Application([("/", lambda: "home", render_basic), ("/ops/meta/", MetaApplication(peripherals=[weather]))])
    body = meta_get(app, "/ops/meta/json/").get_json()
    assert body["weather"] == {"forecast": "sunny", "asked_for": "/ops/meta/json/", "mounted_at": "/ops/meta"}
    page = meta_get(app, "/ops/meta/").text
    assert '<details class="section" id="section-weather" open>' in page
    assert '<p class="weather">Forecast: sunny</p>' in page
    assert '<a href="#section-weather" class="ok">Weather</a>' in page


def test_get_context_receives_every_injectable(meta_get: Any) -> None:
    seen: dict[str, Any] = {}

    class Everything(MetaPeripheral):
        title = "Everything"
        group_key = "everything"

        def get_context(
            self,
            request: Any,
            _application: Any,
            _route: Any,
            _dispatch_state: Any,
            _meta_application: Any,
            script_root: str,
        ) -> dict[str, Any]:
            seen.update(request=request, app=_application, route=_route, state=_dispatch_state, meta=_meta_application)
            return {"root": script_root}

    meta = MetaApplication(peripherals=[Everything])
    outer = Application([("/m", meta)])
    assert meta_get(outer, "/m/json/").get_json()["everything"] == {"root": "/m"}
    assert seen["app"] is outer
    assert seen["meta"] is meta
    assert seen["route"].pattern == "/m/json/"
    assert seen["request"].path == "/m/json/"
    assert seen["state"] is not None


def test_keyword_catch_all_receives_everything(meta_get: Any) -> None:
    class Loose:
        title = "Loose"
        group_key = "loose"

        def get_context(self, **kwargs: Any) -> dict[str, Any]:
            return {"names": sorted(kwargs)}

        def render_html(self, context: Any) -> str:
            return ""

    app = Application([("/_meta/", MetaApplication(peripherals=[Loose]))])
    assert meta_get(app, "/_meta/json/").get_json()["loose"]["names"] == [
        "_application",
        "_dispatch_state",
        "_meta_application",
        "_route",
        "request",
        "script_root",
    ]


def test_an_unknown_argument_fails_when_the_app_is_built() -> None:
    class Typo(MetaPeripheral):
        title = "Typo"

        def get_context(self, _aplication: Any) -> dict[str, Any]:
            return {}

    with pytest.raises(
        UnresolvedArgumentError,
        match=r"meta peripheral .*Typo.get_context\(\) \(peripherals\) needs '_aplication', which the meta application "
        r"does not provide \(available: .*\)\. Did you mean '_application'\?",
    ):
        MetaApplication(peripherals=[Typo])


def test_an_object_missing_parts_of_the_protocol_is_refused() -> None:
    class Half:
        title = "Half"

        def get_context(self) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match=r"\(peripherals\) is missing group_key \(a string\), render_html\(\)"):
        MetaApplication(peripherals=[Half()])


def test_a_reserved_group_key_is_refused() -> None:
    class Clash(MetaPeripheral):
        title = "Clash"
        group_key = "page_title"

    with pytest.raises(ValueError, match=r"has group_key 'page_title', which is empty or reserved"):
        MetaApplication(peripherals=[Clash])


def test_a_class_that_needs_arguments_is_refused() -> None:
    class NeedsConfig(MetaPeripheral):
        def __init__(self, url: str) -> None:
            self.url = url

    with pytest.raises(TypeError, match=r"NeedsConfig \(peripherals\) could not be created without arguments"):
        MetaApplication(peripherals=[NeedsConfig])


def test_positional_only_arguments_are_refused() -> None:
    class Positional(MetaPeripheral):
        def get_context(self, request: Any, /) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match=r"takes 'request' as positional-only"):
        MetaApplication(peripherals=[Positional])


# -- entry points ---------------------------------------------------------------------


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str, str], None]]:
    """Install a fake third-party distribution (module + dist-info with entry points) on sys.path."""
    modules: list[str] = []

    def install(dist: str, module: str, source: str, entry_points: str = "") -> None:
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = tmp_path / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[{META_PERIPHERALS_GROUP}]\n{entry_points}\n", encoding="utf-8")
        modules.append(module)

    monkeypatch.syspath_prepend(str(tmp_path))
    yield install
    for module in modules:
        sys.modules.pop(module, None)


DISK_PLUGIN = """
    import shutil


    class DiskPeripheral:
        title = "Disk"
        group_key = "disk"

        def get_context(self, _application):
            usage = shutil.disk_usage("/")
            return {"total": usage.total, "routes_seen": len(_application.routes)}

        def render_html(self, context):
            return '<p class="disk">total bytes: %d</p>' % context["total"]
"""


def test_peripherals_registered_as_entry_points_are_loaded(meta_get: Any, install_plugin: Any) -> None:
    install_plugin("clastic-disk", "clastic_disk_meta", DISK_PLUGIN, "disk = clastic_disk_meta:DiskPeripheral")
    app = Application([("/_meta/", MetaApplication())])
    body = meta_get(app, "/_meta/json/").get_json()
    assert body["disk"]["routes_seen"] == 2
    assert body["disk"]["total"] > 0
    assert '<p class="disk">total bytes: ' in meta_get(app, "/_meta/").text

    without = Application([("/_meta/", MetaApplication(use_plugins=False))])
    assert "disk" not in meta_get(without, "/_meta/json/").get_json()


def test_a_plugin_given_explicitly_is_not_loaded_twice(meta_get: Any, install_plugin: Any) -> None:
    install_plugin("clastic-disk2", "clastic_disk_meta2", DISK_PLUGIN, "disk = clastic_disk_meta2:DiskPeripheral")
    import clastic_disk_meta2  # type: ignore[import-not-found]  # written by the fixture

    meta = MetaApplication(peripherals=[clastic_disk_meta2.DiskPeripheral()])
    assert [p.title for p in meta.peripherals].count("Disk") == 1


def test_a_broken_plugin_is_logged_and_skipped(
    meta_get: Any, install_plugin: Any, caplog: pytest.LogCaptureFixture
) -> None:
    install_plugin(
        "clastic-broken",
        "clastic_broken_meta",
        """
        class Broken:
            title = "Broken"
            group_key = "broken"

            def get_context(self):
                return {}
        """,
        "broken = clastic_broken_meta:Broken\nmissing = clastic_broken_meta:DoesNotExist",
    )
    with caplog.at_level(logging.WARNING):
        meta = MetaApplication()
    assert "Broken" not in [p.title for p in meta.peripherals]
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        m.startswith("skipping the meta peripheral from entry point 'broken' = 'clastic_broken_meta:Broken'")
        for m in messages
    )
    assert any("skipping clastic.meta_peripherals plugin 'missing'" in m for m in messages)
    app = Application([("/_meta/", meta)])
    assert meta_get(app, "/_meta/").status_code == 200
