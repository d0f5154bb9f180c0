"""Generate the Keras reference values that ``tests/test_optimizers.py`` and ``tests/test_schedules.py`` compare
kerasnb's optimizers and learning-rate schedules with.

Real Keras is never a dependency of kerasnb or of its tests: this script runs once, in a separate virtual
environment, and writes ``tests/reference/optimizers_reference.npz`` (the numbers) and
``tests/reference/optimizers_reference.json`` (the cases, configs and variable names), both committed. To
regenerate them::

    python -m venv .venv-keras && .venv-keras/bin/pip install keras torch
    KERAS_BACKEND=torch .venv-keras/bin/python tests/reference/make_optimizer_refs.py

(Keras and torch are imported inside ``main()`` only, so that pytest's ``--doctest-modules`` can import this file
in the kerasnb test environment, which has neither.)

**Optimizer cases.** Every case starts from the same two float32 variables ``w`` (2x2) and ``b`` (3,) and applies
the same three pairs of gradients with ``optimizer.apply_gradients``. The ``.npz`` holds the inputs once
(``inputs/w0``, ``inputs/b0``, ``inputs/gw`` of shape (3, 2, 2), ``inputs/gb`` of shape (3, 3)) and, per case
``NAME``:

* ``NAME/w``, ``NAME/b``: the variables after each step, shapes (3, 2, 2) and (3, 3);
* ``NAME/lr``: ``optimizer.learning_rate`` read before each step (a schedule's value at steps 0, 1, 2);
* ``NAME/state/<i>``: ``optimizer.variables[i]`` after the three steps (iterations, learning rate, slots);
* ``NAME/w_final``, ``NAME/b_final`` (EMA cases only): the variables after ``finalize_variable_values``.

The JSON file's ``"optimizers"`` list has one entry per case: ``name``, ``class_name``, ``kwargs`` (a
learning-rate schedule as its ``keras.optimizers.schedules.serialize`` dict, which ``from_config`` also accepts),
``variables`` (name, shape and dtype of each ``optimizer.variables`` entry) and ``config``
(``optimizer.get_config()``). ``"defaults"`` maps each optimizer class to ``Class().get_config()``.

**Schedule cases.** ``"schedules"`` lists ``{"name", "schedule": serialize(schedule), "steps"}``; the ``.npz``
entry ``schedules/NAME`` holds the schedule's float32 values at those steps, each step passed as an int32
tensor (the optimizer's ``iterations`` is an int32 variable under the torch backend).
"""

import io
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
OUT_NPZ = HERE / "optimizers_reference.npz"
OUT_JSON = HERE / "optimizers_reference.json"

W0 = np.array([[0.5, -1.2], [2.0, 0.3]], "float32")
B0 = np.array([0.1, -0.4, 0.0], "float32")
GW = np.array(
    [[[0.3, -0.7], [1.5, 0.02]], [[-0.2, 0.4], [0.9, -0.05]], [[0.6, 0.1], [-1.1, 0.3]]],
    "float32",
)
GB = np.array([[2.0, -0.5, 0.0], [1.0, 0.25, -3.0], [-0.5, 0.75, 1.0]], "float32")


def schedule(class_name, **config):
    """A learning-rate schedule written as the dict ``keras.optimizers.schedules.serialize`` returns."""
    return {"module": "keras.optimizers.schedules", "class_name": class_name, "config": config, "registered_name": None}


OPTIMIZER_CASES = [
    # The update rules: each optimizer at its defaults, at a learning rate that moves the weights visibly, and
    # with its other hyperparameters changed (amsgrad, nesterov, centered, ...).
    ("sgd", "SGD", {"learning_rate": 0.1}),
    ("sgd_momentum", "SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("adam_defaults", "Adam", {}),
    ("adam", "Adam", {"learning_rate": 0.01}),
    ("adam_amsgrad", "Adam", {"learning_rate": 0.01, "amsgrad": True, "beta_1": 0.8, "beta_2": 0.95}),
    ("adam_betas_epsilon", "Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-3}),
    ("rmsprop", "RMSprop", {"learning_rate": 0.01}),
    ("rmsprop_momentum", "RMSprop", {"learning_rate": 0.01, "momentum": 0.5}),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("rmsprop_centered_momentum_rho", "RMSprop",
     {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True}),
    ("adagrad_defaults", "Adagrad", {}),
    ("adagrad", "Adagrad", {"learning_rate": 0.1}),
    ("adagrad_accumulator_epsilon", "Adagrad",
     {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
    ("adadelta_defaults", "Adadelta", {}),
    ("adadelta", "Adadelta", {"learning_rate": 1.0}),
    ("adadelta_rho_epsilon", "Adadelta", {"learning_rate": 1.0, "rho": 0.8, "epsilon": 1e-4}),
    ("adamw_defaults", "AdamW", {}),
    ("adamw", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("adamw_amsgrad", "AdamW",
     {"learning_rate": 0.01, "weight_decay": 0.05, "amsgrad": True, "beta_1": 0.8, "beta_2": 0.95}),
    ("adamax_defaults", "Adamax", {}),
    ("adamax", "Adamax", {"learning_rate": 0.01}),
    ("adamax_betas_epsilon", "Adamax", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-3}),
    ("nadam_defaults", "Nadam", {}),
    ("nadam", "Nadam", {"learning_rate": 0.01}),
    ("nadam_betas_epsilon", "Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-3}),
    ("ftrl_defaults", "Ftrl", {}),
    ("ftrl", "Ftrl", {"learning_rate": 0.1}),
    ("ftrl_l1_l2", "Ftrl", {"learning_rate": 0.1, "l1_regularization_strength": 0.05,
                            "l2_regularization_strength": 0.1}),
    ("ftrl_all", "Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7, "initial_accumulator_value": 0.2,
                          "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
                          "l2_shrinkage_regularization_strength": 0.03, "beta": 0.5}),
    ("ftrl_power_zero", "Ftrl", {"learning_rate": 0.1, "learning_rate_power": 0.0}),
    ("lion_defaults", "Lion", {}),
    ("lion", "Lion", {"learning_rate": 0.01}),
    ("lion_betas", "Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
    # Gradient clipping.
    ("sgd_clipnorm", "SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("sgd_clipvalue", "SGD", {"learning_rate": 0.1, "clipvalue": 0.4}),
    ("sgd_global_clipnorm", "SGD", {"learning_rate": 0.1, "global_clipnorm": 1.0}),
    ("adam_clipnorm", "Adam", {"learning_rate": 0.01, "clipnorm": 0.5}),
    ("adagrad_clipvalue", "Adagrad", {"learning_rate": 0.1, "clipvalue": 0.4}),
    ("rmsprop_global_clipnorm", "RMSprop", {"learning_rate": 0.01, "global_clipnorm": 1.0}),
    ("ftrl_clipnorm", "Ftrl", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("nadam_clipvalue", "Nadam", {"learning_rate": 0.01, "clipvalue": 0.4}),
    ("adamax_global_clipnorm", "Adamax", {"learning_rate": 0.01, "global_clipnorm": 1.0}),
    # Decoupled weight decay.
    ("adam_weight_decay", "Adam", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("sgd_momentum_weight_decay_global_clipnorm", "SGD",
     {"learning_rate": 0.1, "momentum": 0.5, "weight_decay": 0.05, "global_clipnorm": 2.0}),
    ("adagrad_weight_decay", "Adagrad", {"learning_rate": 0.1, "weight_decay": 0.2}),
    ("adadelta_weight_decay", "Adadelta", {"learning_rate": 1.0, "weight_decay": 0.1}),
    ("nadam_weight_decay", "Nadam", {"learning_rate": 0.01, "weight_decay": 0.3}),
    ("lion_weight_decay", "Lion", {"learning_rate": 0.01, "weight_decay": 0.5}),
    ("ftrl_weight_decay", "Ftrl", {"learning_rate": 0.1, "weight_decay": 0.2}),
    # A learning-rate schedule instead of a fixed rate (it is called with the step count before each step).
    ("sgd_exponential_decay", "SGD", {"learning_rate": schedule(
        "ExponentialDecay", initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5)}),
    ("adam_cosine_decay", "Adam", {"learning_rate": schedule(
        "CosineDecay", initial_learning_rate=0.05, decay_steps=2, alpha=0.1)}),
    ("adamw_piecewise_constant", "AdamW", {"weight_decay": 0.1, "learning_rate": schedule(
        "PiecewiseConstantDecay", boundaries=[0, 1], values=[0.1, 0.05, 0.01])}),
    ("rmsprop_polynomial_decay", "RMSprop", {"learning_rate": schedule(
        "PolynomialDecay", initial_learning_rate=0.01, decay_steps=2, end_learning_rate=0.001, power=2.0)}),
    ("nadam_inverse_time_decay", "Nadam", {"learning_rate": schedule(
        "InverseTimeDecay", initial_learning_rate=0.01, decay_steps=1, decay_rate=0.5)}),
    ("lion_cosine_decay_restarts", "Lion", {"learning_rate": schedule(
        "CosineDecayRestarts", initial_learning_rate=0.01, first_decay_steps=1)}),
    ("adagrad_cosine_warmup", "Adagrad", {"learning_rate": schedule(
        "CosineDecay", initial_learning_rate=0.0, decay_steps=2, warmup_target=0.1, warmup_steps=1)}),
    # Exponential moving average of the weights.
    ("adam_ema", "Adam", {"learning_rate": 0.01, "use_ema": True}),
    ("sgd_ema_overwrite", "SGD", {"learning_rate": 0.1, "momentum": 0.5, "use_ema": True, "ema_momentum": 0.9,
                                  "ema_overwrite_frequency": 2}),
    ("rmsprop_ema_overwrite_every_step", "RMSprop",
     {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 1}),
    ("nadam_ema", "Nadam", {"learning_rate": 0.01, "use_ema": True, "ema_momentum": 0.8}),
]  # fmt: skip

SCHEDULE_STEPS = list(range(61)) + [75, 100, 250, 1000, 12345]

SCHEDULE_CASES = [
    ("exponential_decay", schedule("ExponentialDecay", initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5)),
    ("exponential_decay_staircase", schedule("ExponentialDecay", initial_learning_rate=0.1, decay_steps=7,
                                             decay_rate=0.96, staircase=True)),
    ("exponential_growth", schedule("ExponentialDecay", initial_learning_rate=1e-4, decay_steps=100,
                                    decay_rate=1.5)),
    ("inverse_time_decay", schedule("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5)),
    ("inverse_time_decay_staircase", schedule("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=4,
                                              decay_rate=2.0, staircase=True)),
    ("piecewise_constant", schedule("PiecewiseConstantDecay", boundaries=[10, 20, 35], values=[1.0, 0.5, 0.1, 0.01])),
    ("piecewise_constant_one_boundary", schedule("PiecewiseConstantDecay", boundaries=[3], values=[0.2, 0.02])),
    ("polynomial_decay", schedule("PolynomialDecay", initial_learning_rate=0.1, decay_steps=20)),
    ("polynomial_decay_sqrt", schedule("PolynomialDecay", initial_learning_rate=0.1, decay_steps=30,
                                       end_learning_rate=0.01, power=0.5)),
    ("polynomial_decay_cycle", schedule("PolynomialDecay", initial_learning_rate=0.1, decay_steps=8,
                                        end_learning_rate=0.01, power=2.0, cycle=True)),
    ("cosine_decay", schedule("CosineDecay", initial_learning_rate=0.1, decay_steps=20)),
    ("cosine_decay_alpha", schedule("CosineDecay", initial_learning_rate=0.1, decay_steps=25, alpha=0.1)),
    ("cosine_decay_warmup", schedule("CosineDecay", initial_learning_rate=0.0, decay_steps=20, warmup_target=0.2,
                                     warmup_steps=5)),
    ("cosine_decay_warmup_alpha", schedule("CosineDecay", initial_learning_rate=0.01, decay_steps=30, alpha=0.2,
                                           warmup_target=0.1, warmup_steps=10)),
    ("cosine_decay_restarts", schedule("CosineDecayRestarts", initial_learning_rate=0.1, first_decay_steps=5)),
    ("cosine_decay_restarts_t_mul_1", schedule("CosineDecayRestarts", initial_learning_rate=0.1,
                                               first_decay_steps=6, t_mul=1.0, m_mul=0.5, alpha=0.1)),
    ("cosine_decay_restarts_t_mul_1_5", schedule("CosineDecayRestarts", initial_learning_rate=0.1,
                                                 first_decay_steps=4, t_mul=1.5, m_mul=0.8, alpha=0.05)),
]  # fmt: skip


def main():
    import keras
    import torch

    if keras.backend.backend() != "torch":
        sys.exit("Run with KERAS_BACKEND=torch (see the docstring at the top of this file).")
    optimizers = keras.optimizers

    def make_optimizer(class_name, kwargs):
        kwargs = dict(kwargs)
        if isinstance(kwargs.get("learning_rate"), dict):
            kwargs["learning_rate"] = optimizers.schedules.deserialize(kwargs["learning_rate"])
        return getattr(optimizers, class_name)(**kwargs)

    def numpy(x):
        return np.asarray(keras.ops.convert_to_numpy(x))

    store = {"inputs/w0": W0, "inputs/b0": B0, "inputs/gw": GW, "inputs/gb": GB}
    optimizer_entries = []
    for name, class_name, kwargs in OPTIMIZER_CASES:
        opt = make_optimizer(class_name, kwargs)
        w = keras.Variable(W0, name="w")
        b = keras.Variable(B0, name="b")
        ws, bs, lrs = [], [], []
        for gw, gb in zip(GW, GB):
            lrs.append(numpy(opt.learning_rate))
            opt.apply_gradients([(keras.ops.convert_to_tensor(gw), w), (keras.ops.convert_to_tensor(gb), b)])
            ws.append(numpy(w))
            bs.append(numpy(b))
        store[f"{name}/w"] = np.stack(ws)
        store[f"{name}/b"] = np.stack(bs)
        store[f"{name}/lr"] = np.array(lrs, "float32")
        for i, v in enumerate(opt.variables):
            store[f"{name}/state/{i}"] = numpy(v)
        if opt.use_ema:
            opt.finalize_variable_values([w, b])
            store[f"{name}/w_final"] = numpy(w)
            store[f"{name}/b_final"] = numpy(b)
        config = opt.get_config()
        if isinstance(config["learning_rate"], dict):  # the schedule, with all of its arguments
            kwargs = {**kwargs, "learning_rate": config["learning_rate"]}
        optimizer_entries.append({
            "name": name,
            "class_name": class_name,
            "kwargs": kwargs,
            "variables": [{"name": v.name, "shape": list(v.shape), "dtype": str(v.dtype)} for v in opt.variables],
            "config": config,
        })  # fmt: skip

    defaults = {}
    for class_name in sorted({c for _, c, _ in OPTIMIZER_CASES}):
        defaults[class_name] = getattr(optimizers, class_name)().get_config()

    schedule_entries = []
    for name, serialized in SCHEDULE_CASES:
        sched = optimizers.schedules.deserialize(serialized)
        values = [numpy(sched(keras.ops.convert_to_tensor(step, dtype="int32"))) for step in SCHEDULE_STEPS]
        store[f"schedules/{name}"] = np.array(values, "float32")
        # serialize() adds the arguments left at their defaults (the schedule's `name`, ...)
        serialized = optimizers.schedules.serialize(sched)
        schedule_entries.append({"name": name, "schedule": serialized, "steps": SCHEDULE_STEPS})

    meta = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "generator": "tests/reference/make_optimizer_refs.py",
    }
    document = {"meta": meta, "optimizers": optimizer_entries, "defaults": defaults, "schedules": schedule_entries}
    OUT_JSON.write_text(json.dumps(document, indent=1) + "\n")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **store)
    OUT_NPZ.write_bytes(buffer.getvalue())
    print(
        f"wrote {len(optimizer_entries)} optimizer cases and {len(schedule_entries)} schedule cases: "
        f"{len(store)} arrays, {OUT_NPZ.stat().st_size / 1024:.1f} KiB to {OUT_NPZ.name}, "
        f"{OUT_JSON.stat().st_size / 1024:.1f} KiB to {OUT_JSON.name}"
    )


if __name__ == "__main__":
    main()
