"""Peripherals whose section is a template file: AshesMetaPeripheral and SysconfigPeripheral.

Clastic 26 rendered every section from an ashes template named by the
peripheral's ``template_path``. clastic-meta does not use ashes: it builds
its page with :class:`string.Template` and the escaping helpers of
:mod:`clastic.meta._html`, and a template-based peripheral here uses the same
mechanism. A template is an HTML file in which ``$name`` (or ``${name}``)
is replaced by the ``name`` entry of the peripheral's context, escaped:
strings and numbers as text, dicts and lists as tables and lists. ``$$``
is a literal ``$``. An ashes template from Clastic 26 (``{name}``,
``{#items}...{/items}``) must be rewritten in this form, or the peripheral
can override :meth:`~clastic.meta.MetaPeripheral.render_html` instead.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from clastic.meta._html import esc, render_value
from clastic.meta._peripheral import MetaPeripheral
from clastic.meta._sysinfo import get_sysconfig_info

if TYPE_CHECKING:
    from clastic.meta._types import MetaApplicationView

__all__ = ["AshesMetaPeripheral", "SysconfigPeripheral"]


class _EscapedContext(Mapping[str, str]):
    """A peripheral's context seen by its template: each value as escaped HTML."""

    def __init__(self, context: Mapping[str, Any], template_file: Path) -> None:
        self._context = context
        self._template_file = template_file

    def __getitem__(self, name: str) -> str:
        try:
            value = self._context[name]
        except KeyError:
            raise KeyError(
                f"template {self._template_file} uses ${name}, which get_context() did not return "
                f"(it returned: {sorted(self._context)}); write $$ for a literal dollar sign"
            ) from None
        if value is None or isinstance(value, (str, int, float, bool)):
            return "" if value is None else esc(value)
        return render_value(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._context)

    def __len__(self) -> int:
        return len(self._context)


class AshesMetaPeripheral(MetaPeripheral):
    """A meta page section rendered from the template file named by :attr:`template_path`.

    Kept for compatibility with Clastic 26, where the template was an ashes
    template. Here it is a :class:`string.Template` HTML file: ``$name`` is
    replaced by the context's ``name`` entry, escaped (text for strings and
    numbers, tables for dicts and lists); ``$$`` is a dollar sign. A
    relative :attr:`template_path` is relative to the directory of the
    module that defines the subclass. The file is read when the peripheral
    is created, so a missing file fails when the MetaApplication is built.
    New peripherals may prefer overriding :meth:`render_html`::

        class QueuePeripheral(AshesMetaPeripheral):
            title = "Job queue"
            group_key = "queue"
            template_path = "templates/queue.html"   # "<p>$pending jobs waiting</p>"

            def get_context(self, _application):
                return {"pending": _application.resources["queue"].pending()}

    Raises:
        ValueError: :attr:`template_path` is not set.
        FileNotFoundError: the template file does not exist.
    """

    #: The template file: absolute, or relative to the defining module's directory.
    template_path: str | None = None

    def __init__(self) -> None:
        cls = type(self)
        if not self.template_path:
            raise ValueError(
                f"{cls.__qualname__} is an AshesMetaPeripheral without a template_path; set template_path to an "
                "HTML template file (relative to its module's directory), or subclass MetaPeripheral and "
                "override render_html()"
            )
        path = Path(self.template_path)
        if not path.is_absolute():
            path = Path(inspect.getfile(cls)).resolve().parent / path
        try:
            source = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{cls.__qualname__}.template_path = {self.template_path!r}: no template at {path}"
            ) from None
        #: The template file actually read.
        self.template_file: Path = path
        self._template = Template(source)

    def render_html(self, context: Mapping[str, Any]) -> str:
        """Fill the template with *context*, every value escaped.

        Raises:
            KeyError: the template names a key that *context* lacks (the
                page shows it as this section's error).
        """
        return self._template.substitute(_EscapedContext(context, self.template_file))


class SysconfigPeripheral(AshesMetaPeripheral):
    """The interpreter's build configuration: every ``sysconfig`` path and variable.

    Kept for compatibility with Clastic 26, which showed it by default. It
    is not among :data:`~clastic.meta.DEFAULT_PERIPHERALS` (it is long and
    tells a visitor how the machine is laid out); add it where wanted:
    ``MetaApplication(peripherals=[SysconfigPeripheral])``. Its data joins
    the ``pyvm`` group of the JSON document as ``sysconfig_paths`` and
    ``sysconfig_vars`` (see :func:`~clastic.meta._sysinfo.get_sysconfig_info`),
    string values scrubbed by the MetaApplication's redactor.
    """

    title = "Python system configuration"
    group_key = "pyvm"
    template_path = "_templates/sysconfig.html"

    def get_context(self, _meta_application: MetaApplicationView) -> dict[str, Any]:
        """Report ``sysconfig`` paths and configuration variables."""
        scrub = _meta_application.redactor.scrub
        info = get_sysconfig_info()
        return {
            group: {name: scrub(value) if isinstance(value, str) else value for name, value in values.items()}
            for group, values in info.items()
        }
