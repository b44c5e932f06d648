"""The ``clastic`` command line: serve, list the routes of and check Clastic applications.

::

    $ clastic serve hello:app --port 8000
    $ clastic routes 'shop:create_app()'
    $ clastic check shop:app && echo "all routes build and can answer"

Other distributions add subcommands through the ``clastic.commands``
entry-point group: the entry point's name is the command's name and its
object (or class, instantiated without arguments) follows
:class:`clastic.plugins.CommandPlugin`: ``help`` (one line),
``configure(parser)`` and ``run(args) -> int``.

Exit statuses: 0 success, 1 the application has problems (it fails to load,
or ``check`` found build errors or shadowed routes), 2 bad arguments (an
unknown module or attribute, something that is not an Application).
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from clastic import __version__
from clastic._dev.failsafe import LoadFailure
from clastic._dev.introspect import collect_build_errors, describe_routes, describe_shadowing, format_table
from clastic._dev.reloader import in_server_process
from clastic._dev.target import AppLoadError, TargetError, load_target
from clastic.application import Application
from clastic.plugins import COMMANDS_GROUP, iter_plugins
from clastic.server import (
    DEFAULT_ADDRESS,
    DEFAULT_PORT,
    command_line_handled,
    configure_dev_logging,
    port_argument,
    positive_int_argument,
    serve,
    serve_load_failure,
)

__all__ = ["build_parser", "main"]

logger = logging.getLogger(__name__)

#: Exit status when the application has problems.
EXIT_PROBLEMS = 1
#: Exit status for bad arguments.
EXIT_USAGE = 2

_TARGET_HELP = """\
APP names the application:
  MODULE:NAME          an Application held by a module attribute, e.g. hello:app
  MODULE:FACTORY()     a function returning one, literal arguments allowed,
                       e.g. 'shop:create_app()' or 'shop:create_app("dev")'
  MODULE               looks for app, application, create_app() or make_app()
  path/to/file.py      a file, imported from its folder (":NAME" works too)
The current directory is importable, as with `python -m`."""

_MAIN_EPILOG = f"""\
{_TARGET_HELP}

examples:
  clastic serve hello:app                  serve on http://127.0.0.1:5000/
  clastic serve 'shop:create_app()' -p 8000 --no-meta
  clastic routes hello:app                 the route table, in dispatch order
  clastic check hello:app                  exit status 1 on any build error

Run 'clastic COMMAND --help' for a command's options."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the epilog's layout; wrap argument help at a readable width."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=88)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``clastic`` argument parser, with subcommands from installed plugins."""
    parser = argparse.ArgumentParser(
        prog="clastic",
        description="Serve, inspect and check Clastic web applications.",
        epilog=_MAIN_EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    _add_serve(commands)
    _add_routes(commands)
    _add_check(commands)
    _add_plugin_commands(commands, {"serve", "routes", "check"})
    return parser


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=80)


def _version() -> str:
    return __version__


def _add_app_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "app", metavar="APP", help="the application: MODULE:NAME, 'MODULE:FACTORY()', MODULE or a .py file"
    )


def _add_serve(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve an application with the development server, reloading on save",
        description=_wrap(
            "Serve an application with Werkzeug's development server (not for production; see "
            "docs/deployment.md). The server reloads when a source file changes; if the new code "
            "fails to load, every request gets a page with the error and the traceback until a "
            "watched file changes again. Installed satellites add /_meta/ (clastic-meta) and "
            "/static/ (clastic-static)."
        ),
        epilog=_TARGET_HELP + "\n\nexample:\n  clastic serve 'shop:create_app()' --port 8000 --static-path assets",
        formatter_class=_Formatter,
    )
    _add_app_argument(parser)
    where = parser.add_argument_group("where to listen")
    where.add_argument("-a", "--address", default=DEFAULT_ADDRESS, metavar="ADDRESS",
                       help=f"IP address or host name to bind to (default: {DEFAULT_ADDRESS}, this machine only; "
                       "0.0.0.0 listens on every interface)")
    where.add_argument("-p", "--port", type=port_argument, default=DEFAULT_PORT,
                       help=f"port to listen on (default: {DEFAULT_PORT})")
    dev = parser.add_argument_group("development features")
    dev.add_argument("--reload", action=argparse.BooleanOptionalAction, default=True,
                     help="restart when a source file changes, with the fail-safe page on load errors (default: on)")
    dev.add_argument("--reload-interval", type=_positive_float, default=None, metavar="SECONDS",
                     help="seconds between checks for changed files (default: 1)")
    dev.add_argument("--extra-file", dest="extra_files", action="append", default=[], metavar="PATH",
                     help="another file whose change reloads the server (repeatable)")
    dev.add_argument("--debug", action=argparse.BooleanOptionalAction, default=False,
                     help="let uncaught exceptions reach Werkzeug's interactive debugger (PIN-protected; default: off)")
    dev.add_argument("--meta", action=argparse.BooleanOptionalAction, default=True,
                     help="mount the meta application at /_meta/ when clastic-meta is installed (default: on)")
    dev.add_argument("--lint", action=argparse.BooleanOptionalAction, default=False,
                     help="check requests and responses against the WSGI specification (default: off)")
    dev.add_argument("--static", action=argparse.BooleanOptionalAction, default=True,
                     help="serve static files when clastic-static is installed (default: on)")
    dev.add_argument("--static-path", default=None, metavar="DIR", help="folder of static files (default: ./static)")
    dev.add_argument("--static-prefix", default="static", metavar="PREFIX",
                     help="URL path of the static files (default: static, i.e. /static/)")
    dev.add_argument("--processes", type=positive_int_argument, default=None, metavar="N",
                     help="handle requests in N forked processes instead of threads")
    parser.set_defaults(handler=_run_serve)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def _add_routes(commands: Any) -> None:
    parser = commands.add_parser(
        "routes",
        help="list an application's routes in dispatch order",
        description=_wrap(
            "List an application's routes in the order requests try them: methods ('*' for any), "
            "pattern, endpoint and each injected argument with its source (url, resources, a "
            "middleware, builtins or default). Routes that can never answer because earlier "
            "routes match every path they match (the same pattern or a wider one, such as "
            "/a/<x> before /a/b) with every method they accept are marked 'shadowed'."
        ),
        epilog=_TARGET_HELP,
        formatter_class=_Formatter,
    )
    _add_app_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the routes as JSON instead of a table")
    parser.set_defaults(handler=_run_routes)


def _add_check(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="build an application and report every build error and shadowed route",
        description=_wrap(
            "Import and build an application, then report every build error (each failing route "
            "with its endpoint's file and line, not only the first) and every shadowed route. "
            "Exit status 0 when there is nothing to report, 1 otherwise: use it in CI."
        ),
        epilog=_TARGET_HELP,
        formatter_class=_Formatter,
    )
    _add_app_argument(parser)
    parser.set_defaults(handler=_run_check)


def _add_plugin_commands(commands: Any, builtin: set[str]) -> None:
    for entry_point, obj in iter_plugins(COMMANDS_GROUP):
        name = entry_point.name
        if name in builtin:
            logger.warning(
                "skipping %s plugin %r (%s): %r is a built-in command", COMMANDS_GROUP, name, entry_point.value, name
            )
            continue
        command = obj() if isinstance(obj, type) else obj
        help_text = getattr(command, "help", None)
        if (
            not isinstance(help_text, str)
            or not callable(getattr(command, "configure", None))
            or not callable(getattr(command, "run", None))
        ):
            logger.warning(
                "skipping %s plugin %r (%s): expected an object with help, configure(parser) and run(args)",
                COMMANDS_GROUP,
                name,
                entry_point.value,
            )
            continue
        parser = commands.add_parser(name, help=help_text, description=help_text, formatter_class=_Formatter)
        try:
            command.configure(parser)
        except (argparse.ArgumentError, TypeError, ValueError) as ex:
            parser.set_defaults(handler=_broken_plugin(name, entry_point.value, ex))
            continue
        parser.set_defaults(handler=command.run)


def _broken_plugin(name: str, where: str, error: Exception) -> Callable[[argparse.Namespace], int]:
    def report(args: argparse.Namespace) -> int:
        _error(name, f"the command's plugin ({where}) could not set up its arguments: {error}")
        return EXIT_PROBLEMS

    return report


def _error(command: str, message: str) -> None:
    sys.stderr.write(f"clastic {command}: error: {message}\n")


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")


def _load(command: str, target: str) -> Application | int:
    """Load the target, or report it on one line and return the exit status."""
    try:
        return load_target(target)
    except TargetError as ex:
        _error(command, str(ex))
        return EXIT_USAGE
    except AppLoadError as ex:
        _error(command, str(ex))
        return EXIT_PROBLEMS


def _run_serve(args: argparse.Namespace) -> int:
    kw: dict[str, Any] = {}
    if args.reload_interval is not None:
        kw["reloader_interval"] = args.reload_interval
    if args.extra_files:
        kw["extra_files"] = args.extra_files
    listen = {"address": args.address, "port": args.port, "use_debugger": args.debug, "processes": args.processes}
    configure_dev_logging()
    try:
        # In the reloader's server process a load error shows its whole
        # traceback, which the fail-safe page then displays.
        app = load_target(args.app, wrap_errors=not in_server_process())
    except TargetError as ex:
        _error("serve", str(ex))
        return EXIT_USAGE
    except AppLoadError as ex:
        if not args.reload:
            _error("serve", str(ex))
            return EXIT_PROBLEMS
        failure = LoadFailure.from_exception(ex.original, command=shlex.join(["clastic", *sys.argv[1:]]))
        serve_load_failure(failure, **listen, **kw)
        return 0
    with command_line_handled():
        serve(
            app,
            **listen,
            use_reloader=args.reload,
            use_meta=args.meta,
            use_lint=args.lint,
            use_static=args.static,
            static_prefix=args.static_prefix,
            static_path=args.static_path,
            **kw,
        )
    return 0


def _run_routes(args: argparse.Namespace) -> int:
    app = _load("routes", args.app)
    if isinstance(app, int):
        return app
    rows = describe_routes(app)
    if args.json:
        _write(json.dumps({"app": args.app, "routes": [row.to_dict() for row in rows]}, indent=2))
        return 0
    if not rows:
        _write(f"{args.app} has no routes.")
        return 0
    _write(format_table(rows))
    shadowing = describe_shadowing(rows)
    summary = f"\n{len(rows)} route{'s' if len(rows) != 1 else ''}"
    summary += f", {len(shadowing)} shadowed:" if shadowing else ", none shadowed."
    _write(summary)
    for line in shadowing:
        _write(f"  {line}")
    return 0


def _run_check(args: argparse.Namespace) -> int:
    try:
        app = load_target(args.app)
    except TargetError as ex:
        _error("check", str(ex))
        return EXIT_USAGE
    except AppLoadError as ex:
        problems = collect_build_errors(ex.original)
        _write(f"{args.app}: {len(problems)} build error{'s' if len(problems) != 1 else ''}")
        for problem in problems:
            _write(f"  error: {problem.format()}")
        return EXIT_PROBLEMS
    rows = describe_routes(app)
    shadowing = describe_shadowing(rows)
    if shadowing:
        _write(f"{args.app}: builds, but {len(shadowing)} route{'s' if len(shadowing) != 1 else ''} can never answer")
        for line in shadowing:
            _write(f"  shadowed: {line}")
        return EXIT_PROBLEMS
    _write(f"{args.app}: OK, {len(rows)} route{'s' if len(rows) != 1 else ''} build, none shadowed")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``clastic`` command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status = handler(args)
    except KeyboardInterrupt:
        return 130
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
