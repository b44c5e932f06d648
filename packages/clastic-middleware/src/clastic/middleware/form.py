"""Request bodies provided to endpoints by name: form fields, JSON documents, uploaded files.

* :class:`PostDataMiddleware`: form fields (``application/x-www-form-urlencoded``
  or ``multipart/form-data``), converted to types.
* :class:`JSONBodyMiddleware`: the parsed JSON body.
* :class:`FileUploadMiddleware`: uploaded files from a multipart form.

Every one checks the declared ``Content-Length`` against its limit before
reading anything (413), and answers malformed input with a 4xx naming the
problem, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from werkzeug.datastructures import FileStorage

from clastic import Middleware, Request
from clastic.errors import BadRequest, RequestEntityTooLarge
from clastic.middleware._body import (
    DEFAULT_MAX_CONTENT_LENGTH,
    MULTIPART,
    URLENCODED,
    declares_body,
    format_size,
    load_form,
    read_body,
)
from clastic.middleware._params import extract_fields, parse_fields
from clastic.middleware.core import check_arg_name
from clastic.route import BoundRoute

__all__ = ["FileUploadMiddleware", "JSONBodyMiddleware", "PostDataMiddleware"]


class PostDataMiddleware(Middleware):
    """Provide submitted form fields to endpoints, converted to types.

    As in the Erosion tutorial::

        PostDataMiddleware({"target_url": str, "new_alias": str, "expiry_time": int, "max_count": int})

    By default (the original behaviour) a missing field, or one that fails
    conversion, is provided as ``None``. With ``strict=True`` either is a 400
    whose body names the field and the expected type; fields listed in
    *defaults* stay optional. ``bool`` fields accept ``on/true/1`` and
    ``off/false/0`` (a checked HTML checkbox sends ``on``).

    With ``strict=True`` the body itself is checked too: a body of another
    type (JSON, say) is a 400 naming the expected and the received
    ``Content-Type``, and a multipart body without a boundary, with an
    invalid one (RFC 2046: 1 to 70 characters from a small set), or one that
    cannot be parsed, is a 400 saying so (by default such bodies read as an
    empty form).

    Limits, each a 413 naming the limit; the two body limits are checked on
    ``Content-Length`` before anything is read (and while reading a chunked
    body), the per-field one while parsing:

    * url-encoded bodies, read into memory whole: *max_form_size*, 1 MiB by
      default;
    * any body, multipart included: *max_content_length*, 16 MiB by default,
      as for :class:`FileUploadMiddleware`;
    * each text field of a multipart body, held in memory: Werkzeug's
      ``max_form_memory_size`` (500 kB by default; files go to disk and are
      not limited by it), a 413 naming that limit.

    Args:
        params: A name, an iterable of names, or ``{name: type}``; an empty
            dict or list provides nothing.
        strict: Answer 400 for missing or malformed fields and for bodies
            that are not a readable form.
        defaults: ``{name: value}`` used when a field is absent.
        max_form_size: Largest url-encoded body accepted, in bytes; ``None``
            for no limit of its own.
        max_content_length: Largest body of any kind, in bytes; ``None`` for
            no limit (not advised: a client could fill the disk).
    """

    def __init__(
        self,
        params: object,
        *,
        strict: bool = False,
        defaults: Mapping[str, Any] | None = None,
        max_form_size: int | None = 1024 * 1024,
        max_content_length: int | None = DEFAULT_MAX_CONTENT_LENGTH,
    ) -> None:
        #: One :class:`~clastic.middleware._params.Field` per name: converter, expected type, default.
        self.fields = parse_fields(params, defaults, owner=type(self).__name__)
        self.strict = strict
        self.max_form_size = max_form_size
        self.max_content_length = max_content_length
        #: The names this middleware provides (one per field).
        self.provides = tuple(field.name for field in self.fields)  # type: ignore[misc]  # per-instance provides

    def request(self, next: Callable[..., Any], request: Request, _route: BoundRoute) -> Any:
        """Parse the form within the limits and pass the fields on."""
        if _route.is_null_route:  # a 404 or 405 is coming; leave the body alone
            return next(**dict.fromkeys(self.provides))
        if self.strict and request.mimetype not in (URLENCODED, MULTIPART) and declares_body(request):
            received = request.mimetype or "no Content-Type"
            raise BadRequest(
                f"expected a form (Content-Type: {URLENCODED} or {MULTIPART}), got {received[:64]!r}",
                extensions={"expected": [URLENCODED, MULTIPART], "received": request.mimetype},
            )
        limit = self.max_content_length
        if request.mimetype == URLENCODED and self.max_form_size is not None:
            limit = self.max_form_size if limit is None else min(limit, self.max_form_size)
        form, _files = load_form(request, max_content_length=limit, what="form", strict=self.strict)
        return next(**extract_fields(form, self.fields, strict=self.strict, kind="form field"))

    @property
    def params(self) -> dict[str, Any]:
        """``{name: type}`` of the fields provided, as given (``str`` for a bare name).

        Kept for compatibility with Clastic 26, where it was an attribute;
        :attr:`fields` describes each field fully (converter, default).
        """
        return {field.name: field.declared for field in self.fields}

    def __repr__(self) -> str:
        params = {field.name: field.expected for field in self.fields}
        return f"{type(self).__name__}({params!r}, strict={self.strict!r})"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _is_json_mimetype(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


class JSONBodyMiddleware(Middleware):
    """Provide the request's JSON body, parsed, to endpoints.

    The body must be UTF-8 JSON sent as ``application/json`` (or another
    ``application/*+json`` type). Errors, all before the endpoint runs:

    * a body over *max_size*: 413, checked on ``Content-Length`` before
      reading, and while reading a chunked body;
    * another ``Content-Type``: 400 naming the received type;
    * text that is not UTF-8 or not JSON (``NaN`` included): 400 naming the
      line and column;
    * an empty body when *required*: 400.

    Args:
        arg_name: The argument name endpoints take.
        max_size: Largest body accepted, in bytes.
        required: Refuse empty bodies; when false, an empty body is ``None``.
    """

    def __init__(self, arg_name: str = "json_body", *, max_size: int = 1024 * 1024, required: bool = True) -> None:
        self.arg_name = check_arg_name(arg_name, owner=type(self).__name__)
        if not isinstance(max_size, int) or max_size <= 0:
            raise ValueError(f"JSONBodyMiddleware: max_size must be a positive number of bytes, got {max_size!r}")
        self.max_size = max_size
        self.required = required
        self.provides = (arg_name,)  # type: ignore[misc]  # per-instance provides

    def request(self, next: Callable[..., Any], request: Request, _route: BoundRoute) -> Any:
        """Parse the body and pass it on as *arg_name*."""
        if _route.is_null_route:  # a 404 or 405 is coming; leave the body alone
            return next(**{self.arg_name: None})
        return next(**{self.arg_name: self.parse(request)})

    def parse(self, request: Request) -> Any:
        """Return the parsed JSON body of *request*; raise a 4xx error when it has none or a bad one."""
        if not declares_body(request):
            return self._empty()
        if not _is_json_mimetype(request.mimetype):
            received = request.mimetype or "no Content-Type"
            raise BadRequest(
                f"expected a JSON body with Content-Type: application/json, got {received[:64]!r}",
                extensions={"expected": "application/json", "received": request.mimetype},
            )
        data = read_body(request, limit=self.max_size, what="JSON body")
        if not data.strip():
            return self._empty()
        charset = request.mimetype_params.get("charset", "utf-8")
        try:
            text = data.decode(charset)
        except (UnicodeDecodeError, LookupError) as ex:
            raise BadRequest(f"the JSON body could not be decoded as {charset[:32]!r} text: {ex}") from ex
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as ex:
            raise BadRequest(
                f"the request body is not valid JSON: {ex.msg} at line {ex.lineno} column {ex.colno}",
                extensions={"line": ex.lineno, "column": ex.colno},
            ) from ex
        except ValueError as ex:  # NaN, Infinity
            raise BadRequest(f"the request body is not valid JSON: {ex}") from ex
        except RecursionError as ex:
            raise BadRequest("the JSON body is nested too deeply to parse") from ex

    def _empty(self) -> None:
        if self.required:
            raise BadRequest(
                "the request body is empty; this endpoint expects a JSON document (Content-Type: application/json)"
            )
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.arg_name!r}, max_size={self.max_size!r}, required={self.required!r})"


class FileUploadMiddleware(Middleware):
    """Provide uploaded files (Werkzeug ``FileStorage`` objects) to endpoints by field name.

    Files come from a ``multipart/form-data`` body; Werkzeug keeps small ones
    in memory and moves the rest to temporary files, so memory stays bounded.
    A missing file is ``None``, or a 400 naming the field with ``strict=True``.

    Args:
        files: A field name or an iterable of field names.
        strict: Answer 400 when a file is missing, the body is not multipart,
            or it is a multipart body without a boundary or that cannot be parsed.
        max_content_length: Largest whole body, in bytes, 16 MiB by default
            (413 past it, checked on ``Content-Length`` before reading).
        max_file_size: Largest single file, in bytes (413 naming the field).
        max_parts: Most parts (fields and files) in one body (413 past it,
            naming this limit rather than the body size).
    """

    def __init__(
        self,
        files: str | Iterable[str],
        *,
        strict: bool = False,
        max_content_length: int | None = DEFAULT_MAX_CONTENT_LENGTH,
        max_file_size: int | None = None,
        max_parts: int = 100,
    ) -> None:
        owner = type(self).__name__
        names = [files] if isinstance(files, str) else list(files)
        if not names:
            raise ValueError(f"{owner}: no file field names given")
        self.names = tuple(check_arg_name(name, owner=owner, what="file field name") for name in names)
        self.strict = strict
        self.max_content_length = max_content_length
        self.max_file_size = max_file_size
        self.max_parts = max_parts
        self.provides = self.names  # type: ignore[misc]  # per-instance provides

    def request(self, next: Callable[..., Any], request: Request, _route: BoundRoute) -> Any:
        """Parse the multipart body within the limits and pass the files on."""
        if _route.is_null_route:  # a 404 or 405 is coming; leave the body alone
            return next(**dict.fromkeys(self.names))
        if request.mimetype != MULTIPART:
            if self.strict:
                received = request.mimetype or "no Content-Type"
                raise BadRequest(
                    f"expected a file upload (Content-Type: multipart/form-data), got {received[:64]!r}",
                    extensions={"expected": MULTIPART, "received": request.mimetype},
                )
            return next(**dict.fromkeys(self.names))
        _form, files = load_form(
            request,
            max_content_length=self.max_content_length,
            max_form_parts=self.max_parts,
            what="multipart upload",
            strict=self.strict,
        )
        return next(**self._collect(files))

    def _collect(self, files: Any) -> dict[str, FileStorage | None]:
        provided: dict[str, FileStorage | None] = {}
        for name in self.names:
            upload = files.get(name)
            if upload is not None and not upload.filename and _size(upload) == 0:
                upload = None  # a file input left empty sends an unnamed, empty part
            if upload is None and self.strict:
                raise BadRequest(
                    f"missing file upload {name!r} (expected a file in the multipart form)", extensions={"field": name}
                )
            if upload is not None and self.max_file_size is not None:
                size = _size(upload)
                if size > self.max_file_size:
                    raise RequestEntityTooLarge(
                        f"uploaded file {name!r} is {format_size(size)}, over the {format_size(self.max_file_size)} "
                        "this endpoint accepts per file",
                        extensions={"field": name, "limit": self.max_file_size, "received": size},
                    )
            provided[name] = upload
        return provided

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.names)!r}, strict={self.strict!r})"


def _size(upload: FileStorage) -> int:
    stream = upload.stream
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size
