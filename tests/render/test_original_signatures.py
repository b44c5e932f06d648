"""Code written for Clastic 26's factory signatures runs unchanged."""

from __future__ import annotations

import pytest
from render_helpers import TEMPLATES

from clastic.render.ashes import AshesRenderFactory
from clastic.render.chameleon import ChameleonRenderFactory
from clastic.render.mako import MakoRenderFactory
from clastic.render.templating import TemplateRenderFactory


@pytest.mark.parametrize(
    ("factory", "keyword", "folder"),
    [
        (AshesRenderFactory, "template_paths", "ashes"),
        (ChameleonRenderFactory, "template_dirs", "chameleon"),
        (MakoRenderFactory, "template_dirs", "mako"),
    ],
)
def test_search_paths_under_their_clastic_26_keyword(
    factory: type[TemplateRenderFactory], keyword: str, folder: str
) -> None:
    path = str(TEMPLATES / folder)
    assert factory(**{keyword: [path]}).search_paths == (path,)
    with pytest.raises(
        TypeError, match=f"{factory.__name__}: got the template directories twice, as search_paths and as {keyword}"
    ):
        factory(path, **{keyword: [path]})


def test_chameleon_and_mako_still_need_a_directory() -> None:
    with pytest.raises(ValueError, match=r"MakoRenderFactory needs at least one template directory, got None"):
        MakoRenderFactory()
