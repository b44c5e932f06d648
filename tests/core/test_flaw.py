"""clastic.flaw: the fail-safe application of Clastic 26, over clastic._dev.failsafe."""

from __future__ import annotations

import json
import os
import sysconfig

from clastic import Application
from clastic.flaw import create_app, get_flaw_info

NAME_ERROR_TB = """\
Traceback (most recent call last):
  File "{app}", line 3, in <module>
    import views
  File "{views}", line 7, in <module>
    answer = undefined_name + 1
             ^^^^^^^^^^^^^^
NameError: name 'undefined_name' is not defined
"""

SYNTAX_ERROR_TB = """\
Traceback (most recent call last):
  File "{app}", line 3, in <module>
    import views
  File "{views}", line 2
    def home(:
             ^
SyntaxError: invalid syntax
"""


def write_project(tmp_path):
    app, views = tmp_path / "app.py", tmp_path / "views.py"
    app.write_text("import sys\n\nimport views\n")
    views.write_text("def home():\n    return 'home'\n\n\n\n\nanswer = undefined_name + 1\n")
    return str(app), str(views)


def library_file():
    return os.path.join(sysconfig.get_paths()["stdlib"], "json", "__init__.py")


def test_create_app_answers_every_path_with_the_failure(tmp_path):
    app_py, views_py = write_project(tmp_path)
    flaw_app = create_app(NAME_ERROR_TB.format(app=app_py, views=views_py), [app_py, views_py, library_file()])
    assert isinstance(flaw_app, Application)
    client = flaw_app.get_local_client()
    for path in ("/", "/clastic_assets/common.css", "/any/deep/path"):
        reply = client.get(path, headers={"Accept": "text/html"})
        assert reply.status_code == 500 and reply.headers["X-Clastic-Failsafe"] == "1"
        page = reply.text
        assert "NameError" in page and "name &#x27;undefined_name&#x27; is not defined" in page
        assert f"<code>{views_py}</code>, line 7" in page  # where, in the project's code
        assert "answer = undefined_name + 1" in page  # the source excerpt
    assert client.post("/").status_code == 500


def test_create_app_lists_project_files_and_counts_library_ones(tmp_path):
    app_py, views_py = write_project(tmp_path)
    reply = (
        create_app(NAME_ERROR_TB.format(app=app_py, views=views_py), [views_py, app_py, library_file()])
        .get_local_client()
        .get("/", headers={"Accept": "application/json"})
    )
    info = json.loads(reply.text)
    assert info["watched_files"] == sorted([app_py, views_py])
    assert info["watched_library_files"] == 1
    assert (info["error"], info["location"]) == ("NameError", {"file": views_py, "line": 7})


def test_create_app_understands_syntax_errors_and_plain_output(tmp_path):
    app_py, views_py = write_project(tmp_path)
    text = (
        create_app(SYNTAX_ERROR_TB.format(app=app_py, views=views_py))
        .get_local_client()
        .get("/", headers={"Accept": "text/plain"})
        .text
    )
    assert f"SyntaxError: invalid syntax (views.py, line 2)\nat {views_py}, line 2" in text
    plain = (
        create_app("the server could not start: address in use\n")
        .get_local_client()
        .get("/", headers={"Accept": "application/json"})
    )
    assert json.loads(plain.text)["error"] is None
    assert json.loads(plain.text)["message"] == "the server could not start: address in use"


def test_get_flaw_info_is_the_dict_the_page_shows(tmp_path):
    app_py, views_py = write_project(tmp_path)
    tb_str = NAME_ERROR_TB.format(app=app_py, views=views_py)
    files = [app_py, views_py, library_file()]
    shown = json.loads(
        create_app(tb_str, files).get_local_client().get("/", headers={"Accept": "application/json"}).text
    )
    assert get_flaw_info(tb_str, None, files) == shown
    info = get_flaw_info(tb_str, None, files, [views_py])  # the caller's own choice of project files
    assert info["watched_files"] == [views_py] and info["watched_library_files"] == 2
    assert info["error"] == "NameError" and info["message"] == "name 'undefined_name' is not defined"
    assert info["traceback"] == tb_str.rstrip()
