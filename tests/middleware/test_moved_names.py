"""The upstream names in core's lazy table resolve to this distribution's classes."""

import importlib
import pathlib

import pytest

import clastic
import clastic.middleware
from clastic._moved import MOVED

MIDDLEWARE_NAMES = sorted(MOVED["clastic.middleware"].items())


@pytest.mark.parametrize(("name", "target"), MIDDLEWARE_NAMES, ids=[name for name, _ in MIDDLEWARE_NAMES])
def test_lazy_name_resolves_to_the_class_in_its_module(name, target):
    module_name, dist = target
    assert dist == "clastic-middleware"
    module = importlib.import_module(module_name)
    cls = getattr(clastic.middleware, name)
    assert cls is getattr(module, name)
    assert cls.__module__ == module_name
    assert issubclass(cls, clastic.Middleware)


def test_top_level_get_param_middleware():
    module_name, _dist = MOVED["clastic"]["GetParamMiddleware"]
    assert clastic.GetParamMiddleware is importlib.import_module(module_name).GetParamMiddleware


def test_this_distribution_ships_no_package_init():
    import clastic.middleware.url

    satellite_dir = pathlib.Path(clastic.middleware.url.__file__).parent
    assert "clastic-middleware" in satellite_dir.parts
    assert not (satellite_dir / "__init__.py").exists()  # core owns clastic/middleware/__init__.py
    assert not (satellite_dir.parent / "__init__.py").exists()  # and clastic/__init__.py
    assert (satellite_dir / "py.typed").exists()
