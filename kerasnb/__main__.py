"""``python -m kerasnb``: a one-minute tour of the engine.

It builds a two-layer network from ops and variables, trains it with ``GradientTape`` and plain gradient
descent on a small two-spirals problem, and checks the tape's gradients against finite differences.
"""

import time

import numpy as np

import kerasnb as keras
from kerasnb import ops
from kerasnb.datasets.toy import spirals


def main():
    keras.utils.set_random_seed(0)
    x, labels = spirals(200, noise=0.02, seed=0)
    y = ops.one_hot(labels, 2)
    rng = np.random.default_rng(0)
    w1 = keras.Variable(rng.normal(scale=0.5, size=(2, 64)), name="w1")
    b1 = keras.Variable(np.zeros(64), name="b1")
    w2 = keras.Variable(rng.normal(scale=0.2, size=(64, 2)), name="w2")
    b2 = keras.Variable(np.zeros(2), name="b2")
    params = [w1, b1, w2, b2]

    def forward(inputs):
        hidden = ops.tanh(inputs @ w1 + b1)
        return hidden @ w2 + b2

    print(f"kerasnb {keras.__version__} on {keras.config.backend()}: two spirals, {len(x)} points, "
          f"a 2-64-2 network ({sum(p.size for p in params)} parameters)")
    start = time.perf_counter()
    for step in range(1, 1501):
        with keras.GradientTape() as tape:
            loss = -ops.mean(ops.sum(y * ops.log_softmax(forward(x)), axis=-1))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(0.5 * g)
        if step in (1, 10, 100, 500, 1000, 1500):
            accuracy = float(ops.mean(ops.cast(ops.argmax(forward(x), axis=-1) == labels, "float32")))
            print(f"  step {step:5d}  loss {float(loss):.4f}  accuracy {accuracy:.3f}")
    print(f"trained in {time.perf_counter() - start:.1f} s")

    report = keras.testing.check_gradients(
        lambda a, w: ops.sum(ops.log_softmax(ops.tanh(a @ w)), axis=-1), x[:4].astype("float64"),
        rng.normal(size=(2, 3)),
    )
    print(f"gradient check against finite differences: {'passed' if report.ok else 'FAILED'} "
          f"(worst mismatch {report.max_error:.1e})")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
