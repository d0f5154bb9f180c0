"""Run ONE (framework, workload) in this process and print its result as one JSON line (``BENCH_RESULT {...}``).

``run.py`` starts one of these per job; you can also run one by hand::

    python benchmarks/job.py --framework kerasnb --workload W1
    /tmp/peers/bin/python benchmarks/job.py --framework keras-jax --workload W1

A timing job: the noise probe (a fixed pure-Python loop) first, then ``import`` of the framework, timed (it is the
first import of the process, so NumPy's import counts for everyone), the data and the model, a warm-up epoch (or
predict pass), then ``--repeats`` timed units, each with a probe before it and one after the last. A unit is a
``fit(epochs=1)`` call (W4: ``fit(epochs=10)``, reported per epoch) or a ``predict`` call, timed from outside as
the user waits for it. Peak RSS is the process' ``ru_maxrss``.

``--mode init`` saves a kerasnb model's initial weights and the first batches of the data to ``--weights``;
``--mode check`` starts from them, trains one epoch over those batches in order (dropout off) and reports the loss
of every step: the correctness comparison of ``run.py --check``.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> how to run it. "peer": a framework kerasnb is compared with; "needs": modules its interpreter must have.
FRAMEWORKS = {
    "kerasnb": {"api": "kerasnb", "env": {"KERASNB_BACKEND": "numpy"}, "peer": False, "needs": ("kerasnb",)},
    "kerasnb-cupy": {"api": "kerasnb", "env": {"KERASNB_BACKEND": "cupy"}, "peer": False,
                     "needs": ("kerasnb", "cupy"), "gpu": True},
    "keras-tensorflow": {"api": "keras", "env": {"KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"},
                         "peer": True, "needs": ("keras", "tensorflow")},
    "keras-jax": {"api": "keras", "env": {"KERAS_BACKEND": "jax"}, "peer": True, "needs": ("keras", "jax")},
    "keras-torch": {"api": "keras", "env": {"KERAS_BACKEND": "torch"}, "peer": True, "needs": ("keras", "torch")},
    "torch": {"api": "torch", "device": "cpu", "peer": True, "needs": ("torch",)},
    "torch-cuda": {"api": "torch", "device": "cuda", "peer": True, "needs": ("torch",), "gpu": True},
}


def peak_rss_mb():
    """The process' peak resident set so far, in MB (Linux reports ru_maxrss in KiB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def import_framework(name):
    """Import the framework (timed by the caller); returns (module, version string, device name)."""
    spec = FRAMEWORKS[name]
    os.environ.update(spec.get("env", {}))
    if spec["api"] == "kerasnb":
        import kerasnb

        device = cpu_name()
        if kerasnb.config.backend() == "cupy":
            from kerasnb.engine.arrays import cupy_module

            cupy = cupy_module()
            device = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
        return kerasnb, f"kerasnb {kerasnb.__version__} ({kerasnb.config.backend()})", device
    if spec["api"] == "keras":
        import keras

        backend = keras.backend.backend()
        library = sys.modules.get(backend)
        return keras, f"keras {keras.__version__} + {backend} {getattr(library, '__version__', '?')}", cpu_name()
    import torch

    device = torch.cuda.get_device_name(0) if spec["device"] == "cuda" else cpu_name()
    return torch, f"torch {torch.__version__}", device


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def make_job(name, module, workload, data, dropout=None):
    from benchmarks.workloads import SEED

    spec = FRAMEWORKS[name]
    if spec["api"] == "torch":
        from benchmarks.frameworks.torch_eager import TorchJob

        return TorchJob(workload, data, device=spec["device"], dropout=dropout, seed=SEED)
    from benchmarks.frameworks.keras_api import KerasJob

    module.utils.set_random_seed(SEED)
    return KerasJob(module, workload, data, dropout=dropout)


def time_job(args):
    # plain Python: NumPy is not imported before the framework
    from benchmarks.stats import cpu_snapshot, others_cores, run_probe

    clock = time.perf_counter
    result = {"probes": [run_probe(clock)]}
    start = clock()
    module, version, device = import_framework(args.framework)
    result.update(import_s=clock() - start, version=version, device=device, rss_import_mb=peak_rss_mb())

    from benchmarks import workloads as wl

    workload = wl.get(args.workload, args.samples)
    start = clock()
    data = wl.make_data(workload)
    result.update(data_s=clock() - start, data_mb=sum(a.nbytes for a in data.values()) / 2**20,
                  rss_data_mb=peak_rss_mb())
    start = clock()
    job = make_job(args.framework, module, workload, data)
    result["build_s"] = clock() - start
    start = clock()
    job.warm_up()
    result["warmup_s"] = clock() - start

    per_unit = workload.epochs if workload.kind == "fit" else 1
    seconds, walls, losses, others, own = [], [], [], [], []
    for _ in range(args.repeats):
        result["probes"].append(run_probe(clock))
        before = cpu_snapshot(clock)
        loss = job.run()
        after = cpu_snapshot(clock)
        walls.append(after[0] - before[0])
        seconds.append(walls[-1] / per_unit)
        losses.append(loss)
        others.append(others_cores(before, after))
        own.append((after[2] - before[2]) / (after[0] - before[0]))  # cores this process kept busy
    result["probes"].append(run_probe(clock))
    result.update(seconds=seconds, unit_wall_s=walls, median_s=statistics.median(seconds), losses=losses, others=others,
                  own_cores=own, peak_rss_mb=peak_rss_mb(),
                  steps_per_epoch=workload.steps, samples=workload.samples, batch_size=workload.batch_size)
    return result


def init_weights(args):
    """Save a kerasnb model's initial weights and the first ``--check-steps`` batches of data to ``--weights``."""
    import numpy as np

    from benchmarks import workloads as wl

    module, version, _ = import_framework(args.framework)
    workload = wl.get(args.workload)
    workload = wl.get(args.workload, args.check_steps * workload.batch_size)
    data = wl.make_data(workload)
    job = make_job(args.framework, module, workload, data, dropout=0.0)
    weights = job.get_weights()
    arrays = {f"w{i:03d}": np.asarray(w) for i, w in enumerate(weights)}
    np.savez(args.weights, **arrays, **{f"data_{k}": v for k, v in data.items()})
    return {"version": version, "weights": len(weights), "samples": workload.samples}


def check_job(args):
    """From the saved weights, one epoch in order over the saved batches: the per-step losses (predict: outputs)."""
    import numpy as np

    from benchmarks import workloads as wl

    module, version, device = import_framework(args.framework)
    saved = np.load(args.weights)
    weights = [saved[k] for k in sorted(saved.files) if k.startswith("w")]
    data = {k[len("data_"):]: saved[k] for k in saved.files if k.startswith("data_")}
    workload = wl.get(args.workload, len(data["x"]))
    job = make_job(args.framework, module, workload, data, dropout=0.0)
    job.set_weights(weights)
    out = job.check_run(data["x"], data.get("labels"))
    result = {"version": version, "device": device}
    if workload.kind == "predict":
        np.save(args.output, np.asarray(out, dtype=np.float32))
        result["output"] = str(args.output)
    else:
        result["step_losses"] = [float(v) for v in out]
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True, choices=sorted(FRAMEWORKS))
    parser.add_argument("--workload", required=True)
    parser.add_argument("--samples", type=int, default=None, help="override the workload's sample count")
    parser.add_argument("--repeats", type=int, default=3, help="timed units after the warm-up (default 3)")
    parser.add_argument("--mode", choices=("time", "init", "check"), default="time")
    parser.add_argument("--weights", help="init/check: the .npz of initial weights and check data")
    parser.add_argument("--check-steps", type=int, default=20, help="init: batches of check data to save")
    parser.add_argument("--output", help="check of a predict workload: where to save the outputs (.npy)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    result = {"framework": args.framework, "workload": args.workload, "mode": args.mode,
              "python": sys.version.split()[0]}
    try:
        result.update({"time": time_job, "init": init_weights, "check": check_job}[args.mode](args))
        status = 0
    except Exception as error:  # report it as a result: run.py goes on with the other jobs
        traceback.print_exc()
        result["error"] = f"{type(error).__name__}: {error}"
        status = 1
    print("BENCH_RESULT " + json.dumps(result), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
