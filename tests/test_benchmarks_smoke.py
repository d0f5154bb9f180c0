"""Smoke tests of the benchmark suite in ``benchmarks/``: every workload builds with kerasnb, exactly as the suite
builds it, and trains (or predicts) a few steps; the suite's bookkeeping (slow phases, ratios, targets, loss
curve comparison, weight conversion for PyTorch) works on made-up inputs.

No timing is asserted here, and no peer framework is imported: the peers live in their own environment.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import kerasnb as keras

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    """The ``benchmarks`` package (not installed, and not a test path: imported from the repository root)."""
    # The suite measures processes (CPU time, peak memory): not something Pyodide (JupyterLite) has.
    pytest.importorskip("resource", reason="the benchmark suite needs the resource module, which Pyodide lacks")
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(ROOT))
        from benchmarks import job, run, stats, workloads
        from benchmarks.frameworks import keras_api, torch_eager

        yield {"workloads": workloads, "stats": stats, "keras_api": keras_api, "torch_eager": torch_eager,
               "job": job, "run": run}


OUTPUT_COLUMNS = {"mlp": 10, "cnn": 10, "lstm": 1, "small_mlp": 10}


@pytest.mark.parametrize("name", ["W1", "W2", "W3", "W4", "P1", "W2L"])
def test_each_workload_runs_a_few_steps_on_kerasnb(bench, name):
    wl = bench["workloads"]
    base = wl.get(name)
    workload = wl.get(name, min(2 * base.batch_size, 128))  # the suite's own size override: one or two steps
    data = wl.make_data(workload)
    keras.utils.set_random_seed(wl.SEED)
    job = bench["keras_api"].KerasJob(keras, workload, data)

    value = job.run()  # a timed unit of the suite: fit (W4: ten epochs) or predict
    assert math.isfinite(value)
    out = job.model.predict(data["x"][:5], verbose=0)
    assert out.shape == (5, OUTPUT_COLUMNS[workload.model])
    assert np.all(np.isfinite(out))
    if workload.kind == "fit":
        history = job.model.history.history["loss"]
        assert len(history) == workload.epochs and all(math.isfinite(v) for v in history)


def test_workload_data_is_deterministic_and_of_the_real_shapes(bench):
    wl = bench["workloads"]
    shapes = {"W1": (784,), "W2": (28, 28, 1), "W3": (wl.SEQUENCE_LENGTH,), "W4": (32,), "P1": (28, 28, 1)}
    for name, shape in shapes.items():
        workload = wl.get(name, 50)
        a, b = wl.make_data(workload), wl.make_data(workload)
        assert a["x"].shape == (50, *shape)
        assert a["x"].dtype == (np.int32 if name == "W3" else np.float32)
        np.testing.assert_array_equal(a["x"], b["x"])
        assert ("labels" in a) == (workload.kind == "fit")
    pixels = wl.make_data(wl.get("W1", 10_000))["x"]  # several blocks of rows
    assert 0.0 <= pixels.min() and pixels.max() <= 1.0 and len(np.unique(pixels[:, :10])) > 200
    assert wl.get("W1").steps == 600 and wl.get("W3").steps == 79
    assert wl.keras_targets(wl.get("W1"), np.array([3, 0])).tolist()[0][3] == 1.0
    assert wl.keras_targets(wl.get("W3"), np.array([1, 0])).shape == (2, 1)
    with pytest.raises(ValueError, match="unknown workload"):
        wl.get("W9")


def test_job_process_entry_point_time_init_and_check(bench, tmp_path, monkeypatch, capsys):
    """job.py's three modes, in-process, on tiny sizes: a timing result and a loss curve from saved weights."""
    monkeypatch.setenv("KERASNB_BACKEND", "numpy")
    monkeypatch.setattr(sys, "path", list(sys.path))  # job.main puts the repository root first
    job = bench["job"]

    def result(argv):
        assert job.main(argv) == 0
        line = [s for s in capsys.readouterr().out.splitlines() if s.startswith("BENCH_RESULT ")][-1]
        return json.loads(line.split(" ", 1)[1])

    timed = result(["--framework", "kerasnb", "--workload", "W4", "--samples", "64", "--repeats", "2"])
    assert len(timed["seconds"]) == 2 and len(timed["probes"]) == 4 and len(timed["others"]) == 2
    assert all(s > 0 for s in timed["seconds"]) and timed["peak_rss_mb"] > 0 and timed["import_s"] >= 0
    assert all(math.isfinite(v) for v in timed["losses"])

    weights = tmp_path / "w.npz"
    result(["--framework", "kerasnb", "--workload", "W1", "--mode", "init", "--weights", str(weights),
            "--check-steps", "3"])
    first = result(["--framework", "kerasnb", "--workload", "W1", "--mode", "check", "--weights", str(weights)])
    second = result(["--framework", "kerasnb", "--workload", "W1", "--mode", "check", "--weights", str(weights)])
    assert len(first["step_losses"]) == 3
    assert first["step_losses"] == second["step_losses"]  # same weights, same batches, no dropout: deterministic

    bad = job.main(["--framework", "kerasnb", "--workload", "W1", "--mode", "check", "--weights",
                    str(tmp_path / "missing.npz")])
    assert bad == 1 and '"error"' in capsys.readouterr().out


def test_slow_phases_ratios_and_targets(bench):
    stats = bench["stats"]
    q = 0.05
    jobs = [
        {"workload": "W1", "framework": "kerasnb", "seconds": [3.0, 30.0, 3.2], "probes": [q, 4 * q, q, 4 * q, q],
         "peak_rss_mb": 300.0, "import_s": 0.2},
        {"workload": "W1", "framework": "torch", "seconds": [2.0, 2.2, 2.1], "probes": [q] * 5,
         "others": [0.0, 0.0, 0.9], "unit_wall_s": [2.0, 2.2, 2.1], "peak_rss_mb": 400.0, "import_s": 1.0},
        {"workload": "W1", "framework": "keras-jax", "seconds": [1.0, 1.0, 1.0], "probes": [q, 3 * q, 3 * q, q, q]},
        {"workload": "W1", "framework": "keras-tensorflow", "error": "boom"},
    ]
    assert stats.mark_slow(jobs) == q
    assert jobs[0]["quiet_units"] == [] and jobs[0]["slow_phase"]  # unit i lies between probes i + 1 and i + 2
    assert jobs[1]["quiet_units"] == [0, 1]  # unit 2: other processes kept 0.9 cores busy
    assert jobs[2]["quiet_units"] == [2]
    rows = {r["framework"]: r for r in stats.summarize(jobs, peers={"torch", "keras-jax", "keras-tensorflow"})}
    assert "keras-tensorflow" not in rows
    assert rows["torch"]["seconds"] == pytest.approx(2.1) and rows["torch"]["quiet"]
    assert rows["keras-jax"]["seconds"] == 1.0 and rows["keras-jax"]["best_peer"] == "keras-jax"
    assert not rows["kerasnb"]["quiet"] and rows["kerasnb"]["seconds"] == 3.2  # no quiet unit: median of all
    assert rows["kerasnb"]["ratio"] == pytest.approx(3.2) and not rows["kerasnb"]["ratio_quiet"]
    assert rows["torch"]["ratio_quiet"]
    # A peer with no quiet unit still is the reference when it is the fastest: noise only slows a job down.
    jobs[2]["quiet_units"] = []
    rows = {r["framework"]: r for r in stats.summarize(jobs, peers={"torch", "keras-jax"})}
    assert rows["torch"]["best_peer"] == "keras-jax" and not rows["torch"]["ratio_quiet"]
    rows = {r["framework"]: r for r in stats.summarize(jobs[:3], peers={"torch", "keras-jax"})}
    targets = stats.check_targets(list(rows.values()), {"kerasnb": {"W1": ("best", 0.9), "W2": ("torch", 1.0)}})
    assert [(t["reference"], t["met"]) for t in targets] == [("keras-jax", False)]


def test_noise_measures(bench):
    stats = bench["stats"]
    clock = iter([0.0, 0.01, 0.02, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.11]).__next__
    assert stats.run_probe(clock, chunks=5, n=10) == pytest.approx(0.05)  # 5 x the median chunk (0.01)
    assert stats.others_cores((0.0, 100.0, 5.0), (1.0, 101.5, 6.0)) == pytest.approx(0.5)
    assert stats.others_cores((0.0, None, 5.0), (1.0, None, 6.0)) is None
    before = stats.cpu_snapshot(lambda: 0.0)
    assert len(before) == 3 and before[2] > 0


def test_loss_curve_comparison(bench):
    stats = bench["stats"]
    means = [2.0, 1.5, 4 / 3]  # running means of the step losses 2, 1, 1
    assert stats.per_step_losses(means) == pytest.approx([2.0, 1.0, 1.0])
    same = stats.compare_curves([2.0, 1.0], [2.0, 1.0])
    assert same["max_rel"] == 0 and same["final_rel"] == 0 and same["steps"] == 2
    off = stats.compare_curves([2.0, 1.1], [2.0, 1.0])
    assert off["max_rel"] == pytest.approx(0.1) and off["max_abs"] == pytest.approx(0.1)
    assert stats.compare_curves([1.0], [1.0, 2.0])["max_rel"] == math.inf
    assert stats.compare_curves([float("nan")], [1.0])["max_rel"] == math.inf
    assert stats.compare_curves([], [])["max_rel"] == math.inf


def test_keras_weights_convert_to_pytorch_layouts(bench):
    """The conversion the correctness check relies on, checked with NumPy alone (PyTorch is not imported)."""
    wl, te = bench["workloads"], bench["torch_eager"]
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    cnn = bench["keras_api"].build_model(keras, wl.get("W2"))
    weights = cnn.get_weights()
    converted = te.keras_to_torch(wl.get("W2"), weights)
    assert converted["0.weight"].shape == (32, 1, 3, 3) and converted["9.weight"].shape == (64, 576)
    # The first Dense layer: Keras flattens the (3, 3, 64) feature map as (h, w, c), PyTorch as (c, h, w).
    features = rng.random((3, 3, 64)).astype(np.float32)
    np.testing.assert_allclose(features.reshape(-1) @ weights[6],
                               converted["9.weight"] @ features.transpose(2, 0, 1).reshape(-1), rtol=1e-5)
    # A Conv2D kernel: Keras' (kh, kw, in, out) output at one position equals PyTorch's (out, in, kh, kw).
    patch = rng.random((3, 3, 32)).astype(np.float32)
    np.testing.assert_allclose(np.einsum("hwi,hwio->o", patch, weights[2]),
                               np.einsum("ihw,oihw->o", patch.transpose(2, 0, 1), converted["3.weight"]), rtol=1e-5)

    lstm = te.keras_to_torch(wl.get("W3"), bench["keras_api"].build_model(keras, wl.get("W3")).get_weights())
    assert lstm["lstm.weight_ih_l0"].shape == (256, 16) and lstm["lstm.weight_hh_l0"].shape == (256, 64)
    assert not lstm["lstm.bias_hh_l0"].any()
    mlp = te.keras_to_torch(wl.get("W1"), bench["keras_api"].build_model(keras, wl.get("W1")).get_weights())
    assert sorted(mlp) == ["0.bias", "0.weight", "3.bias", "3.weight", "6.bias", "6.weight"]
    assert mlp["0.weight"].shape == (128, 784)


def test_runner_schedule_and_report(bench):
    run = bench["run"]
    order = run.schedule(["W1", "W2"], ["kerasnb", "torch"], rounds=2)
    assert order == [("W1", "kerasnb"), ("W1", "torch"), ("W2", "torch"), ("W2", "kerasnb"),  # rotated per workload
                     ("W1", "torch"), ("W1", "kerasnb"), ("W2", "kerasnb"), ("W2", "torch")]  # and per round
    rows = [{"workload": "W1", "framework": "kerasnb", "peer": False, "seconds": 3.0, "quiet": True,
             "quiet_units": 3, "units": 3, "peak_rss_mb": 200.0, "import_s": 0.2, "best_peer": "torch", "ratio": 1.5,
             "ratio_quiet": True},
            {"workload": "W1", "framework": "torch", "peer": True, "seconds": 2.0, "quiet": False,
             "quiet_units": 0, "units": 3, "peak_rss_mb": 300.0, "import_s": 1.0, "best_peer": "torch", "ratio": 1.0,
             "ratio_quiet": False}]
    meta = {"device": "a CPU", "cores": 2, "probe_baseline_s": 0.05, "slow_factor": 1.3, "busy_limit": 0.25}
    jobs = [{"framework": "kerasnb", "import_s": 0.2, "version": "kerasnb 0"}]
    text = run.report(rows, [], jobs, meta)
    assert "| W1 | kerasnb | 3.00 | 1.50 | 200 | 0.2 | 3/3 |" in text
    assert "| W1 | torch | 2.00 * | 1.00 * (best) | 300 | 1.00 | 0/3 |" in text
    args = run.parse_args(["--quick", "--workloads", "W1,P1"])
    assert args.workloads == ["W1", "P1"] and args.repeats == 1 and args.samples_for("P1") == 768
    with pytest.raises(ValueError):
        run.parse_args(["--workloads", "W1,nope"])


@pytest.mark.needs_subprocess
def test_the_suite_never_imports_a_peer():
    """Importing the suite and making a kerasnb job pulls in no peer framework (checked in a fresh interpreter)."""
    code = ("import sys; sys.path.insert(0, '.'); "
            "from benchmarks import job, run, stats, workloads; "
            "from benchmarks.frameworks import keras_api, torch_eager; "
            "import kerasnb; job.make_job('kerasnb', kerasnb, workloads.get('W4', 8), "
            "workloads.make_data(workloads.get('W4', 8))); "
            "print(sorted({'torch', 'tensorflow', 'jax', 'keras'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
