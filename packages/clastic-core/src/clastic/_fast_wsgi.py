"""The fast WSGI path: every shortcut past Werkzeug's public API, in one guarded module.

Werkzeug's public ``Response`` constructor validates headers and parses the
status, and ``Response.__call__`` copies and fixes the headers for the
general case (redirects, HEAD, 204/304, streamed bodies, close callbacks).
A complete body already encoded needs none of that, and on a small request
that work costs more than the rest of the framework. The shortcuts here
build and send such responses directly:

* :func:`init_buffered` fills a new Response's attributes as the public
  constructor would for ``Response(body, status=..., content_type=...)``;
* :func:`replace_body` swaps the body and content type of such a response,
  as ``set_data`` and the ``content_type`` setter would;
* :func:`respond` sends a plain buffered Response straight to
  ``start_response``, and anything else through ``Response.__call__``;
* :func:`write_raw` sends a ``(status, content type, body)`` triple that
  never became a Response object (a render's output that only the WSGI
  server sees), with the status line and headers Werkzeug would have sent;
* :func:`environ_path` and :func:`environ_method` read the routing path and
  method from the environ as ``Request(environ).path`` and ``.method``
  would, so a route that never asks for the request need not build one;
  :func:`routes_on_environ` says whether a request class keeps Werkzeug's
  way of reading them.

At import, :func:`_self_check` builds probes through the public API and
through the shortcuts and compares them (attributes, headers, status line,
body, what reaches ``start_response``). If a Werkzeug release changed its
internals and anything differs, :data:`FAST` is false and every function
here takes Werkzeug's public path instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from clastic.types import StartResponse, WSGIEnvironment

__all__ = [
    "FAST",
    "DeferredResponse",
    "environ_method",
    "environ_path",
    "environ_route",
    "finish_direct",
    "init_body",
    "init_buffered",
    "init_status",
    "materialise",
    "raw_to_response",
    "replace_body",
    "respond",
    "respond_direct",
    "routes_on_environ",
    "status_line",
    "write_raw",
]

#: A render's output that never became a Response: ``(status code, content type, body)``.
Raw = tuple[int, str, bytes]


def environ_path(environ: WSGIEnvironment) -> str:
    """Return ``Request(environ).path``: ``PATH_INFO`` decoded as UTF-8, with exactly one leading slash.

    WSGI servers hand ``PATH_INFO`` over as bytes decoded as Latin-1;
    Werkzeug re-decodes them as UTF-8 (invalid bytes become U+FFFD) and
    collapses leading slashes. An ASCII path that already starts with one
    slash, the common case, comes out unchanged.
    """
    path: str = environ.get("PATH_INFO") or ""
    if path[:1] == "/" and path[1:2] != "/" and path.isascii():
        return path
    return "/" + path.encode("latin1").decode(errors="replace").lstrip("/")


def environ_method(environ: WSGIEnvironment) -> str:
    """Return ``Request(environ).method``: ``REQUEST_METHOD`` upper-cased, ``GET`` when missing."""
    return environ.get("REQUEST_METHOD", "GET").upper()  # type: ignore[no-any-return]


def environ_route(environ: WSGIEnvironment) -> tuple[str, str]:
    """Return ``(environ_path(environ), environ_method(environ))`` in one call (the dispatcher's first step)."""
    path: str = environ.get("PATH_INFO") or ""
    if not (path[:1] == "/" and path[1:2] != "/" and path.isascii()):
        path = "/" + path.encode("latin1").decode(errors="replace").lstrip("/")
    return path, environ.get("REQUEST_METHOD", "GET").upper()


@cache
def routes_on_environ(request_type: type) -> bool:
    """Return True if *request_type* reads ``path`` and ``method`` from the environ as Werkzeug's Request does.

    A subclass that overrides ``__init__``, ``path`` or ``method`` (one that
    honours a method-override header, say) must be built to be routed.
    """
    if not FAST or not isinstance(request_type, type) or not issubclass(request_type, Request):
        return False
    for cls in request_type.__mro__:
        if cls is Request:
            return True
        if any(name in vars(cls) for name in ("__init__", "path", "method")):
            return False
    return False


# Status lines by code, filled as codes are met (a code's line never changes).
_STATUS_LINES: dict[int, str] = {}


def status_line(status: int) -> str:
    """Return the WSGI status line Werkzeug sends for *status* (``404`` -> ``'404 NOT FOUND'``)."""
    line = _STATUS_LINES.get(status)
    if line is None:
        line = Response(status=status).status
        if len(_STATUS_LINES) < 1000:
            _STATUS_LINES[status] = line
    return line


_new = object.__new__


def init_buffered(response: Response, body: bytes, content_type: str, status: int) -> None:
    """Initialise a new, still empty *response* as ``Response(body, status=status, content_type=content_type)``.

    *content_type* must be a valid header value (no line breaks): it is not validated.
    """
    if not FAST:
        Response.__init__(response, body, status=status, content_type=content_type)
        return
    headers = _new(Headers)  # Headers() sets nothing but _list
    headers._list = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    attrs = response.__dict__
    attrs["headers"] = headers
    attrs["_status"] = _STATUS_LINES.get(status) or status_line(status)
    attrs["_status_code"] = status
    attrs["direct_passthrough"] = False
    attrs["_on_close"] = []
    attrs["response"] = [body]


def init_status(response: Response, status: int) -> None:
    """Give a new, still empty *response* everything :func:`init_buffered` does but its headers and body.

    :func:`init_body` completes it; until then it must not be used. Only
    valid when :data:`FAST` is true.
    """
    attrs = response.__dict__
    attrs["_status"] = status_line(status)
    attrs["_status_code"] = status
    attrs["direct_passthrough"] = False
    attrs["_on_close"] = []


def init_body(response: Response, body: bytes, content_type: str) -> None:
    """Complete a response begun with :func:`init_status`: set its headers and body."""
    headers = _new(Headers)
    headers._list = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    attrs = response.__dict__
    attrs["headers"] = headers
    attrs["response"] = [body]


def replace_body(response: Response, body: bytes, content_type: str) -> None:
    """Do ``response.set_data(body)`` then ``response.content_type = content_type``, faster when possible."""
    headers = response.headers
    current = headers._list if FAST and type(headers) is Headers else None
    if (
        current is not None
        and len(current) == 2
        and current[0][0] == "Content-Type"
        and current[1][0] == "Content-Length"
        and response.automatically_set_content_length
    ):
        response.response = [body]
        headers._list = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        return
    response.set_data(body)
    response.content_type = content_type


def raw_to_response(raw: Raw) -> Response:
    """Return the Response a render would have built for *raw*: ``Response(body, status=..., content_type=...)``."""
    status, content_type, body = raw
    response = _new(Response)
    init_buffered(response, body, content_type, status)
    return response


def respond_direct(direct: Any, render: Any, context: Any, request: Any, route: Any) -> Any:
    """Run a render's direct form where middleware hooks will see the result: return a Response.

    Compiled chains do this under request hooks (see
    :func:`clastic._chain.direct_form`). *request* is the Request, or the
    dispatcher's request cell (a list whose first item is the request once
    built; see :class:`clastic._dispatch.Dispatcher`) when nothing before
    the render asked for it: the request is built from the cell only if the
    render needs it. A triple becomes a :class:`DeferredResponse`: the
    Response :func:`raw_to_response` builds, built only if a hook looks at it.
    """
    __traceback_hide__ = True  # read by traceback formatters
    result = direct(context, request[0] if type(request) is list else request, route)
    return finish_direct(result, direct, render, request, route)


def finish_direct(result: Any, direct: Any, render: Any, request: Any, route: Any) -> Any:
    """Complete :func:`respond_direct` from the direct form's first *result*.

    Compiled chains call the direct form themselves and hand a complete
    triple to a :class:`DeferredResponse` inline; everything else (a
    Response, a render that needs the request) comes here.
    """
    __traceback_hide__ = True
    if type(result) is not tuple:
        return result
    if result[0] is None:  # the render needs the request, not built yet
        if type(request) is not list:
            return render(result[1], request, route)  # no way to build one: as the render itself does
        cell = request
        request = cell[0] = cell[1].new_request(cell[2], cell[3], cell[4])
        result = direct(result[1], request, route)
        if type(result) is not tuple:
            return result
    if not FAST:
        return raw_to_response(result)
    deferred = _new(DeferredResponse)
    deferred._clastic_raw = result
    return deferred


class DeferredResponse(Response):
    """The Response :func:`raw_to_response` would build for a triple, built when something first looks at it.

    Middleware hooks that only pass the response on (``return next()``)
    never touch it: :func:`respond` then sends the triple as
    :func:`write_raw` does, and the Response is never built. The first
    attribute read (``status_code``, ``headers``, ``set_data``, ...) builds
    it, keeping whatever was assigned before, and from then on the object
    is a plain ``Response`` (its class is switched back), indistinguishable
    from one built directly.
    """

    #: The ``(status, content type, body)`` it stands for, until it is built (an annotation only:
    #: a class attribute of any name the Response sets would hide it from ``__getattr__``).
    _clastic_raw: Raw

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: the deferred Response's own ones.
        if "_clastic_raw" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        materialise(self)
        return getattr(self, name)


def materialise(response: DeferredResponse) -> Response:
    """Build *response* now, as :func:`raw_to_response` builds one, keeping attributes assigned before."""
    attrs = response.__dict__
    status, content_type, body = attrs.pop("_clastic_raw")
    assigned = dict(attrs)
    init_buffered(response, body, content_type, status)
    attrs.update(assigned)
    response.__class__ = Response  # type: ignore[assignment]  # same layout: from now on a plain Response
    return response


def write_raw(raw: Raw, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Send *raw* as Werkzeug would send ``raw_to_response(raw)``."""
    status, content_type, body = raw
    if not FAST or status < 200 or status == 204 or status == 304 or environ.get("REQUEST_METHOD") == "HEAD":
        return raw_to_response(raw)(environ, start_response)
    line = _STATUS_LINES.get(status) or status_line(status)
    start_response(line, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


# Response classes by whether they turn a response into WSGI output as Response does.
_PLAIN_TYPES: dict[type, bool] = {}


def _is_plain_response_type(cls: type) -> bool:
    # A subclass that changes how the response is turned into WSGI output
    # must go through Werkzeug's own path.
    plain = _PLAIN_TYPES.get(cls)
    if plain is None:
        plain = _PLAIN_TYPES[cls] = all(
            getattr(cls, name) is getattr(Response, name)
            for name in ("__call__", "get_wsgi_response", "get_wsgi_headers", "get_app_iter", "iter_encoded", "close")
        )
    return plain


def respond(response: Response, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Send *response*, taking a short way out for plain buffered responses.

    The common case (a complete body already encoded, with its
    Content-Length, nothing to close, no Location to rewrite) is sent
    directly; everything else goes through ``Response.__call__`` unchanged.
    """
    attrs = response.__dict__
    if type(response) is DeferredResponse:
        if len(attrs) == 1:  # never looked at: send the triple it holds
            return write_raw(attrs["_clastic_raw"], environ, start_response)
        materialise(response)
    if FAST and type(response) is Response and environ.get("REQUEST_METHOD") != "HEAD":
        # The shape buffered responses have: one bytes chunk, Content-Type and
        # Content-Length only, nothing to close; anything else takes the checks below.
        body = attrs.get("response")
        listed = attrs["headers"]._list
        if (
            type(body) is list
            and len(body) == 1
            and len(listed) == 2
            and listed[0][0] == "Content-Type"
            and listed[1][0] == "Content-Length"
            and not attrs.get("_on_close", True)
            and type(body[0]) is bytes
            and type(listed) is list
        ):
            status_code = attrs["_status_code"]
            if status_code >= 200 and status_code != 204 and status_code != 304:
                start_response(attrs["_status"], list(listed))
                return body
    body = response.response if FAST else None
    status_code = response.status_code
    if (
        type(body) is list
        and len(body) == 1
        and type(body[0]) is bytes
        and status_code >= 200
        and status_code != 204
        and status_code != 304
        and not getattr(response, "_on_close", True)
        and environ.get("REQUEST_METHOD") != "HEAD"
        and (type(response) is Response or _is_plain_response_type(type(response)))
    ):
        headers = response.headers.to_wsgi_list()
        has_length = False
        for key, _value in headers:
            lowered = key.lower()
            if lowered == "content-length":
                has_length = True
            elif lowered == "location" or lowered == "content-location":
                has_length = False  # Werkzeug rewrites these: take its path
                break
        if has_length:
            start_response(response.status, headers)
            return body
    return response(environ, start_response)


def _sent(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Return what *app* (a WSGI callable) sends: status, headers and the joined body."""
    seen: list[Any] = []
    result = app(environ, lambda status, headers, exc_info=None: seen.extend((status, headers)))
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return seen[0], list(seen[1]), body


_PROBE_ENVIRON = {"REQUEST_METHOD": "GET", "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
_PROBE_BODY, _PROBE_TYPE = "probe \u00e9".encode(), "text/plain; charset=utf-8"


def _same_shape(built: Response, expected: Response) -> bool:
    return built.__dict__.keys() == expected.__dict__.keys() and (
        built.headers.to_wsgi_list() == expected.headers.to_wsgi_list()
    )


def _builds_like_werkzeug() -> bool:
    """The constructors here against ``Response(body, status=..., content_type=...)``, and body replacement."""
    body, content_type = _PROBE_BODY, _PROBE_TYPE
    expected = Response(body, status=404, content_type=content_type)
    built = object.__new__(Response)
    init_buffered(built, body, content_type, 404)
    same_values = all(value == built.__dict__[key] for key, value in expected.__dict__.items() if key != "headers")
    if not (_same_shape(built, expected) and same_values and built.get_data() == body):
        return False
    if built.status != "404 NOT FOUND" or status_line(404) != expected.status:
        return False
    echo = lambda context, request, route: context  # noqa: E731 - a direct form that returns its triple
    split = object.__new__(Response)
    init_status(split, 404)
    init_body(split, body, content_type)
    raw = (404, content_type, body)
    deferred = respond_direct(echo, None, raw, None, None)
    if type(deferred) is not DeferredResponse or deferred.status_code != 404:  # reading it builds it
        return False
    others = (raw_to_response(raw), deferred, split)
    if not all(_same_shape(other, expected) for other in others) or type(deferred) is not Response:
        return False
    if any(hasattr(Response, name) for name in expected.__dict__):
        return False  # a class default would hide a deferred response's missing attribute from __getattr__
    # replace_body against set_data and the content_type setter
    replaced, public = raw_to_response((404, content_type, body)), Response(body, status=404, content_type=content_type)
    replace_body(replaced, b"{}", "application/json")
    public.set_data(b"{}")
    public.content_type = "application/json"
    return replaced.headers.to_wsgi_list() == public.headers.to_wsgi_list() and replaced.get_data() == public.get_data()


def _reads_like_werkzeug() -> bool:
    """The routing path and method, against a Request built from the same environ."""
    for path_info in ("/", "", "/a/b", "//a//b/", "/%2F/x", "a", "/caf\u00c3\u00a9", "/\u00ff\u00fe", "/x?y"):
        for method in ("GET", "post", None):
            probe = dict(_PROBE_ENVIRON, PATH_INFO=path_info)
            if method is None:
                del probe["REQUEST_METHOD"]
            else:
                probe["REQUEST_METHOD"] = method
            request = Request(probe, populate_request=False)
            expected = (request.path, request.method)
            if not (environ_path(probe), environ_method(probe)) == environ_route(probe) == expected:
                return False
    return True


def _sends_like_werkzeug() -> bool:
    """What reaches start_response through respond() and write_raw(), against Response.__call__."""
    for status in (200, 404, 503):
        raw = (status, _PROBE_TYPE, _PROBE_BODY)
        reference = _sent(Response(_PROBE_BODY, status=status, content_type=_PROBE_TYPE), dict(_PROBE_ENVIRON))
        if _sent(lambda e, s, raw=raw: respond(raw_to_response(raw), e, s), dict(_PROBE_ENVIRON)) != reference:
            return False
        if _sent(lambda e, s, raw=raw: write_raw(raw, e, s), dict(_PROBE_ENVIRON)) != reference:
            return False
        passed_on = respond_direct(lambda *_, raw=raw: raw, None, None, None, None)  # as hooks that only pass it
        if _sent(lambda e, s, r=passed_on: respond(r, e, s), dict(_PROBE_ENVIRON)) != reference:
            return False
    return True


def _self_check() -> bool:
    """Return True if every shortcut here builds, reads and sends exactly what Werkzeug's public API does."""
    return _builds_like_werkzeug() and _reads_like_werkzeug() and _sends_like_werkzeug()


#: True when the shortcuts are known to match Werkzeug's public API (checked at import).
FAST = True
FAST = _self_check()
