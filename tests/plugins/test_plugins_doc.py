"""docs/plugins.md: its examples run, and it covers every entry-point group core defines.

Blocks fenced as ``python`` run in order in one namespace, as one script;
blocks fenced as ``py`` are files shown for reading and are not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import clastic.plugins
from clastic.middleware import MIDDLEWARE_PROTOCOL

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(DOC.read_text(encoding="utf-8")) if lang == language]


def test_python_examples_run_against_core(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code = blocks("python")
    assert len(code) >= 10
    namespace: dict[str, object] = {"__name__": "plugins_doc"}
    for number, source in enumerate(code, 1):
        exec(compile(source, f"<docs/plugins.md python block {number}>", "exec"), namespace)  # our own document


@pytest.mark.parametrize("language", ["py", "toml"])
def test_shown_files_are_at_least_valid(language):
    import tomllib

    shown = blocks(language)
    assert shown
    for source in shown:
        if language == "py":
            compile(source, "<docs/plugins.md py block>", "exec")
        else:
            tomllib.loads(source)


def test_every_entry_point_group_and_protocol_is_documented():
    text = DOC.read_text(encoding="utf-8")
    groups = {name: value for name, value in vars(clastic.plugins).items() if name.endswith("_GROUP")}
    assert set(groups) == {"COMMANDS_GROUP", "DEV_MOUNTS_GROUP", "RENDER_FACTORIES_GROUP", "META_PERIPHERALS_GROUP"}
    for name, value in groups.items():
        assert f"### `{value}`" in text, f"no section for {value}"
        assert f"| `{value}` |" in text, f"{value} missing from the entry-point table"
        assert f"`{name}`" in text
    for protocol in ("CommandPlugin", "DevMount", "MetaPeripheralPlugin"):
        assert f"`{protocol}`" in text
    assert "| `pytest11` |" in text
    assert f"(currently `{MIDDLEWARE_PROTOCOL}`)" in text


def test_toml_example_registers_only_known_groups():
    import tomllib

    known = {value for name, value in vars(clastic.plugins).items() if name.endswith("_GROUP")}
    (pyproject,) = [tomllib.loads(source) for source in blocks("toml")]
    assert set(pyproject["project"]["entry-points"]) == known
    assert pyproject["project"]["dependencies"] == ["clastic-core>=26.1.0"]
