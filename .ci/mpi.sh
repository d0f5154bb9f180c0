#!/usr/bin/env bash
# MultiWorkerMirroredStrategy over real MPI: Open MPI (installed with apt-get when mpirun is missing), mpi4py
# compiled against it in a fresh venv with kerasnb from the checkout, then two workers on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mpirun >/dev/null || ! command -v mpicc >/dev/null; then
    apt-get install -y -q openmpi-bin libopenmpi-dev >/dev/null || { apt-get update -q && apt-get install -y -q openmpi-bin libopenmpi-dev >/dev/null; }
fi
venv=build/mpi/venv
rm -rf "$venv" && python3 -m venv "$venv"
"$venv/bin/pip" install -q . mpi4py h5py 2>&1 | grep -v "is ignored: it is neither" || true
"$venv/bin/python" -c "import kerasnb, mpi4py; print('mpi env: kerasnb', kerasnb.__version__, 'mpi4py', mpi4py.__version__)"
flags=(-n 2 --oversubscribe)
[ "$(id -u)" = 0 ] && flags+=(--allow-run-as-root)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
timeout 120 mpirun "${flags[@]}" "$venv/bin/python" tests/mpi/multi_worker_check.py train "$out/train"
mkdir -p "$out/fail"
if timeout 120 mpirun "${flags[@]}" "$venv/bin/python" tests/mpi/multi_worker_check.py fail "$out/fail" \
        >"$out/fail.log" 2>&1; then
    cat "$out/fail.log"; echo "mpi: a failing worker did not make mpirun fail"; exit 1
fi
grep -q "worker 1 failed: RuntimeError: a deliberate failure on batch 1" "$out/fail.log" \
    || { cat "$out/fail.log"; echo "mpi: the output does not name the failed worker"; exit 1; }
if grep -q "fit returned" "$out/fail.log"; then cat "$out/fail.log"; echo "mpi: a worker went on"; exit 1; fi
echo "mpi: a failure on worker 1 stopped both workers and was named"
