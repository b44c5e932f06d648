"""Several processes setting up one new SQLite database at the same moment, as workers starting together do.

Importable from every test folder as ``sqlite_race`` (``tests/conftest.py``
puts ``tests/`` on ``sys.path``, as for ``net_helpers``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

_SCRIPT = """
import multiprocessing, os, sys

sys.path[:0] = {paths!r}
{imports}

WORKERS = {workers}


def work(path, number, barrier):
    barrier.wait(timeout=60)  # all are up: they open the new database at once
    try:
        {statement}
        return "ok"
    except Exception as ex:
        return f"{{type(ex).__name__}}: {{ex}}"


if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    failures = []
    with context.Manager() as manager, context.Pool(WORKERS) as pool:
        for trial in range(int(sys.argv[2])):
            path = os.path.join(sys.argv[1], f"new{{trial}}.sqlite3")
            barrier = manager.Barrier(WORKERS)
            results = pool.starmap(work, [(path, n, barrier) for n in range(WORKERS)], chunksize=1)
            failures += [r for r in results if r != "ok"]
    print(failures)
"""


def failures_at_once(
    tmp_path: Path, imports: str, statement: str, *, paths: Sequence[str] = (), trials: int = 4, workers: int = 6
) -> list[str]:
    """Run *statement* in *workers* processes at once, on a database file none has created yet; *trials* times.

    *statement* (one line) sees ``path``, the new file, and ``number``, the
    process's index; *imports* (module code) runs first in every process,
    with *paths* at the front of ``sys.path``. Returns what failed, as
    ``"ExceptionType: message"`` strings (an empty list when all succeeded).
    """
    script = tmp_path / "race.py"
    script.write_text(_SCRIPT.format(paths=list(paths), imports=imports, workers=workers, statement=statement))
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), str(trials)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    failures: list[str] = ast.literal_eval(done.stdout.strip())
    return failures
