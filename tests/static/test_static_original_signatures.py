"""Code written for the original Clastic's positional signatures runs unchanged.

The original took ``StaticApplication(search_paths, check_paths, cache_timeout,
default_text_mime, default_binary_mime)`` and ``StaticFileRoute(pattern,
file_path, check_file, cache_timeout, mimetype)`` positionally; the newer
options come after them and are keyword-only.
"""

from __future__ import annotations

import inspect

import pytest

from clastic import Application
from clastic.static import StaticApplication, StaticFileRoute


def test_static_application_takes_the_original_five_parameters_positionally(site):
    static_app = StaticApplication(str(site.public), True, 3600, "text/x-readme", "application/x-blob")
    assert static_app.cache_timeout == 3600
    client = Application([("/static", static_app)]).get_local_client()
    hello = client.get("/static/hello.txt")
    assert (hello.status_code, hello.data) == (200, b"hello, world\n")
    assert hello.headers["Cache-Control"] == "public, max-age=3600"
    assert client.get("/static/README").headers["Content-Type"].startswith("text/x-readme")
    assert client.get("/static/blob").headers["Content-Type"] == "application/x-blob"


def test_static_application_positional_list_of_search_paths_and_cache_timeout(site):
    client = StaticApplication([site.public2, site.public], True, 60).get_local_client()
    response = client.get("/hello.txt")
    assert response.data == b"shadowed hello\n"  # the first search path still wins
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/only2.txt").status_code == 200


def test_static_application_positional_check_paths(tmp_path):
    later = tmp_path / "later"
    with pytest.raises(FileNotFoundError, match=r"search path '.*later' does not exist"):
        StaticApplication(str(later), True)
    client = Application([("/s", StaticApplication(str(later), False, None))]).get_local_client()
    assert client.get("/s/a.txt").status_code == 404
    later.mkdir()
    (later / "a.txt").write_text("now")
    response = client.get("/s/a.txt")
    assert response.data == b"now"
    assert "Cache-Control" not in response.headers


def test_static_application_a_number_in_check_paths_place_names_cache_timeout(site):
    # The original silently took this 3600 as check_paths and kept its default cache timeout.
    with pytest.raises(TypeError, match=r"check_paths must be True or False \(got 3600\).*cache_timeout=3600"):
        StaticApplication(str(site.public), 3600)
    with pytest.raises(TypeError, match=r"check_paths must be True or False \(got 'yes'\)$"):
        StaticApplication(str(site.public), "yes")


def test_static_application_newer_options_stay_keyword_only(site):
    with pytest.raises(TypeError, match="positional argument"):
        StaticApplication(str(site.public), True, 360, "text/plain", "application/octet-stream", ("index.html",))
    kinds = {name: p.kind for name, p in inspect.signature(StaticApplication).parameters.items()}
    positional = [name for name, kind in kinds.items() if kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert positional == ["search_paths", "check_paths", "cache_timeout", "default_text_mime", "default_binary_mime"]
    assert {name for name, kind in kinds.items() if kind is inspect.Parameter.KEYWORD_ONLY} >= {
        "index_files",
        "follow_symlinks",
        "precompressed",
        "middlewares",
    }


def test_static_file_route_takes_the_original_five_parameters_positionally(tmp_path):
    path = tmp_path / "data.custom"
    path.write_text("a,b\n1,2\n")
    client = Application(
        [
            StaticFileRoute("/x", path, True, 60),
            StaticFileRoute("/csv", str(path), True, None, "text/csv"),
        ]
    ).get_local_client()
    x = client.get("/x")
    assert (x.status_code, x.data) == (200, b"a,b\n1,2\n")
    assert x.headers["Cache-Control"] == "public, max-age=60"
    csv = client.get("/csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "Cache-Control" not in csv.headers


def test_static_file_route_positional_check_file(tmp_path):
    path = tmp_path / "later.txt"
    with pytest.raises(FileNotFoundError, match=r"StaticFileRoute\('/later.txt'\): cannot open"):
        StaticFileRoute("/later.txt", path, True)
    client = Application([StaticFileRoute("/later.txt", path, False)]).get_local_client()
    assert client.get("/later.txt").status_code == 404
    path.write_text("arrived")
    assert client.get("/later.txt").data == b"arrived"


def test_static_file_route_a_number_in_check_file_place_names_cache_timeout(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("a")
    with pytest.raises(
        TypeError, match=r"StaticFileRoute\('/a'\): check_file must be True or False \(got 60\).*cache_timeout=60"
    ):
        StaticFileRoute("/a", path, 60)


def test_static_file_route_newer_options_stay_keyword_only(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("a")
    with pytest.raises(TypeError, match="positional argument"):
        StaticFileRoute("/a", path, True, 60, None, False)
    kinds = {name: p.kind for name, p in inspect.signature(StaticFileRoute).parameters.items()}
    positional = [name for name, kind in kinds.items() if kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert positional == ["pattern", "file_path", "check_file", "cache_timeout", "mimetype"]
    assert {name for name, kind in kinds.items() if kind is inspect.Parameter.KEYWORD_ONLY} == {
        "precompressed",
        "middlewares",
        "name",
    }
