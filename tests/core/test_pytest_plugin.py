"""clastic-core's pytest plugin, used the way an application's tests use it.

This module defines ``create_app()``, so the ``clastic_app``,
``clastic_client`` and ``clastic_live_server`` fixtures serve the
Application it builds; resources are replaced with the
``clastic_resources`` marker, the ``clastic_resources`` fixture or
``clastic_override``.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from clastic import GET, POST, Application, render_basic, render_json
from clastic.errors import NotFound
from clastic.testing import LiveServer, make_client

pytest_plugins = ("pytester",)


class NoteStore:
    """A tiny in-memory notes table, the resource tests replace."""

    def __init__(self, label: str, notes: dict[int, str] | None = None) -> None:
        self.label = label
        self.notes = dict(notes or {})

    def add(self, text: str) -> int:
        note_id = max(self.notes, default=0) + 1
        self.notes[note_id] = text
        return note_id

    def get(self, note_id: int) -> str:
        try:
            return self.notes[note_id]
        except KeyError:
            raise NotFound(f"no note {note_id}") from None


def list_notes(db, greeting):
    return {"store": db.label, "greeting": greeting, "notes": db.notes}


def add_note(request, db):
    return {"id": db.add(request.get_data(as_text=True))}


def show_note(db, note_id):
    return db.get(note_id)


def audit_log(audit):
    return {"audit": audit}


def create_app():
    admin = Application([GET("/log", audit_log, render_json)], resources={"audit": "real audit log"})
    return Application(
        [
            GET("/notes", list_notes, render_json),
            POST("/notes", add_note, render_json),
            GET("/notes/<note_id:int>", show_note, render_basic),
            ("/admin", admin),
        ],
        resources={"db": NoteStore("real", {1: "first"}), "greeting": "Hello"},
    )


def test_clastic_client_serves_the_modules_create_app(clastic_client):
    response = clastic_client.get("/notes")
    assert response.status_code == 200
    assert response.json == {"store": "real", "greeting": "Hello", "notes": {"1": "first"}}
    assert clastic_client.get("/notes/1").text == "first"
    assert clastic_client.get("/notes/9").status_code == 404


def test_each_test_gets_a_freshly_built_app(clastic_app, clastic_client):
    assert isinstance(clastic_app, Application)
    assert [route.pattern for route in clastic_app.routes] == ["/notes", "/notes", "/notes/<note_id:int>", "/admin/log"]
    assert clastic_client.post("/notes", data="second").json == {"id": 2}
    # The client drives clastic_app itself: the note is in its store.
    assert clastic_app.resources["db"].notes == {1: "first", 2: "second"}
    # A new create_app() call starts from scratch (no state shared across tests).
    assert make_client(create_app()).get("/notes").json["notes"] == {"1": "first"}


def test_clastic_live_server_answers_real_http_on_loopback(clastic_live_server):
    assert isinstance(clastic_live_server, LiveServer)
    assert clastic_live_server.url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(clastic_live_server.url + "/notes", data=b"over http", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"id": 2}
    with urllib.request.urlopen(clastic_live_server.url + "/notes/2", timeout=10) as response:
        assert response.read() == b"over http"


@pytest.mark.clastic_resources(greeting="Howdy", db=NoteStore("fake", {7: "from the marker"}))
def test_marker_replaces_resources_for_the_client(clastic_app, clastic_client):
    assert clastic_client.get("/notes").json == {
        "store": "fake",
        "greeting": "Howdy",
        "notes": {"7": "from the marker"},
    }
    assert clastic_client.get("/notes/7").text == "from the marker"
    # The Application from create_app() itself is untouched.
    assert clastic_app.resources["greeting"] == "Hello"
    assert make_client(clastic_app).get("/notes").json["store"] == "real"


@pytest.mark.clastic_resources(greeting="Bonjour")
def test_marker_applies_to_the_live_server(clastic_live_server):
    with urllib.request.urlopen(clastic_live_server.url + "/notes", timeout=10) as response:
        assert json.loads(response.read())["greeting"] == "Bonjour"


@pytest.mark.clastic_resources(audit="fake audit log")
def test_marker_reaches_embedded_applications(clastic_client):
    assert clastic_client.get("/admin/log").json == {"audit": "fake audit log"}


@pytest.mark.clastic_resources(greeting="from the class", db=NoteStore("class store"))
class TestMarkerPrecedence:
    def test_class_marker_applies(self, clastic_client):
        body = clastic_client.get("/notes").json
        assert (body["greeting"], body["store"]) == ("from the class", "class store")

    @pytest.mark.clastic_resources(greeting="from the test")
    def test_closest_marker_wins_per_name(self, clastic_client):
        body = clastic_client.get("/notes").json
        assert (body["greeting"], body["store"]) == ("from the test", "class store")


def test_clastic_override_returns_a_rebuilt_app(clastic_app, clastic_override):
    fake = NoteStore("override")
    overridden = clastic_override(db=fake, audit="override audit")
    assert isinstance(overridden, Application)
    assert overridden is not clastic_app
    client = make_client(overridden)
    assert client.post("/notes", data="x").json == {"id": 1}
    assert fake.notes == {1: "x"}
    assert client.get("/admin/log").json == {"audit": "override audit"}
    assert clastic_app.resources["db"].notes == {1: "first"}


@pytest.mark.clastic_resources(greeting="marker")
def test_clastic_override_keywords_win_over_markers(clastic_override):
    client = make_client(clastic_override(db=NoteStore("kw")))
    body = client.get("/notes").json
    assert (body["greeting"], body["store"]) == ("marker", "kw")
    assert make_client(clastic_override(greeting="keyword")).get("/notes").json["greeting"] == "keyword"


# -- behaviour in other projects' test suites (run with pytester) --------------------


def test_module_with_app_attribute_and_conftest_fixture_override(pytester):
    pytester.makeconftest(
        """
        import pytest
        from clastic import Application, render_basic

        @pytest.fixture
        def clastic_resources(tmp_path):
            return {"where": tmp_path.name}
        """
    )
    pytester.makepyfile(
        test_app="""
        from clastic import Application, render_basic

        app = Application([("/", lambda where: where, render_basic)], resources={"where": "production"})

        def test_client(clastic_client, tmp_path):
            assert clastic_client.get("/").text == tmp_path.name

        def test_app_unchanged(clastic_app):
            assert clastic_app.resources == {"where": "production"}
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_conftest_can_build_clastic_app_for_every_module(pytester):
    pytester.makeconftest(
        """
        import pytest
        from clastic import Application, render_basic

        @pytest.fixture
        def clastic_app():
            return Application([("/<name>", lambda name, punct: name + punct, render_basic)], resources={"punct": "!"})
        """
    )
    pytester.makepyfile(
        test_one="""
        import pytest

        def test_client(clastic_client):
            assert clastic_client.get("/Ben").text == "Ben!"

        @pytest.mark.clastic_resources(punct="?")
        def test_marker(clastic_client):
            assert clastic_client.get("/Ben").text == "Ben?"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=2)


def test_module_without_an_app_gets_a_clear_error(pytester):
    pytester.makepyfile(
        test_empty="""
        def test_needs_app(clastic_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_empty defines neither create_app() nor app*override the clastic_app fixture*"])


def test_unknown_resource_in_marker_names_the_closest_one(pytester):
    pytester.makepyfile(
        test_typo="""
        import pytest
        from clastic import Application, render_basic

        def create_app():
            return Application([("/", lambda database: "x", render_basic)], resources={"database": object()})

        @pytest.mark.clastic_resources(databse=None)
        def test_typo(clastic_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no resource named 'databse'*Did you mean 'database'?*"])


def test_positional_marker_arguments_are_refused(pytester):
    pytester.makepyfile(
        test_positional="""
        import pytest
        from clastic import Application, render_basic

        app = Application([("/", lambda db: "x", render_basic)], resources={"db": 1})

        @pytest.mark.clastic_resources({"db": 2})
        def test_positional(clastic_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*clastic_resources takes resource names as keyword arguments*db=FakeDB()*"])


def test_marker_on_a_wsgi_wrapper_explains_what_to_pass(pytester):
    pytester.makepyfile(
        test_wrapped="""
        import pytest
        from werkzeug.middleware.proxy_fix import ProxyFix
        from clastic import Application, render_basic

        app = ProxyFix(Application([("/", lambda db: "x", render_basic)], resources={"db": 1}))

        def test_plain(clastic_client):
            assert clastic_client.get("/").text == "x"

        @pytest.mark.clastic_resources(db=2)
        def test_override(clastic_client):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*override_resources() needs a clastic Application to rebuild, got ProxyFix*"])
