"""Clastic 26 names of clastic.meta: constants, info functions, re-exports, template peripherals, page hooks."""

from __future__ import annotations

import gc
import importlib.util
import os
import socket
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path
from typing import Any

import pytest

import clastic
import clastic.middleware
import clastic.render
from clastic import Application, Middleware, render_basic
from clastic.meta import (
    CPU_COUNT,
    DEFAULT_PAGE_TITLE,
    DEFAULT_PERIPHERALS,
    HAVE_READLINE,
    IS_64BIT,
    AshesMetaPeripheral,
    BasicPeripheral,
    MetaApplication,
    MetaPeripheral,
    SysconfigPeripheral,
    get_endpoint_info,
    get_gc_info,
    get_host_info,
    get_mw_infos,
    get_proc_info,
    get_pyvm_info,
    get_render_info,
    get_resource_info,
    get_rlimit_dict,
    get_route_arg_info,
    get_route_infos,
    get_rusage_dict,
)
from clastic.testing import make_client


class TagMiddleware(Middleware):
    provides = ("tag",)

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def request(self, next: Any, request: Any) -> Any:
        return next(tag="t")

    def __repr__(self) -> str:
        return f"TagMiddleware(api_key={self.api_key!r})"


def show(widget_id: int, db: Any, tag: str, page: int = 1) -> str:
    return "widget"


def build_app(**meta_kwargs: Any) -> Application:
    return Application(
        [("/w/<widget_id:int>", show, render_basic), ("/_meta/", MetaApplication(**meta_kwargs))],
        resources={"db": "postgresql://shop:pw-4411@db/shop", "api_token": "tok-4411"},
        middlewares=[TagMiddleware("key-4411")],
    )


def get(app: Application, path: str) -> Any:
    return make_client(app).get(path, environ_base={"REMOTE_ADDR": "127.0.0.1"})


# -- constants ---------------------------------------------------------------


def test_constants_describe_this_interpreter() -> None:
    assert DEFAULT_PAGE_TITLE == "Clastic"
    assert MetaApplication().page_title == DEFAULT_PAGE_TITLE
    assert IS_64BIT is (sys.maxsize > 2**32)
    assert (os.cpu_count() or 0) == CPU_COUNT
    assert HAVE_READLINE is (importlib.util.find_spec("readline") is not None)
    pyvm = get(build_app(), "/_meta/json/").get_json()["pyvm"]
    assert pyvm["have_readline"] is HAVE_READLINE
    assert pyvm["is_64bit"] is IS_64BIT


def test_base_peripherals_is_the_third_positional_argument_as_in_clastic_26() -> None:
    app = Application([("/_meta/", MetaApplication(None, "Only basic", [BasicPeripheral]))])
    body = get(app, "/_meta/json/").get_json()
    assert sorted(body) == ["basic", "page_title", "peripheral_errors", "script_root"]
    assert body["page_title"] == "Only basic"


# -- re-exports --------------------------------------------------------------


def test_reexports_are_the_objects_of_their_home_modules() -> None:
    import clastic.meta as meta

    assert meta.Application is clastic.Application
    assert meta.RESERVED_ARGS is clastic.RESERVED_ARGS
    assert meta.render_json is clastic.render_json
    assert meta.StaticApplication is clastic.StaticApplication
    assert meta.AshesRenderFactory is clastic.render.AshesRenderFactory
    assert meta.ScriptRootMiddleware is clastic.middleware.ScriptRootMiddleware
    assert meta.SimpleContextProcessor is clastic.middleware.SimpleContextProcessor
    with pytest.raises(AttributeError, match=r"module 'clastic\.meta' has no attribute 'NoSuchName'"):
        meta.NoSuchName  # noqa: B018
    assert {"META_ASSETS_APP", "StaticApplication", "NullRoute"} <= set(dir(meta))


def test_core_reexports_come_from_clastic_route_and_clastic_sinter() -> None:
    import clastic.meta as meta
    import clastic.route
    import clastic.sinter

    assert meta.NullRoute is clastic.route.NullRoute
    assert meta.get_fb is clastic.sinter.get_fb
    assert meta.inject is clastic.sinter.inject
    assert meta.get_callable_name is clastic.sinter.get_callable_name


def test_meta_assets_app_serves_the_stylesheet_the_page_inlines() -> None:
    import clastic.meta as meta

    assets = meta.META_ASSETS_APP
    assert isinstance(assets, clastic.StaticApplication)
    assert meta.META_ASSETS_APP is assets
    app = Application([("/clastic_assets/", assets), ("/_meta/", MetaApplication())])
    css = get(app, "/clastic_assets/meta.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert ".glance dt" in css.text
    assert css.text in get(app, "/_meta/").text
    assert "route-filter" in get(app, "/clastic_assets/meta.js").text


def test_clastic_meta_imports_without_the_other_satellites() -> None:
    script = textwrap.dedent(
        """
        import sys
        for hidden in ("clastic.static", "clastic.render.ashes", "clastic.middleware.url",
                       "clastic.middleware.context"):
            sys.modules[hidden] = None
        import clastic.meta
        from clastic import Application
        app = Application([("/_meta/", clastic.meta.MetaApplication())])
        print("built", len(app.routes))
        for name in ("META_ASSETS_APP", "StaticApplication", "AshesRenderFactory",
                     "ScriptRootMiddleware", "SimpleContextProcessor"):
            try:
                getattr(clastic.meta, name)
            except ImportError as ex:
                print(name, "->", ex)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "built 2",
        "META_ASSETS_APP -> clastic.StaticApplication is provided by clastic-static; "
        "install it with: pip install clastic-static",
        "StaticApplication -> clastic.StaticApplication is provided by clastic-static; "
        "install it with: pip install clastic-static",
        "AshesRenderFactory -> clastic.render.AshesRenderFactory is provided by clastic-render; "
        "install it with: pip install clastic-render",
        "ScriptRootMiddleware -> clastic.middleware.ScriptRootMiddleware is provided by clastic-middleware; "
        "install it with: pip install clastic-middleware",
        "SimpleContextProcessor -> clastic.middleware.SimpleContextProcessor is provided by clastic-middleware; "
        "install it with: pip install clastic-middleware",
    ]


# -- info functions: the data the page shows -----------------------------------


def test_application_info_functions_return_what_the_json_document_shows() -> None:
    app = build_app()
    document = get(app, "/_meta/json/").get_json()
    assert get_route_infos(app, (MetaApplication,)) == document["app"]["routes"]
    assert get_mw_infos(app) == document["app"]["middlewares"]
    assert get_resource_info(app) == document["app"]["resources"]
    route = app.routes[0]
    shown = document["app"]["routes"][0]
    assert (
        get_endpoint_info(route) == shown["endpoint"] == {"module_name": __name__, "name": "show", "qualname": "show"}
    )
    assert get_render_info(route) == shown["render"]
    assert get_render_info(route)["type"] == "clastic.render.simple.BasicRender"
    assert get_route_arg_info(route) == shown["args"]
    assert [(arg["name"], arg["source"]) for arg in get_route_arg_info(route)] == [
        ("widget_id", "url"),
        ("db", "resources"),
        ("tag", "middleware"),
        ("page", "default"),
    ]


def test_application_info_functions_redact_as_the_page_does() -> None:
    app = build_app()
    resources = {entry["key"]: entry["value"] for entry in get_resource_info(app)}
    assert resources == {"api_token": "[REDACTED]", "db": "'postgresql://shop:[REDACTED]@db/shop'"}
    assert get_mw_infos(app)[0]["repr"] == "TagMiddleware(api_key=[REDACTED])"
    text = get(app, "/_meta/").text
    for secret in ("pw-4411", "tok-4411", "key-4411"):
        assert secret not in text


def test_system_info_functions_return_what_the_json_document_shows() -> None:
    document = get(build_app(), "/_meta/json/").get_json()
    proc = get_proc_info()
    assert proc["pid"] == os.getpid() == document["proc"]["pid"]
    assert sorted(proc) == sorted(document["proc"])
    assert proc["rlimit"] == get_rlimit_dict()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert get_rlimit_dict()["nofile"] == [
        None if soft == resource.RLIM_INFINITY else soft,
        None if hard == resource.RLIM_INFINITY else hard,
    ]
    host = get_host_info(hostfqdn="box.example")
    assert host["hostfqdn"] == "box.example"
    assert host["hostname"] == socket.gethostname() == document["host"]["hostname"]
    assert sorted(host) == sorted(document["host"])
    assert sorted(get_rusage_dict()) == sorted(document["rusage"])
    assert get_rusage_dict()["memory"]["rss"] > 0
    children = get_rusage_dict(children=True)
    assert children["memory"]["rss"] is None and children["open_fds"] is None
    assert children["cpu_times"]["user"] >= 0
    pyvm = get_pyvm_info()
    assert sorted(pyvm) == sorted(document["pyvm"])
    assert sorted(get_gc_info()) == ["counts", "is_enabled", "obj_count", "thresholds"]
    assert get_gc_info()["is_enabled"] is gc.isenabled()
    assert pyvm["gc"]["thresholds"] == list(gc.get_threshold())


# -- peripherals: render_main_page_html, template_path ---------------------------


def test_every_peripheral_has_render_main_page_html_giving_its_section() -> None:
    for cls in (*DEFAULT_PERIPHERALS, SysconfigPeripheral, AshesMetaPeripheral):
        assert callable(cls.render_main_page_html)
    peripheral = BasicPeripheral()
    context = {"start_time": "2026-01-01T00:00:00+00:00", "uptime_seconds": 65, "now": "x"}
    assert peripheral.render_main_page_html(context) == peripheral.render_html(context)
    assert "1m 05s" in peripheral.render_main_page_html(context)


class Clastic26Peripheral(MetaPeripheral):
    title = "Old style"
    group_key = "old"

    def get_context(self, request: Any, _application: Any, _route: Any, **kwargs: Any) -> dict[str, Any]:
        return {"route_count": len(_application.routes)}

    def render_main_page_html(self, context: Any) -> str:
        return f"<p id='old-style'>{context['route_count']} routes, rendered the Clastic 26 way</p>"


def test_a_clastic_26_peripheral_overriding_render_main_page_html_renders_its_way() -> None:
    page = get(build_app(peripherals=[Clastic26Peripheral]), "/_meta/").text
    assert "<p id='old-style'>3 routes, rendered the Clastic 26 way</p>" in page


def test_ashes_meta_peripheral_fills_its_template_with_escaped_values(tmp_path: Path) -> None:
    template = tmp_path / "queue.html"
    template.write_text("<p class='q'>$pending jobs for ${owner}, $$5 each</p>$workers", encoding="utf-8")

    class QueuePeripheral(AshesMetaPeripheral):
        title = "Job queue"
        group_key = "queue"
        template_path = str(template)

        def get_context(self) -> dict[str, Any]:
            return {"pending": 3, "owner": "<b>ann</b>", "workers": {"w1": "<idle>"}}

    peripheral = QueuePeripheral()
    assert peripheral.template_file == template
    page = get(build_app(peripherals=[QueuePeripheral]), "/_meta/").text
    assert "<p class='q'>3 jobs for &lt;b&gt;ann&lt;/b&gt;, $5 each</p>" in page
    assert '<th scope="row" title="w1">w1</th><td><span class="text">&lt;idle&gt;</span></td>' in page


def test_ashes_meta_peripheral_template_naming_a_missing_key_fails_in_its_section(tmp_path: Path) -> None:
    template = tmp_path / "broken.html"
    template.write_text("<p>$pending and $missing</p>", encoding="utf-8")

    class BrokenPeripheral(AshesMetaPeripheral):
        title = "Broken"
        group_key = "broken"
        template_path = str(template)

        def get_context(self) -> dict[str, Any]:
            return {"pending": 1}

    response = get(build_app(peripherals=[BrokenPeripheral]), "/_meta/")
    assert response.status_code == 200
    assert (
        f"KeyError: &quot;template {template} uses $missing, which get_context() did not return (it returned: "
        "[&#x27;pending&#x27;]); write $$ for a literal dollar sign&quot;"
    ) in response.text
    assert 'id="section-routes"' in response.text


def test_ashes_meta_peripheral_needs_an_existing_template_when_built(tmp_path: Path) -> None:
    class NoTemplate(AshesMetaPeripheral):
        title = "None"
        group_key = "none"

    class MissingTemplate(AshesMetaPeripheral):
        title = "Missing"
        group_key = "missing"
        template_path = "no/such/template.html"

    with pytest.raises(ValueError, match="NoTemplate is an AshesMetaPeripheral without a template_path"):
        MetaApplication(peripherals=[NoTemplate])
    here = Path(__file__).resolve().parent
    with pytest.raises(
        FileNotFoundError, match=f"template_path = 'no/such/template.html': no template at {here}/no/such"
    ):
        MetaApplication(peripherals=[MissingTemplate])


def test_sysconfig_peripheral_is_opt_in_and_renders_its_packaged_template() -> None:
    assert SysconfigPeripheral not in DEFAULT_PERIPHERALS
    assert SysconfigPeripheral.template_path == "_templates/sysconfig.html"
    assert "sysconfig_vars" not in get(build_app(), "/_meta/json/").get_json()["pyvm"]
    app = build_app(peripherals=[SysconfigPeripheral])
    pyvm = get(app, "/_meta/json/").get_json()["pyvm"]
    assert pyvm["sysconfig_paths"]["stdlib"] == sysconfig.get_paths()["stdlib"]
    assert pyvm["sysconfig_vars"]["VERSION"] == sysconfig.get_config_var("VERSION")
    assert "version" in pyvm  # merged into the Python runtime's group
    page = get(app, "/_meta/").text
    assert 'id="section-python-system-configuration"' in page
    assert "<h3>Build configuration variables</h3>" in page
    assert '<th scope="row" title="VERSION">VERSION</th>' in page


# -- MetaApplication.get_main / render_main_page_html ------------------------------


class ExtendedMeta(MetaApplication):
    def get_main(self, request: Any, _application: Any, _route: Any, _dispatch_state: Any = None) -> dict[str, Any]:
        # Clastic 26 style: build a new dict from the parent's.
        return {**super().get_main(request, _application, _route, _dispatch_state), "release": "2026.12"}

    def render_main_page_html(self, context: Any, *, nonce: str | None = None) -> str:
        page = super().render_main_page_html(context, nonce=nonce)
        return page.replace("<main>", f"<main><p id='release'>release {context['release']}</p>", 1)


def test_get_main_and_render_main_page_html_drive_the_page_and_json() -> None:
    app = Application([("/", lambda: "home", render_basic), ("/_meta/", ExtendedMeta(page_title="Shop"))])
    assert get(app, "/_meta/json/").get_json()["release"] == "2026.12"
    page = get(app, "/_meta/").text
    assert "<p id='release'>release 2026.12</p>" in page
    # The overriding get_main returned a plain dict: every section still renders from its group.
    assert "<title>Shop · meta</title>" in page
    assert page.count('<details class="section"') == len(DEFAULT_PERIPHERALS)
    assert '<td class="idx">0</td>' in page
    assert "class=\"badge error\"" not in page


def test_get_main_returns_the_json_document() -> None:
    captured: dict[str, Any] = {}

    class Capturing(MetaApplication):
        def render_main_page_html(self, context: Any, *, nonce: str | None = None) -> str:
            captured.update(context)
            return super().render_main_page_html(context, nonce=nonce)

    app = Application([("/_meta/", Capturing())])
    page = get(app, "/_meta/")
    assert page.status_code == 200
    document = get(app, "/_meta/json/").get_json()
    assert sorted(captured) == sorted(document)
    assert captured["app"]["routes"] == document["app"]["routes"]
    assert sorted(captured) == [
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
