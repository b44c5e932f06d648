"""The fail-safe application ("flaw"): what the dev server answers while your code is broken.

When the reloaded code fails to import or the Application fails to build,
the development server keeps its port and answers every request with this
page: the error, where it happened, the traceback and the files being
watched. Saving one of those files reloads the server. The page polls its
own URL and reloads itself once the real application answers again.

A :class:`LoadFailure` is built either from an exception caught in this
process (:meth:`LoadFailure.from_exception`) or from the traceback text
another process printed (:meth:`LoadFailure.from_output`).
"""

from __future__ import annotations

import functools
import html
import json
import linecache
import os
import re
import sys
import sysconfig
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from werkzeug.wrappers import Response

from clastic._negotiate import request_best_match
from clastic.application import Application
from clastic.route import Route
from clastic.wrappers import Request

__all__ = ["FAILSAFE_HEADER", "LoadFailure", "create_failsafe_app", "failure_info", "split_watched_files"]

#: Response header that marks an answer from the fail-safe application.
FAILSAFE_HEADER = "X-Clastic-Failsafe"

_FRAME_LINE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)')
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")
_TRACEBACK_HEADER = "Traceback (most recent call last):"
_FAILSAFE_OFFERS = ("text/html", "application/json", "text/plain")
# Clastic's own directory (clastic/, above this _dev/): its frames are machinery, not the user's code.
_CLASTIC_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class LoadFailure:
    """Why the application could not be loaded, as the fail-safe page shows it."""

    #: Exception type, e.g. ``'SyntaxError'`` (``''`` when unknown).
    exc_type: str
    #: The exception message, or the last line the failed process printed.
    message: str
    #: The full traceback text (or the failed process's error output).
    traceback: str
    #: ``(file, line)`` where the error arose in the application's code, if known.
    location: tuple[str, int] | None = None
    #: Existing source files named by the traceback.
    files: tuple[str, ...] = ()
    #: The command that failed, for the page.
    command: str = ""
    #: Exit status of the failed process, if any.
    status: int | None = None

    @property
    def summary(self) -> str:
        """``'SyntaxError: invalid syntax (app.py, line 3)'`` on one line."""
        first = (self.message.strip().splitlines() or [""])[0]
        text = f"{self.exc_type}: {first}" if self.exc_type else first or "the application failed to load"
        if self.location is not None:
            name = os.path.basename(self.location[0])
            if name not in text:
                text += f" ({name}, line {self.location[1]})"
        return text

    @classmethod
    def from_exception(cls, error: BaseException, *, command: str = "") -> LoadFailure:
        """Describe *error*, caught in this process while loading the application."""
        tb = _skip_machinery(error.__traceback__)
        text = "".join(traceback.format_exception(type(error), error, tb))
        files: list[str] = []
        location = None
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if _is_real_file(filename):
                files.append(filename)
                if not _is_library_file(filename):
                    location = (filename, tb.tb_lineno)
            tb = tb.tb_next
        if isinstance(error, SyntaxError) and error.filename and _is_real_file(error.filename):
            files.append(error.filename)
            location = (error.filename, error.lineno or 1)
        exc_type = type(error).__qualname__
        if type(error).__module__ not in ("builtins", "__main__"):
            exc_type = f"{type(error).__module__}.{exc_type}"
        message = str(error) if not isinstance(error, SyntaxError) else _syntax_message(error)
        return cls(exc_type, message, text, location, _unique(files), command)

    @classmethod
    def from_output(cls, output: str, *, command: str = "", status: int | None = None) -> LoadFailure:
        """Describe a failure from what a failed Python process wrote to stderr.

        The last traceback in *output* is parsed: its frames give the files
        and the location, the lines after the last frame give the exception.
        Output without a traceback is shown as it is.
        """
        output = output.replace("\r\n", "\n")
        start = output.find(_TRACEBACK_HEADER)
        if start < 0:
            lines = [line for line in output.strip().splitlines() if line.strip()]
            message = lines[-1] if lines else f"the server process exited with status {status}"
            return cls("", message, output.strip(), None, (), command, status)
        text = output[start:].rstrip()
        last_block = text[text.rfind(_TRACEBACK_HEADER) :]
        lines = last_block.splitlines()
        files: list[str] = []
        location = None
        last_frame = 0
        for number, line in enumerate(lines):
            match = _FRAME_LINE.match(line)
            if match is None:
                continue
            last_frame = number
            filename = match.group("file")
            if _is_real_file(filename):
                files.append(filename)
                if not _is_library_file(filename):
                    location = (filename, int(match.group("line")))
        # After the last frame come its indented source and caret lines, then the exception.
        tail = lines[last_frame + 1 :]
        while tail and (tail[0].startswith((" ", "\t")) or not tail[0].strip()):
            tail = tail[1:]
        exc_type, message = "", "\n".join(tail).strip()
        match = _EXCEPTION_LINE.match(tail[0]) if tail else None
        if match is not None:
            exc_type = match.group("type")
            message = "\n".join([match.group("message") or "", *tail[1:]]).strip()
        return cls(exc_type, message, text, location, _unique(files), command, status)


def _skip_machinery(tb: TracebackType | None) -> TracebackType | None:
    """Drop the leading frames of the loader and the import system: the user's code comes first."""
    here = _CLASTIC_DIR
    start = tb
    while start is not None:
        filename = start.tb_frame.f_code.co_filename
        in_importlib = os.path.basename(os.path.dirname(filename)) == "importlib"
        if not (filename.startswith((here, "<frozen importlib")) or in_importlib):
            return start
        start = start.tb_next
    return None


def _syntax_message(error: SyntaxError) -> str:
    where = f" ({os.path.basename(error.filename)}, line {error.lineno})" if error.filename else ""
    return f"{error.msg}{where}"


def _is_real_file(filename: str) -> bool:
    return not filename.startswith("<") and os.path.isfile(filename)


@functools.lru_cache(maxsize=1)
def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib", "scripts") if key in paths}
    dirs.add(_CLASTIC_DIR)
    werkzeug_file = getattr(sys.modules.get("werkzeug"), "__file__", None)
    if werkzeug_file:
        dirs.add(os.path.dirname(os.path.abspath(werkzeug_file)))
    return tuple(os.path.join(os.path.abspath(d), "") for d in dirs)


def _is_library_file(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_library_dirs())


def split_watched_files(files: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split watched files into (the project's files, library files), each sorted."""
    project: list[str] = []
    library: list[str] = []
    for filename in sorted(set(files)):
        (library if _is_library_file(filename) else project).append(filename)
    return project, library


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(os.path.abspath(item) for item in items))


def create_failsafe_app(failure: LoadFailure, watched_files: Sequence[str] = ()) -> Application:
    """Build the Application that answers every request with *failure*'s page.

    Every path and method gets status 500 and the ``X-Clastic-Failsafe``
    header; the body is HTML, or JSON or plain text when the client's
    ``Accept`` header prefers them.
    """
    project, library = split_watched_files(watched_files)

    # The catch-all pattern answers every path; the page does not need the path itself.
    def failsafe_page(request: Request, path: list[str]) -> Response:
        best = request_best_match(request, _FAILSAFE_OFFERS, "text/html")
        if best == "application/json":
            body = json.dumps(failure_info(failure, project, library), indent=2)
            mimetype = "application/json"
        elif best == "text/plain":
            body = _render_text(failure, project)
            mimetype = "text/plain"
        else:
            body = _render_html(failure, project, library)
            mimetype = "text/html"
        return Response(
            body,
            status=500,
            mimetype=mimetype,
            headers={FAILSAFE_HEADER: "1", "Cache-Control": "no-store", "Vary": "Accept"},
        )

    return Application([Route("/<path*>", failsafe_page, name="clastic_failsafe")])


def failure_info(failure: LoadFailure, project: Sequence[str], library: Sequence[str]) -> dict[str, Any]:
    """Return what the fail-safe page shows, as the dict its JSON answer holds.

    *project* and *library* are the watched files split by
    :func:`split_watched_files`; library files are only counted.
    """
    return {
        "error": failure.exc_type or None,  # None: the process printed no Python exception
        "message": failure.message,
        "location": {"file": failure.location[0], "line": failure.location[1]} if failure.location else None,
        "traceback": failure.traceback,
        "watched_files": list(project),
        "watched_library_files": len(library),
    }


def _render_text(failure: LoadFailure, project: Sequence[str]) -> str:
    lines = ["The application failed to load; the development server shows this until a watched file changes.", ""]
    lines.append(failure.summary)
    if failure.location:
        lines.append(f"at {failure.location[0]}, line {failure.location[1]}")
    lines += ["", failure.traceback, "", "Watched files:"]
    lines += [f"  {name}" for name in project] or ["  (none of the project's own)"]
    return "\n".join(lines) + "\n"


def _source_excerpt(location: tuple[str, int] | None, context: int = 3) -> str:
    if location is None:
        return ""
    filename, lineno = location
    linecache.checkcache(filename)
    rows = []
    for number in range(max(1, lineno - context), lineno + context + 1):
        text = linecache.getline(filename, number)
        if not text and number > lineno:
            break
        css = ' class="hit"' if number == lineno else ""
        rows.append(f'<tr{css}><td class="num">{number}</td><td><code>{html.escape(text.rstrip())}</code></td></tr>')
    return f'<table class="source">{"".join(rows)}</table>' if rows else ""


def _render_html(failure: LoadFailure, project: Sequence[str], library: Sequence[str]) -> str:
    esc = html.escape
    title = esc(failure.exc_type or "Load error")
    location = ""
    if failure.location:
        location = f'<p class="where">in <code>{esc(failure.location[0])}</code>, line {failure.location[1]}</p>'
    files = "".join(f"<li><code>{esc(name)}</code></li>" for name in project) or "<li>none of the project's own</li>"
    library_note = ""
    if library:
        items = "".join(f"<li><code>{esc(name)}</code></li>" for name in library)
        library_note = f"<details><summary>and {len(library)} library files</summary><ul>{items}</ul></details>"
    command = f"<p class='cmd'>Command: <code>{esc(failure.command)}</code></p>" if failure.command else ""
    return _PAGE.format(
        title=title,
        message=esc(failure.message) or "(no message)",
        location=location,
        excerpt=_source_excerpt(failure.location),
        traceback=esc(failure.traceback),
        files=files,
        library_note=library_note,
        command=command,
        header=FAILSAFE_HEADER,
    )


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - your application failed to load</title>
<style>
  :root {{ color-scheme: light; }}
  body {{
    margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2126; background: #f6f7f9;
  }}
  header {{ background: #8f1d21; color: #fff; padding: 28px 40px 24px; }}
  header .kicker {{ margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: 13px; opacity: .85; }}
  header h1 {{ margin: 6px 0 4px; font-size: 30px; font-weight: 650; }}
  header .message {{
    margin: 0; font: 18px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    white-space: pre-wrap; word-break: break-word;
  }}
  main {{ max-width: 1100px; padding: 8px 40px 40px; }}
  h2 {{
    font-size: 17px; margin: 28px 0 8px; color: #4a5058; text-transform: uppercase; letter-spacing: .05em;
  }}
  code, pre {{ font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 14px; }}
  .where {{ margin: 18px 0 6px; }}
  table.source {{
    border-collapse: collapse; background: #fff; border: 1px solid #d8dce1; border-radius: 6px; width: 100%;
  }}
  table.source td {{ padding: 1px 10px; white-space: pre; }}
  table.source td.num {{ color: #8a9099; text-align: right; width: 1%; border-right: 1px solid #e4e7eb; }}
  table.source tr.hit {{ background: #fde7e7; }}
  table.source tr.hit td.num {{ color: #8f1d21; font-weight: 700; }}
  pre.tb {{
    background: #1f2329; color: #e8eaed; padding: 16px 18px; border-radius: 6px; overflow-x: auto; line-height: 1.45;
  }}
  ul.files {{
    background: #fff; border: 1px solid #d8dce1; border-radius: 6px; padding: 10px 10px 10px 32px; margin: 0;
  }}
  .hint {{ background: #fff8e1; border: 1px solid #f1d48a; border-radius: 6px; padding: 10px 14px; }}
  .status {{ color: #4a5058; font-size: 14px; }}
  details {{ margin-top: 8px; color: #4a5058; }}
  .cmd {{ color: #4a5058; font-size: 14px; }}
</style>
</head>
<body>
<header>
  <p class="kicker">Your application failed to load</p>
  <h1>{title}</h1>
  <p class="message">{message}</p>
</header>
<main>
  {location}
  {excerpt}
  <p class="hint">The development server keeps running and shows this page for every request.
  Fix the code and save: a change to any watched file reloads the server, and this page
  reloads itself once your application answers again.</p>
  <p class="status" id="status">Waiting for a change&hellip;</p>
  <h2>Traceback</h2>
  <pre class="tb">{traceback}</pre>
  <h2>Watched files</h2>
  <ul class="files">{files}</ul>
  {library_note}
  {command}
</main>
<script>
(function () {{
  var status = document.getElementById("status");
  function poll() {{
    fetch(window.location.href, {{method: "HEAD", cache: "no-store"}}).then(function (r) {{
      if (!r.headers.has("{header}")) {{
        status.textContent = "Your application is back; reloading\\u2026";
        window.location.reload();
      }}
      else {{ setTimeout(poll, 1000); }}
    }}, function () {{ status.textContent = "The server is restarting\\u2026"; setTimeout(poll, 1000); }});
  }}
  setTimeout(poll, 1000);
}})();
</script>
</body>
</html>
"""
