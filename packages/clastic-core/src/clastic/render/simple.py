"""Basic renders: text, sniffed HTML, JSON and JSONP."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Sized
from typing import Any

from clastic._chain import direct_form
from clastic._fast_wsgi import raw_to_response
from clastic._json import ClasticJSONEncoder, encode_utf8
from clastic._negotiate import request_best_match
from clastic.errors.http import BadRequest
from clastic.render.tabular import Table, TabularRender
from clastic.wrappers import Request, Response

__all__ = [
    "BasicRender",
    "ClasticJSONEncoder",
    "JSONPRender",
    "JSONRender",
    "render_basic",
    "render_json",
    "render_json_dev",
]

_TEXT = "text/plain; charset=utf-8"
_HTML = "text/html; charset=utf-8"
_JSON = "application/json; charset=utf-8"


class JSONRender:
    """Render the context as JSON (``application/json; charset=utf-8``).

    Args:
        streaming: Encode lazily, chunk by chunk, for very large contexts.
        dev_mode: Render unserialisable values as their ``repr()`` instead of failing.
        encoding: Character encoding of the body, named in the ``Content-Type``.
            Characters it cannot represent are written as ``\\uXXXX`` escapes
            unless it is a UTF encoding.
        indent, sort_keys: Passed to the encoder (pretty and stable by default).

    Raises:
        LookupError: *encoding* is not a known codec.
    """

    #: The body's character encoding.
    encoding: str = "utf-8"
    #: The :class:`ClasticJSONEncoder` a render encodes with (``encode``/``iterencode``);
    #: each instance has its own, made from its arguments.
    json_encoder: ClasticJSONEncoder = ClasticJSONEncoder(indent=2, sort_keys=True, ensure_ascii=False)
    _utf8: bool = True

    def __init__(
        self,
        streaming: bool = False,
        dev_mode: bool = False,
        encoding: str = "utf-8",
        *,
        indent: int | None = 2,
        sort_keys: bool = True,
    ) -> None:
        codec = codecs.lookup(encoding)  # an unknown encoding fails here, not at the first request
        self.streaming = streaming
        self.dev_mode = dev_mode
        self.encoding = encoding
        self.json_encoder = ClasticJSONEncoder(
            dev_mode=dev_mode, indent=indent, sort_keys=sort_keys, ensure_ascii=not codec.name.startswith("utf")
        )
        self._content_type = f"application/json; charset={encoding}"
        self._utf8 = codec.name == "utf-8"

    def encode(self, context: Any) -> str:
        """Return *context* as a JSON string."""
        return self.json_encoder.encode(context)

    def __call__(self, context: Any) -> Response:
        return _as_response(self._direct(context, None, None))

    def _direct(self, context: Any, request: Request | None, _route: Any) -> Response | tuple[Any, ...]:
        # What __call__ does; a complete body comes back as (status, content type, body).
        if self.streaming:
            chunks = (chunk.encode(self.encoding) for chunk in self.json_encoder.iterencode(context))
            return Response(chunks, content_type=self._content_type)
        if self._utf8:
            return (200, self._content_type, encode_utf8(self.json_encoder, context))
        return (200, self._content_type, self.json_encoder.encode(context).encode(self.encoding))

    @property
    def _clastic_direct(self) -> Callable[..., Any] | None:
        """The direct form dispatch may call instead of this render (see ``clastic._chain.direct_form``)."""
        return self._direct if type(self).__call__ is JSONRender.__call__ else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(streaming={self.streaming!r}, dev_mode={self.dev_mode!r})"


_JS_IDENTIFIER = r"[A-Za-z_$][A-Za-z0-9_$]*"
_JSONP_CALLBACK = re.compile(rf"{_JS_IDENTIFIER}(?:\.{_JS_IDENTIFIER}|\[[0-9]+\])*")


class JSONPRender(JSONRender):
    """Render JSON wrapped in the ``?callback=`` function for JSONP clients.

    The callback must be a JavaScript identifier path (``cb``, ``app.cb``,
    ``jq[0]``); anything else is a 400, so the parameter cannot inject script.
    Without a callback, plain JSON is returned.
    """

    def __init__(self, qp_name: str = "callback", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.qp_name = qp_name

    def __call__(self, context: Any, request: Request) -> Response:  # type: ignore[override]  # needs the request
        callback = request.args.get(self.qp_name)
        if not callback:
            return super().__call__(context)
        if len(callback) > 128 or not _JSONP_CALLBACK.fullmatch(callback):
            raise BadRequest(
                f"invalid JSONP callback {callback[:64]!r}: expected a JavaScript identifier such as 'handleData'"
            )
        body = f"/**/{callback}({self.encode(context)});"
        response = Response(body, content_type="application/javascript; charset=utf-8")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


# The start of an HTML page: white space, an XML declaration and comments may
# come first, then a doctype or the html element.
_PAGE_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL
)


def _sniff_text(data: bytes) -> str:
    # Byte values, not one-byte strings: `60 in data` is a memchr, `b"<" in data`
    # a general substring search with its own set-up, several times slower.
    if 60 not in data and 123 not in data and 91 not in data:  # no "<", "{" or "["
        return _TEXT
    head = data[:512].lstrip()
    if head[:1] in (b"{", b"["):
        try:
            json.loads(data)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to be a document anyone means
            pass
        else:
            return _JSON
    # A page only when the text starts as one: "<html" further in may be
    # reflected client input, which must not become markup (XSS).
    if _PAGE_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return _HTML
    return _TEXT


def _as_response(result: Response | tuple[Any, ...]) -> Response:
    """Return a direct form's result as the Response calling the render returns."""
    if isinstance(result, tuple):
        return raw_to_response(result)
    return result


class BasicRender:
    """Render whatever an endpoint returns, sensibly.

    * ``str``/``bytes``: HTML if it starts as a page (``<!doctype html`` or
      ``<html``, after white space), JSON if it parses as JSON, otherwise
      plain text (UTF-8). Markup further in stays text, so client input an
      endpoint echoes cannot turn the response into a page.
    * ``None``: ``204 No Content``.
    * dicts, lists and other collections: JSON, or an HTML table when
      ``?format=html`` or ``Accept`` prefers HTML. An unsupported ``?format=``
      is a 400.
    * anything else: its ``str()`` as text.

    Args:
        qp_name: Query parameter that forces the format (``json`` or ``html``).
        dev_mode: Passed to the JSON render.
        json_render: The render for JSON; default ``JSONRender(dev_mode=dev_mode)``.
        table_type: The table class of the HTML render (see :class:`TabularRender`).
        tabular_render: The render for HTML; default ``TabularRender(table_type=table_type)``.
    """

    #: Values ``?format=`` accepts.
    formats = ("json", "html")
    #: The media types collections are offered in, preferred first on a tie in ``Accept``.
    mimetypes: tuple[str, ...] = ("application/json", "text/html")

    def __init__(
        self,
        qp_name: str = "format",
        dev_mode: bool = True,
        json_render: JSONRender | None = None,
        table_type: type[Table] | None = None,
        tabular_render: TabularRender | None = None,
    ) -> None:
        self.qp_name = qp_name
        #: Whether the JSON render shows unserialisable values as their ``repr()``.
        self.dev_mode = dev_mode
        self.json_render = json_render or JSONRender(dev_mode=dev_mode)
        self.tabular_render = tabular_render or TabularRender(table_type=table_type)

    def __call__(self, context: Any, request: Request, _route: Any) -> Response:
        result = self._direct(context, request, _route)
        if type(result) is tuple and result[0] is None:
            self._wants_html(request)  # only reached without a request: fails as that always did
        return _as_response(result)

    render_response = __call__

    def _direct(self, context: Any, request: Request | None, _route: Any) -> Response | tuple[Any, ...]:
        # What __call__ does; a complete body comes back as (status, content type, body),
        # and (None, context) when the request is needed but was not built (request=None).
        if type(context) is str:  # the common case first
            data = context.encode("utf-8")
            return (200, _sniff_text(data), data)
        if isinstance(context, Response):
            return context
        if isinstance(context, (str, bytes, bytearray)):
            data = context.encode("utf-8") if isinstance(context, str) else bytes(context)
            return (200, _sniff_text(data), data)
        if context is None:
            return Response(status=204)
        if isinstance(context, Sized):
            if request is None:
                return (None, context)
            if self._wants_html(request):
                return self.tabular_render(context, _route)
            json_direct = direct_form(self.json_render)
            if json_direct is not None:
                return json_direct(context, request, _route)  # type: ignore[no-any-return]
            return self.json_render(context)
        return (200, _TEXT, str(context).encode("utf-8"))

    @property
    def _clastic_direct(self) -> Callable[..., Any] | None:
        """The direct form dispatch may call instead of this render (see ``clastic._chain.direct_form``)."""
        return self._direct if type(self).__call__ is BasicRender.__call__ else None

    def _wants_html(self, request: Request) -> bool:
        fmt = request.args.get(self.qp_name)
        if fmt is not None:
            fmt = fmt.strip().lower()
            if fmt not in self.formats:
                raise BadRequest(
                    f"unsupported format {fmt[:32]!r} in ?{self.qp_name}=; use one of {list(self.formats)}"
                )
            return fmt == "html"
        return request_best_match(request, tuple(self.mimetypes)) == "text/html"

    @classmethod
    def factory(cls, *args: Any, **kwargs: Any) -> Callable[[Any], BasicRender]:
        """Return a render factory that ignores render arguments and renders basically."""
        render = cls(*args, **kwargs)

        def basic_render_factory(render_arg: Any) -> BasicRender:
            return render

        return basic_render_factory

    def __repr__(self) -> str:
        return f"{type(self).__name__}(qp_name={self.qp_name!r})"


#: The everyday render: see :class:`BasicRender`.
render_basic = BasicRender()
#: JSON render for production: unserialisable values are an error.
render_json = JSONRender()
#: JSON render that shows unserialisable values as their ``repr()``.
render_json_dev = JSONRender(dev_mode=True)
