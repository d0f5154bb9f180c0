#!/usr/bin/env bash
# The Binder environment, built the way repo2docker builds it (binder/requirements.txt, then binder/postBuild
# from the repository root), in a fresh virtual environment; then the first tutorial runs in it top to bottom.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=build/binder-venv
rm -rf "$venv" && python3 -m venv "$venv"
"$venv/bin/pip" install -q -r binder/requirements.txt
PATH="$PWD/$venv/bin:$PATH" bash binder/postBuild >/dev/null
"$venv/bin/python" -c "import kerasnb, anywidget, matplotlib, plotly, yaml, tensorboardX; print('binder env: kerasnb', kerasnb.__version__)"
nb=${1:-notebooks/01_quickstart.ipynb}
out=$(mktemp -d)
"$venv/bin/jupyter" nbconvert --to notebook --execute --output-dir "$out" "$nb" >/dev/null 2>&1 \
    || { "$venv/bin/jupyter" nbconvert --to notebook --execute --output-dir "$out" "$nb"; exit 1; }
echo "binder env: $nb ran top to bottom"
rm -rf "$out"
