"""PostDataMiddleware, JSONBodyMiddleware and FileUploadMiddleware through real Applications."""

import http.client
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from middleware_helpers import ExplodingStream
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Response

from clastic import POST, Application, render_json
from clastic.middleware.form import FileUploadMiddleware, JSONBodyMiddleware, PostDataMiddleware
from clastic.testing import LiveServer

LINK_FIELDS = {"target_url": str, "new_alias": str, "expiry_time": int, "max_count": int}


def add_entry(target_url, new_alias, expiry_time, max_count):
    return {"target_url": target_url, "new_alias": new_alias, "expiry_time": expiry_time, "max_count": max_count}


def post_huge(app, content_type, length):
    """POST with a declared Content-Length over the limits and a body that must not be read."""
    environ = EnvironBuilder(path="/submit", method="POST", headers={"Accept": "application/json"}).get_environ()
    environ.update({"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(length), "wsgi.input": ExplodingStream()})
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    return Response(app_iter, status=status, headers=headers)


def post_form(app, data, **kwargs):
    """POST a (multipart) form and close the response, as a server would (that frees the upload files).

    (Werkzeug's test client closes its own temporary input file only on the
    follow_redirects path, hence the flag.)
    """
    resp = Client(app).post("/submit", data=data, buffered=True, follow_redirects=True, **kwargs)
    resp.close()
    return resp


# -- PostDataMiddleware ------------------------------------------------------


def link_app(**options):
    return Application(
        [POST("/submit", add_entry, render_json, middlewares=[PostDataMiddleware(LINK_FIELDS, **options)])]
    )


def test_post_data_converts_like_the_tutorial():
    form = {"target_url": "https://example.com", "new_alias": "ex", "expiry_time": "60", "max_count": "3"}
    resp = post_form(link_app(), data=form)
    assert resp.json == {"target_url": "https://example.com", "new_alias": "ex", "expiry_time": 60, "max_count": 3}


@pytest.mark.parametrize("params", [{}, []], ids=["dict", "list"])
def test_post_data_with_no_fields_is_accepted_and_provides_nothing(params):
    mw = PostDataMiddleware(params)
    assert mw.provides == () and mw.params == {}
    client = Client(Application([POST("/", lambda request: dict(request.form), render_json)], middlewares=[mw]))
    assert client.post("/", data={"a": "1"}).json == {"a": "1"}


def test_post_data_params_attribute_keeps_the_declared_types():
    assert PostDataMiddleware({"target_url": str, "max_count": int}).params == {"target_url": str, "max_count": int}
    assert PostDataMiddleware(["a"]).params == {"a": str}


def test_post_data_missing_or_bad_is_none_by_default():
    resp = post_form(link_app(), data={"target_url": "https://example.com", "expiry_time": "soon"})
    assert resp.status_code == 200
    assert resp.json == {"target_url": "https://example.com", "new_alias": None, "expiry_time": None, "max_count": None}


def test_post_data_strict_names_field_and_type():
    client = Client(link_app(strict=True))
    form = {"target_url": "https://example.com", "new_alias": "ex", "expiry_time": "soon", "max_count": "3"}
    resp = client.post("/submit", data=form, headers={"Accept": "application/json"})
    assert resp.status_code == 400
    assert resp.json["detail"] == "form field 'expiry_time' must be an int, got 'soon'"
    del form["max_count"]
    form["expiry_time"] = "1"
    resp = client.post("/submit", data=form, headers={"Accept": "text/plain"})
    assert resp.status_code == 400 and "missing required form field 'max_count' (expected an int)" in resp.text


def test_post_data_reads_multipart_forms_too():
    data = {
        "target_url": "u",
        "new_alias": "a",
        "expiry_time": "1",
        "max_count": "2",
        "file": (io.BytesIO(b"x"), "x.txt"),
    }
    resp = post_form(link_app(), data=data)
    assert resp.json == {"target_url": "u", "new_alias": "a", "expiry_time": 1, "max_count": 2}


def test_post_data_413_before_reading_a_large_urlencoded_body():
    resp = post_huge(link_app(max_form_size=1000), "application/x-www-form-urlencoded", 5000)
    assert resp.status_code == 413
    assert "the request body is 4.9 KiB, over the 1000 bytes this endpoint accepts for a form" in resp.json["detail"]


def test_post_data_max_content_length_applies_to_multipart():
    resp = post_huge(link_app(max_content_length=10_000), "multipart/form-data; boundary=x", 20_000_000)
    assert resp.status_code == 413


def test_post_data_oversized_multipart_text_part_is_413_naming_the_per_field_limit():
    # 600 KB is far under the 16 MiB body limit but over Werkzeug's in-memory limit on one text field.
    app = link_app()
    data = {"target_url": "x" * 600_000, "file": (io.BytesIO(b"x"), "x.txt")}  # a file makes it multipart
    resp = post_form(app, data=data, headers={"Accept": "application/json"})
    assert resp.status_code == 413
    assert resp.json["detail"] == (
        "a text field in the form is larger than this endpoint accepts (at most 488.3 KiB per field; "
        "files are not limited by this)"
    )


def test_post_data_a_large_file_is_not_held_to_the_per_field_limit():
    data = {"target_url": "https://example.com", "file": (io.BytesIO(b"x" * 600_000), "big.bin")}
    resp = post_form(link_app(), data=data, headers={"Accept": "application/json"})
    assert (resp.status_code, resp.json["target_url"]) == (200, "https://example.com")


def post_raw(app, body, content_type, **headers):
    return post_form(app, data=body, headers={"Content-Type": content_type, "Accept": "application/json", **headers})


MULTIPART_A = (
    b'--xx\r\nContent-Disposition: form-data; name="target_url"\r\n\r\nhttps://example.com\r\n--xx--\r\n'
)


def test_post_data_strict_names_a_wrong_content_type():
    resp = post_raw(link_app(strict=True), b'{"target_url": "u"}', "application/json")
    assert resp.status_code == 400
    assert resp.json["detail"] == (
        "expected a form (Content-Type: application/x-www-form-urlencoded or multipart/form-data), "
        "got 'application/json'"
    )
    resp = post_raw(link_app(strict=True), b"target_url=u", "text/plain")
    assert resp.status_code == 400 and "got 'text/plain'" in resp.json["detail"]
    resp = post_form(link_app(strict=True), data=b"target_url=u", headers={"Accept": "application/json"})
    assert resp.status_code == 400 and "got 'no Content-Type'" in resp.json["detail"]
    # Without a body there is no type to be wrong: the missing field is the problem.
    resp = Client(link_app(strict=True)).post("/submit", headers={"Accept": "application/json"})
    assert resp.status_code == 400 and resp.json["detail"].startswith("missing required form field")


def test_post_data_default_mode_keeps_reading_other_bodies_as_an_empty_form():
    resp = post_raw(link_app(), b'{"target_url": "u"}', "application/json")
    assert resp.status_code == 200 and resp.json["target_url"] is None
    resp = post_raw(link_app(), b"garbage", "multipart/form-data")
    assert resp.status_code == 200 and resp.json["target_url"] is None


def test_post_data_strict_multipart_without_boundary_is_400_naming_it():
    app = Application([POST("/submit", lambda target_url: target_url, render_json,
                            middlewares=[PostDataMiddleware("target_url", strict=True)])])  # fmt: skip
    resp = post_raw(app, MULTIPART_A, "multipart/form-data")
    assert resp.status_code == 400
    assert resp.json["detail"] == (
        "the multipart/form-data body cannot be read: its Content-Type has no boundary parameter "
        "(expected 'multipart/form-data; boundary=...')"
    )
    assert post_raw(app, MULTIPART_A, "multipart/form-data; boundary=xx").json == "https://example.com"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"garbage, not multipart at all", "no part starts with the boundary its Content-Type names"),
        (MULTIPART_A[:-8], "it ends before its closing boundary"),
        (b"--xx\r\nX-Nothing: here\r\n\r\nvalue\r\n--xx--\r\n", "Missing Content-Disposition header"),
    ],
)
def test_post_data_strict_malformed_multipart_is_400_saying_so(body, problem):
    resp = post_raw(link_app(strict=True), body, "multipart/form-data; boundary=xx")
    assert resp.status_code == 400
    assert resp.json["detail"] == f"the multipart/form-data body is malformed: {problem}"


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [
        ("multipart/form-data; boundary=\xff\xfe", "'\\xff\\xfe'"),  # Werkzeug's header parser drops it
        ('multipart/form-data; boundary="\xff\xfe"', "'\\xff\\xfe'"),
        ("multipart/form-data; boundary=", "''"),
        ('multipart/form-data; boundary=""', "''"),
        ("multipart/form-data; boundary=" + "b" * 71, repr("b" * 71)),
        ('multipart/form-data; boundary="ends in a space "', "'ends in a space '"),
        ('multipart/form-data; boundary="semi;colon"', "'semi;colon'"),
    ],
)
def test_post_data_strict_multipart_with_an_invalid_boundary_is_400_saying_it_is_invalid(content_type, shown):
    resp = post_raw(link_app(strict=True), MULTIPART_A, content_type)
    assert resp.status_code == 400
    assert resp.json["detail"] == (
        f"the multipart/form-data body cannot be read: its Content-Type's boundary parameter {shown} is invalid "
        "(RFC 2046: 1 to 70 characters, letters, digits, spaces and '()+_,-./:=?, not ending in a space)"
    )


def test_strict_multipart_boundaries_rfc_2046_allows_are_read():
    app = Application([POST("/submit", lambda target_url: target_url, render_json,
                            middlewares=[PostDataMiddleware("target_url", strict=True)])])  # fmt: skip
    for boundary in ("x", "b" * 70, "'()+_,-./:=?", "with inner space"):
        body = MULTIPART_A.replace(b"--xx", b"--" + boundary.encode())
        resp = post_raw(app, body, f'multipart/form-data; boundary="{boundary}"')
        assert (resp.status_code, resp.json) == (200, "https://example.com"), boundary


def test_file_upload_strict_invalid_boundary_is_400_before_reading_the_body():
    resp = post_huge(upload_app(strict=True), "multipart/form-data; boundary=\xff\xfe", 1000)
    assert resp.status_code == 400 and "boundary parameter '\\xff\\xfe' is invalid" in resp.json["detail"]


def test_file_upload_strict_malformed_multipart_is_400_saying_so():
    resp = post_raw(upload_app(strict=True), b"garbage", "multipart/form-data; boundary=xx")
    assert resp.status_code == 400 and "multipart/form-data body is malformed" in resp.json["detail"]
    resp = post_raw(upload_app(strict=True), b"garbage", "multipart/form-data")
    assert resp.status_code == 400 and "no boundary parameter" in resp.json["detail"]


def test_post_data_limits_multipart_bodies_to_16_mib_by_default():
    resp = post_huge(link_app(), "multipart/form-data; boundary=x", 17 * 1024 * 1024)
    assert resp.status_code == 413  # before reading: post_huge's body fails the test if read
    assert resp.json["detail"] == "the request body is 17 MiB, over the 16 MiB this endpoint accepts for a form"
    assert PostDataMiddleware("a").max_content_length == 16 * 1024 * 1024
    assert PostDataMiddleware("a").max_content_length == FileUploadMiddleware("a").max_content_length


def test_post_data_strict_chunked_multipart_over_the_limit_is_413_not_malformed():
    # Reading stops at the limit, so the parser sees a cut-off body: the size is the problem to report.
    part = b'--xx\r\nContent-Disposition: form-data; name="target_url"\r\n\r\n'
    with LiveServer(link_app(strict=True, max_content_length=2048)) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request(
                "POST",
                "/submit",
                body=iter([part] + [b"u" * 500] * 10 + [b"\r\n--xx--\r\n"]),
                headers={"Content-Type": "multipart/form-data; boundary=xx", "Accept": "application/json"},
                encode_chunked=True,
            )
            resp = conn.getresponse()
            status, body = resp.status, json.loads(resp.read())
        finally:
            conn.close()
    assert status == 413 and body["detail"] == "the form is larger than this endpoint accepts (at most 2 KiB)"


# -- JSONBodyMiddleware ------------------------------------------------------


def echo_json(json_body):
    return {"received": json_body}


def json_app(**options):
    return Application([POST("/submit", echo_json, render_json, middlewares=[JSONBodyMiddleware(**options)])])


def post_json(app, body, content_type="application/json", **headers):
    return post_form(app, data=body, headers={"Content-Type": content_type, "Accept": "application/json", **headers})


def test_json_body_is_parsed():
    assert post_json(json_app(), json.dumps({"a": [1, 2]})).json == {"received": {"a": [1, 2]}}
    assert post_json(json_app(), "[1]", "application/vnd.api+json").json == {"received": [1]}


def test_malformed_json_is_400_with_position():
    resp = post_json(json_app(), '{"a": 1,\n "b": }')
    assert resp.status_code == 400
    assert resp.json["detail"].startswith("the request body is not valid JSON: Expecting value at line 2 column 7")


def test_wrong_content_type_is_400_naming_it():
    resp = post_json(json_app(), "a=1", "application/x-www-form-urlencoded")
    assert resp.status_code == 400
    assert (
        resp.json["detail"]
        == "expected a JSON body with Content-Type: application/json, got 'application/x-www-form-urlencoded'"
    )


def test_empty_body_required_or_optional():
    resp = post_json(json_app(), "")
    assert resp.status_code == 400 and "the request body is empty" in resp.json["detail"]
    assert post_json(json_app(required=False), "").json == {"received": None}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"NaN", "NaN is not valid JSON"),
        (b'{"a": Infinity}', "Infinity is not valid JSON"),
        (b"\xff\xfe{}", "could not be decoded as 'utf-8'"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_json_that_python_would_accept_or_choke_on_is_a_clean_400(body, message):
    resp = post_json(json_app(max_size=1_000_000), body)
    assert resp.status_code == 400 and message in resp.json["detail"]


def test_json_over_limit_is_413_before_reading():
    resp = post_huge(json_app(max_size=100), "application/json", 10_000)
    assert resp.status_code == 413
    assert "over the 100 bytes this endpoint accepts for a JSON body" in resp.json["detail"]


def test_chunked_json_over_limit_is_413_over_real_http():
    with LiveServer(json_app(max_size=1000)) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            chunks = (b'{"pad": "' + b"x" * 500 + b'",' for _ in range(10))
            conn.request(
                "POST",
                "/submit",
                body=chunks,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                encode_chunked=True,
            )
            resp = conn.getresponse()
            status, body = resp.status, resp.read()
        finally:
            conn.close()
        assert status == 413 and b"at most 1000 bytes" in body
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request(
                "POST",
                "/submit",
                body=iter([b'{"a":', b" 1}"]),
                headers={"Content-Type": "application/json"},
                encode_chunked=True,
            )
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read()) == {"received": {"a": 1}}
        finally:
            conn.close()


def test_json_constructor_checks():
    with pytest.raises(ValueError, match="max_size must be a positive number of bytes"):
        JSONBodyMiddleware(max_size=0)
    with pytest.raises(ValueError, match="not a valid Python identifier"):
        JSONBodyMiddleware("json body")


# -- FileUploadMiddleware ----------------------------------------------------


def describe_upload(avatar, note):
    if avatar is None:
        return {"avatar": None, "note": note}
    return {"avatar": avatar.filename, "size": len(avatar.read()), "type": avatar.mimetype, "note": note}


def upload_app(**options):
    middlewares = [FileUploadMiddleware("avatar", **options), PostDataMiddleware("note")]
    return Application([POST("/submit", describe_upload, render_json, middlewares=middlewares)])


def test_file_upload_with_form_fields():
    data = {"avatar": (io.BytesIO(b"\x89PNG" + b"0" * 1000), "me.png", "image/png"), "note": "hello"}
    resp = post_form(upload_app(), data=data)
    assert resp.json == {"avatar": "me.png", "size": 1004, "type": "image/png", "note": "hello"}


def test_missing_file_is_none_or_400_in_strict_mode():
    assert post_form(upload_app(), data={"note": "n"}).json == {"avatar": None, "note": "n"}
    empty_input = {"avatar": (io.BytesIO(b""), ""), "note": "n"}
    assert post_form(upload_app(), data=empty_input).json == {"avatar": None, "note": "n"}
    resp = post_form(
        upload_app(strict=True),
        data={"note": "n"},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert (
        resp.status_code == 400
        and resp.json["detail"] == "missing file upload 'avatar' (expected a file in the multipart form)"
    )


def test_not_multipart():
    resp = post_form(upload_app(), data="note=n", content_type="application/x-www-form-urlencoded")
    assert resp.json == {"avatar": None, "note": "n"}
    resp = post_form(
        upload_app(strict=True), data="{}", content_type="application/json", headers={"Accept": "application/json"}
    )
    assert (
        resp.status_code == 400
        and "expected a file upload (Content-Type: multipart/form-data), got 'application/json'" in resp.json["detail"]
    )


def test_file_over_per_file_limit_is_413_naming_field():
    data = {"avatar": (io.BytesIO(b"0" * 5000), "big.bin")}
    resp = post_form(upload_app(max_file_size=4096), data=data, headers={"Accept": "application/json"})
    assert resp.status_code == 413
    assert resp.json["detail"] == "uploaded file 'avatar' is 4.9 KiB, over the 4 KiB this endpoint accepts per file"


def test_upload_over_total_limit_is_413_before_reading():
    resp = post_huge(upload_app(max_content_length=1024), "multipart/form-data; boundary=abc", 50_000)
    assert resp.status_code == 413 and "multipart upload" in resp.json["detail"]


def test_too_many_parts_is_413_naming_the_parts_limit():
    data = {f"f{i}": "x" for i in range(20)}
    resp = post_form(
        upload_app(max_parts=10),
        data={**data, "avatar": (io.BytesIO(b"1"), "a")},
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 413
    assert (
        resp.json["detail"]
        == "the multipart upload has more parts than this endpoint accepts (at most 10 fields and files)"
    )


def test_five_hundred_parts_against_the_default_100_over_real_http():
    parts = [f'--b\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n'.encode() for i in range(500)]
    body = b"".join(parts) + b"--b--\r\n"  # about 30 KB: far under the 16 MiB body limit
    with LiveServer(upload_app()) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request(
                "POST",
                "/submit",
                body=body,
                headers={"Content-Type": "multipart/form-data; boundary=b", "Accept": "application/json"},
            )
            resp = conn.getresponse()
            status, detail = resp.status, json.loads(resp.read())["detail"]
        finally:
            conn.close()
    assert (status, detail) == (
        413,
        "the multipart upload has more parts than this endpoint accepts (at most 100 fields and files)",
    )


def test_upload_over_real_http():
    app = Application(
        [
            POST(
                "/submit",
                describe_upload,
                render_json,
                middlewares=[FileUploadMiddleware("avatar"), PostDataMiddleware("note")],
            )
        ]
    )
    body = (
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n'
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="avatar"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + b"A" * 700_000 + b"\r\n--BOUNDARY--\r\n"
    )
    with LiveServer(app) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request(
                "POST", "/submit", body=body, headers={"Content-Type": "multipart/form-data; boundary=BOUNDARY"}
            )
            resp = conn.getresponse()
            assert resp.status == 200
            assert json.loads(resp.read()) == {"avatar": "a.txt", "size": 700_000, "type": "text/plain", "note": "hi"}
        finally:
            conn.close()


def test_app_level_body_middlewares_leave_unmatched_requests_their_404():
    def both(json_body, target_url, avatar):
        return {"json": json_body, "target_url": target_url, "avatar": avatar}

    app = Application(
        [POST("/submit", both, render_json)],
        middlewares=[
            JSONBodyMiddleware(),
            PostDataMiddleware({"target_url": str}, strict=True),
            FileUploadMiddleware("avatar", strict=True),
        ],
    )
    resp = Client(app).post("/elsewhere", data="{not json", content_type="application/json")
    assert resp.status_code == 404
    assert Client(app).get("/submit").status_code == 405
    assert Client(app).post("/submit", data="{}", content_type="application/json").status_code == 400


def is_json_document(body):
    """Whether *body* is one JSON document (RFC 8259: UTF-8, no NaN or Infinity)."""

    def refuse(constant):
        raise ValueError(constant)

    try:
        json.loads(body.decode("utf-8"), parse_constant=refuse)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_json_body_is_parsed_or_a_400_never_a_500(body):
    resp = post_json(json_app(), body)
    assert resp.status_code == (200 if is_json_document(body) else 400)
    if resp.status_code == 400:
        assert resp.json["detail"].startswith(("the request body", "the JSON body"))


def converts(form):
    """Whether *form* has every field of LINK_FIELDS and each value converts with the declared type."""
    try:
        for name, convert in LINK_FIELDS.items():
            convert(form[name])
    except (KeyError, ValueError):
        return False
    return True


@settings(max_examples=100, deadline=None)
@given(form=st.dictionaries(st.sampled_from(list(LINK_FIELDS)), st.text(max_size=30)))
def test_any_form_values_are_converted_or_a_400_naming_the_field(form):
    resp = post_form(link_app(strict=True), data=form, headers={"Accept": "application/problem+json"})
    assert resp.status_code == (200 if converts(form) else 400)
    if resp.status_code == 400:
        problem = json.loads(resp.data)
        assert problem["field"] in LINK_FIELDS and problem["field"] in problem["detail"]
