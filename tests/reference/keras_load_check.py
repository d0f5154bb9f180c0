"""Load model files written by kerasnb with real Keras 3 and compare its predictions with kerasnb's.

Real Keras is never a dependency of kerasnb: ``tests/test_saving_interop.py`` runs this script with an interpreter
that has Keras (``KERASNB_KERAS_PYTHON``), e.g. ::

    .venv-keras/bin/python tests/reference/keras_load_check.py DIR [DIR_OR_FILE ...] [--atol 1e-5] [--strict]

For every model file in the folders (or given by name) it prints one JSON line and exits non-zero if any check
failed (2 when it found nothing to check). The files of a model ``NAME``:

* ``NAME.keras`` and ``NAME.h5`` (full models): ``keras.models.load_model(path)`` (``safe_mode`` left on);
  a ``.h5`` that real Keras cannot compile (Keras 3.15 cannot deserialize the loss ``"mse"`` from its own legacy
  files) is loaded again with ``compile=False`` and the line says so in ``compile_error`` (a failure only with
  ``--strict``);
* ``NAME.weights.h5`` (or ``NAME_weights.h5``, an ``.h5`` without ``model_config``): weights, loaded with
  ``model.load_weights`` into ``keras.models.model_from_json(NAME.json)`` (or, when Keras cannot read that
  JSON, into the full model ``NAME.h5`` / ``NAME.keras`` loaded with ``compile=False``);
* ``NAME.npz``: the inputs ``x0``, ``x1``, ... (in the model's input order) and kerasnb's predictions ``y0``,
  ``y1``, ... (in output order); optionally the optimizer's variables ``opt/0``, ``opt/1``, ... (kerasnb's
  ``model.optimizer.variables``), the labels ``t0``, ``t1``, ... and a JSON ``__meta__`` with ``evaluate``
  (kerasnb's ``model.evaluate(x, t, return_dict=True)``).

Checks: the predictions of ``model.predict`` agree within ``--atol`` (a failure otherwise); for a ``.keras``
file with ``opt/*``, the optimizer's variables after loading agree too (a failure otherwise: Keras restores the
optimizer from ``.keras``; from a legacy ``.h5`` it does not, so there it is only reported); with labels and an
``evaluate`` in ``__meta__``, Keras's ``evaluate`` is reported (``evaluate_max_abs_diff``; a failure only with
``--strict``). The line: ``{"file", "format", "ok", "max_abs_diff", "compiled", "optimizer_restored", "error",
...}``.
"""

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

import numpy as np


def _arrays(npz, prefix):
    keys = sorted((k for k in npz.files if k.startswith(prefix) and k[len(prefix):].isdigit()),
                  key=lambda k: int(k[len(prefix):]))
    return [npz[k] for k in keys]


def _model_input(xs):
    return xs[0] if len(xs) == 1 else list(xs)


def _predict(model, xs):
    y = model.predict(_model_input(xs), verbose=0)
    if isinstance(y, dict):
        y = [y[name] for name in model.output_names]
    return [np.asarray(v) for v in (y if isinstance(y, (list, tuple)) else [y])]


def _max_diff(got, want):
    if len(got) != len(want):
        raise AssertionError(f"{len(got)} outputs, expected {len(want)}")
    diffs = []
    for i, (a, b) in enumerate(zip(got, want)):
        if a.shape != b.shape:
            raise AssertionError(f"output {i}: shape {a.shape}, expected {b.shape}")
        diffs.append(float(np.max(np.abs(a.astype("float64") - b.astype("float64")))) if a.size else 0.0)
    return max(diffs) if diffs else 0.0


def _short(error, limit=300):
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _stem(path):
    name = path.name
    for suffix in (".weights.h5", "_weights.h5", ".keras", ".h5"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _kind(path):
    """'keras', 'h5' (a full model) or 'weights.h5'; None for files that are not models."""
    name = path.name
    if name.endswith(".keras"):
        return "keras"
    if name.endswith(".weights.h5"):
        return "weights.h5"
    if name.endswith(".h5"):
        import h5py

        with h5py.File(path, "r") as f:
            return "h5" if "model_config" in f.attrs else "weights.h5"
    return None


def check_file(keras, path, atol, strict):
    kind = _kind(path)
    stem = _stem(path)
    folder = path.parent
    result = {"file": path.name, "format": kind, "ok": False, "max_abs_diff": None, "compiled": None,
              "optimizer_restored": None, "error": None}
    npz_path = folder / f"{stem}.npz"
    if not npz_path.exists():
        result["error"] = f"no {npz_path.name} with the inputs and predictions"
        return result
    npz = np.load(npz_path, allow_pickle=False)
    xs, ys, opt, labels = _arrays(npz, "x"), _arrays(npz, "y"), _arrays(npz, "opt/"), _arrays(npz, "t")
    meta = json.loads(str(npz["__meta__"])) if "__meta__" in npz.files else {}
    failures = []
    try:
        if kind == "weights.h5":
            json_path = folder / f"{stem}.json"
            model = None
            if json_path.exists():
                try:
                    model = keras.models.model_from_json(json_path.read_text())
                except Exception as error:  # e.g. Keras 2 JSON, which Keras 3 does not read
                    result["json_error"] = _short(error)
            if model is None:
                for full in (folder / f"{stem}.keras", folder / f"{stem}.h5"):
                    if full.exists():
                        model = keras.models.load_model(full, compile=False)
                        result["architecture"] = full.name
                        break
            if model is None:
                raise FileNotFoundError(f"no architecture for {path.name}: {json_path.name} is missing or unreadable")
            if getattr(model, "optimizer", None) is not None and opt:
                model.optimizer.build(model.trainable_variables)  # so that load_weights can fill the slots
            model.load_weights(path)
            result["compiled"] = bool(getattr(model, "compiled", False))
        else:
            try:
                model = keras.models.load_model(path)
                result["compiled"] = bool(getattr(model, "compiled", False))
            except Exception as error:
                if kind != "h5":
                    raise
                result["compile_error"] = _short(error)
                if strict:
                    failures.append("load_model(compile=True) failed")
                model = keras.models.load_model(path, compile=False)
                result["compiled"] = False
        result["max_abs_diff"] = _max_diff(_predict(model, xs), ys)
        if result["max_abs_diff"] > atol:
            failures.append(f"predictions differ by {result['max_abs_diff']:.3g} > {atol}")

        optimizer = getattr(model, "optimizer", None)
        if opt and optimizer is not None:
            got = [np.asarray(keras.ops.convert_to_numpy(v)) for v in optimizer.variables]
            same = len(got) == len(opt) and all(
                a.shape == b.shape and np.allclose(a, b, atol=atol) for a, b in zip(got, opt))
            result["optimizer_restored"] = bool(same)
            result["optimizer_variables"] = [len(got), len(opt)]
            if kind == "keras" and not same:
                failures.append(f"optimizer variables not restored ({len(got)} variables, file has {len(opt)})")
        elif opt and kind == "keras":
            result["optimizer_restored"] = False
            failures.append("the loaded model has no optimizer")

        want_eval = meta.get("evaluate")
        if want_eval and labels and result["compiled"]:
            t = labels[0] if len(labels) == 1 else dict(zip(model.output_names, labels))
            try:
                got_eval = model.evaluate(_model_input(xs), t, verbose=0, return_dict=True)
            except Exception as error:  # reported; a failure only with --strict
                result["evaluate_error"] = _short(error)
                if strict:
                    failures.append("evaluate failed")
            else:
                common = sorted(set(got_eval) & set(want_eval))
                result["evaluate_keys"] = sorted(got_eval)
                diff = max((abs(float(got_eval[k]) - float(want_eval[k])) for k in common), default=0.0)
                result["evaluate_max_abs_diff"] = diff
                if strict and (diff > 1e-4 or "loss" not in common):
                    failures.append(f"evaluate differs: {got_eval} vs {want_eval}")
    except Exception as error:  # one line per file, whatever went wrong
        failures.append(_short(error, 2000))
        result["traceback"] = traceback.format_exc(limit=3)
    result["ok"] = not failures
    result["error"] = "; ".join(failures) or None
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="folders of kerasnb files, or model files")
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--strict", action="store_true",
                        help="also fail when Keras cannot compile a .h5 file or its evaluate() differs")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    files = []
    for p in args.paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.iterdir() if q.suffix in (".keras", ".h5")))
        else:
            files.append(p)
    results = []
    for path in files:
        if _kind(path) is None:
            continue
        result = check_file(keras, path, args.atol, args.strict)
        result["keras_version"] = keras.__version__
        result["backend"] = keras.backend.backend()
        print(json.dumps(result, sort_keys=True), flush=True)
        results.append(result)
    if not results:
        print(json.dumps({"error": "no model files found", "paths": [str(p) for p in args.paths]}))
        return 2
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
