#!/usr/bin/env bash
# CI: kerasnb's test suite and docstring examples run *inside* Pyodide 0.27.7 (CPython 3.12 in WebAssembly, NumPy
# 2.0.2: the Python of JupyterLite) under Node, with no network. kerasnb is installed there from its own
# py3-none-any wheel, resolving its dependencies against what Pyodide has (a wheel that needed anything else would
# fail to install). Tests that need what Pyodide lacks (processes, sockets, h5py, PyYAML, scipy, ...) skip with
# their reason; anything else that fails, or nothing collected (pytest's exit 5), fails this script.
#
#   .ci/pyodide.sh [PYTEST_ARG ...]     extra arguments go to pytest (e.g. -x, -k name)
#
# Needs node (>= 18) and npm, and the package index (npm's and PyPI's) only for the fetching steps; the test run
# itself goes without network (`unshare -n` where allowed). Everything it builds lives in build/pyodide/.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

if [ -x .venv/bin/python ]; then py=.venv/bin/python; else py=python3; fi
W=build/pyodide
# PYODIDE_STEPS=prepare fetches and builds only, PYODIDE_STEPS=test runs the tests on what prepare left in $W:
# .ci/run prepares first, then runs the tests in the background on the second core while its other checks go
# on. Unset, the script does both.
steps=${PYODIDE_STEPS:-all}
case "$steps" in all | prepare | test) ;; *) echo "PYODIDE_STEPS must be all, prepare or test: $steps" >&2; exit 2 ;; esac
if [ "$steps" != test ]; then
    rm -rf "$W/dist" "$W/pure" "$W/project"
    mkdir -p "$W"

    echo "== the Pyodide 0.27.7 runtime (npm, pinned by tools/pyodide/package-lock.json)"
    node --version
    (cd tools/pyodide && npm ci --no-audit --no-fund --silent)

    echo "== the WebAssembly wheels, each checked against the official Pyodide lock"
    # numpy; matplotlib (and pillow) for the plots and PNG tests; ipython and pygments for the widgets and pytest.
    "$py" tools/pyodide/assemble_pyodide.py tools/pyodide/node_modules/pyodide tools/pyodide/wheels "$W/dist" \
        micropip numpy pygments matplotlib ipython

    echo "== the pure-Python wheels for inside Pyodide (pytest, hypothesis, the widget stack; tools/pyodide/pure-requirements.txt)"
    "$py" -m pip download -q --no-deps --only-binary=:all: --platform any --abi none --implementation py \
        --python-version 3.12 --require-hashes -d "$W/pure" -r tools/pyodide/pure-requirements.txt \
        2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)  # this machine's pip.conf, harmless
    for wheel in "$W"/pure/*.whl; do
        case "$wheel" in *-none-any.whl) ;; *) echo "not a pure wheel: $wheel" >&2; exit 1 ;; esac
    done

    echo "== kerasnb's wheel"
    "$py" -m pip wheel -q --no-deps --no-build-isolation -w "$W/project" . 2>/dev/null \
        || "$py" -m pip wheel -q --no-deps -w "$W/project" .
    wheels=("$W"/project/*.whl)
    [ "${#wheels[@]}" -eq 1 ] || { echo "expected one wheel, built: ${wheels[*]}" >&2; exit 1; }
    case "${wheels[0]}" in
        */kerasnb-*-py3-none-any.whl) echo "built $(basename "${wheels[0]}")" ;;
        *) echo "not a pure kerasnb wheel: ${wheels[0]}" >&2; exit 1 ;;
    esac
fi
[ "$steps" = prepare ] && { echo "== .ci/pyodide.sh: prepared in $(( $(date +%s) - started )) s"; exit 0; }

# pyproject.toml's addopts add nbval for the notebooks, which is not run here (no Jupyter kernel in Pyodide:
# tools/lite covers the notebooks in JupyterLite); the rest of it stays: docstring examples and importlib
# imports. Docstring examples come from the installed package (--pyargs kerasnb), the tests from tests/, except
# the real-browser tests in tests/browser (they drive Chromium from outside).
pytest_args=(-o addopts= --doctest-modules --import-mode=importlib -p no:nbval -rfEs
             --ignore=tests/browser --pyargs kerasnb tests "$@")
run=(node tools/pyodide/pyodide_pytest.mjs "$W/dist" "$W/pure" "$W/project" . "${pytest_args[@]}")
echo "== pytest inside Pyodide: ${pytest_args[*]}"
if unshare -n true 2>/dev/null; then
    echo "(without network: unshare -n)"
    run=(unshare -n "${run[@]}")
else
    echo "(unshare -n is not permitted here: running with the network, which nothing should use)"
fi
status=0
"${run[@]}" || status=$?
echo "== .ci/pyodide.sh: $(( $(date +%s) - started )) s, exit status $status"
exit "$status"
