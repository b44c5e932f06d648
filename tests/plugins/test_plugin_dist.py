"""Third-party plugins as users get them: wheels installed next to clastic-core alone.

Builds the wheels of clastic-core, of ``examples/clastic-ratelimit`` and of
a plugin made from ``templates/clastic-plugin`` (renamed as its README
says), installs them in a fresh virtualenv whose only other packages are
Werkzeug, boltons and pytest (downloaded once from the index), and there:
serves an app with the rate-limit middleware over real HTTP, finds the
plugins' entry points, and runs each plugin's own test suite. Local distributions are always
passed as wheel files with ``--no-index``, never as names the index could
answer with the original Clastic.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "packages" / "clastic-core"
META = ROOT / "packages" / "clastic-meta"
RATELIMIT = ROOT / "examples" / "clastic-ratelimit"
TEMPLATE = ROOT / "templates" / "clastic-plugin"
THIRD_PARTY = ["werkzeug>=3.1", "boltons>=25.0", "pytest>=8"]


def run(
    args: list[str | os.PathLike[str]], *, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run a command, bounded in time; fail the test with its output if it fails."""
    result = subprocess.run([os.fspath(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def build_wheels(projects: dict[str, Path], outdir: Path) -> dict[str, Path]:
    """Build each project's wheel into its own folder under *outdir*, all at once."""
    installer = ["--installer", "uv"] if shutil.which("uv") else []  # uv fetches hatchling faster than pip
    builds = {}
    for key, project in projects.items():
        target = outdir / key
        command = [sys.executable, "-m", "build", "--wheel", *installer, "--outdir", str(target), str(project)]
        builds[key] = (target, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    wheels = {}
    try:
        for key, (target, process) in builds.items():
            output, _ = process.communicate(timeout=300)
            if process.returncode != 0:
                pytest.fail(f"building the {key} wheel failed:\n{output}")
            (wheels[key],) = target.glob("*.whl")
    finally:
        for _target, process in builds.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    return wheels


def make_plugin_from_template(destination: Path, name: str) -> Path:
    """Copy the template and rename it the way its README tells users to."""
    shutil.copytree(TEMPLATE, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (destination / "src" / "clastic_myplugin").rename(destination / "src" / f"clastic_{name}")
    for path in destination.rglob("*"):
        if path.is_file() and path.name != "py.typed":
            text = path.read_text(encoding="utf-8")
            if "myplugin" in text:
                path.write_text(text.replace("myplugin", name), encoding="utf-8")
    return destination


def make_venv(path: Path, wheels: list[Path], deps: Path) -> Path:
    """A fresh virtualenv with the third-party dependencies and *wheels*, all from files (no index).

    The third-party wheels are downloaded into *deps* by the first call and reused afterwards.
    """
    run([sys.executable, "-m", "virtualenv", "--quiet", path])
    python = path / "bin" / "python"
    if not any(deps.glob("*.whl")):
        run([python, "-m", "pip", "download", "--quiet", "--only-binary", ":all:", "--dest", deps, *THIRD_PARTY])
    run([python, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", deps, *THIRD_PARTY])
    run([python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", *wheels])
    run([python, "-m", "pip", "check"])
    return python


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    greeting = make_plugin_from_template(tmp_path_factory.mktemp("template") / "clastic-greeting", "greeting")
    projects = {"core": CORE, "ratelimit": RATELIMIT, "greeting": greeting, "meta": META}
    return build_wheels(projects, tmp_path_factory.mktemp("wheels"))


@pytest.fixture(scope="module")
def deps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the third-party wheels (werkzeug, boltons, pytest and theirs) are downloaded once."""
    return tmp_path_factory.mktemp("deps")


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheels: dict[str, Path], deps: Path) -> Path:
    plugins = [wheels["core"], wheels["ratelimit"], wheels["greeting"]]
    return make_venv(tmp_path_factory.mktemp("venv") / "env", plugins, deps)


def wheel_files(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


@pytest.mark.parametrize(("key", "package"), [("ratelimit", "clastic_ratelimit"), ("greeting", "clastic_greeting")])
def test_plugin_wheels_follow_the_contract(wheels, key, package):
    files = wheel_files(wheels[key])
    assert not [name for name in files if name.startswith("clastic/")], "a plugin must not ship files in clastic/"
    assert f"{package}/py.typed" in files
    assert f"{package}/__init__.py" in files
    assert not [name for name in files if "/tests/" in name or name.startswith("tests/")]
    (metadata,) = [text for name, text in files.items() if name.endswith(".dist-info/METADATA")]
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires == ["clastic-core>=26.1.0"]
    assert "Requires-Python: >=3.11" in metadata


def test_ratelimit_wheel_declares_its_entry_points(wheels):
    files = wheel_files(wheels["ratelimit"])
    (entry_points,) = [text for name, text in files.items() if name.endswith(".dist-info/entry_points.txt")]
    assert "[clastic.commands]\nratelimit = clastic_ratelimit.command:command" in entry_points
    assert "[clastic.meta_peripherals]\nratelimit = clastic_ratelimit.peripheral:RateLimitPeripheral" in entry_points


def test_template_rename_leaves_no_trace_of_the_template_name(wheels):
    files = wheel_files(wheels["greeting"])
    assert wheels["greeting"].name.startswith("clastic_greeting-0.1.0-")
    assert not [name for name, text in files.items() if "myplugin" in name or "myplugin" in text]


APP_SCRIPT = textwrap.dedent(
    """
    import importlib.util, json, sys, urllib.error, urllib.request
    import clastic, clastic_ratelimit
    from clastic import Application, render_basic
    from clastic.plugins import COMMANDS_GROUP, META_PERIPHERALS_GROUP, iter_plugins
    from clastic.testing import LiveServer
    from clastic_ratelimit import RateLimitMiddleware, SQLiteStore

    store = SQLiteStore(sys.argv[1])
    limiter = RateLimitMiddleware(3, per=60, store=store)
    app = Application([("/", lambda: "hello", render_basic)], middlewares=[limiter])
    codes, retry_after, bodies = [], None, []
    with LiveServer(app) as server:
        for _ in range(5):
            try:
                with urllib.request.urlopen(server.url + "/", timeout=10) as response:
                    codes.append(response.status)
                    bodies.append(response.read().decode())
            except urllib.error.HTTPError as error:
                codes.append(error.code)
                retry_after = error.headers.get("Retry-After")
                error.close()
    store.close()
    satellites = [
        "clastic.meta", "clastic.static", "clastic.middleware.url", "clastic.render.ashes", "clastic.errors.contextual"
    ]
    print(json.dumps({
        "codes": codes,
        "bodies": bodies,
        "retry_after": retry_after,
        "clastic": clastic.__file__,
        "plugin": clastic_ratelimit.__file__,
        "satellites": [name for name in satellites if importlib.util.find_spec(name) is not None],
        "commands": {ep.name: type(obj).__name__ for ep, obj in iter_plugins(COMMANDS_GROUP)},
        "peripherals": {ep.name: obj.__name__ for ep, obj in iter_plugins(META_PERIPHERALS_GROUP)},
    }))
    """
)


def test_app_with_the_installed_middleware_answers_429_after_the_burst(venv, tmp_path):
    script = tmp_path / "app.py"
    script.write_text(APP_SCRIPT, encoding="utf-8")
    outcome = json.loads(run([venv, script, tmp_path / "limits.db"], cwd=tmp_path, timeout=120).stdout)
    assert outcome["codes"] == [200, 200, 200, 429, 429]
    assert outcome["bodies"] == ["hello"] * 3
    assert outcome["retry_after"] == "20"
    site = str(venv.parent.parent)
    assert outcome["clastic"].startswith(site) and outcome["plugin"].startswith(site)
    assert outcome["satellites"] == [], "only clastic-core may be installed"
    assert outcome["commands"] == {"ratelimit": "RateLimitCommand"}
    assert outcome["peripherals"] == {"ratelimit": "RateLimitPeripheral"}


def copy_tests(project: Path, destination: Path) -> Path:
    """The plugin's tests and pytest settings, away from its source (so the wheel is what runs)."""
    destination.mkdir()
    shutil.copytree(project / "tests", destination / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    options = pyproject["tool"]["pytest"]["ini_options"]
    lines = [
        "[pytest]",
        f"addopts = {options['addopts']} -p no:cacheprovider",
        f"xfail_strict = {str(options['xfail_strict']).lower()}",
    ]
    lines += ["filterwarnings ="] + [f"    {entry}" for entry in options["filterwarnings"]]
    (destination / "pytest.ini").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return destination


def test_ratelimit_plugin_passes_its_own_tests_from_the_venv(venv, tmp_path):
    where = copy_tests(RATELIMIT, tmp_path / "ratelimit-tests")
    result = run([venv, "-m", "pytest", "-q", "tests"], cwd=where, timeout=300)
    summary = result.stdout.strip().splitlines()[-1]
    # Nothing skipped: the `clastic ratelimit` test needs clastic-core's `clastic` script, present in the venv.
    outcomes = set(re.findall(r"[a-z]+", summary))
    assert "passed" in outcomes and not outcomes & {"failed", "error", "errors", "skipped", "xfailed"}, result.stdout
    assert int(summary.split(" passed")[0].split()[-1]) >= 60, summary


def test_template_plugin_passes_its_own_tests_from_the_venv(venv, tmp_path):
    greeting = make_plugin_from_template(tmp_path / "clastic-greeting", "greeting")
    where = copy_tests(greeting, tmp_path / "greeting-tests")
    result = run([venv, "-m", "pytest", "-q", "tests"], cwd=where, timeout=300)
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("8 passed"), result.stdout


def test_clastic_command_line_offers_the_subcommand(venv, tmp_path):
    script = venv.parent / "clastic"
    assert script.exists(), "clastic-core's wheel installs the `clastic` command"
    shown = run([script, "ratelimit", "--help"], cwd=tmp_path, timeout=60)
    assert "show" in shown.stdout and "prune" in shown.stdout
    listed = run([script, "--help"], cwd=tmp_path, timeout=60)
    assert "ratelimit" in listed.stdout


@pytest.fixture(scope="module")
def meta_venv(tmp_path_factory: pytest.TempPathFactory, wheels: dict[str, Path], deps: Path) -> Path:
    plugins = [wheels["core"], wheels["meta"], wheels["ratelimit"]]
    return make_venv(tmp_path_factory.mktemp("meta-venv") / "env", plugins, deps)


META_SCRIPT = textwrap.dedent(
    """
    import json, urllib.request
    from clastic import Application, render_basic
    from clastic.meta import MetaApplication
    from clastic.testing import LiveServer
    from clastic_ratelimit import RateLimitMiddleware

    limiter = RateLimitMiddleware(5, per=50, scope="api")
    app = Application([("/", lambda: "hi", render_basic), ("/_meta", MetaApplication())], middlewares=[limiter])
    with LiveServer(app) as server:
        urllib.request.urlopen(server.url + "/", timeout=10).close()
        with urllib.request.urlopen(server.url + "/_meta/json/", timeout=10) as response:
            document = json.loads(response.read())
        with urllib.request.urlopen(server.url + "/_meta/", timeout=10) as response:
            page = response.read().decode()
    print(json.dumps({"ratelimit": document.get("ratelimit"), "has_title": "Rate limits" in page,
                      "has_scope": "<h3>api</h3>" in page}))
    """
)


def test_meta_page_finds_the_peripheral_through_its_entry_point(meta_venv, tmp_path):
    script = tmp_path / "meta_app.py"
    script.write_text(META_SCRIPT, encoding="utf-8")
    outcome = json.loads(run([meta_venv, script], cwd=tmp_path, timeout=120).stdout)
    (limiter,) = outcome["ratelimit"]["limiters"]
    assert (limiter["scope"], limiter["limit"], limiter["per"]) == ("api", 5.0, 50.0)
    assert limiter["active_clients"] == 1
    assert [client["key"] for client in limiter["clients"]] == ["127.0.0.1"]
    assert outcome["has_title"] and outcome["has_scope"]
