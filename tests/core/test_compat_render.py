"""Renders as Clastic 26 apps use them: linkified docstrings, classes in JSON, signatures and attributes."""

from __future__ import annotations

import datetime
import json

import pytest
from boltons.tableutils import Table

from clastic import Application, Response, render_basic, render_json, render_json_dev
from clastic.render import BasicRender, ClasticJSONEncoder, JSONRender, TabularRender
from clastic.render.tabular import escape_html, get_callable_labels, linkify

HTML = {"Accept": "text/html"}


def serve(endpoint, render=render_basic, pattern="/"):
    return Application([(pattern, endpoint, render)]).get_local_client()


# -- docstrings with links in the HTML table -------------------------------------


def test_render_basic_table_shows_the_docstring_escaped_with_links():
    def catalogue():
        """List items; see https://example.com/docs?a=1&b=2 and www.example.com.

        Never <b>bold</b>.
        """
        return {"items": [1, 2]}

    page = serve(catalogue).get("/", headers=HTML).text
    assert '<a href="https://example.com/docs?a=1&amp;b=2">https://example.com/docs?a=1&amp;b=2</a>' in page
    assert '<a href="https://www.example.com">www.example.com</a>.' in page
    assert "Never &lt;b&gt;bold&lt;/b&gt;." in page and "<b>bold</b>" not in page
    assert "<code>catalogue()</code>" in page


def test_an_endpoint_without_docstring_gets_a_hint_comment():
    page = serve(lambda: {"a": 1}).get("/?format=html").text
    assert "<!-- add a docstring to the endpoint to show it here -->" in page


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain", "plain"),
        ("http://a.example", '<a href="http://a.example">http://a.example</a>'),
        ("(https://a.example/x)", '(<a href="https://a.example/x">https://a.example/x</a>)'),
        ("www.example.org/p", '<a href="https://www.example.org/p">www.example.org/p</a>'),
        (
            '<img src=x>"https://x.example"',
            '&lt;img src=x&gt;&quot;<a href="https://x.example">https://x.example</a>&quot;',
        ),
        ("https:// and www. alone", "https:// and www. alone"),
        ("ftp://files.example", "ftp://files.example"),
    ],
)
def test_linkify_escapes_text_and_links_urls(text, html):
    assert linkify(text) == html


def test_linkify_default_scheme_and_extra_schemes():
    assert linkify("www.example.com", default_scheme="http") == '<a href="http://www.example.com">www.example.com</a>'
    assert linkify("ftp://files.example", schemes=("ftp",)) == '<a href="ftp://files.example">ftp://files.example</a>'


def test_escape_html_escapes_quotes_too():
    assert escape_html("<a href='x'>&\"</a>") == "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&lt;/a&gt;"
    assert escape_html(42) == "42"


def test_get_callable_labels_names_context_name_and_invocation():
    def greet(name, greeting="hi"):
        return f"{greeting} {name}"

    class Counter:
        def __call__(self, request, step=1):
            return step

        def bump(self, by):
            return by

    assert get_callable_labels(greet) == (__name__, greet.__qualname__, "greet(name, greeting='hi')")
    assert get_callable_labels(Counter()) == (__name__, Counter.__qualname__, "Counter(request, step=1)")
    assert get_callable_labels(Counter().bump) == (__name__, f"{Counter.__qualname__}.bump", "bump(by)")
    assert get_callable_labels(len) == ("builtins", "len", "len(obj, /)")


# -- classes in JSON ----------------------------------------------------------------


@pytest.mark.parametrize(
    "render", [render_basic, render_json, render_json_dev, JSONRender(dev_mode=True), JSONRender(streaming=True)]
)
def test_a_class_in_the_context_is_encoded_as_its_repr(render):
    resp = serve(lambda: {"cls": datetime.date, "when": datetime.date(2026, 1, 2)}, render).get("/")
    assert resp.status_code == 200
    assert resp.json == {"cls": "<class 'datetime.date'>", "when": "2026-01-02"}


def test_a_class_is_never_called_by_the_encoder():
    class HasToDict:
        def to_dict(self):
            return {"instance": True}

    assert json.loads(ClasticJSONEncoder().encode([HasToDict, HasToDict()])) == [repr(HasToDict), {"instance": True}]


# -- signatures and attributes ------------------------------------------------------


def test_json_render_encoding_and_encoder_attributes():
    assert JSONRender.encoding == "utf-8" and isinstance(JSONRender.json_encoder, ClasticJSONEncoder)
    default = JSONRender()
    assert default.encoding == "utf-8" and isinstance(default.json_encoder, ClasticJSONEncoder)
    resp = serve(lambda: {"name": "caf\u00e9"}, JSONRender(encoding="latin-1")).get("/")
    assert resp.headers["Content-Type"] == "application/json; charset=latin-1"
    assert resp.data == b'{\n  "name": "caf\\u00e9"\n}'
    utf16 = serve(lambda: {"name": "caf\u00e9"}, JSONRender(False, False, "utf-16")).get("/")
    assert utf16.headers["Content-Type"] == "application/json; charset=utf-16"
    assert utf16.data.decode("utf-16") == '{\n  "name": "caf\u00e9"\n}'
    with pytest.raises(LookupError, match="unknown encoding: klingon"):
        JSONRender(encoding="klingon")


def test_a_json_render_subclass_may_use_json_encoder_and_encoding():
    class ChunkedJSON(JSONRender):
        def __call__(self, context):
            chunks = [chunk.encode(self.encoding) for chunk in self.json_encoder.iterencode(context)]
            return Response(
                chunks,
                content_type=f"application/json; charset={self.encoding}",
                headers={"X-Chunks": str(len(chunks))},
            )

    resp = serve(lambda: {"a": [1, 2], "b": datetime.date}, ChunkedJSON()).get("/")
    assert resp.json == {"a": [1, 2], "b": "<class 'datetime.date'>"}
    assert int(resp.headers["X-Chunks"]) > 1


class StarTable(Table):
    def get_cell_html(self, value):
        return f"*{super().get_cell_html(value)}*"


def test_basic_render_table_type_and_attributes():
    assert BasicRender.mimetypes == ("application/json", "text/html")
    render = BasicRender(table_type=StarTable)
    assert render.dev_mode is True and render.mimetypes == ("application/json", "text/html")
    assert render.tabular_render.table_type is StarTable
    assert "<td>*1*</td>" in serve(lambda: {"a": 1}, render).get("/", headers=HTML).text
    assert BasicRender(dev_mode=False).dev_mode is False
    assert serve(lambda: {"o": object()}, BasicRender(dev_mode=False)).get("/").status_code == 500


def test_basic_render_keeps_the_original_positional_order():
    json_render, tabular = JSONRender(), TabularRender()
    render = BasicRender("fmt", False, json_render, StarTable, tabular)
    assert (render.qp_name, render.dev_mode, render.json_render, render.tabular_render) == (
        "fmt",
        False,
        json_render,
        tabular,
    )


def test_tabular_render_with_metadata_default_table_type_and_context_to_response():
    assert TabularRender().with_metadata is True and TabularRender(with_metadata=False).with_metadata is False
    assert TabularRender.default_table_type is Table and TabularRender().table_type is Table

    class StarTabular(TabularRender):
        default_table_type = StarTable

    response = StarTabular().context_to_response({"a": 1})
    assert response.content_type == "text/html; charset=utf-8" and "<td>*1*</td>" in response.get_data(as_text=True)
    assert "<td>*1*</td>" in serve(lambda: {"a": 1}, StarTabular()).get("/").text
