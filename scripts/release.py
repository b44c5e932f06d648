"""Build and check a release of every Clastic distribution, in lockstep.

``hatch run release:build`` runs this script. It

1. reads ``packages/*/pyproject.toml`` and refuses to go on unless the seven
   distributions share one version (and the ``clastic`` meta-package requires
   the six others at that version or newer);
2. builds each one's sdist, then its wheel from that sdist (so the sdist is
   known to be complete), into ``dist/``;
3. runs ``twine check --strict`` on the fourteen files;
4. installs each wheel, with all its extras, into a fresh virtualenv with ``pip install --no-index
   --find-links``: Clastic's own distributions come from ``dist/`` only (the
   package index holds the original ``clastic`` 26.0.0, which a bare name
   could pull in), third-party ones from a local wheelhouse downloaded once
   into ``build/release-wheelhouse/``; then imports every public module the
   wheel ships and runs ``pip check``;
5. prints the one command that would publish the files (with ``hatch run
   release:python`` when run by hatch, where twine is installed), and
   publishes nothing.

Options: ``--dist-dir DIR`` (default ``dist``), ``--wheelhouse DIR``,
``--jobs N`` (builds and wheel checks run at once, default 3), ``--skip-install-checks``.
Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import logging
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PACKAGES = REPO / "packages"
#: Publishing order: a distribution before the ones that depend on it, the meta-package last.
ORDER = [
    "clastic-core",
    "clastic-middleware",
    "clastic-render",
    "clastic-static",
    "clastic-meta",
    "clastic-errors",
    "clastic",
]
#: Upper bound for one build, pip or python step, in seconds.
STEP_TIMEOUT = 300

log = logging.getLogger("release")


class ReleaseError(Exception):
    """A check failed; the message says which and why."""


@dataclass(frozen=True)
class Distribution:
    """One ``packages/<name>`` project."""

    name: str
    path: Path
    version: str
    dependencies: tuple[str, ...]
    extras: dict[str, tuple[str, ...]]

    @property
    def stem(self) -> str:
        """The normalised file name prefix of its sdist and wheel, e.g. ``clastic_core-26.1.0``."""
        return f"{re.sub(r'[-_.]+', '_', self.name).lower()}-{self.version}"

    @property
    def wheel_name(self) -> str:
        return f"{self.stem}-py3-none-any.whl"

    @property
    def sdist_name(self) -> str:
        return f"{self.stem}.tar.gz"


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ReleaseError(f"cannot read a project name from requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def discover() -> list[Distribution]:
    """The distributions under packages/, in publishing order, checked for lockstep versions."""
    found = {}
    for pyproject in PACKAGES.glob("*/pyproject.toml"):
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        extras = {extra: tuple(reqs) for extra, reqs in project.get("optional-dependencies", {}).items()}
        found[project["name"]] = Distribution(
            project["name"], pyproject.parent, project["version"], tuple(project.get("dependencies", ())), extras
        )
    missing = [name for name in ORDER if name not in found]
    extra = sorted(set(found) - set(ORDER))
    if missing or extra:
        raise ReleaseError(f"expected the distributions {ORDER}; missing {missing}, unexpected {extra}")
    dists = [found[name] for name in ORDER]
    versions = {dist.name: dist.version for dist in dists}
    if len(set(versions.values())) != 1:
        raise ReleaseError(f"versions are not in lockstep: {versions}")
    version = dists[0].version
    meta = found["clastic"]
    wanted = {f"{name}>={version}" for name in ORDER[:-1]}
    if set(meta.dependencies) != wanted:
        raise ReleaseError(
            f"the clastic meta-package must require exactly {sorted(wanted)}, not {list(meta.dependencies)}"
        )
    return dists


def run(cmd: list[str | Path], *, cwd: Path | None = None) -> str:
    """Run *cmd*; raise ReleaseError with its output when it fails. Return its stdout."""
    argv = [str(part) for part in cmd]
    log.debug("$ %s", " ".join(argv))
    try:
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as ex:
        raise ReleaseError(f"timed out after {STEP_TIMEOUT}s: {' '.join(argv)}") from ex
    if proc.returncode != 0:
        raise ReleaseError(f"failed ({proc.returncode}): {' '.join(argv)}\n{proc.stdout}{proc.stderr}".rstrip())
    return proc.stdout


def build_one(dist: Distribution, dist_dir: Path) -> str:
    for stale in (dist_dir / dist.wheel_name, dist_dir / dist.sdist_name):
        stale.unlink(missing_ok=True)
    # --no-isolation: hatchling comes from this environment (the release env
    # declares it), so building needs no network. Without --sdist/--wheel,
    # build makes the sdist and then the wheel from the unpacked sdist.
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", dist_dir, dist.path])
    return f"built {dist.sdist_name} and {dist.wheel_name}"


def build(dists: list[Distribution], dist_dir: Path, jobs: int) -> list[Path]:
    """Build every sdist, and every wheel from its sdist, into *dist_dir*; return the 14 files."""
    dist_dir.mkdir(parents=True, exist_ok=True)
    in_parallel(build_one, dists, dist_dir, jobs=jobs, what="builds")
    files = []
    for dist in dists:
        for name in (dist.sdist_name, dist.wheel_name):
            if not (dist_dir / name).is_file():
                raise ReleaseError(f"the build of {dist.name} did not produce {name} in {dist_dir}")
            files.append(dist_dir / name)
    return files


def in_parallel(task: Any, dists: list[Distribution], *args: Any, jobs: int, what: str) -> None:
    """Run ``task(dist, *args)`` for every distribution, *jobs* at a time; log results, collect failures."""
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(task, dist, *args): dist for dist in dists}
        for future in concurrent.futures.as_completed(futures):
            try:
                log.info("%s", future.result())
            except ReleaseError as ex:
                failures.append(f"{futures[future].name}: {ex}")
    if failures:
        raise ReleaseError(f"{what} failed:\n" + "\n".join(sorted(failures)))


def twine_check(files: list[Path]) -> None:
    out = run([sys.executable, "-m", "twine", "check", "--strict", *files])
    passed = out.count("PASSED")
    if passed != len(files):
        raise ReleaseError(f"twine check passed {passed} of {len(files)} files:\n{out}")
    log.info("twine check --strict: %d files passed", passed)


def public_modules(wheel: Path) -> list[str]:
    """The importable modules a wheel ships, private ones (``_name``) left out."""
    modules = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if not name.endswith(".py") or ".dist-info/" in name:
                continue
            parts = name[: -len(".py")].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if parts and not any(part.startswith("_") for part in parts):
                modules.append(".".join(parts))
    return sorted(modules)


def wheelhouse_for(dists: list[Distribution], wheelhouse: Path) -> None:
    """Download the third-party dependencies, extras' included, as wheels (pip reuses what is there)."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    requirements = {req for dist in dists for req in dist.dependencies}
    requirements |= {req for dist in dists for reqs in dist.extras.values() for req in reqs}
    third_party = sorted(req for req in requirements if not requirement_name(req).startswith("clastic"))
    with tempfile.TemporaryDirectory(prefix="clastic-release-") as tmp:
        venv = make_venv(Path(tmp) / "downloader")
        run([venv, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--dest", wheelhouse, *third_party])
    log.info("third-party wheels ready in %s", wheelhouse)


def make_venv(path: Path) -> Path:
    """A fresh virtualenv (with pip) at *path*; return its python."""
    run([sys.executable, "-m", "virtualenv", "--quiet", "--no-periodic-update", "--no-setuptools", "--no-wheel", path])
    return path / "bin" / "python"


#: Run in the fresh virtualenv: import every module named, print the distribution's installed version.
IMPORT_CHECK = """
import importlib, importlib.metadata, sys
for name in sys.argv[2:]:
    importlib.import_module(name)
print(importlib.metadata.version(sys.argv[1]))
"""


def check_wheel(dist: Distribution, dist_dir: Path, wheelhouse: Path) -> str:
    """Install one wheel, with all its extras, into a fresh virtualenv from local files only; import what it ships."""
    wheel = dist_dir / dist.wheel_name
    target = f"{wheel}[{','.join(sorted(dist.extras))}]" if dist.extras else str(wheel)
    with tempfile.TemporaryDirectory(prefix=f"clastic-check-{dist.name}-") as tmp:
        python = make_venv(Path(tmp) / "venv")
        run([python, "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check",
             "--no-index", "--find-links", dist_dir, "--find-links", wheelhouse, target])
        # pytest_plugin is loaded by pytest (entry point pytest11), which the wheel does not depend on.
        modules = [name for name in public_modules(wheel) if not name.endswith(".pytest_plugin")]
        if dist.name == "clastic":  # the meta-package ships nothing: everything it installs must import
            modules = ["clastic", "clastic.application", "clastic.middleware.session", "clastic.render.ashes",
                       "clastic.static", "clastic.meta", "clastic.errors.contextual"]
        run([python, "-m", "pip", "check"])
        installed = run([python, "-c", IMPORT_CHECK, dist.name, *modules], cwd=Path(tmp)).strip()
        if installed != dist.version:
            raise ReleaseError(f"{dist.name}: installed version {installed}, expected {dist.version}")
    return f"{dist.wheel_name}: installs with --no-index and imports {len(modules)} modules"


def publish_command(files: list[Path]) -> str:
    """The command that would upload *files* to the package index, dependencies first."""
    shown = []
    for path in files:
        try:
            shown.append(str(path.relative_to(Path.cwd())))
        except ValueError:
            shown.append(str(path))
    # Under `hatch run release:build`, twine lives in the release environment.
    runner = f"hatch run {os.environ['HATCH_ENV_ACTIVE']}:python" if os.environ.get("HATCH_ENV_ACTIVE") else "python"
    return f"{runner} -m twine upload " + " ".join(shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist-dir", type=Path, default=REPO / "dist", help="where the files go (default: dist/)")
    parser.add_argument("--wheelhouse", type=Path, default=REPO / "build" / "release-wheelhouse",
                        help="third-party wheels for the offline install checks (downloaded when missing)")
    parser.add_argument("--jobs", type=int, default=3, help="builds and wheel checks run at once (default: 3)")
    parser.add_argument("--skip-install-checks", action="store_true", help="build and twine-check only")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every command")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(relativeCreated)6.0fms %(message)s" if args.verbose else "%(message)s",
        stream=sys.stderr,
    )
    dist_dir = args.dist_dir.resolve()
    try:
        dists = discover()
        log.info("releasing %d distributions at version %s", len(dists), dists[0].version)
        files = build(dists, dist_dir, args.jobs)
        twine_check(files)
        if not args.skip_install_checks:
            wheelhouse_for(dists, args.wheelhouse.resolve())
            in_parallel(check_wheel, dists, dist_dir, args.wheelhouse.resolve(), jobs=args.jobs, what="wheel checks")
    except ReleaseError as ex:
        log.error("release build failed: %s", ex)
        return 1
    log.info("%d files in %s passed every check; nothing was uploaded.", len(files), dist_dir)
    print("To publish them, run:")
    print(publish_command(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
