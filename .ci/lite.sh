#!/usr/bin/env bash
# CI: kerasnb course notebooks run in a JupyterLite page (Pyodide 0.27.7 in the browser), offline, in headless
# Chromium, and its training Dashboard widget renders there. Every request the page makes must go to the site
# on 127.0.0.1 (tools/lite/run_lite.py checks it; the run is also done without network, `unshare -n`, where
# that is permitted).
#
#   .ci/lite.sh [NOTEBOOK ...]    notebooks of notebooks/ (names, stems or paths); default 01_quickstart.ipynb
#   LITE_JOBS=2 .ci/lite.sh ...   two notebooks at a time, each in its own page (.ci/run does this)
#
# The site is built once with all of them in its files/; each then runs in a fresh page, and fails the run on
# any cell error. Its screenshots and logs go to $KERASNB_ARTIFACTS/lite/<stem>/.
#
# Steps: a build venv (tools/lite/requirements.txt: jupyterlite, the Pyodide kernel, the widget frontends,
# playwright); the Pyodide runtime from npm (tools/pyodide, pinned by its package-lock.json) with the vendored
# wasm wheels checked against Pyodide's own lock (tools/pyodide/assemble_pyodide.py) into the site's
# static/pyodide; the pure wheels the page's `%pip install kerasnb[widgets]` needs (tools/lite/piplite-
# requirements.txt, hash-pinned) and kerasnb's own py3-none-any wheel into the site's piplite index; the
# notebook copied into the site's files/ (tools/lite/stage_notebook.py); `jupyter lite build`; then the driver.
# Needs python3 (3.10+), node and npm, and Debian's chromium (installed with apt-get when missing). The package
# indexes (PyPI's and npm's) are used only by the fetching steps. Everything it builds is under build/lite/;
# the screenshots and logs go to $KERASNB_ARTIFACTS/lite (default test-artifacts/lite), a folder per notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
W=build/lite
mkdir -p "$W"
W_ABS=$(cd "$W" && pwd)

[ "$#" -gt 0 ] || set -- 01_quickstart.ipynb
notebooks=()
for arg in "$@"; do
    found=
    for candidate in "$arg" "notebooks/$arg" "notebooks/$arg.ipynb" notebooks/"$arg"_*.ipynb; do
        if [ -f "$candidate" ]; then found=$candidate; break; fi
    done
    [ -n "$found" ] || { echo "no such notebook: $arg" >&2; exit 2; }
    notebooks+=("$found")
done
export KERASNB_ARTIFACTS="${KERASNB_ARTIFACTS:-$PWD/test-artifacts}"
artifacts="$KERASNB_ARTIFACTS/lite"

# step NAME CMD...: run CMD with its output in $W/NAME.log; on failure print the log's tail and stop.
step() {
    local name=$1; shift
    local t=$(date +%s)
    if "$@" >"$W/$name.log" 2>&1; then
        echo "   ok ($(( $(date +%s) - t )) s, log $W/$name.log)"
    else
        local rc=$?
        echo "FAILED: $name (exit $rc); the end of $W/$name.log:" >&2
        tail -n 60 "$W/$name.log" >&2
        echo "== .ci/lite.sh: FAILED at $name after $(( $(date +%s) - started )) s" >&2
        exit 1
    fi
}
# pip prints one warning per package for this machine's pip.conf index that does not exist; harmless
quiet_pip() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

echo "== chromium"
if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
    command -v apt-get >/dev/null || { echo "chromium is missing and there is no apt-get to install it" >&2; exit 1; }
    step apt-chromium sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'
fi
{ chromium --version || /usr/bin/chromium --version; } 2>/dev/null | tail -n 1

echo "== build venv ($W/venv, tools/lite/requirements.txt)"
stamp=$(sha256sum tools/lite/requirements.txt | cut -c1-16)
if [ -x "$W/venv/bin/python" ] && [ "$(cat "$W/venv/.requirements" 2>/dev/null)" = "$stamp" ]; then
    echo "   reused (same requirements)"
else
    rm -rf "$W/venv"
    step venv sh -c "python3 -m venv '$W/venv' && '$W/venv/bin/pip' install -q -r tools/lite/requirements.txt"
    echo "$stamp" >"$W/venv/.requirements"
fi
py=$W/venv/bin/python

echo "== the Pyodide 0.27.7 runtime (npm, tools/pyodide/package-lock.json)"
if [ -f tools/pyodide/node_modules/pyodide/pyodide-lock.json ]; then
    echo "   tools/pyodide/node_modules is there"
else
    step npm sh -c 'cd tools/pyodide && npm ci --no-audit --no-fund'
fi

rm -rf "$W/site" "$W/_output" "$W/wheels" "$W/jupyter"
mkdir -p "$W/site"
cp tools/lite/jupyter-lite.json tools/lite/overrides.json "$W/site/"
mkdir -p "$W/wheels/pure" "$W/wheels/kerasnb"

echo "== the wasm wheels, each checked against the official Pyodide lock, into the site's static/pyodide"
# numpy; matplotlib (and pillow) for the plots; what the Lite kernel loads at start: ssl, sqlite3, jedi, ipython
step assemble "$py" tools/pyodide/assemble_pyodide.py tools/pyodide/node_modules/pyodide tools/pyodide/wheels \
    "$W/site/static/pyodide" micropip numpy pygments matplotlib ipython ssl sqlite3 jedi pillow
tail -n 1 "$W/assemble.log"

echo "== the pure wheels for the page's %pip (tools/lite/piplite-requirements.txt)"
step pip-download quiet_pip "$py" -m pip download -q --no-deps --only-binary=:all: --platform any --abi none \
    --implementation py --python-version 3.12 --require-hashes -d "$W/wheels/pure" -r tools/lite/piplite-requirements.txt
for wheel in "$W"/wheels/pure/*.whl; do
    case "$wheel" in *-none-any.whl) ;; *) echo "not a pure wheel: $wheel" >&2; exit 1 ;; esac
done
ls "$W/wheels/pure" | sed 's/^/   /'

echo "== kerasnb's wheel"
step wheel quiet_pip "$py" -m pip wheel -q --no-deps -w "$W/wheels/kerasnb" .
kerasnb_wheel=("$W"/wheels/kerasnb/*.whl)
[ "${#kerasnb_wheel[@]}" -eq 1 ] || { echo "expected one wheel, built: ${kerasnb_wheel[*]}" >&2; exit 1; }
case "${kerasnb_wheel[0]}" in
    */kerasnb-*-py3-none-any.whl) echo "   $(basename "${kerasnb_wheel[0]}")" ;;
    *) echo "not a pure kerasnb wheel: ${kerasnb_wheel[0]}" >&2; exit 1 ;;
esac

echo "== the notebooks -> the site's files/"
"$py" -m doctest tools/lite/stage_notebook.py  # its own examples (how a %pip line gets the widgets extra)
: >"$W/stage.log"
for notebook in "${notebooks[@]}"; do
    "$py" tools/lite/stage_notebook.py "$notebook" "$W/site/files" >>"$W/stage.log" \
        || { sed 's/^/   /' "$W/stage.log"; exit 1; }
done
sed 's/^/   /' "$W/stage.log"

# Without network where permitted: the build must not need any, and the driver must not get any.
if unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
    offline=(unshare -n); offline_note="without network (unshare -n)"
else
    offline=()
    offline_note="WITH network: unshare -n (or ip link set lo up in it) is not permitted here; run_lite.py still"
    offline_note+=" aborts every request off 127.0.0.1 and fails the run on it"
fi

echo "== jupyter lite build --no-sourcemaps, $offline_note"
piplite=()
for wheel in "$W_ABS"/wheels/kerasnb/*.whl "$W_ABS"/wheels/pure/*.whl; do piplite+=(--piplite-wheels "$wheel"); done
# the build reads labextensions from the venv only: Jupyter's user and system paths point at empty folders
mkdir -p "$W/jupyter/data" "$W/jupyter/config"
step lite-build env -u JUPYTER_PATH -u JUPYTER_CONFIG_PATH JUPYTER_DATA_DIR="$W_ABS/jupyter/data" \
    JUPYTER_CONFIG_DIR="$W_ABS/jupyter/config" JUPYTER_PLATFORM_DIRS=0 "${offline[@]}" \
    sh -c "cd '$W/site' && '$W_ABS/venv/bin/jupyter' lite build --no-sourcemaps --output-dir '$W_ABS/_output' $(printf "'%s' " "${piplite[@]}")"
# the widgets' frontends must be in the site, and kerasnb + anywidget in its piplite index
for ext in anywidget @jupyter-widgets/jupyterlab-manager @jupyterlite/pyodide-kernel-extension; do
    [ -f "$W/_output/extensions/$ext/package.json" ] || { echo "the site lacks the labextension $ext" >&2; exit 1; }
done
"$py" - "$W/_output" <<'EOF'
import json, sys
from pathlib import Path
site = Path(sys.argv[1])
exts = sorted(e["name"] for e in json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
              .get("federated_extensions", []))
index = json.loads((site / "pypi" / "all.json").read_text())
missing = [name for name in ("kerasnb", "anywidget", "ipywidgets", "psygnal", "comm") if name not in index]
if missing:
    sys.exit(f"not in the site's piplite index (pypi/all.json): {missing}")
print("   labextensions:", ", ".join(exts))
print("   piplite index:", ", ".join(f"{n} {sorted(v['releases'])[-1]}" for n, v in sorted(index.items())))
EOF
echo "   site: $(du -sh "$W/_output" | cut -f1)"

# run_notebook PATH: the driver on one notebook in a fresh page; prints its report, returns its exit status.
run_notebook() {
    local nb_name driver t rc=0
    nb_name=$(basename "$1")
    echo "== $nb_name in JupyterLite, headless Chromium, $offline_note"
    driver=("$W_ABS/venv/bin/python" tools/lite/run_lite.py "$W_ABS/_output" "$nb_name"
            --artifacts "$artifacts/${nb_name%.ipynb}")
    case "$nb_name" in
        01_quickstart.ipynb) driver+=(--require-dashboard --expect "test accuracy:" --expect "mistakes out of") ;;
    esac
    t=$(date +%s)
    if [ "${#offline[@]}" -gt 0 ]; then
        # a fresh network namespace has only a loopback interface, and it is down
        unshare -n sh -c 'ip link set lo up && exec "$@"' sh "${driver[@]}" || rc=$?
    else
        "${driver[@]}" || rc=$?
    fi
    echo "   $nb_name: exit status $rc in $(( $(date +%s) - t )) s"
    return "$rc"
}

# LITE_JOBS=N runs the notebooks in N lanes at once (each page has its own server and browser; a Pyodide kernel
# keeps one core busy), lane k taking every Nth notebook from the k-th; each lane's log is printed when all end.
jobs=${LITE_JOBS:-1}
case "$jobs" in [1-9]) ;; *) echo "LITE_JOBS must be a number from 1 to 9: $jobs" >&2; exit 2 ;; esac
failed=()
if [ "$jobs" -eq 1 ]; then
    for notebook in "${notebooks[@]}"; do
        run_notebook "$notebook" || failed+=("$(basename "$notebook")")
    done
else
    echo "== the notebooks in $jobs lanes at once"
    pids=()
    for (( lane = 0; lane < jobs; lane++ )); do
        rm -f "$W/lane$lane.failed"
        (
            for (( i = lane; i < ${#notebooks[@]}; i += jobs )); do
                run_notebook "${notebooks[$i]}" || basename "${notebooks[$i]}" >>"$W/lane$lane.failed"
            done
        ) >"$W/lane$lane.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    for (( lane = 0; lane < jobs; lane++ )); do
        echo "== lane $(( lane + 1 )) of $jobs"
        cat "$W/lane$lane.log"
        if [ -f "$W/lane$lane.failed" ]; then mapfile -t -O "${#failed[@]}" failed <"$W/lane$lane.failed"; fi
    done
fi
status=0
if [ "${#failed[@]}" -gt 0 ]; then status=1; echo "FAILED in JupyterLite: ${failed[*]}" >&2; fi
echo "== .ci/lite.sh: ${#notebooks[@]} notebook(s), $(( $(date +%s) - started )) s, exit status $status" \
     "(screenshots and logs: $artifacts)"
exit "$status"
