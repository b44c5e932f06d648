"""The base of the HTTP errors, :class:`HTTPException`, and how error bodies are negotiated.

Import these from :mod:`clastic.errors.http` (or :mod:`clastic.errors`),
where the status classes live.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar
from xml.sax.saxutils import escape as xml_escape

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from clastic import _fast_wsgi
from clastic._fast_wsgi import init_body, init_status, replace_body
from clastic._json import ClasticJSONEncoder
from clastic._negotiate import best_match, request_best_match

__all__ = ["CONTENT_TYPES", "DEFAULT_MIME", "MIME_SUPPORT_MAP", "STDLIB_EXC_URL", "HTTPException", "negotiate_mimetype"]

#: Body format used when the client accepts none of :data:`MIME_SUPPORT_MAP`.
DEFAULT_MIME = "text/plain"

#: Supported error body types, in preference order, and the method that renders each.
MIME_SUPPORT_MAP: dict[str, str] = {
    "text/html": "to_html",
    "application/json": "to_json",
    "application/problem+json": "to_problem_json",
    "text/plain": "to_text",
    "application/xml": "to_xml",
}

#: Where Python documents its built-in exceptions; add ``#ValueError`` and so on.
#: Kept for compatibility with Clastic 26, which linked a 500's error type there.
STDLIB_EXC_URL = "https://docs.python.org/3/library/exceptions.html"

#: The Content-Type header sent for each of :data:`MIME_SUPPORT_MAP`'s body types: the one table
#: for every error body, the stock ones and clastic-errors' debug pages alike.
CONTENT_TYPES: Mapping[str, str] = {
    "text/html": "text/html; charset=utf-8",
    "application/json": "application/json; charset=utf-8",
    "application/problem+json": "application/problem+json",
    "text/plain": "text/plain; charset=utf-8",
    "application/xml": "application/xml; charset=utf-8",
}

_MIME_ORDER = tuple(MIME_SUPPORT_MAP)

# json.dumps(..., indent=2, sort_keys=True, ensure_ascii=False, default=repr), through orjson when it
# writes the same text (see clastic._json).
_JSON_ENCODER = ClasticJSONEncoder(indent=2, sort_keys=True, ensure_ascii=False, default=repr)

#: Prepared answers (see HTTPException.prepared), by body key.
_PREPARED: dict[tuple[Any, ...], tuple[int, str, bytes]] = {}
#: (class, raw Accept value) -> (the class's body attributes, what prepared() gave for it).
_PREPARED_BY_ACCEPT: dict[tuple[type, str | None], tuple[tuple[Any, ...], tuple[int, str, bytes] | None]] = {}


def negotiate_mimetype(request: Request | None) -> str:
    """Pick the error body type the client prefers; text when it says nothing usable.

    The answer is memoised per ``Accept`` value (see :mod:`clastic._negotiate`),
    so negotiating costs a dictionary lookup after the first request.
    """
    if request is None:
        return DEFAULT_MIME
    return request_best_match(request, _MIME_ORDER) or DEFAULT_MIME


def negotiate_accept(accept: str | None) -> str:
    """Pick the error body type for the raw ``Accept`` header value *accept*."""
    return best_match(accept, _MIME_ORDER) or DEFAULT_MIME


def _supported_base(mimetype: str) -> str:
    base = mimetype.split(";", 1)[0].strip().lower()
    return base if base in MIME_SUPPORT_MAP else DEFAULT_MIME


# The methods a body is rendered with; a class that keeps all of them renders
# only from its own attributes, so equal attributes give equal bodies.
_RENDERING_METHODS = (
    "to_dict",
    "to_problem",
    "_detail_text",
    "to_text",
    "to_html",
    "to_xml",
    "to_json",
    "to_problem_json",
)

#: (class, type, method, code, message, detail, error_type) -> (body text, body bytes).
_BODIES: dict[tuple[Any, ...], tuple[str, bytes]] = {}
_BODIES_LIMIT = 1024


# Error classes by whether they keep every rendering method of HTTPException.
_FROM_CLASS: dict[type, bool] = {}


def _renders_from_class(cls: type) -> bool:
    from_class = _FROM_CLASS.get(cls)
    if from_class is None:
        from_class = _FROM_CLASS[cls] = all(
            getattr(cls, name) is getattr(HTTPException, name) for name in _RENDERING_METHODS
        )
    return from_class


class HTTPException(Response, Exception):
    """Base class of HTTP errors: an ``Exception`` and a Werkzeug ``Response``.

    Args:
        detail: What went wrong, for the client. Defaults to the class's ``detail``.
        code: The status code. Defaults to the class's ``code`` (500 for this base class).
        message: A short title ("Not found"). Defaults to the class's ``message``.
        error_type: A URI or name for this kind of error (RFC 9457 ``type``).
        is_breaking: ``False`` lets later routes try to answer the request.
        source_route: The route that raised it (set by the Application).
        mimetype, content_type: Force a body type instead of negotiating one.
        headers: Extra response headers.
        extensions: Extra members for the problem-details body (JSON-serialisable).
    """

    #: HTTP status code.
    code: ClassVar[int] = 500
    #: Short title of the error.
    message: str = "Error"
    #: Default explanation.
    detail: str = "An unspecified error occurred."
    #: RFC 9457 ``type``: a URI identifying this kind of problem, or ``None``.
    error_type: str | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: int | None = None,
        message: str | None = None,
        error_type: str | None = None,
        is_breaking: bool = True,
        source_route: Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | Headers | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        if detail is not None:
            self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]  # instance override of the class default
        if message is not None:
            self.message = message
        if error_type is not None:
            self.error_type = error_type
        self.is_breaking = is_breaking
        self.source_route = source_route
        #: Extra members for problem-details bodies.
        self.extensions: dict[str, Any] = dict(extensions or {})
        #: The request path, once :meth:`transcribe` has seen the request (RFC 9457 ``instance``).
        self.instance: str | None = None
        base = _supported_base(content_type or mimetype or DEFAULT_MIME)
        #: ``(type, body text)`` of the body the response holds, once rendered.
        self._rendered: tuple[str, str] | None = None
        if headers or not _fast_wsgi.FAST:
            text, _data = self._body(base)
            self._rendered = (base, text)
            Response.__init__(self, text, status=self.code, headers=headers, content_type=CONTENT_TYPES[base])
        else:
            # The body is rendered when first needed, in the type it is sent in
            # (see __getattr__ and adapt): an error that is negotiated before it
            # is sent is rendered once, in the negotiated type.
            init_status(self, self.code)
            self._pending = base
        Exception.__init__(self, self.detail)

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: the headers and body of an
        # error not rendered yet. Render it in its default type now.
        if name in ("headers", "response"):
            base = self.__dict__.get("_pending")
            if base is not None:
                self._materialise(base)
                return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _materialise(self, base: str) -> None:
        """Render the pending body in *base* and complete the Response with it.

        ``headers`` or ``response`` assigned before (``set_data`` assigns the
        body first) are kept, as they would have replaced the rendered ones.
        """
        text, data = self._body(base)
        attrs = self.__dict__
        del attrs["_pending"]
        self._rendered = (base, text)
        assigned: dict[str, Any] = {name: attrs[name] for name in ("headers", "response") if name in attrs}
        init_body(self, data, CONTENT_TYPES[base])
        extra = attrs.pop("_pending_headers", None)
        if assigned:
            attrs.update(assigned)
        if extra and "headers" not in assigned:
            for name, value in extra:
                attrs["headers"][name] = value

    def _set_header(self, name: str, value: str) -> None:
        """Do ``self.headers[name] = value`` without rendering a body that is not rendered yet.

        The header then follows Content-Type and Content-Length, where
        setting it on the rendered response would have put it.
        """
        if "_pending" in self.__dict__:
            pending = self.__dict__.setdefault("_pending_headers", [])
            pending[:] = [(key, old) for key, old in pending if key.lower() != name.lower()]
            pending.append((name, value))
        else:
            self.headers[name] = value

    def _body_key(self, base: str) -> tuple[Any, ...] | None:
        """The key under which this error's *base* body is shared, or ``None`` when it is its own."""
        attrs = self.__dict__
        if (
            "detail" in attrs
            or "message" in attrs
            or "code" in attrs
            or "error_type" in attrs
            or self.extensions
            or (self.instance and base == "application/problem+json")
        ):
            return None
        return type(self)._class_body_key(base)

    @classmethod
    def _class_body_key(cls, base: str) -> tuple[Any, ...] | None:
        """The body key of an instance of *cls* that sets no attribute of its own."""
        if not _renders_from_class(cls):
            return None
        detail, message, error_type = cls.detail, cls.message, cls.error_type
        if type(detail) is not str or type(message) is not str or not (error_type is None or type(error_type) is str):
            return None
        return (cls, base, MIME_SUPPORT_MAP[base], cls.code, message, detail, error_type)

    def _body(self, base: str) -> tuple[str, bytes]:
        """Return this error's body as *base* (text and UTF-8), shared by every error of the same
        class and attributes.
        """
        key = self._body_key(base)
        if key is not None:
            body = _BODIES.get(key)
            if body is not None:
                return body
        text = getattr(self, MIME_SUPPORT_MAP[base])()
        body = (text, text.encode("utf-8"))
        if key is not None:
            if len(_BODIES) >= _BODIES_LIMIT:
                _BODIES.clear()
            _BODIES[key] = body
        return body

    @classmethod
    def prepared(cls, mimetype: str) -> tuple[int, str, bytes] | None:
        """Return ``(status, content type, body)`` of ``cls()`` rendered as *mimetype*, or ``None``.

        For errors whose body carries nothing from the request: the body
        depends only on the class's attributes, so it is rendered once per
        type and kept. ``None`` when it depends on more: problem details
        name the request path, and a class may render from its own state.
        """
        base = _supported_base(mimetype)
        key = cls._class_body_key(base) if base != "application/problem+json" else None
        if key is None:
            return None
        prepared = _PREPARED.get(key)
        if prepared is None:
            error = cls()
            if error._body_key(base) != key:  # its constructor set attributes of its own
                return None
            error.adapt(base)
            headers = error.headers.to_wsgi_list()
            if [name for name, _value in headers] != ["Content-Type", "Content-Length"]:
                return None
            if len(_PREPARED) >= _BODIES_LIMIT:
                _PREPARED.clear()
            prepared = _PREPARED[key] = (error.status_code, headers[0][1], error.get_data())
        return prepared

    @classmethod
    def prepared_for_accept(cls, accept: str | None) -> tuple[int, str, bytes] | None:
        """Return :meth:`prepared` for the type negotiated from the raw ``Accept`` value *accept*.

        Memoised per (class, ``Accept`` value) in a bounded cache, and kept
        only while the class's code, message, detail and error type are the
        ones it was prepared with.
        """
        attributes = (cls.code, cls.message, cls.detail, cls.error_type)
        key = (cls, accept)
        hit = _PREPARED_BY_ACCEPT.get(key)
        if hit is not None and hit[0] == attributes:
            return hit[1]
        prepared = cls.prepared(negotiate_accept(accept))
        if len(_PREPARED_BY_ACCEPT) >= _BODIES_LIMIT:
            _PREPARED_BY_ACCEPT.clear()
        _PREPARED_BY_ACCEPT[key] = (attributes, prepared)
        return prepared

    # -- serialisation -------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Return ``{code, message, detail, error_type}``."""
        return {
            "code": self.code,
            "message": self.message,
            "detail": self._detail_text(),
            "error_type": self.error_type,
        }

    def to_escaped_dict(self) -> dict[str, Any]:
        """Return :meth:`to_dict` with its text values HTML-escaped, for templates that do not escape.

        Kept for compatibility with Clastic 26.
        """
        return {key: html.escape(value) if isinstance(value, str) else value for key, value in self.to_dict().items()}

    def to_problem(self) -> dict[str, Any]:
        """Return an RFC 9457 problem-details object."""
        problem: dict[str, Any] = dict(self.extensions)
        problem.update(
            type=self.error_type or "about:blank", title=self.message, status=self.code, detail=self._detail_text()
        )
        if self.instance:
            problem["instance"] = self.instance
        return problem

    def to_text(self) -> str:
        """Return a plain-text body."""
        lines = [f"{self.code} - {self.message}", "", self._detail_text()]
        if self.error_type:
            lines += ["", f"Error type: {self.error_type}"]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """Return a small, escaped HTML page."""
        title = html.escape(f"{self.code} - {self.message}")
        parts = [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{title}</title></head><body>",
            f"<h1>{html.escape(self.message)}</h1>",
            f"<p>{html.escape(self._detail_text())}</p>",
        ]
        if self.error_type:
            etype = html.escape(self.error_type)
            if self.error_type.startswith(("http://", "https://")):
                etype = f'<a href="{etype}">{etype}</a>'
            parts.append(f"<p>Error type: {etype}</p>")
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"

    def to_xml(self) -> str:
        """Return ``<http_error>`` with code, message, detail and error_type."""
        fields = "".join(
            f"<{key}>{xml_escape('' if value is None else str(value))}</{key}>" for key, value in self.to_dict().items()
        )
        return f'<?xml version="1.0" encoding="utf-8"?>\n<http_error>{fields}</http_error>\n'

    def to_json(self, indent: int = 2, sort_keys: bool = True) -> str:
        """Return the :meth:`to_dict` fields as JSON."""
        if indent == 2 and sort_keys:
            return _JSON_ENCODER.encode(self.to_dict()) + "\n"
        return json.dumps(self.to_dict(), indent=indent, sort_keys=sort_keys, ensure_ascii=False, default=repr) + "\n"

    def to_problem_json(self) -> str:
        """Return :meth:`to_problem` as JSON."""
        return _JSON_ENCODER.encode(self.to_problem()) + "\n"

    def adapt(self, mimetype: str) -> HTTPException:
        """Re-render the body as *mimetype* (unknown types fall back to text) and return self."""
        base = _supported_base(mimetype)
        if "_pending" in self.__dict__:  # not rendered yet: render once, in this type
            self._materialise(base)
            return self
        text, data = self._body(base)
        if (base, text) != self._rendered:  # re-rendering the same body is common: skip the header work
            replace_body(self, data, CONTENT_TYPES[base])
            self._rendered = (base, text)
        return self

    def transcribe(self, request: Request | None) -> HTTPException:
        """Render the body in the format the request's ``Accept`` header prefers."""
        if request is not None:
            self.instance = request.path
        return self.adapt(negotiate_mimetype(request))

    def _detail_text(self) -> str:
        detail = self.detail
        return detail if isinstance(detail, str) else repr(detail)

    def __str__(self) -> str:
        text = self._detail_text() or self.message
        return text if len(text) <= 512 else text[:509] + "..."

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, message={self.message!r})"

    # Exception and Response both define __hash__/__eq__ by identity; keep that.
    __hash__ = object.__hash__
