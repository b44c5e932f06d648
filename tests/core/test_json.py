"""clastic._json: orjson writes the standard library's bytes, or the standard library writes them."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clastic._json as fast_json
from clastic import render_json
from clastic.errors import NotFound

needs_orjson = pytest.mark.skipif(not fast_json.HAVE_ORJSON, reason="orjson is not installed (the fast extra)")


class Colour(enum.Enum):
    RED = "red"


class Label(str):
    pass


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=2),
    st.sampled_from([Colour.RED, Label("sub"), 10**-5, 1e16, 1e-4]),
)
json_keys = st.one_of(st.text(max_size=5), st.integers(-3, 3), st.booleans(), st.none())
json_documents = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(json_keys, inner, max_size=4),
    ),
    max_leaves=12,
)


def _outcome(encode: Callable[[], bytes]) -> Any:
    try:
        return encode()
    except Exception as ex:
        return type(ex)


@contextmanager
def orjson_off() -> Iterator[None]:
    saved = fast_json.HAVE_ORJSON
    fast_json.HAVE_ORJSON = False
    try:
        yield
    finally:
        fast_json.HAVE_ORJSON = saved


ENCODER_OPTIONS = st.sampled_from([{"indent": 2}, {"separators": (",", ":")}, {"indent": None}])


@needs_orjson
@settings(max_examples=300, deadline=None)
@given(json_documents, ENCODER_OPTIONS, st.booleans())
def test_orjson_writes_the_standard_librarys_bytes(document: Any, options: dict[str, Any], sort_keys: bool) -> None:
    encoder = fast_json.ClasticJSONEncoder(ensure_ascii=False, sort_keys=sort_keys, dev_mode=True, **options)
    fast = _outcome(lambda: fast_json.encode_utf8(encoder, document))
    stdlib = _outcome(lambda: json.JSONEncoder.encode(encoder, document).encode("utf-8"))
    assert fast == stdlib


@settings(max_examples=300, deadline=None)
@given(json_documents, ENCODER_OPTIONS, st.booleans())
def test_without_orjson_the_pretty_writer_writes_the_standard_librarys_text(
    document: Any, options: dict[str, Any], sort_keys: bool
) -> None:
    encoder = fast_json.ClasticJSONEncoder(ensure_ascii=False, sort_keys=sort_keys, dev_mode=True, **options)
    with orjson_off():
        fast = _outcome(lambda: encoder.encode(document))
        fast_bytes = _outcome(lambda: fast_json.encode_utf8(encoder, document))
    stdlib = _outcome(lambda: json.JSONEncoder.encode(encoder, document))
    assert fast == stdlib
    assert fast_bytes == _outcome(lambda: json.JSONEncoder.encode(encoder, document).encode("utf-8"))


def test_the_pretty_writer_takes_plain_documents_and_leaves_the_rest() -> None:
    assert fast_json._PRETTY_OK is True
    document = {"b": [1, 2.5, 1e-05, "caf\u00e9", None, True, (2**80,)], "a": {}}
    assert fast_json._pretty(document, True) == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    for other in ({1: "int key"}, {"a": float("nan")}, [Colour.RED], [Label("x")], {"s": {3}}):
        assert fast_json._pretty(other, True) is None, other


@needs_orjson
def test_plain_documents_go_through_orjson_and_others_do_not() -> None:
    encoder = render_json.json_encoder
    assert fast_json.fast_dumps(encoder, {"a": [1, 2.5, "caf\u00e9", None, True]}) is not None
    for document in ({"a": 1e-05}, {"a": float("nan")}, {1: "int key"}, {"a": Colour.RED}, {"a": Label("x")}, [2**70]):
        assert fast_json.fast_dumps(encoder, document) is None, document
    assert fast_json.fast_dumps(fast_json.ClasticJSONEncoder(indent=4), {"a": 1}) is None
    assert fast_json.fast_dumps(fast_json.ClasticJSONEncoder(indent=2, ensure_ascii=True), {"a": 1}) is None


def test_error_bodies_are_json_dumps_output() -> None:
    error = NotFound("caf\u00e9 \u2028", extensions={"float": 1e-05, "when": 1.5})
    dumps_options: dict[str, Any] = {"indent": 2, "sort_keys": True, "ensure_ascii": False, "default": repr}
    assert error.to_problem_json() == json.dumps(error.to_problem(), **dumps_options) + "\n"
    assert error.to_json() == json.dumps(error.to_dict(), **dumps_options) + "\n"
