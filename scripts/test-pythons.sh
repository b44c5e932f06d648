#!/usr/bin/env bash
# Run the test suite, without the browser tests, on the supported Pythons
# other than the one running this script: the hatch environments py3.11,
# py3.12 and py3.13 (see hatch.toml). `hatch run test` calls it after running
# the whole suite in the default environment.
#
#   bash scripts/test-pythons.sh [pytest args]       # each other version
#   bash scripts/test-pythons.sh 3.13 [pytest args]  # just the versions named
#                                                    # (`hatch run test-py 3.13`)
#
# Nothing is downloaded: each interpreter is looked for on this machine
# (`python3.X` on PATH, then pyenv's versions, then uv's managed Pythons) and
# its directory is put first on PATH so that hatch finds it. A version that is
# not installed is skipped with a warning, or is an error when
# CLASTIC_REQUIRE_PYTHONS=1 (as in CI).
set -uo pipefail

supported="3.11 3.12 3.13"
pythons=""
while [ $# -gt 0 ] && [[ $1 =~ ^3\.[0-9]+$ ]]; do
  pythons="$pythons $1"
  shift
done
current=""
if [ -z "$pythons" ]; then
  pythons=$supported
  # The Python that ran the whole suite (the default environment's) is done.
  current=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
fi

# Print the directory holding a working python$1, or nothing.
find_python_dir() {
  local version=$1 exe candidate
  # 1. On PATH and runnable (a pyenv shim for a version that is not active fails here).
  if exe=$("python$version" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))' 2>/dev/null); then
    dirname "$exe"
    return
  fi
  # 2. pyenv builds, newest patch release first.
  local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  for candidate in $(ls -d "$pyenv_root/versions/$version".* 2>/dev/null | sort -rV); do
    if [ -x "$candidate/bin/python$version" ]; then
      echo "$candidate/bin"
      return
    fi
  done
  # 3. Pythons that uv installed earlier.
  if command -v uv >/dev/null 2>&1 &&
    exe=$(UV_PYTHON_DOWNLOADS=never uv python find --no-project "$version" 2>/dev/null); then
    dirname "$exe"
  fi
}

status=0
for version in $pythons; do
  [ "$version" = "$current" ] && continue
  dir=$(find_python_dir "$version")
  if [ -z "$dir" ]; then
    missing="Python $version is not installed (no python$version on PATH, in pyenv or uv)"
    if [ "${CLASTIC_REQUIRE_PYTHONS:-0}" = 1 ]; then
      echo "error: $missing; CLASTIC_REQUIRE_PYTHONS=1 needs the py$version tests to run" >&2
      status=1
    else
      echo "warning: $missing: skipping the py$version tests" >&2
    fi
    continue
  fi
  echo "== py$version ($dir/python$version): pytest -m 'not browser' $*" >&2
  PATH="$dir:$PATH" hatch run "py$version:test" "$@"
  rc=$?
  if [ "$rc" -eq 5 ]; then
    # pytest collected nothing: every selected test is a browser test, which
    # runs on the default Python only.
    echo "py$version: no non-browser test selected" >&2
  elif [ "$rc" -ne 0 ]; then
    status=$rc
  fi
done
exit "$status"
