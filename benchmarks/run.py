"""The benchmark suite in one command: every workload on kerasnb and on the peers that are installed.

    python benchmarks/run.py --peers-python /tmp/peers/bin/python

kerasnb runs on this interpreter (NumPy; and CuPy as ``kerasnb-cupy`` when a GPU and CuPy are present); real
Keras 3 (TensorFlow, JAX and torch backends) and eager PyTorch run on ``--peers-python`` (or
``$KERASNB_PEERS_PYTHON``), a separate virtual environment: they are never dependencies of kerasnb.

Each (framework, workload) runs in its own process (``job.py``): import, data, model, a warm-up epoch, then three
timed units. Jobs go workload by workload, the frameworks' order rotated from one workload (and round) to the
next, so that drift of the machine hits all of them alike. Before each job the runner waits (up to
``--wait-quiet`` seconds) for other processes to leave the cores alone; within a job, probes of pure-Python
speed and the CPU time other processes use mark units taken in a slow phase (see ``stats.py``). Seconds and
ratios come from quiet units; a (framework, workload) with none is run again at the end (``--retry-slow``).

Prints a table (workload x framework: seconds, ratio to the best peer, peak RSS, import time) and the issue's
targets, and writes everything to ``benchmarks/results/<date>-<machine>.json``.

``--check`` instead compares loss curves: kerasnb and each peer start from the same weights (a kerasnb model's
initial weights, converted for PyTorch) and train the same batches in order with dropout off; each curve is
compared step by step with PyTorch's.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import stats  # noqa: E402
from benchmarks import workloads as wl  # noqa: E402
from benchmarks.job import FRAMEWORKS, cpu_name  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CPU_FRAMEWORKS = ("kerasnb", "keras-tensorflow", "keras-jax", "keras-torch", "torch")
GPU_FRAMEWORKS = ("kerasnb-cupy", "torch-cuda")


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Interpreters and what they have
# ---------------------------------------------------------------------------------------------------------------
def interpreters(args):
    peers = args.peers_python or os.environ.get("KERASNB_PEERS_PYTHON") or sys.executable
    return {"kerasnb": args.kerasnb_python or sys.executable, "peers": peers}


def python_for(framework, pythons):
    return pythons["kerasnb"] if FRAMEWORKS[framework]["api"] == "kerasnb" else pythons["peers"]


def find_modules(python, names):
    """Which of ``names`` the interpreter can import (found, not imported), run outside the repository."""
    code = ("import importlib.util, json, sys; "
            "print(json.dumps({m: importlib.util.find_spec(m) is not None for m in sys.argv[1:]}))")
    try:
        out = subprocess.run([python, "-c", code, *names], capture_output=True, text=True, timeout=60,
                             cwd=tempfile.gettempdir())
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return dict.fromkeys(names, False)


def gpu_name():
    """The first NVIDIA GPU's name, or None."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = out.stdout.strip().splitlines()
    return names[0].strip() if out.returncode == 0 and names else None


def available_frameworks(wanted, pythons, gpu):
    """(the frameworks of ``wanted`` that can run here, {skipped framework: why})."""
    found = {}
    for python in set(pythons.values()):
        found[python] = find_modules(python, ["kerasnb", "keras", "tensorflow", "jax", "torch", "cupy"])
    ok, skipped = [], {}
    for name in wanted:
        spec = FRAMEWORKS[name]
        python = python_for(name, pythons)
        missing = [m for m in spec["needs"] if not found[python].get(m)]
        if missing:
            skipped[name] = f"{python} has no {', '.join(missing)}"
        elif spec.get("gpu") and not gpu:
            skipped[name] = "no NVIDIA GPU found"
        else:
            ok.append(name)
    return ok, skipped


# ---------------------------------------------------------------------------------------------------------------
# Running jobs
# ---------------------------------------------------------------------------------------------------------------
def wait_for_quiet(max_wait, busy_limit, window=1.0):
    """Wait until other processes keep at most ``busy_limit`` cores busy over a ``window`` (or ``max_wait``
    seconds passed). Returns (seconds waited, the last window's load)."""
    start = time.perf_counter()
    while True:
        before = stats.cpu_snapshot(time.perf_counter)
        time.sleep(window)
        load = stats.others_cores(before, stats.cpu_snapshot(time.perf_counter))
        waited = time.perf_counter() - start
        if load is None or load <= busy_limit or waited >= max_wait:
            return waited, load


def run_job(python, argv, timeout):
    """Run ``job.py`` with ``argv``; its result dict (with ``error`` when it failed)."""
    cmd = [python, str(ROOT / "benchmarks" / "job.py"), *argv]
    # Imports are timed as a user's Python does them: with the bytecode cache (the peers' was written by pip).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s", "job_wall_s": time.perf_counter() - start}
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT "):])
    if result is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        result = {"error": f"exit {proc.returncode}, no result: {' | '.join(tail)}"}
    elif proc.returncode and "error" not in result:
        result["error"] = f"exit {proc.returncode}"
    if "error" in result:
        result["stderr_tail"] = proc.stderr[-2000:]
    result["job_wall_s"] = time.perf_counter() - start
    return result


def schedule(workloads, frameworks, rounds):
    """Jobs workload by workload; the frameworks' order rotated by one per workload and per round.

    >>> schedule(["W1", "W2"], ["a", "b", "c"], 1)
    [('W1', 'a'), ('W1', 'b'), ('W1', 'c'), ('W2', 'b'), ('W2', 'c'), ('W2', 'a')]
    """
    order = []
    for r in range(rounds):
        for i, workload in enumerate(workloads):
            k = (r + i) % len(frameworks)
            order.extend((workload, fw) for fw in frameworks[k:] + frameworks[:k])
    return order


def timing_run(args, frameworks, pythons):
    jobs = []
    order = schedule(args.workloads, frameworks, args.rounds)

    def one(workload, framework, label):
        waited, load = wait_for_quiet(args.wait_quiet, args.busy_limit) if args.wait_quiet > 0 else (0.0, None)
        log(f"{label} {workload:4} {framework:17} (waited {waited:.0f} s for quiet cores) ...")
        argv = ["--framework", framework, "--workload", workload, "--repeats", str(args.repeats)]
        if args.samples_for(workload) is not None:
            argv += ["--samples", str(args.samples_for(workload))]
        result = run_job(python_for(framework, pythons), argv, args.job_timeout)
        result.update(framework=framework, workload=workload, waited_s=waited, others_at_start=load)
        jobs.append(result)
        if "error" in result:
            log(f"    failed: {result['error']}")
        else:
            seconds = ", ".join(f"{s:.4g}" for s in result["seconds"])
            probes = ", ".join(f"{1000 * p:.0f}" for p in result["probes"])
            others = ", ".join("?" if o is None else f"{o:.2f}" for o in result.get("others", []))
            log(f"    {seconds} s; import {result['import_s']:.2f} s; peak RSS {result['peak_rss_mb']:.0f} MB; "
                f"probes {probes} ms; other processes {others} cores")

    for n, (workload, framework) in enumerate(order, start=1):
        one(workload, framework, f"[{n}/{len(order)}]")
    stats.mark_slow(jobs, args.slow_factor, args.busy_limit)
    for attempt in range(args.retry_slow):
        rows = stats.summarize(jobs, peers={f for f in frameworks if FRAMEWORKS[f]["peer"]})
        again = [(r["workload"], r["framework"]) for r in rows if not r["quiet"]]
        if not again:
            break
        log(f"retry {attempt + 1}: no quiet unit yet for {', '.join(f'{w}/{f}' for w, f in again)}")
        for n, (workload, framework) in enumerate(again, start=1):
            one(workload, framework, f"[retry {n}/{len(again)}]")
        stats.mark_slow(jobs, args.slow_factor, args.busy_limit)
    return jobs


# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
def fmt_seconds(x):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def report(rows, targets, jobs, meta):
    lines = [
        f"Machine: {meta['device']}, {meta['cores']} cores; probe baseline {1000 * meta['probe_baseline_s']:.0f} ms "
        f"(a unit is slow when a probe beside it exceeds {meta['slow_factor']}x that, or other processes keep "
        f"more than {meta['busy_limit']} cores busy).",
        "",
        "| workload | framework | seconds | × best peer | peak RSS (MB) | import (s) | quiet units |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        seconds = fmt_seconds(r["seconds"]) + ("" if r["quiet"] else " *")
        ratio = fmt_ratio(r["ratio"]) + ("" if r["ratio_quiet"] else " *")
        ratio += " (best)" if r["framework"] == r["best_peer"] else ""
        rss = "–" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.0f}"
        lines.append(f"| {r['workload']} | {r['framework']} | {seconds} | {ratio} | {rss} | "
                     f"{fmt_seconds(r['import_s'])} | {r['quiet_units']}/{r['units']} |")
    failed = [j for j in jobs if j.get("error")]
    for j in failed:
        lines.append(f"| {j['workload']} | {j['framework']} | failed: {j['error'][:80]} | | | | |")
    lines += ["", "Seconds: median of the quiet timed units (W4: per epoch of a 10-epoch fit; P1: one predict "
              "call); * = no quiet unit, median of all. × best peer: over the fastest peer's seconds (peers: "
              "everything but kerasnb) in this run; * = one side or both had no quiet unit."]
    if targets:
        lines += ["", "| target | kerasnb (s) | reference | reference (s) | ratio | met |",
                  "|---|---:|---|---:|---:|---|"]
        for t in targets:
            met = "–" if t["met"] is None else ("yes" if t["met"] else "no") + ("" if t["quiet"] else " *")
            which = t["reference"] if t["reference_kind"] != "best" else f"{t['reference']} (fastest peer)"
            lines.append(f"| {t['workload']} {t['framework']} ≤ {t['target']}× | {fmt_seconds(t['seconds'])} | "
                         f"{which} | {fmt_seconds(t['reference_seconds'])} | {fmt_ratio(t['ratio'])} | {met} |")
        subjects = [r for r in rows if not r["peer"]]
        rss = ", ".join(f"{r['workload']} {r['peak_rss_mb']:.0f}" for r in subjects if r["peak_rss_mb"])
        lines += ["", f"Peak RSS of kerasnb (target ≤ {wl.PEAK_RSS_TARGET_MB} MB): {rss}."]
    imports = {}
    for j in jobs:
        if j.get("import_s") is not None:
            imports.setdefault(j["framework"], []).append(j["import_s"])
    versions = {j["framework"]: j.get("version") for j in jobs if j.get("version")}
    lines += ["", "| framework | version | import (s), median | import (s), fastest |", "|---|---|---:|---:|"]
    for name, values in imports.items():
        values.sort()
        lines.append(f"| {name} | {versions.get(name, '?')} | {fmt_seconds(values[len(values) // 2])} | "
                     f"{fmt_seconds(values[0])} |")
    lines += ["", f"`import kerasnb` target: ≤ {wl.IMPORT_TARGET_S} s (measured in the job process, NumPy's import "
              "included, as for every framework)."]
    return "\n".join(lines)


def machine_kind(frameworks):
    gpu = any(FRAMEWORKS[f].get("gpu") for f in frameworks) and gpu_name()
    if gpu:
        return "gpu-" + re.sub(r"[^a-z0-9]+", "-", gpu.lower()).strip("-")
    return f"cpu-{os.cpu_count()}core"


def write_json(path, payload):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n")
    log(f"wrote {path}")


# ---------------------------------------------------------------------------------------------------------------
# The correctness check
# ---------------------------------------------------------------------------------------------------------------
def check_run(args, frameworks, pythons):
    import numpy as np

    if "kerasnb" not in frameworks or len(frameworks) < 2:
        raise SystemExit("--check needs kerasnb and at least one peer")
    reference = "torch" if "torch" in frameworks else next(f for f in frameworks if FRAMEWORKS[f]["peer"])
    results, rows = {}, []
    with tempfile.TemporaryDirectory(prefix="kerasnb-check-") as tmp:
        for workload in args.workloads:
            weights = Path(tmp) / f"{workload}.npz"
            init = run_job(pythons["kerasnb"], ["--framework", "kerasnb", "--workload", workload, "--mode", "init",
                                                "--weights", str(weights), "--check-steps", str(args.check_steps)],
                           args.job_timeout)
            if "error" in init:
                log(f"{workload}: could not save the initial weights: {init['error']}")
                continue
            outs = {}
            for framework in frameworks:
                log(f"check {workload} {framework} ...")
                output = Path(tmp) / f"{workload}-{framework}.npy"
                result = run_job(python_for(framework, pythons),
                                 ["--framework", framework, "--workload", workload, "--mode", "check",
                                  "--weights", str(weights), "--output", str(output)], args.job_timeout)
                results[f"{workload}/{framework}"] = result
                if "error" in result:
                    log(f"    failed: {result['error']}")
                elif "output" in result:
                    outs[framework] = np.load(result["output"])
                else:
                    outs[framework] = result["step_losses"]
            if reference not in outs:
                continue
            keras_ref = next((f for f in ("keras-tensorflow", "keras-jax", "keras-torch") if f in outs), None)
            for framework, values in outs.items():
                if framework == reference:
                    continue
                cmp = compare_outputs(values, outs[reference])
                cmp.update(workload=workload, framework=framework, reference=reference,
                           ok=cmp["max_rel"] <= args.check_tol, keras_reference=None, max_rel_vs_keras=None)
                if keras_ref and framework != keras_ref:
                    cmp["keras_reference"] = keras_ref
                    cmp["max_rel_vs_keras"] = compare_outputs(values, outs[keras_ref])["max_rel"]
                rows.append(cmp)
    lines = [f"| workload | framework | steps | max rel. diff vs {reference} | last step | max abs diff | "
             f"≤ {args.check_tol:g} | max rel. diff vs Keras |", "|---|---|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        final = "–" if r["final_rel"] is None else f"{r['final_rel']:.2e}"
        vs_keras = "–" if r["max_rel_vs_keras"] is None else f"{r['max_rel_vs_keras']:.2e} ({r['keras_reference']})"
        lines.append(f"| {r['workload']} | {r['framework']} | {r['steps']} | {r['max_rel']:.2e} | {final} | "
                     f"{r['max_abs']:.2e} | {'yes' if r['ok'] else 'no'} | {vs_keras} |")
    lines += ["", "Fit workloads: per-step training losses from the same initial weights, the same batches in order, "
              "dropout off; P1: the predictions (relative to their largest magnitude)."]
    return rows, results, "\n".join(lines)


def compare_outputs(values, reference):
    """A loss curve (list) against a reference curve, or predictions (array) against reference predictions."""
    if isinstance(values, list):
        return stats.compare_curves(values, reference)
    import numpy as np

    diff = float(np.max(np.abs(values - reference)))
    return {"steps": len(reference), "max_abs": diff, "final_rel": None,
            "max_rel": diff / max(float(np.max(np.abs(reference))), 1e-12)}


# ---------------------------------------------------------------------------------------------------------------
def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers-python", help="the interpreter with keras / tensorflow / jax / torch "
                        "(default: $KERASNB_PEERS_PYTHON, else this one)")
    parser.add_argument("--kerasnb-python", help="the interpreter for kerasnb (default: this one)")
    parser.add_argument("--workloads", help=f"comma-separated (default {','.join(wl.DEFAULT_WORKLOADS)}; "
                        f"all: {','.join(wl.WORKLOADS)})")
    parser.add_argument("--frameworks", help=f"comma-separated, of {','.join(FRAMEWORKS)} (default: those "
                        "installed; the GPU ones when a GPU is present)")
    parser.add_argument("--gpu", action="store_true", help="only the GPU frameworks (kerasnb-cupy, torch-cuda)")
    parser.add_argument("--rounds", type=int, default=1, help="jobs per (framework, workload) (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timed units per job, after the warm-up (default 3)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 steps per epoch, one timed unit")
    parser.add_argument("--slow-factor", type=float, default=stats.SLOW_FACTOR)
    parser.add_argument("--busy-limit", type=float, default=stats.BUSY_LIMIT,
                        help="cores other processes may use during a quiet unit (default %(default)s)")
    parser.add_argument("--wait-quiet", type=float, default=120,
                        help="seconds to wait at most for quiet cores before each job (default 120; 0: don't)")
    parser.add_argument("--retry-slow", type=int, default=1,
                        help="re-run a (framework, workload) with no quiet unit, this many times (default 1)")
    parser.add_argument("--job-timeout", type=int, default=3600)
    parser.add_argument("--check", action="store_true", help="compare loss curves instead of timing")
    parser.add_argument("--check-steps", type=int, default=20)
    parser.add_argument("--check-tol", type=float, default=1e-3)
    parser.add_argument("--report", metavar="JSON", help="print the tables of a saved timing run again (no jobs run)")
    parser.add_argument("--out", help="the JSON file to write (default benchmarks/results/<date>-<machine>.json)")
    args = parser.parse_args(argv)
    names = args.workloads.split(",") if args.workloads else list(wl.DEFAULT_WORKLOADS)
    for name in names:
        wl.get(name)
    args.workloads = names
    if args.quick:
        args.repeats, args.retry_slow, args.wait_quiet = 1, 0, 0
    args.samples_for = lambda name: 3 * wl.get(name).batch_size if args.quick else None
    return args


def analyse(jobs, meta, workloads, frameworks, quick=False):
    """Mark slow units, summarise and check the targets: (rows, targets, table)."""
    stats.mark_slow(jobs, meta["slow_factor"], meta["busy_limit"])
    meta["probe_baseline_s"] = stats.probe_baseline(jobs) or float("nan")
    rows = stats.summarize(jobs, peers={f for f in frameworks if FRAMEWORKS[f]["peer"]})
    rows.sort(key=lambda r: (workloads.index(r["workload"]), frameworks.index(r["framework"])))
    targets = [] if quick else stats.check_targets(rows, wl.TARGETS)
    return rows, targets, report(rows, targets, jobs, meta)


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text())
        meta = saved["meta"]
        print(analyse(saved["jobs"], meta, meta["workloads"], meta["frameworks"], meta.get("quick", False))[2])
        return 0
    pythons = interpreters(args)
    gpu = gpu_name()
    if args.frameworks:
        wanted = args.frameworks.split(",")
        unknown = [f for f in wanted if f not in FRAMEWORKS]
        if unknown:
            raise SystemExit(f"unknown framework(s) {unknown}; choose from {', '.join(FRAMEWORKS)}")
    elif args.gpu:
        wanted = list(GPU_FRAMEWORKS)
    else:
        wanted = list(CPU_FRAMEWORKS) + (list(GPU_FRAMEWORKS) if gpu else [])
    frameworks, skipped = available_frameworks(wanted, pythons, gpu)
    for name, why in skipped.items():
        log(f"skipping {name}: {why}")
    if not frameworks:
        raise SystemExit("nothing to run")
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "command": " ".join(sys.argv),
            "host": platform.node(), "device": gpu if any(FRAMEWORKS[f].get("gpu") for f in frameworks) else cpu_name(),
            "cpu": cpu_name(), "cores": os.cpu_count(), "platform": platform.platform(), "pythons": pythons,
            "frameworks": frameworks, "skipped": skipped, "workloads": args.workloads, "repeats": args.repeats,
            "rounds": args.rounds, "quick": args.quick, "slow_factor": args.slow_factor,
            "busy_limit": args.busy_limit}
    kind = machine_kind(frameworks)
    if args.check:
        rows, results, table = check_run(args, frameworks, pythons)
        print(table)
        out = Path(args.out) if args.out else RESULTS / f"{stamp}-{kind}-check.json"
        write_json(out, {"meta": meta, "comparisons": rows, "jobs": results})
        return 0 if rows and all(r["ok"] for r in rows if r["framework"].startswith("kerasnb")) else 1
    jobs = timing_run(args, frameworks, pythons)
    rows, targets, table = analyse(jobs, meta, args.workloads, frameworks, args.quick)
    print(table)
    if args.out:
        out = Path(args.out)
    elif args.quick:
        out = Path(tempfile.gettempdir()) / f"kerasnb-bench-quick-{stamp}.json"
    else:
        out = RESULTS / f"{stamp}-{kind}.json"
    write_json(out, {"meta": meta, "summary": rows, "targets": targets, "jobs": jobs, "table": table})
    return 1 if any(j.get("error") for j in jobs) else 0


if __name__ == "__main__":
    sys.exit(main())
