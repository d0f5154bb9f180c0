"""Check autograd against finite differences — the test every op and layer in kerasnb passes.

The function's output is reduced to a scalar with fixed random weights, ``L = Σ w·f(x)``, so that every
element of the output (not just their sum) takes part. Then for every element of every floating input, in
float64, the central difference ``(L(x + ε) − L(x − ε)) / 2ε`` is compared with the gradient the tape gives.
"""

import numpy as np

from kerasnb.engine import arrays
from kerasnb.engine.autograd import GradientTape
from kerasnb.engine.tensor import Tensor


class GradientCheckReport:
    """What :func:`check_gradients` found.

    Attributes:
        ok: whether every gradient element was within tolerance.
        max_error: the largest ``|analytic − numeric|`` found.
        worst: ``(input_index, element_index, analytic, numeric)`` for the worst element, or ``None``.
        analytic, numeric: lists of the full gradients (NumPy arrays), one per input (``None`` for inputs
            that were not checked, e.g. integer inputs).
    """

    def __init__(self, ok, max_error, worst, analytic, numeric):
        self.ok, self.max_error, self.worst = ok, max_error, worst
        self.analytic, self.numeric = analytic, numeric

    def __repr__(self):
        if self.worst is None:
            return "GradientCheckReport(ok=True, no floating inputs were checked)"
        i, idx, a, n = self.worst
        return (
            f"GradientCheckReport(ok={self.ok}, worst mismatch {self.max_error:.3g} at input {i}, "
            f"index {idx}: analytic {a:.8g} vs numeric {n:.8g})"
        )


def check_gradients(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_on_failure=True, seed=0):
    """Compare ``GradientTape`` gradients of ``fn`` with central finite differences, in float64.

    Args:
        fn: a function of tensors returning a tensor (or a list of tensors).
        *inputs: the points to check at (arrays, lists or tensors). Floating inputs are cast to float64 and
            checked; integer inputs are passed through unchanged.
        eps: the finite-difference step.
        atol, rtol: an element passes when ``|analytic − numeric| <= atol + rtol·|numeric|``.
        raise_on_failure: raise ``AssertionError`` listing the worst elements when the check fails.
        seed: the seed of the random output weights.

    Returns:
        A :class:`GradientCheckReport`.

    Avoid points where ``fn`` has a kink (ReLU at 0, ties in max, abs at 0): there the two methods
    legitimately disagree.

    Example:
        >>> import kerasnb as keras
        >>> keras.testing.check_gradients(lambda a, b: a @ b, np.ones((2, 3)), np.ones((3, 2))).ok
        True
    """
    points = []
    for x in inputs:
        a = arrays.to_numpy(x.data) if isinstance(x, Tensor) else np.asarray(x)
        if a.dtype.kind == "f":
            a = a.astype(np.float64)
        points.append(a)
    checked = [i for i, a in enumerate(points) if a.dtype.kind == "f"]

    outputs = _as_list(fn(*[Tensor(arrays.to_backend(a)) for a in points]))
    rng = np.random.default_rng(seed)
    weights = [rng.uniform(0.5, 1.5, size=np.shape(o.data)) * rng.choice([-1.0, 1.0], size=np.shape(o.data))
               for o in outputs]

    def scalar(values):
        outs = _as_list(fn(*[Tensor(arrays.to_backend(a)) for a in values]))
        return sum(float(np.sum(arrays.to_numpy(o.data).astype(np.float64) * w)) for o, w in zip(outs, weights))

    # Analytic: one backward pass seeded with the weights.
    tensors = [Tensor(arrays.to_backend(a)) for a in points]
    with GradientTape() as tape:
        tape.watch([tensors[i] for i in checked])
        outs = _as_list(fn(*tensors))
    grads = tape.gradient(
        outs, [tensors[i] for i in checked],
        output_gradients=[arrays.to_backend(w.astype(o.dtype)) for o, w in zip(outs, weights)],
        unconnected_gradients="zero",
    )
    analytic = [None] * len(points)
    for i, g in zip(checked, grads):
        analytic[i] = arrays.to_numpy(g.data).astype(np.float64)

    # Numeric: central differences, one element at a time.
    numeric = [None] * len(points)
    for i in checked:
        num = np.zeros_like(points[i])
        flat = num.reshape(-1)
        for k in range(points[i].size):
            shifted = [a.copy() for a in points]
            shifted[i].reshape(-1)[k] += eps
            up = scalar(shifted)
            shifted[i].reshape(-1)[k] -= 2 * eps
            down = scalar(shifted)
            flat[k] = (up - down) / (2 * eps)
        numeric[i] = num

    ok, max_error, worst, failures = True, 0.0, None, []
    for i in checked:
        a, n = analytic[i], numeric[i]
        if a.size == 0:
            continue
        diff = np.abs(a - n)
        bad = diff > atol + rtol * np.abs(n)
        k = int(np.argmax(diff))
        idx = np.unravel_index(k, a.shape)
        if diff.reshape(-1)[k] >= max_error:
            max_error = float(diff.reshape(-1)[k])
            worst = (i, tuple(int(j) for j in idx), float(a.reshape(-1)[k]), float(n.reshape(-1)[k]))
        if bad.any():
            ok = False
            for flat_k in np.flatnonzero(bad)[:5]:
                j = tuple(int(v) for v in np.unravel_index(flat_k, a.shape))
                failures.append(f"  input {i} index {j}: analytic {a[j]:.10g}  numeric {n[j]:.10g}")
    report = GradientCheckReport(ok, max_error, worst, analytic, numeric)
    if not ok and raise_on_failure:
        raise AssertionError(
            f"Gradient check failed (atol={atol}, rtol={rtol}); worst mismatch {max_error:.3g}.\n"
            + "\n".join(failures)
        )
    return report


def _as_list(out):
    if isinstance(out, (list, tuple)):
        return list(out)
    return [out]
