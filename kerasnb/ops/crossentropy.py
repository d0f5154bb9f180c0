"""Cross-entropies as single ops: ``binary_crossentropy``, ``categorical_crossentropy`` and
``sparse_categorical_crossentropy`` (``keras.ops.nn`` has them under these names).

Each is one forward and one backward rather than the chain of divide, clip, log, multiply and sum it is
mathematically: the loss is computed on every training step, and the chain cost more than the network itself in
a small MLP's step. The gradients are the chain's, written out (checked against finite differences and against
the chain in the tests). The loss functions in :mod:`kerasnb.losses` call these after shaping their arguments.

Probabilities are clipped to ``[epsilon, 1 - epsilon]`` before the log, as in Keras, and the gradient passes only
where the probability was inside that range (as through ``clip``). Logits are never clipped: the log-softmax and
the logistic loss are computed in forms that cannot overflow.
"""

from kerasnb import config
from kerasnb.engine.autograd import Op
from kerasnb.engine.tensor import convert_to_tensor
from kerasnb.ops._helpers import float_tensor, log_softmax_array
from kerasnb.ops.math import cast


class BinaryCrossentropy(Op):
    """Probabilities: p = clip(y, ε, 1 − ε);  loss = −(t·log p + (1 − t)·log(1 − p))
        dy = dl·((1 − t)/(1 − p) − t/p) where ε ≤ y ≤ 1 − ε, else 0;  dt = dl·(log(1 − p) − log p)
    Logits x: loss = max(x, 0) − x·t + log(1 + e^−|x|)  (= the above for p = σ(x), without forming p)
        dx = dl·(σ(x) − t);  dt = −dl·x

    log(1 − p) is ``log1p(−p)``, which keeps the digits ``1 − p`` rounds away for small p."""

    def __init__(self, from_logits, epsilon):
        self.from_logits, self.epsilon = from_logits, epsilon

    def forward(self, t, y):
        xp = self.xp
        self.t, self.y = t, y
        if self.from_logits:
            loss = xp.maximum(y, 0) - y * t
            loss += xp.log1p(xp.exp(-xp.abs(y)))
            return loss
        eps = self.epsilon
        self.inside = (y >= eps) & (y <= 1 - eps)
        self.p = xp.clip(y, eps, 1 - eps)
        self.log_p, self.log_q = xp.log(self.p), xp.log1p(-self.p)
        return -(t * self.log_p + (1 - t) * self.log_q)

    def backward(self, dl):
        xp, t, y = self.xp, self.t, self.y
        needs_t, needs_y = self.needs_input_grad
        if self.from_logits:
            dt = -dl * y if needs_t else None
            if needs_y:
                # σ(x) in the form that cannot overflow (see kerasnb.ops.nn._sigmoid for the float32 range).
                from kerasnb.ops.nn import _sigmoid

                return dt, dl * (_sigmoid(xp, y) - t)
            return dt, None
        dt = dl * (self.log_q - self.log_p) if needs_t else None
        dy = None
        if needs_y:
            p = self.p
            dy = dl * ((1 - t) / (1 - p) - t / p)
            dy *= self.inside
        return dt, dy


class CategoricalCrossentropy(Op):
    """Probabilities y: q = y / Σy,  p = clip(q, ε, 1 − ε),  loss = −Σ t·log p   (sums over ``axis``)
        g = −dl·t/p where ε ≤ q ≤ 1 − ε (else 0);  dy = (g − Σ g·q) / Σy;  dt = −dl·log p
    Logits z: log p = log_softmax(z),  loss = −Σ t·log p
        dz = dl·(softmax(z)·Σt − t);  dt = −dl·log p"""

    def __init__(self, from_logits, axis, epsilon):
        self.from_logits, self.axis, self.epsilon = from_logits, axis, epsilon

    def forward(self, t, y):
        xp, axis = self.xp, self.axis
        self.t = t
        if self.from_logits:
            self.log_p = log_softmax_array(xp, y, axis)
        else:
            eps = self.epsilon
            self.total = y.sum(axis=axis, keepdims=True)
            self.q = y / self.total
            self.inside = (self.q >= eps) & (self.q <= 1 - eps)
            self.p = xp.clip(self.q, eps, 1 - eps)
            self.log_p = xp.log(self.p)
        return -(t * self.log_p).sum(axis=axis)

    def backward(self, dl):
        xp, axis, t = self.xp, self.axis, self.t
        dl = xp.expand_dims(dl, axis)
        needs_t, needs_y = self.needs_input_grad
        dt = -dl * self.log_p if needs_t else None
        if not needs_y:
            return dt, None
        if self.from_logits:
            dy = xp.exp(self.log_p) * t.sum(axis=axis, keepdims=True)
            dy -= t
            dy *= dl
            return dt, dy
        g = -dl * t / self.p
        g *= self.inside
        dy = g - (g * self.q).sum(axis=axis, keepdims=True)
        dy /= self.total
        return dt, dy


class SparseCategoricalCrossentropy(Op):
    """Integer labels k (one per sample), classes on the last axis:
    Probabilities y: p = clip(y_k / Σy, ε, 1 − ε),  loss = −log p
        g = −dl/p where ε ≤ y_k/Σy ≤ 1 − ε (else 0);  dy_j = g·([j = k] − y_k/Σy) / Σy
    Logits z: loss = −log_softmax(z)_k;  dz = dl·(softmax(z) − onehot(k))
    The labels get no gradient."""

    def __init__(self, from_logits, epsilon):
        self.from_logits, self.epsilon = from_logits, epsilon

    def forward(self, labels, y):
        xp = self.xp
        self.rows = xp.arange(labels.size)
        self.flat_labels = labels.reshape(-1)
        classes = y.reshape(-1, y.shape[-1])
        if self.from_logits:
            self.log_p = log_softmax_array(xp, classes, -1)
            picked = self.log_p[self.rows, self.flat_labels]
        else:
            eps = self.epsilon
            self.total = classes.sum(axis=-1)
            self.q = classes[self.rows, self.flat_labels] / self.total
            self.inside = (self.q >= eps) & (self.q <= 1 - eps)
            self.p = xp.clip(self.q, eps, 1 - eps)
            picked = xp.log(self.p)
        self.shape = y.shape
        return -picked.reshape(labels.shape)

    def backward(self, dl):
        if not self.needs_input_grad[1]:
            return None, None
        xp, rows, labels = self.xp, self.rows, self.flat_labels
        dl = dl.reshape(-1)
        if self.from_logits:
            dy = xp.exp(self.log_p)
            dy *= dl[:, None]
            dy[rows, labels] -= dl
        else:
            g = -dl / self.p * self.inside / self.total
            dy = xp.broadcast_to((-g * self.q)[:, None], (rows.size, self.shape[-1])).copy()
            dy[rows, labels] += g
        return None, dy.reshape(self.shape)


def _same_shape(fn_name, target, output):
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"{fn_name}: `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy between labels in [0, 1] and probabilities (or logits) of label 1.

    ``-(target * log(p) + (1 - target) * log(1 - p))`` with ``p = clip(output, epsilon, 1 - epsilon)``, or
    ``p = sigmoid(output)`` (exact, unclipped) with ``from_logits=True``. No mean is taken: the loss
    ``keras.losses.binary_crossentropy`` averages this over the last axis.

    Example:
        >>> kerasnb.ops.binary_crossentropy([0.0, 1.0], [0.2, 0.9])
        <Tensor shape=(2,) dtype=float32 numpy=[0.22314356 0.10536055]>
    """
    output = float_tensor(output)
    target = cast(convert_to_tensor(target), output.dtype)
    _same_shape("binary_crossentropy", target, output)
    return BinaryCrossentropy(bool(from_logits), config.epsilon())(target, output)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between one-hot (or soft) labels and class probabilities (or logits) along ``axis``.

    ``-sum(target * log(p), axis)`` with ``p = clip(output / sum(output, axis), epsilon, 1 - epsilon)``, or
    ``log p = log_softmax(output)`` with ``from_logits=True``.

    Example:
        >>> kerasnb.ops.categorical_crossentropy([[0.0, 1.0]], [[0.25, 0.75]])
        <Tensor shape=(1,) dtype=float32 numpy=[0.2876821]>
    """
    output = float_tensor(output)
    target = cast(convert_to_tensor(target), output.dtype)
    _same_shape("categorical_crossentropy", target, output)
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy: `output` needs a class axis; received a scalar.")
    axis = axis % output.ndim if isinstance(axis, int) and -output.ndim <= axis < output.ndim else None
    if axis is None:
        raise ValueError(f"categorical_crossentropy: `axis` must be an axis of `output` (rank {output.ndim}).")
    return CategoricalCrossentropy(bool(from_logits), axis, config.epsilon())(target, output)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between integer class labels and class probabilities (or logits) along ``axis``: the same
    as :func:`categorical_crossentropy` with one-hot labels, without making them.

    ``target`` has ``output``'s shape without the class axis (a trailing size-1 axis is dropped). Labels must be
    in ``[0, num_classes)``.

    Example:
        >>> kerasnb.ops.sparse_categorical_crossentropy([1], [[0.25, 0.75]])
        <Tensor shape=(1,) dtype=float32 numpy=[0.2876821]>
    """
    from kerasnb.ops.shaping import moveaxis

    output = float_tensor(output)
    target = convert_to_tensor(target)
    if output.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy: `output` needs a class axis; received a scalar.")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = convert_to_tensor(target.data.reshape(target.shape[:-1]))
    if axis != -1 and axis != output.ndim - 1:
        output = moveaxis(output, axis, -1)
    if tuple(target.shape) != tuple(output.shape[:-1]):
        raise ValueError("sparse_categorical_crossentropy: `target` must have the shape of `output` without its "
                         f"class axis. Received: target.shape={tuple(target.shape)}, "
                         f"output.shape={tuple(output.shape)}")
    labels = target.data
    if labels.dtype.kind not in "iu":
        labels = labels.astype("int32")
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= output.shape[-1]):
        bad = int(labels.min()) if int(labels.min()) < 0 else int(labels.max())
        raise ValueError(f"sparse_categorical_crossentropy: label {bad} is outside [0, {output.shape[-1]}), the "
                         "classes of `output`.")
    return SparseCategoricalCrossentropy(bool(from_logits), config.epsilon())(convert_to_tensor(labels), output)


__all__ = ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]
