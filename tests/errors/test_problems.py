"""Problem types: declaration, every body format, and the debug pages' links."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from clastic import Application, render_basic
from clastic.errors import Conflict, Forbidden, HTTPException
from clastic.errors.problems import Problem, iter_problem_types


class OutOfCredit(Problem, Forbidden):
    """The account cannot pay for this purchase.

    Top up the account, or buy something cheaper.
    """

    error_type = "https://example.com/probs/out-of-credit"
    message = "You do not have enough credit."
    members = ("balance", "accounts")


class DuplicateSlug(Problem):
    """A link with this slug already exists."""

    code = 409
    error_type = "https://example.com/probs/duplicate-slug"
    message = "Slug already taken"
    members = ("slug",)


def buy():
    raise OutOfCredit("Your balance is 30, but that costs 50.", balance=30, accounts=["/account/12345"])


def shorten():
    return DuplicateSlug("Pick another slug.", slug="clastic", headers={"X-Request-Hint": "retry"})


def make_app(debug=False):
    return Application([("/buy", buy, render_basic), ("/shorten", shorten, render_basic)], debug=debug)


# -- production bodies ----------------------------------------------------------------


def test_problem_json_body_is_the_rfc_9457_object(call):
    response = call(make_app(), "/buy", "problem")
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json == {
        "type": "https://example.com/probs/out-of-credit",
        "title": "You do not have enough credit.",
        "status": 403,
        "detail": "Your balance is 30, but that costs 50.",
        "instance": "/buy",
        "balance": 30,
        "accounts": ["/account/12345"],
    }


def test_json_xml_html_and_text_carry_the_type_title_and_members(call):
    app = make_app()
    data = call(app, "/buy", "json").json
    assert data == {
        "code": 403,
        "message": "You do not have enough credit.",
        "detail": "Your balance is 30, but that costs 50.",
        "error_type": "https://example.com/probs/out-of-credit",
        "balance": 30,
        "accounts": ["/account/12345"],
    }
    root = ET.fromstring(call(app, "/buy", "xml").data)
    assert root.findtext("error_type") == "https://example.com/probs/out-of-credit"
    assert root.findtext("balance") == "30"
    html = call(app, "/buy", "html").text
    assert '<a href="https://example.com/probs/out-of-credit">' in html
    assert "You do not have enough credit." in html
    text = call(app, "/buy", "text").text
    assert text.startswith("403 - You do not have enough credit.")
    assert "Error type: https://example.com/probs/out-of-credit" in text


def test_returned_problem_keeps_status_and_headers(call):
    response = call(make_app(), "/shorten", "problem")
    assert response.status_code == 409
    assert response.headers["X-Request-Hint"] == "retry"
    assert response.json["slug"] == "clastic"


def test_problem_types_are_http_errors_of_their_status():
    error = OutOfCredit(balance=1)
    assert isinstance(error, Forbidden) and isinstance(error, HTTPException)
    assert error.code == 403
    assert error.extensions == {"balance": 1}
    with pytest.raises(Forbidden, match=r"^Your balance is 30, but that costs 50\.$"):
        buy()


# -- declaration mistakes fail when the class is defined --------------------------------


def test_a_problem_type_without_a_status_is_refused():
    with pytest.raises(TypeError, match=r"problem type NoStatus has no HTTP status: subclass the status class"):

        class NoStatus(Problem):
            error_type = "https://example.com/probs/no-status"


def test_an_abstract_problem_base_without_type_is_allowed():
    class ApiProblem(Problem):
        pass

    class Specific(ApiProblem, Conflict):
        error_type = "https://example.com/probs/specific"

    assert Specific().code == 409


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (("status",), r"member 'status' is one RFC 9457 defines itself"),
        (("headers",), r"member 'headers' clashes with the headers= argument"),
        (("dispatch_state",), r"member 'dispatch_state' clashes with the dispatch_state= argument"),
        (("not valid",), r"member names must be identifiers like 'balance', got 'not valid'"),
        ("balance", r"members must be a tuple of names, got 'balance'"),
        (("a", "a"), r"members lists a name twice"),
    ],
)
def test_invalid_members_are_refused(members, message):
    from clastic.errors import NotFound

    with pytest.raises(TypeError, match=message):
        type("Bad", (Problem, NotFound), {"error_type": "https://example.com/probs/bad", "members": members})


def test_an_error_type_with_spaces_is_refused():
    with pytest.raises(TypeError, match=r"error_type must be a URI .* got 'out of credit'"):
        type("Bad", (Problem, Forbidden), {"error_type": "out of credit"})


def test_an_undeclared_member_fails_with_a_suggestion():
    with pytest.raises(
        TypeError, match=r"OutOfCredit\(\) got an undeclared member 'balanse'.*Did you mean 'balance'\?"
    ):
        OutOfCredit(balanse=30)


# -- discovery and the debug pages ------------------------------------------------------


def test_iter_problem_types_finds_declared_types_sorted_by_uri():
    found = list(iter_problem_types())
    assert OutOfCredit in found and DuplicateSlug in found
    uris = [cls.error_type for cls in found]
    assert uris == sorted(uris)
    assert OutOfCredit.describe() == {
        "type": "https://example.com/probs/out-of-credit",
        "title": "You do not have enough credit.",
        "status": 403,
        "members": ["balance", "accounts"],
        "name": f"{__name__}.OutOfCredit",
        "doc": "The account cannot pay for this purchase.",
    }


def test_debug_pages_link_the_declared_problem_types(call):
    from clastic.errors import ContextualErrorHandler

    handler = ContextualErrorHandler(problem_types=[OutOfCredit, DuplicateSlug])
    app = Application([("/buy", buy, render_basic)], error_handler=handler, debug=True)
    html = call(app, "/nope", "html").text
    assert '<a href="https://example.com/probs/out-of-credit">You do not have enough credit.</a>' in html
    assert '<a href="https://example.com/probs/duplicate-slug">Slug already taken</a>' in html
    data = call(app, "/buy", "json").json
    assert [p["type"] for p in data["problem_types"]] == [OutOfCredit.error_type, DuplicateSlug.error_type]
    assert data["balance"] == 30
    # problem+json in debug: the standard members and the debug report together.
    problem = call(app, "/buy", "problem").json
    assert problem["type"] == OutOfCredit.error_type
    assert problem["balance"] == 30
    assert problem["request"]["path"] == "/buy"


def test_debug_pages_list_every_declared_type_by_default(call):
    app = Application([], debug=True)
    listed = [p["type"] for p in call(app, "/nope", "json").json["problem_types"]]
    assert OutOfCredit.error_type in listed and DuplicateSlug.error_type in listed


def test_problem_types_argument_is_checked():
    from clastic.errors import ContextualErrorHandler

    with pytest.raises(TypeError, match=r"problem_types= takes Problem subclasses that declare an error_type URI"):
        ContextualErrorHandler(problem_types=[Forbidden])
