"""The tutorials' intermediate steps (examples/tzconvert/steps/, examples/erosion/step*.py) do what the pages say.

The tutorial pages show their code straight from these files; the finished
programs (examples/tzconvert/tzconvert.py, examples/erosion/app.py) have
their own tests in tests/examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_helpers import EXAMPLES, environ, load_file

TZ_STEPS = EXAMPLES / "tzconvert" / "steps"
EROSION = EXAMPLES / "erosion"
FORM = {"dt": "2020-04-01T10:28", "src": "Australia/Tasmania", "dst": "Africa/Timbuktu"}


def tz_step(name: str):
    return load_file(TZ_STEPS / name / "tzconvert.py", f"tzconvert_{name}")


@pytest.fixture
def erosion_config(tmp_path: Path) -> Path:
    config = tmp_path / "erosion.ini"
    config.write_text("[erosion]\nhost_url = http://127.0.0.1:5000\ndb_path = links.db\n")
    return config


def erosion_step(name: str, config: Path):
    # Steps 2 and later build `app` at import from $EROSION_CONFIG: point it at a temporary database.
    with environ({"EROSION_CONFIG": str(config)}):
        return load_file(EROSION / f"{name}.py", f"erosion_{name}")


def test_tzconvert_step1_is_the_form_alone():
    client = tz_step("step1_form").create_app().get_local_client()
    page = client.get("/")
    assert page.status_code == 200
    assert '<form action="/show" method="POST">' in page.text
    assert '<option value="Australia/Tasmania">Tasmania</option>' in page.text
    assert "stylesheet" not in page.text
    assert client.post("/show", data=FORM).status_code == 404


def test_tzconvert_step2_converts_the_posted_form():
    client = tz_step("step2_show").create_app().get_local_client()
    shown = client.post("/show", data=FORM)
    assert shown.status_code == 200
    assert shown.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<time datetime="2020-04-01T10:28">Wed Apr  1 10:28:00 2020</time>\nin Tasmania' in shown.text
    assert '<time datetime="2020-03-31T23:28">Tue Mar 31 23:28:00 2020</time>\nin Timbuktu' in shown.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"src": "UTC", "dst": "UTC"}, "the form needs a non-empty 'dt' field"),
        ({**FORM, "src": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({**FORM, "dt": "tea time"}, "'dt' must be a date and time such as '2020-04-01T10:28', got 'tea time'"),
    ],
)
def test_tzconvert_step2_refuses_bad_forms_with_400(form, message):
    client = tz_step("step2_show").create_app().get_local_client()
    refused = client.post("/show", data=form, headers={"Accept": "text/plain"})
    assert refused.status_code == 400
    assert message in refused.text


def test_tzconvert_step3_serves_the_stylesheet_the_pages_link():
    client = tz_step("step3_static").create_app().get_local_client()
    link = '<link rel="stylesheet" href="/static/custom.css">'
    assert link in client.get("/").text
    assert link in client.post("/show", data=FORM).text
    css = client.get("/static/custom.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "time {\n    color: #ff0000;\n}" in css.text


def test_erosion_step1_renders_the_page_and_its_stylesheet():
    client = load_file(EROSION / "step1_home.py", "erosion_step1_home").create_app().get_local_client()
    page = client.get("/")
    assert page.status_code == 200
    assert "<h1>Erosion</h1>" in page.text
    assert 'value="0" checked> never' in page.text
    assert "Recorded URLs" not in page.text
    assert client.get("/static/style.css").status_code == 200


def test_erosion_step2_lists_links_from_the_database_resource(erosion_config):
    step = erosion_step("step2_resources", erosion_config)
    app = step.create_app(str(erosion_config))
    app.resources["db"].add_link("https://example.com/a/long/page", alias="ex", max_count=3)
    page = app.get_local_client().get("/").text
    assert '<a class="short" href="http://127.0.0.1:5000/ex">http://127.0.0.1:5000/ex</a>' in page
    assert "(0 / 3 clicks)" in page
    assert "never expires" in page


@pytest.mark.parametrize("name", ["step3_submit", "step4_aliases", "step5_forms"])
def test_erosion_submit_records_and_redirects_home(name, erosion_config):
    app = erosion_step(name, erosion_config).create_app(str(erosion_config))
    client = app.get_local_client()
    form = {"target_url": "https://example.com/page", "new_alias": "pg", "expiry_time": "0", "max_count": "2"}
    posted = client.post("/submit", data=form)
    assert (posted.status_code, posted.headers["Location"]) == (303, "/")
    assert [(e["alias"], e["target"], e["max_count"]) for e in app.resources["db"].get_links()] == [
        ("pg", "https://example.com/page", 2)
    ]
    taken = client.post("/submit", data=form, headers={"Accept": "text/plain"})
    assert taken.status_code == 409
    assert "The alias 'pg' is already taken" in taken.text
    not_a_number = client.post("/submit", data={**form, "new_alias": "", "max_count": "ten"})
    assert not_a_number.status_code == 400
    # Before step 4 a GET of /submit is a 405; from step 4 on, GET /<alias> takes it (no such link: 404).
    assert client.get("/submit").status_code == (405 if name == "step3_submit" else 404)


@pytest.mark.parametrize("name", ["step4_aliases", "step5_forms"])
def test_erosion_aliases_redirect_count_and_expire(name, erosion_config):
    app = erosion_step(name, erosion_config).create_app(str(erosion_config))
    app.resources["db"].add_link("https://example.com/once", alias="once", max_count=1)
    client = app.get_local_client()
    first = client.get("/once")
    assert (first.status_code, first.headers["Location"]) == (301, "https://example.com/once")
    assert client.get("/once").status_code == 410
    assert client.get("/nobody").status_code == 404
    reserved = client.post("/submit", data={"target_url": "https://example.com/", "new_alias": "static"})
    assert reserved.status_code == 400


def test_erosion_step5_gets_form_fields_as_arguments(erosion_config):
    step = erosion_step("step5_forms", erosion_config)
    app = step.create_app(str(erosion_config))
    route = next(r for r in app.iter_routes() if r.pattern == "/submit")
    assert type(route.middlewares[-1]).__name__ == "PostDataMiddleware"
    client = app.get_local_client()
    posted = client.post(
        "/submit", data={"target_url": "https://example.com/x", "expiry_time": "300", "max_count": "0"}
    )
    assert posted.status_code == 303
    (entry,) = app.resources["db"].get_links()
    assert entry["alias"] == "w59"  # generated: the first id after 41660, in base 36
    assert entry["expires"] > entry["created"]


def test_tzconvert_page_shows_what_the_curl_command_gets():
    page = (EXAMPLES.parent / "docs" / "tutorial" / "tzconvert.md").read_text(encoding="utf-8")
    block = page.split("```console\n$ curl -X POST", 1)[1].split("```", 1)[0]
    body = block.split("-d '", 1)[1].split("'", 1)[0]
    shown = block.split("http://127.0.0.1:5000/show\n", 1)[1]
    final = load_file(EXAMPLES / "tzconvert" / "tzconvert.py", "tzconvert_final")
    answer = (
        final.create_app().get_local_client().post("/show", data=body, headers={"Content-Type": "application/json"})
    )
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == shown.rstrip("\n")
