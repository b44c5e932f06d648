"""A live object browser: any object of this process, its attributes, what it refers to and what refers to it.

Mount it in a development setup::

    from clastic import Application
    from clastic.contrib import obj_browser

    app = Application([..., ("/_objs", obj_browser.create_app(default_obj=my_registry))])

``/_objs/`` redirects (302) to the default object's page, ``/_objs/<id>``.
An object's id is Python's ``id()``; every object shown links to its own
page. ``?format=json`` gives the same data as JSON (``?format=html`` is the
page); another format is a 400. An id that names no live object is a 404
naming it.

It reaches every object in memory through :mod:`gc` (secrets included; no
value is redacted), so like ``/_meta/`` it answers loopback clients only by
default (the same :class:`~clastic.access.AccessRule`, DNS-rebinding check
included); ``allow=`` opens it to others. Looking at an object changes
nothing: attributes are read from instance dictionaries and from C-level
slots and descriptors only, never through properties or ``__getattr__``,
which could run application code.
"""

from __future__ import annotations

import gc
import reprlib
import secrets
import sys
import types
from collections.abc import Iterator
from itertools import islice
from typing import Any

from clastic import GET, Application, Request, Response
from clastic.access import AccessRule
from clastic.errors import BadRequest, NotFound
from clastic.meta import MetaAccessMiddleware
from clastic.meta._app import mount_prefix
from clastic.meta._html import esc
from clastic.meta._page import build_tool_page, page_response
from clastic.render import JSONRender
from clastic.route import BoundRoute
from clastic.utils import redirect_to_path

__all__ = [
    "create_app",
    "format",
    "get_referree_key_obj_list",
    "get_referrer_key_obj_list",
    "keyof",
    "render_html",
    "tolabel",
    "view_obj",
]

#: Most rows shown in each of the attributes, referents and referrers tables.
MAX_ROWS = 500

_FORMATS = ("html", "json")
_MAX_LABEL = 120
_JSON_RENDER = JSONRender(dev_mode=True)
_NOT_SET = object()

_label_repr = reprlib.Repr()
_label_repr.maxstring = _label_repr.maxother = 60
_label_repr.maxlevel = 2
_label_repr.maxdict = _label_repr.maxlist = _label_repr.maxtuple = _label_repr.maxset = 4

_full_repr = reprlib.Repr()
_full_repr.maxstring = _full_repr.maxother = _full_repr.maxlong = 2000
_full_repr.maxlevel = 3
_full_repr.maxdict = _full_repr.maxlist = _full_repr.maxtuple = _full_repr.maxset = 30
_full_repr.maxfrozenset = _full_repr.maxdeque = _full_repr.maxarray = 30

_EXTRA_CSS = """
.obj-link {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; text-decoration: none;
}
.obj-link:hover { text-decoration: underline; }
td.key { font-family: ui-monospace, monospace; font-size: 0.85em; white-space: nowrap; }
pre.value { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.88em; }
.more { color: var(--muted); margin: 0.5rem 0 0; }
"""


def _type_name(obj: object) -> str:
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def format(obj: object) -> str:  # the Clastic 26 name, shadowing the builtin inside this module only
    """Return *obj*'s repr for display, at most about 2,000 characters; never raises.

    Containers show their first 30 items three levels deep; a ``repr``
    that raises shows as ``<Type instance at 0x...>``. Kept for
    compatibility with Clastic 26 (the page's "Value" section).
    """
    return _full_repr.repr(obj)


def tolabel(obj: object) -> str:
    """Return a one-line label for *obj*: ``module sys``, ``class pkg.Widget``, ``dict {'a': 1, ...}``.

    Modules, classes and callables are named; other objects show their type
    and a repr of at most about 60 characters. Never raises. Kept for
    compatibility with Clastic 26 (the text of every object link).
    """
    if isinstance(obj, types.ModuleType):
        return f"module {getattr(obj, '__name__', '?')}"
    if isinstance(obj, type):
        return f"class {obj.__module__}.{obj.__qualname__}"
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return f"{type(obj).__name__} {getattr(obj, '__qualname__', getattr(obj, '__name__', '?'))}"
    if isinstance(obj, types.FrameType):
        return f"frame {obj.f_code.co_name} ({obj.f_code.co_filename}:{obj.f_lineno})"
    if isinstance(obj, types.CodeType):
        return f"code {obj.co_qualname} ({obj.co_filename}:{obj.co_firstlineno})"
    label = f"{_type_name(obj)} {_label_repr.repr(obj)}"
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _instance_dict(obj: object) -> dict[str, Any] | types.MappingProxyType[str, Any] | None:
    """Return ``obj.__dict__`` without running a custom ``__getattribute__``."""
    try:
        found = object.__getattribute__(obj, "__dict__")
    except (AttributeError, TypeError):
        return None
    return found if isinstance(found, (dict, types.MappingProxyType)) else None


def _slot_values(obj: object) -> Iterator[tuple[str, str, Any]]:
    """Yield ``(name, kind, value)`` for the C-level slots and getset descriptors of *obj*'s type.

    Only member and getset descriptors are read: they are implemented in C
    (``__slots__``, ``frame.f_back``, ``function.__globals__``...) and do not
    run application code, unlike properties.
    """
    seen: set[str] = set()
    for klass in type(obj).__mro__:
        for name, descriptor in list(vars(klass).items()):
            if name in seen or name in ("__dict__", "__weakref__"):
                continue
            if not isinstance(descriptor, (types.MemberDescriptorType, types.GetSetDescriptorType)):
                continue
            seen.add(name)
            try:
                value = descriptor.__get__(obj, type(obj))
            except Exception:  # an unset slot, or a C getter that refuses this object: nothing to show
                continue
            yield name, ("slot" if isinstance(descriptor, types.MemberDescriptorType) else "built-in attribute"), value


def keyof(obj: object, container: object) -> str | None:
    """Say where *container* holds *obj*: ``['key']``, ``[3]``, ``.attr``, ``(key)``, or ``None``.

    Dict values give ``[key]`` (a dict key itself gives ``(key)``), list and
    tuple items ``[index]``, set members ``(member)``, attributes (instance
    dictionary entries and C-level slots, such as a function's
    ``__globals__``) ``.name``, and the type of *container* ``.__class__``.
    ``None`` when no such place is found (the reference is internal). Kept
    for compatibility with Clastic 26 (the key columns of the page).
    """
    return _item_key(obj, container) or _attribute_key(obj, container)


def _item_key(obj: object, container: object) -> str | None:
    """Say where *obj* is among the items of a dict, list, tuple or set *container*."""
    if isinstance(container, (dict, types.MappingProxyType)):
        for key, value in list(container.items()):
            if value is obj:
                return f"[{_label_repr.repr(key)}]"
            if key is obj:
                return "(key)"
    elif isinstance(container, (list, tuple)):
        for index, value in enumerate(container):
            if value is obj:
                return f"[{index}]"
    elif isinstance(container, (set, frozenset)) and any(member is obj for member in container):
        return "(member)"
    return None


def _attribute_key(obj: object, container: object) -> str | None:
    """Say which attribute of *container* (instance dict, slot, type) is *obj*."""
    namespace = _instance_dict(container)
    if namespace is not None:
        if namespace is obj:
            return ".__dict__"
        for name, value in list(namespace.items()):
            if value is obj:
                return f".{name}"
    for name, _kind, value in _slot_values(container):
        if value is obj:
            return f".{name}"
    if type(container) is obj:
        return ".__class__"
    return None


def _referent_pairs(obj: object) -> Iterator[tuple[str | None, Any]]:
    """Yield ``(key, referent)`` for what *obj* refers to, keys computed once per container."""
    if isinstance(obj, (list, tuple)):
        # Items in index order (gc visits a list's items last to first).
        for index, item in enumerate(obj):
            yield f"[{index}]", item
        return
    if isinstance(obj, dict):
        # Keys straight from the dict: asking keyof() for each would scan it once per entry.
        for key, value in list(obj.items()):
            yield "(key)", key
            yield f"[{_label_repr.repr(key)}]", value
        return
    if isinstance(obj, (set, frozenset)):
        for member in list(obj):
            yield "(member)", member
        return
    for referent in gc.get_referents(obj):
        yield keyof(referent, obj), referent


def get_referree_key_obj_list(obj: object) -> list[tuple[str | None, Any]]:
    """List what *obj* refers to (``gc.get_referents``): ``[(key, referent), ...]``.

    *key* says where *obj* holds the referent, as :func:`keyof` does; list
    and tuple items come in index order, dict keys and values in the dict's
    order. Kept for compatibility with Clastic 26 (the "Refers to" table).
    """
    return list(_referent_pairs(obj))


def _referrers(obj: object) -> list[Any]:
    """``gc.get_referrers(obj)`` without the browser's own frames and lists."""
    found: list[Any] = []
    for referrer in gc.get_referrers(obj):
        if referrer is found or (isinstance(referrer, types.FrameType) and referrer.f_code.co_filename == __file__):
            continue
        found.append(referrer)
    return found


def get_referrer_key_obj_list(obj: object) -> list[tuple[str | None, Any]]:
    """List what refers to *obj* (``gc.get_referrers``): ``[(key, referrer), ...]``.

    *key* is :func:`keyof` (*obj*, referrer). The browser's own frames and
    lists are left out. Only objects the garbage collector tracks are found
    (containers, instances, functions...). Kept for compatibility with
    Clastic 26 (the "Referred to by" table).
    """
    return [(keyof(obj, referrer), referrer) for referrer in _referrers(obj)]


def _attributes(obj: object) -> list[tuple[str, str, Any]]:
    """``(name, kind, value)`` for *obj*'s attributes, read without running its code."""
    rows: list[tuple[str, str, Any]] = []
    namespace = _instance_dict(obj)
    names: set[str] = set()
    if namespace is not None:
        for name, value in list(namespace.items()):
            rows.append((str(name), "attribute", value))
            names.add(str(name))
    for name, kind, value in _slot_values(obj):
        if name not in names:
            rows.append((name, kind, value))
            names.add(name)
    if isinstance(obj, type):
        return rows
    for klass in type(obj).__mro__:
        for name, value in list(vars(klass).items()):
            if name in names or (name.startswith("__") and name.endswith("__")):
                continue
            if isinstance(value, (types.MemberDescriptorType, types.GetSetDescriptorType)):
                continue  # read above, or an unset slot
            names.add(name)
            if isinstance(value, property):
                kind = "property (not evaluated)"
            else:
                kind = f"class attribute of {klass.__qualname__}"
            rows.append((name, kind, value))
    return rows


def _describe(value: Any) -> dict[str, Any]:
    return {"id": id(value), "type": _type_name(value), "label": tolabel(value)}


def _find_object(obj_id: int, default_obj: object) -> Any:
    if id(default_obj) == obj_id:
        return default_obj
    objects = gc.get_objects()
    try:
        for candidate in objects:
            if id(candidate) == obj_id:
                return candidate
        # Strings, numbers and other objects the collector does not track are
        # found through what the tracked ones refer to.
        for container in objects:
            for referent in gc.get_referents(container):
                if id(referent) == obj_id:
                    return referent
        return _NOT_SET
    finally:
        # The list refers to every object; drop it before the caller asks gc who refers to what.
        objects.clear()


def _context(obj: object, browser_root: str, default_obj: object) -> dict[str, Any]:
    attributes = _attributes(obj)
    # Keys only for the rows shown: a referrer can be a container of millions.
    referents = list(islice(_referent_pairs(obj), MAX_ROWS))
    referent_count = len(gc.get_referents(obj)) if len(referents) == MAX_ROWS else len(referents)
    referrers = _referrers(obj)
    try:
        length: int | None = len(obj)  # type: ignore[arg-type]  # any object may be sized
    except Exception:  # not sized, or a __len__ that fails: the length is optional
        length = None
    return {
        **_describe(obj),
        "repr": format(obj),
        "length": length,
        "browser_root": browser_root,
        "default_id": id(default_obj),
        "counts": {"attributes": len(attributes), "referents": referent_count, "referrers": len(referrers)},
        "attributes": [{"name": name, "kind": kind, **_describe(value)} for name, kind, value in attributes[:MAX_ROWS]],
        "referents": [{"key": key, **_describe(value)} for key, value in referents],
        "referrers": [{"key": keyof(obj, referrer), **_describe(referrer)} for referrer in referrers[:MAX_ROWS]],
    }


def _link(root: str, entry: dict[str, Any]) -> str:
    object_id = int(entry["id"])
    return f'<a class="obj-link" href="{esc(root)}/{object_id}" title="id {object_id}">{esc(entry["label"])}</a>'


def _table(root: str, title: str, entries: list[dict[str, Any]], total: int, first: tuple[str, str], empty: str) -> str:
    head_key, field = first
    if not entries:
        body = f'<p class="muted">{esc(empty)}</p>'
    else:
        rows = "".join(
            f'<tr><td class="key">{esc(entry.get(field) or "—")}</td>'
            + (f'<td class="muted">{esc(entry["kind"])}</td>' if "kind" in entry else "")
            + f'<td class="type">{esc(entry["type"])}</td><td>{_link(root, entry)}</td></tr>'
            for entry in entries
        )
        kind_head = '<th scope="col">Kind</th>' if "kind" in entries[0] else ""
        body = (
            f'<div class="table-wrap"><table class="grid"><thead><tr><th scope="col">{esc(head_key)}</th>{kind_head}'
            f'<th scope="col">Type</th><th scope="col">Object</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
        if total > len(entries):
            body += f'<p class="more">{total - len(entries)} more not shown (the first {len(entries)} of {total}).</p>'
    anchor = "section-" + title.lower().replace(" ", "-")
    return (
        f'<details class="section" id="{esc(anchor)}" open><summary><h2>{esc(title)}</h2>'
        f'<span class="group">{total}</span></summary><div class="section-body">{body}</div></details>'
    )


def render_html(context: dict[str, Any], nonce: str | None = None) -> str:
    """Return the object's page from the data :func:`view_obj` gathers (every value escaped).

    Args:
        context: The object's data, as ``?format=json`` answers it.
        nonce: The Content-Security-Policy nonce of the inline style; a fresh one by default.

    Kept for compatibility with Clastic 26.
    """
    root = str(context["browser_root"])
    counts = context["counts"]
    glance = [("Type", context["type"]), ("id", context["id"])]
    if context.get("length") is not None:
        glance.append(("Length", context["length"]))
    glance += [("Refers to", counts["referents"]), ("Referred to by", counts["referrers"])]
    items = "".join(f"<div><dt>{esc(label)}</dt><dd>{esc(value)}</dd></div>" for label, value in glance)
    body = (
        f'<dl class="glance" aria-label="At a glance">{items}</dl>'
        '<details class="section" id="section-value" open><summary><h2>Value</h2></summary>'
        f'<div class="section-body"><pre class="value">{esc(context["repr"])}</pre></div></details>'
        + _table(root, "Attributes", context["attributes"], counts["attributes"], ("Name", "name"), "No attributes.")
        + _table(
            root, "Refers to", context["referents"], counts["referents"], ("Key", "key"), "It refers to no object."
        )
        + _table(
            root, "Referred to by", context["referrers"], counts["referrers"], ("Key", "key"),
            "No object tracked by the garbage collector refers to it.",
        )
    )
    return build_tool_page(
        title=f"{context['label']} · object browser",
        heading="Object browser",
        subtitle=str(context["label"]),
        actions=[
            ("JSON", f"{root}/{int(context['id'])}?format=json"),
            ("Default object", f"{root}/{int(context['default_id'])}"),
        ],
        body=body,
        footer="clastic.contrib.obj_browser · live objects of this process, found through gc · keys show where a "
        "container holds the object",
        nonce=nonce or secrets.token_urlsafe(16),
        extra_css=_EXTRA_CSS,
    )


def view_obj(request: Request, _route: BoundRoute, default_obj: Any, obj_id: int | None = None) -> Response:
    """Answer an object's page (``?format=json``: its data), or redirect to the default object.

    Args:
        request: The request (``?format=html|json``).
        _route: The bound route, for the prefix the browser is mounted at.
        default_obj: Where ``/`` leads (a resource of :func:`create_app`'s application).
        obj_id: The ``id()`` of the object to show; ``None`` redirects (302) to *default_obj*'s page.

    Raises:
        BadRequest: ``?format=`` is neither ``html`` nor ``json``.
        NotFound: no live object has id *obj_id*.

    Kept for compatibility with Clastic 26 (the route's endpoint); mount
    :func:`create_app` rather than routing to it yourself.
    """
    fmt = (request.args.get("format") or "html").strip().lower()
    if fmt not in _FORMATS:
        raise BadRequest(f"unsupported format {fmt[:32]!r} in ?format=; use one of {list(_FORMATS)}")
    prefix = mount_prefix(_route)
    if obj_id is None:
        return redirect_to_path(request, f"{prefix}/{id(default_obj)}")
    obj = _find_object(obj_id, default_obj)
    if obj is _NOT_SET:
        raise NotFound(
            f"no live object has id {obj_id} (it may have been collected since it was linked); "
            f"start again from the default object at {prefix}/{id(default_obj)}"
        )
    context = _context(obj, request.script_root + prefix, default_obj)
    del obj
    if fmt == "json":
        response = _JSON_RENDER(context)
        response.headers["Cache-Control"] = "no-store"
        return response
    nonce = secrets.token_urlsafe(16)
    return page_response(render_html(context, nonce), nonce)


def create_app(default_obj: Any = None, *, allow: Any = None) -> Application:
    """Build the object browser application.

    Args:
        default_obj: The object ``/`` redirects to; :mod:`sys` when ``None``.
        allow: Who may use it, as for :class:`~clastic.meta.MetaApplication`:
            ``None`` for loopback clients only (with the DNS-rebinding Host
            check), else networks, a callable taking the request, or a list
            of them. Others get 403.

    As in Clastic 26 (``allow=`` is new: the original had no access rule).
    """
    rule = AccessRule(allow, subject="The object browser", setting="obj_browser.create_app(allow=...)")
    return Application(
        [GET("/<obj_id?int>", view_obj, name="obj_browser")],
        resources={"default_obj": sys if default_obj is None else default_obj},
        middlewares=[MetaAccessMiddleware(rule)],
    )

