"""clastic.wrappers: buffered_response builds the same Response as Werkzeug's constructor."""

import pytest

from clastic import Application, Response, render_basic
from clastic.errors import NotFound
from clastic.wrappers import buffered_response


@pytest.mark.parametrize("status", [200, 201, 404, 418, 503])
def test_buffered_response_equals_the_public_constructor(status):
    body = "caf\u00e9 \u2615".encode()
    built = buffered_response(body, "text/plain; charset=utf-8", status)
    expected = Response(body, status=status, content_type="text/plain; charset=utf-8")
    assert type(built) is Response
    assert (built.status, built.status_code) == (expected.status, expected.status_code)
    assert built.headers.to_wsgi_list() == expected.headers.to_wsgi_list()
    assert built.get_data() == body and built.content_length == len(body)
    assert built.mimetype == "text/plain" and built.mimetype_params == {"charset": "utf-8"}
    assert not built.is_streamed and built.is_sequence


def test_buffered_response_is_an_ordinary_mutable_response():
    response = buffered_response(b"first", "text/html; charset=utf-8")
    response.set_data(b"a longer body")
    response.headers["X-Extra"] = "1"
    response.status_code = 202
    response.call_on_close(lambda: None)
    assert response.content_length == len(b"a longer body")
    assert (response.status, response.headers["X-Extra"]) == ("202 ACCEPTED", "1")


def test_buffered_responses_and_errors_over_an_application():
    def teapot():
        return buffered_response(b'{"tea": true}', "application/json", 418)

    def edited():
        response = buffered_response(b"short", "text/plain; charset=utf-8")
        response.set_data(b"edited after building")
        response.headers["Cache-Control"] = "no-store"
        return response

    app = Application([("/tea", teapot), ("/edited", edited), ("/text", lambda: "plain text", render_basic)])
    client = app.get_local_client()
    tea = client.get("/tea")
    assert (tea.status, tea.content_type, tea.get_data()) == ("418 I'M A TEAPOT", "application/json", b'{"tea": true}')
    assert tea.headers["Content-Length"] == "13"
    edited_reply = client.get("/edited")
    assert edited_reply.get_data() == b"edited after building"
    assert edited_reply.headers["Content-Length"] == str(len(b"edited after building"))
    assert edited_reply.headers["Cache-Control"] == "no-store"
    head = client.head("/text")
    assert head.status_code == 200 and head.get_data() == b"" and head.headers["Content-Length"] == "10"
    missing = client.get("/nowhere", headers={"Accept": "application/json"})
    assert (missing.status_code, missing.content_type) == (404, "application/json; charset=utf-8")
    assert missing.json["code"] == 404


def test_http_exceptions_keep_extra_headers_and_reformat():
    error = NotFound("no such page", headers={"X-Trace": "abc"})
    assert error.headers["X-Trace"] == "abc" and error.status == "404 NOT FOUND"
    plain = NotFound("gone")
    assert plain.get_data() == b"404 - Not found\n\ngone\n"
    assert plain.headers["Content-Length"] == str(len(plain.get_data()))
    plain.adapt("application/json")
    assert plain.content_type == "application/json; charset=utf-8"
    assert plain.headers["Content-Length"] == str(len(plain.get_data()))
