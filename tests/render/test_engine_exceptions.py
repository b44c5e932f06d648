"""A missing template is also the engine's own exception, as in Clastic 26.

The original let the engine's lookup error through ``Application(...)``;
apps catch it by that class. Today's error keeps its message (route, search
path, closest name) and is an instance of both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ashes
import jinja2
import mako.exceptions
import pytest
from render_helpers import TEMPLATES

from clastic import Application
from clastic.exceptions import RenderFactoryError
from clastic.render.ashes import AshesRenderFactory, AshesTemplateNotFoundError
from clastic.render.chameleon import ChameleonRenderFactory, ChameleonTemplateNotFoundError
from clastic.render.jinja2 import Jinja2RenderFactory, Jinja2TemplateNotFoundError
from clastic.render.mako import MakoRenderFactory, MakoTemplateNotFoundError
from clastic.render.templating import TemplateNotFoundError, TemplateRenderFactory


@dataclass(frozen=True)
class Case:
    factory: type[TemplateRenderFactory]
    folder: str
    engine_error: type[Exception]
    error_class: type[TemplateNotFoundError]
    missing: str
    closest: str


CASES = {
    "ashes": Case(
        AshesRenderFactory, "ashes", ashes.TemplateNotFound, AshesTemplateNotFoundError, "pgae.html", "page.html"
    ),
    "chameleon": Case(
        ChameleonRenderFactory, "chameleon", ValueError, ChameleonTemplateNotFoundError, "pgae.pt", "page.pt"
    ),
    "mako": Case(
        MakoRenderFactory,
        "mako",
        mako.exceptions.TopLevelLookupException,
        MakoTemplateNotFoundError,
        "pgae.mako",
        "page.mako",
    ),
    "jinja2": Case(
        Jinja2RenderFactory, "jinja2", jinja2.TemplateNotFound, Jinja2TemplateNotFoundError, "pgae.html", "page.html"
    ),
}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


def test_factory_raises_the_engine_exception_with_the_helpful_message(case: Case) -> None:
    folder = str(TEMPLATES / case.folder)
    factory = case.factory(folder)
    with pytest.raises(
        case.engine_error, match=rf"^{case.factory.__name__}: no template '{re.escape(case.missing)}'"
    ) as info:
        factory(case.missing)
    error = info.value
    assert type(error) is case.error_class
    assert isinstance(error, TemplateNotFoundError) and isinstance(error, LookupError)
    assert str(error).startswith(
        f"{case.factory.__name__}: no template '{case.missing}' in the search path ['{folder}']"
    )
    assert str(error).endswith(f"Did you mean '{case.closest}'?")
    assert (error.template_name, error.search_paths, error.suggestion) == (case.missing, (folder,), case.closest)


def test_except_engine_exception_around_application_catches_the_build_error(case: Case) -> None:
    folder = str(TEMPLATES / case.folder)
    caught: BaseException | None = None
    try:
        Application([("/hello", dict, case.missing)], render_factory=case.factory(folder))
    except case.engine_error as ex:  # how a Clastic 26 app caught it
        caught = ex
    assert isinstance(caught, RenderFactoryError) and isinstance(caught, case.error_class)
    assert str(caught).startswith(
        f"route '/hello': render factory could not use '{case.missing}': {case.factory.__name__}: no template"
    )
    assert isinstance(caught.__cause__, case.error_class)
    assert caught.template_name == case.missing  # the cause's attributes are readable on it


def test_names_the_engines_set_on_their_exceptions() -> None:
    with pytest.raises(ashes.TemplateNotFound, match=r"^AshesRenderFactory: no template 'nope\.html'") as ashes_caught:
        AshesRenderFactory(str(TEMPLATES / "ashes"))("nope.html")
    ashes_error = ashes_caught.value
    assert ashes_error.name == "nope.html"
    with pytest.raises(
        jinja2.TemplateNotFound, match=r"^Jinja2RenderFactory: no template 'nope\.html'"
    ) as jinja_caught:
        Jinja2RenderFactory(str(TEMPLATES / "jinja2"))("nope.html")
    jinja_error = jinja_caught.value
    assert (jinja_error.name, jinja_error.templates) == ("nope.html", ["nope.html"])
    assert str(jinja_error) == jinja_error.message
    assert str(jinja_error).startswith("Jinja2RenderFactory: no template 'nope.html'")


def test_template_outside_the_search_path_is_the_engine_exception_too() -> None:
    with pytest.raises(ashes.TemplateNotFound, match=r"template name '\.\./x\.html' climbs out of the search path"):
        AshesRenderFactory(str(TEMPLATES / "ashes"))("../x.html")
    with pytest.raises(
        mako.exceptions.TopLevelLookupException, match=r"template path '/etc/passwd' is outside the search path"
    ):
        MakoRenderFactory(str(TEMPLATES / "mako"))("/etc/passwd")


def test_missing_partial_is_the_engine_exception() -> None:
    with pytest.raises(ashes.TemplateNotFound, match=r"template 'missing_partial\.html' uses 'no_such_partial\.html'"):
        Application([("/p", dict, "missing_partial.html")], render_factory=AshesRenderFactory(str(TEMPLATES / "ashes")))


def test_ashes_template_not_found_imports_from_the_original_module() -> None:
    from clastic.render.ashes import TemplateNotFound

    with pytest.raises(
        TemplateNotFound, match=r"AshesRenderFactory: no template 'nope\.html'.*Did you mean 'page\.html'\?"
    ):
        Application([("/", dict, "nope.html")], render_factory=AshesRenderFactory(str(TEMPLATES / "ashes")))


class ThirdPartyLookupError(Exception):
    def __init__(self, name: str, paths: list[str]) -> None:
        self.name = name
        super().__init__(f"{name} not in {paths}")


class SealedError(Exception):
    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError("SealedError cannot be subclassed")


def test_any_factory_exception_stays_catchable_by_its_class() -> None:
    def factory(name: str) -> Any:
        raise ThirdPartyLookupError(name, ["/srv/t"])

    with pytest.raises(ThirdPartyLookupError, match=r"x\.tmpl not in \['/srv/t'\]$") as info:
        Application([("/x", dict, "x.tmpl")], render_factory=factory)
    assert isinstance(info.value, RenderFactoryError)
    assert str(info.value) == "route '/x': render factory could not use 'x.tmpl': x.tmpl not in ['/srv/t']"
    assert info.value.name == "x.tmpl"


def test_an_exception_class_that_cannot_be_combined_gives_a_plain_render_factory_error() -> None:
    def factory(name: str) -> Any:
        raise SealedError("sealed")

    with pytest.raises(
        RenderFactoryError, match=r"^route '/x': render factory could not use 'x.tmpl': sealed$"
    ) as info:
        Application([("/x", dict, "x.tmpl")], render_factory=factory)
    assert type(info.value) is RenderFactoryError
    assert isinstance(info.value.__cause__, SealedError)
