"""The test module that docs/guide/testing.md shows: Clastic's pytest fixtures, used as a reader would.

The page includes this file, so what it shows is what runs here.
"""

import json
import urllib.request

import pytest

from clastic import GET, Application, render_json


class RockDB:
    """The real database: imagine a connection to a server here."""

    def names(self):
        raise RuntimeError("no database server in the tests")


class FakeRockDB:
    def __init__(self, *names):
        self._names = list(names)

    def names(self):
        return self._names


def list_rocks(db):
    return {"rocks": sorted(db.names())}


def create_app():
    return Application([GET("/rocks", list_rocks, render_json)], resources={"db": RockDB()})


@pytest.mark.clastic_resources(db=FakeRockDB("shale", "basalt"))
def test_lists_rocks_sorted(clastic_client):
    assert clastic_client.get("/rocks").json == {"rocks": ["basalt", "shale"]}


def test_endpoint_is_a_plain_function():
    assert list_rocks(FakeRockDB("gneiss")) == {"rocks": ["gneiss"]}


def test_with_another_fake(clastic_override):
    client = clastic_override(db=FakeRockDB()).get_local_client()
    assert client.get("/rocks").json == {"rocks": []}


@pytest.mark.clastic_resources(db=FakeRockDB("slate"))
def test_over_real_http(clastic_live_server):
    with urllib.request.urlopen(clastic_live_server.url + "/rocks", timeout=5) as answer:
        assert json.load(answer) == {"rocks": ["slate"]}
