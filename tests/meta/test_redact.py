"""Resource values on the meta page: secret-looking keys redacted in any case, values scrubbed and cut."""

from __future__ import annotations

from typing import Any

import pytest

from clastic import Application
from clastic.meta import REDACTED, MetaApplication, Redactor

SECRETS = {
    "secret_key": "sk-0001-alpha",
    "DB_PASSWORD": "pw-0002-bravo",
    "db_passwd": "pw-0003-charlie",
    "ApiToken": "tk-0004-delta",
    "Stripe_API_KEY": "ak-0005-echo",
    "aws_Credentials": "cr-0006-foxtrot",
    "BasicAuth": "au-0007-golf",
    "PRIVATE_pem": "pk-0008-hotel",
}


def _resources(meta_get: Any, app: Application, path: str = "/_meta/json/") -> dict[str, dict[str, Any]]:
    response = meta_get(app, path)
    assert response.status_code == 200, response.text
    return {item["key"]: item for item in response.get_json()["app"]["resources"]}


def test_secret_looking_keys_are_redacted_in_any_case(meta_get: Any) -> None:
    app = Application([("/_meta/", MetaApplication())], resources={**SECRETS, "db_host": "db.internal", "workers": 4})
    resources = _resources(meta_get, app)
    for key in SECRETS:
        assert resources[key]["value"] == REDACTED, key
        assert resources[key]["redacted"] is True
        assert resources[key]["type"] == "str"
    assert resources["db_host"] == {
        "key": "db_host",
        "value": "'db.internal'",
        "type": "str",
        "redacted": False,
        "truncated": False,
        "length": 13,
    }
    assert resources["workers"]["value"] == "4"
    page = meta_get(app, "/_meta/")
    json_body = meta_get(app, "/_meta/json/").text
    for secret in SECRETS.values():
        assert secret not in page.text
        assert secret not in json_body
    assert "db.internal" in page.text


def test_secrets_inside_values_are_scrubbed(meta_get: Any) -> None:
    app = Application(
        [("/_meta/", MetaApplication())],
        resources={
            "config": {"debug": True, "Session_Secret": "ss-0009-india"},
            "database_url": "postgresql://app:pw-0010-juliet@db.local:5432/app",
        },
    )
    resources = _resources(meta_get, app)
    assert resources["config"]["value"] == f"{{'Session_Secret': {REDACTED}, 'debug': True}}"
    assert resources["database_url"]["value"] == f"'postgresql://app:{REDACTED}@db.local:5432/app'"
    assert "pw-0010-juliet" not in meta_get(app, "/_meta/").text


def test_long_values_are_truncated(meta_get: Any) -> None:
    app = Application([("/_meta/", MetaApplication(max_value_length=40))], resources={"blob": "x" * 500})
    blob = _resources(meta_get, app)["blob"]
    assert len(blob["value"]) == 40
    assert blob["value"].endswith("…")
    assert blob["truncated"] is True
    assert blob["length"] == 502  # the repr, quotes included
    assert "502 characters, cut" in meta_get(app, "/_meta/").text


def test_secret_words_can_be_extended(meta_get: Any) -> None:
    words = ("secret", "pin")
    app = Application([("/_meta/", MetaApplication(secret_words=words))], resources={"door_PIN": 1234, "token": "t"})
    resources = _resources(meta_get, app)
    assert resources["door_PIN"]["redacted"] is True
    assert resources["token"]["redacted"] is False  # only the words given count


def test_unrepresentable_values_do_not_break_the_page(meta_get: Any) -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    app = Application([("/_meta/", MetaApplication())], resources={"thing": Broken(), "others": [Broken()]})
    resources = _resources(meta_get, app)
    assert resources["thing"]["value"].startswith("<Broken instance at 0x")
    assert resources["others"]["value"].startswith("[<Broken instance at 0x")
    assert meta_get(app, "/_meta/").status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"secret_words": ()}, "secret_words must be non-empty strings"),
        ({"secret_words": ("",)}, "secret_words must be non-empty strings"),
        ({"max_length": 3}, "max_length must be at least 8 characters, got 3"),
    ],
)
def test_bad_redactor_settings_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Redactor(**kwargs)


def test_scrub_leaves_ordinary_text_alone() -> None:
    redactor = Redactor()
    for text in ("Pool(host='db', size=5, url='http://example.org:8080/x')", "KeyError: 'api_key'", "x == 'token'"):
        assert redactor.scrub(text) == text


@pytest.mark.parametrize(
    ("value", "leak"),
    [
        ("Mailer(host='smtp', mail_pass='s3-mailpass')", "s3-mailpass"),
        ("smtp_pass=s3-bare", "s3-bare"),
        ({"pass": "s3-dictpass"}, "s3-dictpass"),
        ("Client(bearer='s3-bearer')", "s3-bearer"),
        ("Signer(jwt_sign='s3-jwt')", "s3-jwt"),
        ("https://s3dsnkey0123@o1.ingest.sentry.example/42", "s3dsnkey0123"),
        ("Server=db;User Id=u;Password=s3-conn;Encrypt=yes;", "s3-conn"),
        ("https://h.example/cb?user=ann&token=s3-query&x=1", "s3-query"),
    ],
)
def test_secrets_in_common_shapes_are_scrubbed(value: Any, leak: str) -> None:
    # Shapes a security review found leaking: short or less usual names, DSNs, connection strings.
    text = Redactor().describe(value)["text"]
    assert leak not in text and REDACTED in text, text


def test_scrub_keeps_what_follows_a_connection_string_secret() -> None:
    assert Redactor().scrub("Server=db;Password=x1;Encrypt=yes") == f"Server=db;Password={REDACTED};Encrypt=yes"


@pytest.mark.parametrize(
    ("text", "leak"),
    [("Client(api_key=abc&def)", "def"), ("Foo(token=ab;cd, x=1)", "cd"), ("Server=db;Password=p;w&rd", "w&rd")],
)
def test_a_secret_containing_separators_is_redacted_whole(text: str, leak: str) -> None:
    scrubbed = Redactor().scrub(text)
    assert leak not in scrubbed and REDACTED in scrubbed, scrubbed
