"""The wheels themselves: one shared ``clastic/`` tree, owned files, lockstep versions, metadata."""

from __future__ import annotations

import itertools

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

#: The last release of the original clastic on the package index; ours continue above it.
ORIGINAL_LAST_RELEASE = Version("26.0.0")
#: The files clastic-core owns in the shared ``clastic/`` folder.
CORE_OWNED_INITS = (
    "clastic/__init__.py",
    "clastic/middleware/__init__.py",
    "clastic/render/__init__.py",
    "clastic/errors/__init__.py",
)
SIX = ["clastic-core", "clastic-middleware", "clastic-render", "clastic-static", "clastic-meta", "clastic-errors"]


def satellites(wheelhouse):
    return [name for name in wheelhouse.wheels if name not in {"clastic-core", "clastic"}]


def requires_dist(wheelhouse, dist_name):
    return [Requirement(value) for key, value in wheelhouse.metadata(dist_name) if key == "Requires-Dist"]


def test_every_distribution_is_built(wheelhouse):
    assert {*SIX, "clastic"} <= set(wheelhouse.wheels)


def test_core_owns_the_shared_init_files(wheelhouse):
    core_files = set(wheelhouse.names("clastic-core"))
    assert set(CORE_OWNED_INITS) <= core_files


@pytest.mark.parametrize("owned", CORE_OWNED_INITS)
def test_no_satellite_ships_an_init_core_owns(wheelhouse, owned):
    shipping = [name for name in satellites(wheelhouse) if owned in wheelhouse.names(name)]
    assert shipping == [], f"{owned} is clastic-core's; also shipped by {shipping}"


def test_no_two_wheels_ship_the_same_file(wheelhouse):
    clashes = []
    for first, second in itertools.combinations(sorted(wheelhouse.wheels), 2):
        common = set(wheelhouse.names(first)) & set(wheelhouse.names(second))
        if common:
            clashes.append((first, second, sorted(common)))
    assert clashes == []


def test_satellites_live_inside_the_clastic_package(wheelhouse):
    for name in satellites(wheelhouse):
        files = wheelhouse.names(name)
        assert files, f"{name}'s wheel is empty"
        outside = [path for path in files if not path.startswith("clastic/")]
        assert outside == [], f"{name} ships files outside clastic/: {outside}"


def test_meta_package_ships_no_code(wheelhouse):
    assert wheelhouse.names("clastic") == []


def test_every_code_distribution_ships_py_typed(wheelhouse):
    for name in SIX:
        typed = [path for path in wheelhouse.names(name) if path.endswith("/py.typed")]
        assert typed, f"{name} ships no py.typed marker"


def test_versions_are_lockstep_and_continue_the_original_calver(wheelhouse):
    versions = {name: wheelhouse.dists[name].version for name in wheelhouse.wheels}
    assert len(set(versions.values())) == 1, versions
    version = Version(next(iter(versions.values())))
    assert version > ORIGINAL_LAST_RELEASE
    assert version.major >= 26  # CalVer: YY.MINOR.MICRO


def test_every_wheel_requires_python_311(wheelhouse):
    for name in wheelhouse.wheels:
        fields = dict(wheelhouse.metadata(name))
        assert fields.get("Requires-Python") == ">=3.11", (name, fields.get("Requires-Python"))


def test_dependencies_have_lower_bounds_only(wheelhouse):
    for name in wheelhouse.wheels:
        for req in requires_dist(wheelhouse, name):
            operators = {spec.operator for spec in req.specifier}
            assert operators == {">="}, f"{name} requires {req}: use a lower bound only"


def test_meta_package_requires_the_six_at_its_own_version(wheelhouse):
    version = wheelhouse.dists["clastic"].version
    required = {req.name: str(req.specifier) for req in requires_dist(wheelhouse, "clastic")}
    assert required == dict.fromkeys(SIX, f">={version}")


def test_core_depends_on_werkzeug_and_boltons_only(wheelhouse):
    runtime = {req.name.lower() for req in requires_dist(wheelhouse, "clastic-core") if req.marker is None}
    assert runtime == {"werkzeug", "boltons"}
    werkzeug = next(req for req in requires_dist(wheelhouse, "clastic-core") if req.name.lower() == "werkzeug")
    assert werkzeug.specifier.contains("3.1.0") and not werkzeug.specifier.contains("3.0.6")


def test_satellites_depend_on_core_and_never_on_each_other(wheelhouse):
    version = wheelhouse.dists["clastic-core"].version
    for name in satellites(wheelhouse):
        first_party = {str(req) for req in requires_dist(wheelhouse, name) if req.name.startswith("clastic")}
        assert first_party == {f"clastic-core>={version}"}, (name, first_party)
