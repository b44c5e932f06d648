"""The README's code and messages are the real ones: its snippets run, its error messages are what Clastic says."""

from __future__ import annotations

import re
import tomllib

import pytest
from example_helpers import REPO

from clastic import Application, render_basic
from clastic.exceptions import ConflictingProvidesError, InvalidPattern, UnresolvedArgumentError

README = (REPO / "README.md").read_text(encoding="utf-8")
ERROR_LINE = re.compile(r"^(clastic\.exceptions\.\w+): (.*)$", re.M)

SERVE_EROSION = 'python3 -m pip install -q "hatch>=1.16" && hatch run erosion'
RUN_TESTS = 'python3 -m pip install -q "hatch>=1.16" && hatch run test'


def code_block_after(heading: str) -> str:
    section = README.split(heading, 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def documented_errors() -> dict[str, str]:
    return {name: message for name, message in ERROR_LINE.findall(README)}


def test_fresh_machine_commands_come_first():
    first_block = re.search(r"```console\n(.*?)```", README, re.S).group(1)
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert commands == [SERVE_EROSION, RUN_TESTS]


def test_commands_match_the_workspace_scripts():
    scripts = tomllib.loads((REPO / "hatch.toml").read_text())["envs"]["default"]["scripts"]
    assert scripts["erosion"].startswith("python examples/erosion/app.py")
    assert any("pytest" in step for step in scripts["test"])
    assert RUN_TESTS in (REPO / ".ci" / "run").read_text()


def test_hello_world_runs():
    namespace: dict[str, object] = {"__name__": "readme_hello"}
    exec(compile(code_block_after("## Hello, world"), "README.md", "exec"), namespace)  # our README
    client = namespace["app"].get_local_client()
    assert client.get("/").text == "Hello, world!"
    assert client.get("/Ben").text == "Hello, Ben!"


def hello(first_name):
    # The README's mistaken hello(), defined at module level as there.
    return "Hello, %s!" % first_name  # noqa: UP031  # as the README writes it


def test_unresolved_argument_message_is_real():
    with pytest.raises(
        UnresolvedArgumentError, match=r"route '/': hello\(\) needs 'first_name', which nothing provides"
    ) as caught:
        Application([("/", hello, render_basic)])
    assert documented_errors()["clastic.exceptions.UnresolvedArgumentError"] == str(caught.value)
    assert isinstance(caught.value, NameError)


def greet(name):
    return "Hello, %s!" % name  # noqa: UP031  # as the README writes it


def test_conflicting_provides_message_is_real():
    with pytest.raises(
        ConflictingProvidesError, match=r"'name' comes from both the URL pattern and the resources"
    ) as caught:
        Application([("/<name>", greet, render_basic)], resources={"name": "x"})
    assert documented_errors()["clastic.exceptions.ConflictingProvidesError"] == str(caught.value)


def test_invalid_pattern_message_is_real():
    with pytest.raises(InvalidPattern, match=r"invalid URL pattern '/<x:int': segment '<x:int'") as caught:
        Application([("/<x:int", lambda x: x, render_basic)])
    assert documented_errors()["clastic.exceptions.InvalidPattern"] == str(caught.value)


def test_middleware_example_provides_start_time():
    namespace: dict[str, object] = {"__name__": "readme_middleware", "routes": []}
    exec(compile(code_block_after("## Middleware"), "README.md", "exec"), namespace)  # our README
    timing = namespace["TimingMiddleware"]()

    def endpoint(start_time):
        return "started" if start_time > 0 else "not started"

    client = Application([("/", endpoint, render_basic)], middlewares=[timing]).get_local_client()
    response = client.get("/")
    assert response.text == "started"
    assert re.fullmatch(r"app;dur=\d+\.\d", response.headers["Server-Timing"])
