"""The original Clastic 26's public surface imports from the same modules, and its classes keep their attributes.

The lists live in ``surface.json`` beside this file (one place to extend);
each entry becomes its own test, so a missing name is reported by name.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

SURFACE = json.loads((Path(__file__).with_name("surface.json")).read_text(encoding="utf-8"))

NAMES = [(module, name) for module, names in SURFACE["names"].items() for name in names]
CLASS_ATTRS = [(path, attr) for path, attrs in SURFACE["classes"].items() for attr in attrs]
INSTANCES = [(entry["module"], entry["build"], entry["attributes"]) for entry in SURFACE["instances"]]


def resolve(dotted: str) -> Any:
    """Import ``package.module.Class`` (the longest importable module prefix, then attributes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize(("module", "name"), NAMES, ids=[f"{m}:{n}" for m, n in NAMES])
def test_name_imports_from_its_original_module(module: str, name: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"from {module} import {name}", namespace)  # the import statement an application writes
    assert name in namespace


@pytest.mark.parametrize(("path", "attr"), CLASS_ATTRS, ids=[f"{p}.{a}" for p, a in CLASS_ATTRS])
def test_class_keeps_attribute(path: str, attr: str) -> None:
    cls = resolve(path)
    assert inspect.isclass(cls), f"{path} is not a class"
    assert hasattr(cls, attr), f"{path} lacks {attr}"


@pytest.mark.parametrize(("module", "build", "attrs"), INSTANCES, ids=[build for _m, build, _a in INSTANCES])
def test_instance_keeps_attributes(module: str, build: str, attrs: list[str]) -> None:
    namespace = dict(vars(importlib.import_module(module)))
    namespace.update(vars(importlib.import_module("clastic")))
    obj = eval(build, namespace)  # expressions from surface.json, written by us
    missing = [attr for attr in attrs if not hasattr(obj, attr)]
    assert not missing, f"{build} lacks {missing}"


def test_every_http_exception_class_keeps_its_methods() -> None:
    from clastic.errors import ERROR_CODE_MAP, HTTPException

    classes = {cls for cls in ERROR_CODE_MAP.values()} | {HTTPException}
    assert len(classes) > 40
    for cls in classes:
        missing = [attr for attr in SURFACE["every_http_exception"] if not callable(getattr(cls, attr, None))]
        assert not missing, f"{cls.__name__} lacks {missing}"


def test_every_bundled_middleware_declares_unique_and_reorderable() -> None:
    import clastic.middleware as mw_package
    from clastic.middleware.core import Middleware

    names = [
        name for name in SURFACE["names"]["clastic.middleware"] if name.endswith("Middleware") or "Processor" in name
    ]
    for name in names:
        cls = getattr(mw_package, name)
        if cls is Middleware:
            continue
        assert issubclass(cls, Middleware), name
        assert cls.unique is True and cls.reorderable is True, name


def test_to_escaped_dict_escapes_every_value() -> None:
    from clastic.errors import NotFound

    error = NotFound(detail="<b>gone</b> & 'away'")
    escaped = error.to_escaped_dict()
    assert escaped["detail"] == "&lt;b&gt;gone&lt;/b&gt; &amp; &#x27;away&#x27;"
    assert escaped["code"] == 404
    assert set(escaped) == set(error.to_dict())


def test_json_render_subclass_uses_json_encoder_and_encoding() -> None:
    # A pattern found in a real application: a JSONRender subclass streaming through its encoder.
    from clastic import Application
    from clastic.render import JSONRender
    from clastic.wrappers import Response

    class CompactRender(JSONRender):
        def __call__(self, context: Any) -> Response:
            body = "".join(self.json_encoder.iterencode(context)).encode(self.encoding)
            return Response(body, mimetype="application/json")

    client = Application([("/", lambda: {"b": 1, "a": [1, 2]}, CompactRender())]).get_local_client()
    response = client.get("/")
    assert response.status_code == 200
    assert json.loads(response.data) == {"a": [1, 2], "b": 1}
    assert CompactRender().encoding == "utf-8"
    assert CompactRender(encoding="latin-1").encoding == "latin-1"


def test_template_factories_keep_env_lookup_and_format_exceptions(tmp_path: Path) -> None:
    from clastic.render.ashes import AshesRenderFactory
    from clastic.render.chameleon_templates import ChameleonRenderFactory
    from clastic.render.mako_templates import MakoRenderFactory

    (tmp_path / "page.html").write_text("<p>hi</p>", encoding="utf-8")
    ashes_factory = AshesRenderFactory(str(tmp_path))
    assert ashes_factory.env.load("page.html") is not None
    for factory_type in (ChameleonRenderFactory, MakoRenderFactory):
        factory = factory_type(str(tmp_path))
        assert factory.lookup is not None, factory_type
        assert factory.format_exceptions in (True, False), factory_type
        assert factory_type(str(tmp_path), format_exceptions=False).format_exceptions is False


def test_contextual_internal_server_error_keeps_request_and_frame_hiding() -> None:
    from clastic import Application
    from clastic.errors import ContextualErrorHandler, ContextualInternalServerError

    seen: list[ContextualInternalServerError] = []

    def boom() -> None:
        raise ValueError("broken")

    class Recording(ContextualErrorHandler):
        def uncaught_to_response(self, **kwargs: Any) -> Any:
            response = super().uncaught_to_response(**kwargs)
            seen.append(response)
            return response

    client = Application([("/", boom)], error_handler=Recording()).get_local_client()
    assert client.get("/").status_code == 500
    (error,) = seen
    assert isinstance(error, ContextualInternalServerError)
    assert error.request is not None and error.request.path == "/"
    assert error.hide_internal_frames is True
