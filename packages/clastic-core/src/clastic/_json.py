"""JSON for renders and error bodies: Clastic's encoder and a fast path through orjson.

:class:`ClasticJSONEncoder` is public in :mod:`clastic.render` (and, kept for
compatibility with Clastic 26, in :mod:`clastic.errors`).

The renders pretty-print (``indent=2``, sorted keys), and CPython's C
accelerator does not handle ``indent``: the standard library then encodes
in pure Python, the costliest step of a small JSON response. When orjson is
installed (``pip install clastic-core[fast]``), :func:`fast_dumps` encodes
with it instead, but only where it writes exactly the standard library's
bytes:

* the encoder is a plain :class:`json.JSONEncoder` or
  :class:`ClasticJSONEncoder` (no overridden ``encode``/``iterencode``),
  writing UTF-8 without ASCII escapes, either pretty (``indent=2``, the
  default separators) or compact (``separators=(",", ":")``);
* the document holds only dicts with ``str`` keys, lists, tuples, ``str``,
  ``int``, ``bool``, ``None`` and floats that both libraries spell alike
  (zero, or a magnitude from 1e-4 to 1e16), all of those exact types, not
  subclasses.

Anything else (an ``int`` key, a ``float('nan')``, ``1e-05``, an Enum, a
``str`` subclass, a date the encoder's ``default`` turns into text, a
surrogate that orjson refuses) goes to the standard library, so the bytes
never change with orjson installed. At import a probe document compares
both libraries; if they differ, orjson is not used at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sized
from typing import Any

try:
    import orjson
except ImportError:  # the fast extra is not installed
    orjson = None  # type: ignore[assignment]  # the fast extra is not installed: HAVE_ORJSON is false

__all__ = ["HAVE_ORJSON", "ClasticJSONEncoder", "encode_utf8", "fast_dumps", "fast_encode"]


class ClasticJSONEncoder(json.JSONEncoder):
    """JSON encoder that also handles mappings, sets, ``to_dict()``, ``asdict()`` and dates.

    A class (any ``type``) is encoded as its ``repr()``, as are, in
    *dev_mode*, values it knows no way to encode; outside *dev_mode* those
    are a ``TypeError``. Methods are only called on instances: a class such
    as ``datetime.date`` has an ``isoformat`` attribute, but calling it
    without an instance would fail.

    :meth:`encode` returns what :class:`json.JSONEncoder` returns; it uses
    orjson when installed and certain to give the same text.
    """

    def __init__(self, *, dev_mode: bool = False, **kwargs: Any) -> None:
        self.dev_mode = dev_mode
        super().__init__(**kwargs)

    def default(self, o: Any) -> Any:
        if isinstance(o, type):
            return repr(o)
        if isinstance(o, Mapping):
            return dict(o)
        if isinstance(o, Sized) and isinstance(o, Iterable):
            return list(o)
        for method in ("to_dict", "asdict", "isoformat"):
            func = getattr(o, method, None)
            if callable(func):
                return func()
        if self.dev_mode:
            return repr(o)
        raise TypeError(f"cannot serialize to JSON: {o!r} ({type(o).__name__})")

    def encode(self, o: Any) -> str:
        """Return the JSON text of *o*, exactly as :meth:`json.JSONEncoder.encode` does."""
        result = fast_encode(self, o)
        if result is None:
            return super().encode(o)
        return result if isinstance(result, str) else result.decode("utf-8")


_SCALARS = frozenset({str, int, bool, type(None)})


def _same_float(value: float) -> bool:
    # orjson and float.__repr__ agree on these; NaN and infinities fail both tests.
    return value == 0.0 or 1e-4 <= abs(value) < 1e16


def _plain(obj: Any) -> bool:  # noqa: C901 - one flat walk: a call per value would double its cost
    """True when *obj* holds only the exact types both libraries encode alike (see the module docstring)."""
    kind = type(obj)
    if kind is dict:
        for key, value in obj.items():
            if type(key) is not str:
                return False
            kind = type(value)
            if kind in _SCALARS:
                continue
            if kind is float:
                if not _same_float(value):
                    return False
            elif not _plain(value):
                return False
        return True
    if kind is list or kind is tuple:
        for value in obj:
            kind = type(value)
            if kind in _SCALARS:
                continue
            if kind is float:
                if not _same_float(value):
                    return False
            elif not _plain(value):
                return False
        return True
    if kind in _SCALARS:
        return True
    return kind is float and _same_float(obj)


_COMPACT, _PRETTY = 0, 2


def _style(encoder: json.JSONEncoder) -> int | None:
    """``_PRETTY`` (indent 2), ``_COMPACT`` (no spaces) or ``None``: how *encoder* writes, if a fast path can."""
    if type(encoder) is not ClasticJSONEncoder and type(encoder) is not json.JSONEncoder:
        return None  # a subclass may encode its own way
    if encoder.ensure_ascii:
        return None
    indent = encoder.indent
    if (type(indent) is int and indent == 2) or indent == "  ":
        if encoder.item_separator == "," and encoder.key_separator == ": ":
            return _PRETTY
    elif indent is None and encoder.item_separator == "," and encoder.key_separator == ":":
        return _COMPACT
    return None


def fast_dumps(encoder: json.JSONEncoder, obj: Any) -> bytes | None:
    """Return ``encoder.encode(obj)`` as UTF-8 bytes written by orjson, or ``None`` if orjson cannot write them.

    ``None`` means: use another path. It is returned whenever orjson is
    missing, the encoder's options or the document's contents are ones
    orjson would write differently, or orjson refuses the document.
    """
    if not HAVE_ORJSON:
        return None
    style = _style(encoder)
    if style is None:
        return None
    options = orjson.OPT_INDENT_2 if style == _PRETTY else 0
    if encoder.sort_keys:
        options |= orjson.OPT_SORT_KEYS
    try:
        if not _plain(obj):
            return None
        return orjson.dumps(obj, option=options)
    except (orjson.JSONEncodeError, RecursionError):  # surrogates, 64-bit overflow, depth: another path decides
        return None


def fast_encode(encoder: json.JSONEncoder, obj: Any) -> bytes | str | None:
    """Return what ``encoder.encode(obj)`` returns, as orjson's bytes or :func:`_pretty`'s text, or ``None``.

    ``None`` means: only the standard library can say (a compact document
    orjson cannot write is left to its C encoder, which is fast already).
    """
    data = fast_dumps(encoder, obj)
    if data is not None:
        return data
    if _PRETTY_OK and _style(encoder) == _PRETTY:
        return _pretty(obj, encoder.sort_keys)
    return None


def encode_utf8(encoder: json.JSONEncoder, obj: Any) -> bytes:
    """Return ``encoder.encode(obj).encode("utf-8")``, by a fast path when it writes the same bytes."""
    result = fast_encode(encoder, obj)
    if result is None:
        if type(encoder) is ClasticJSONEncoder:
            return json.JSONEncoder.encode(encoder, obj).encode("utf-8")  # fast_encode already said no
        return encoder.encode(obj).encode("utf-8")
    return result if isinstance(result, bytes) else result.encode("utf-8")


class _NotPlain(Exception):
    """Raised inside :func:`_write` for a value only the standard library knows how to write."""


_encode_str = json.encoder.encode_basestring  # the C function when the accelerator is there: what the stdlib uses
_int_text = int.__repr__
_float_text = float.__repr__
_CONSTANTS = {True: "true", False: "false", None: "null"}


def _pretty(obj: Any, sort_keys: bool) -> str | None:
    """Write *obj* as ``json.dumps(obj, indent=2, sort_keys=sort_keys, ensure_ascii=False)`` does, or return ``None``.

    The standard library pretty-prints in pure Python, through generators;
    this writes the same text for documents of exact dicts with ``str`` keys,
    lists, tuples, ``str``, ``int``, finite floats, ``bool`` and ``None``, about
    twice as fast, and gives up (``None``) on anything else.
    """
    parts: list[str] = []
    try:
        _write(obj, parts, "\n", sort_keys)
    except (_NotPlain, RecursionError):
        return None
    return "".join(parts)


def _write(obj: Any, parts: list[str], newline: str, sort_keys: bool) -> None:
    # Scalars inside containers are written inline: a call per value would
    # cost as much as the standard library's generators.
    kind = type(obj)
    if kind is dict or kind is list or kind is tuple:
        if not obj:
            parts.append("{}" if kind is dict else "[]")
            return
        inner = newline + "  "
        separator = "," + inner
        parts.append(("{" if kind is dict else "[") + inner)
        first = True
        if kind is dict:
            for key, value in sorted(obj.items()) if sort_keys else obj.items():
                if type(key) is not str:
                    raise _NotPlain
                if first:
                    first = False
                else:
                    parts.append(separator)
                parts.append(_encode_str(key))
                parts.append(": ")
                _write_value(value, parts, inner, sort_keys)
        else:
            for value in obj:
                if first:
                    first = False
                else:
                    parts.append(separator)
                _write_value(value, parts, inner, sort_keys)
        parts.append(newline + ("}" if kind is dict else "]"))
        return
    _write_value(obj, parts, newline, sort_keys)


def _write_value(value: Any, parts: list[str], newline: str, sort_keys: bool) -> None:
    kind = type(value)
    if kind is str:
        parts.append(_encode_str(value))
    elif kind is int:
        parts.append(_int_text(value))
    elif kind is float:
        if value - value != 0.0:  # NaN or an infinity: written per allow_nan
            raise _NotPlain
        parts.append(_float_text(value))
    elif kind is bool or value is None:
        parts.append(_CONSTANTS[value])
    elif kind is dict or kind is list or kind is tuple:
        _write(value, parts, newline, sort_keys)
    else:
        raise _NotPlain


def _self_check() -> bool:
    """Return True if orjson writes the standard library's bytes for a probe of every kind of value allowed."""
    text = "".join(map(chr, range(0x80))) + 'caf\u00e9 \u2028\u2029 \U0001f600 \ufeff "quoted" back\\slash /'
    floats = [0.0, -0.0, 1e-4, 1.5e-4, 0.1, 0.5, 1.0, -2.5, 3.141592653589793, 1 / 3, 2.0**52, 9007199254740993.0]
    floats += [10.0**exponent * mantissa for exponent in range(-4, 16) for mantissa in (1.0, 1.2345678901234567, 9.999)]
    probe = {
        "text": text,
        text: [text, {"": text}],
        "ints": [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 10**18],
        "floats": [value for value in floats if _same_float(value)],
        "nested": {"b": [], "a": {}, "c": [[], [{}], (1, "two")], "\u00e9": True, "Z": None, "z": False},
        "empty": "",
    }
    for options in ({"indent": 2}, {"separators": (",", ":")}):
        for sort_keys in (True, False):
            encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, **options)
            expected = json.JSONEncoder.encode(encoder, probe).encode("utf-8")
            if fast_dumps(encoder, probe) != expected:
                return False
    return True


def _pretty_matches() -> bool:
    """Return True if :func:`_pretty` writes the standard library's text for the probe document."""
    text = "".join(map(chr, range(0x80))) + 'caf\u00e9 \u2028 \U0001f600 \ud800 "quoted" back\\slash /'
    probe = {
        "text": [text, {text: text, "": ""}],
        "numbers": [0, -1, 2**80, 0.0, -0.0, 1e-05, 1e16, 1e300, 5e-324, 1 / 3],
        "nested": {"b": [], "a": {}, "c": [[], [{}], (1, "two")], "\u00e9": True, "Z": None, "z": False},
    }
    documents: tuple[Any, ...] = (probe, [], {}, "x", 1, 2.5, None, True, [[[]]])
    for document in documents:
        for sort_keys in (True, False):
            encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, indent=2)
            if _pretty(document, sort_keys) != json.JSONEncoder.encode(encoder, document):
                return False
    return True


#: True when :func:`_pretty` writes the standard library's text (checked at import).
_PRETTY_OK = True
_PRETTY_OK = _pretty_matches()

#: True when orjson is installed and writes the standard library's bytes (checked at import).
HAVE_ORJSON = orjson is not None
if HAVE_ORJSON:
    try:
        HAVE_ORJSON = _self_check()
    except Exception:  # an orjson that fails the probe in any way is not used
        HAVE_ORJSON = False
