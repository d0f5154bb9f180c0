"""Activation functions, as ``keras.activations``: the nonlinearities layers apply to their outputs.

Each is a thin wrapper over :mod:`kerasnb.ops` (where the forward and backward of each op are written out), with
Keras's argument names and defaults — note ``gelu`` here is exact by default, as ``keras.activations.gelu``,
while ``kerasnb.ops.gelu`` approximates by default, as ``keras.ops.gelu``.

Layers take an activation by name: ``Dense(10, activation="relu")`` calls :func:`get`, which also accepts
``None`` (meaning :func:`linear`) and any callable.
"""

import warnings

from kerasnb import _lookup, config, ops


def _float_tensor(x):
    """``x`` as a tensor with a float dtype (integer inputs become ``floatx()``, as the ops do)."""
    x = ops.convert_to_tensor(x)
    return x if x.dtype.kind == "f" else ops.cast(x, config.floatx())


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit; with the defaults, ``max(x, 0)``.

    The options follow Keras: values above ``threshold`` pass through (capped at ``max_value``), values below it
    become ``negative_slope * (x - threshold)``.

    Example:
        >>> x = [-10.0, -5.0, 0.0, 5.0, 10.0]
        >>> keras.activations.relu(x)
        <Tensor shape=(5,) dtype=float32 numpy=[ 0.  0.  0.  5. 10.]>
        >>> keras.activations.relu(x, negative_slope=0.5)
        <Tensor shape=(5,) dtype=float32 numpy=[-5.  -2.5  0.   5.  10. ]>
        >>> keras.activations.relu(x, max_value=5.0)
        <Tensor shape=(5,) dtype=float32 numpy=[0. 0. 0. 5. 5.]>
        >>> keras.activations.relu(x, threshold=5.0)
        <Tensor shape=(5,) dtype=float32 numpy=[ 0.  0.  0.  0. 10.]>
    """
    x = _float_tensor(x)
    # Transcribed from Keras's ReLU.static_call, branch for branch, so the edge cases agree.
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return ops.leaky_relu(x, negative_slope=negative_slope)
        negative_part = ops.relu(threshold - x)
    clip_max = max_value is not None
    if threshold != 0:
        x = ops.where(x > threshold, x, 0.0)
    elif max_value == 6:
        x = ops.relu6(x)
        clip_max = False
    else:
        x = ops.relu(x)
    if clip_max:
        x = ops.clip(x, 0.0, max_value)
    if negative_slope != 0.0:
        x = x - negative_slope * negative_part
    return x


def leaky_relu(x, negative_slope=0.2):
    """``x`` for positive x, ``negative_slope * x`` otherwise.

    Example:
        >>> keras.activations.leaky_relu([-1.0, 2.0])
        <Tensor shape=(2,) dtype=float32 numpy=[-0.2  2. ]>
    """
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``.

    Example:
        >>> keras.activations.relu6([-1.0, 3.0, 9.0])
        <Tensor shape=(3,) dtype=float32 numpy=[0. 3. 6.]>
    """
    return ops.relu6(x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``, squashing any value into (0, 1).

    Example:
        >>> keras.activations.sigmoid([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.5]>
    """
    x = _float_tensor(x)
    output = ops.sigmoid(x)
    # Keras remembers the logits, so a crossentropy loss can work from them (more accurate than from the
    # probabilities) even when the model ends in a sigmoid.
    output._keras_logits = x
    return output


def softmax(x, axis=-1):
    """``exp(x) / sum(exp(x))`` along ``axis``: positive values that sum to 1 (class probabilities).

    Example:
        >>> keras.activations.softmax([[1.0, 1.0, 1.0, 1.0]])
        <Tensor shape=(1, 4) dtype=float32 numpy=[[0.25 0.25 0.25 0.25]]>
    """
    x = _float_tensor(x)
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        # A classic mistake (Dense(1, activation="softmax")): the output is then always exactly 1.
        warnings.warn(
            f"softmax over axis {axis} of a tensor of shape {x.shape}: that axis has size 1, so the output is "
            "always 1.0. For a single yes/no output use 'sigmoid' instead.",
            UserWarning,
            stacklevel=2,
        )
    output = ops.softmax(x, axis=axis)
    output._keras_logits = x  # as in sigmoid: lets crossentropy use the logits
    return output


def log_softmax(x, axis=-1):
    """``log(softmax(x))`` along ``axis``, computed stably as ``x - logsumexp(x)``.

    Example:
        >>> keras.activations.log_softmax([0.0, 0.0])
        <Tensor shape=(2,) dtype=float32 numpy=[-0.6931472 -0.6931472]>
    """
    return ops.log_softmax(x, axis=axis)


def tanh(x):
    """Hyperbolic tangent, ``(exp(x) - exp(-x)) / (exp(x) + exp(-x))``, in (-1, 1).

    Example:
        >>> keras.activations.tanh([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.]>
    """
    return ops.tanh(_float_tensor(x))


def linear(x):
    """The identity: returns ``x`` unchanged (the activation of a layer given ``activation=None``).

    Example:
        >>> keras.activations.linear(3.0)
        3.0
    """
    return x


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for positive x, ``alpha * (exp(x) - 1)`` otherwise.

    Example:
        >>> keras.activations.elu([-1.0, 1.0])
        <Tensor shape=(2,) dtype=float32 numpy=[-0.63212055  1.        ]>
    """
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled ELU, ``scale * elu(x, alpha)`` with α ≈ 1.6733 and scale ≈ 1.0507 (pair it with ``lecun_normal``).

    Example:
        >>> keras.activations.selu([0.0, 1.0])
        <Tensor shape=(2,) dtype=float32 numpy=[0.       1.050701]>
    """
    return ops.selu(x)


def gelu(x, approximate=False):
    """Gaussian error linear unit, ``x * Φ(x)`` (``0.5 x (1 + erf(x / √2))``); ``approximate=True`` uses tanh.

    Example:
        >>> keras.activations.gelu([0.0, 1.0])
        <Tensor shape=(2,) dtype=float32 numpy=[0.        0.8413447]>
    """
    return ops.gelu(x, approximate=approximate)


def silu(x):
    """Sigmoid linear unit (swish), ``x * sigmoid(x)``.

    Example:
        >>> keras.activations.silu([0.0, 1.0])
        <Tensor shape=(2,) dtype=float32 numpy=[0.        0.7310586]>
    """
    return ops.silu(x)


swish = silu


def softplus(x):
    """``log(1 + exp(x))``, a smooth ReLU.

    Example:
        >>> keras.activations.softplus([0.0])
        <Tensor shape=(1,) dtype=float32 numpy=[0.6931472]>
    """
    return ops.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``.

    Example:
        >>> keras.activations.softsign([1.0, -3.0])
        <Tensor shape=(2,) dtype=float32 numpy=[ 0.5  -0.75]>
    """
    return ops.softsign(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``0`` for x ≤ -3, ``1`` for x ≥ 3, ``x / 6 + 0.5`` between.

    Example:
        >>> keras.activations.hard_sigmoid([-4.0, 0.0, 4.0])
        <Tensor shape=(3,) dtype=float32 numpy=[0.  0.5 1. ]>
    """
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """Hard swish, ``x * hard_sigmoid(x)``.

    Example:
        >>> keras.activations.hard_silu([-4.0, 1.0, 4.0])
        <Tensor shape=(3,) dtype=float32 numpy=[-0.         0.6666667  4.       ]>
    """
    return ops.hard_silu(x)


hard_swish = hard_silu


def mish(x):
    """Mish, ``x * tanh(softplus(x))``: smooth like swish, slightly negative for negative x.

    Built from :func:`kerasnb.ops.softplus` and :func:`kerasnb.ops.tanh`, so its gradient comes from theirs;
    both are stable for any x (``softplus`` never overflows), so ``mish`` is too.

    Example:
        >>> keras.activations.mish([-1.0, 0.0, 1.0])
        <Tensor shape=(3,) dtype=float32 numpy=[-0.30340147  0.          0.8650984 ]>
    """
    x = _float_tensor(x)
    return x * ops.tanh(ops.softplus(x))


def exponential(x):
    """``exp(x)``.

    Example:
        >>> keras.activations.exponential([0.0, 2.0])  # the last digit depends on the platform's exp
        <Tensor shape=(2,) dtype=float32 numpy=[1.        7.38905...]>
    """
    return ops.exp(_float_tensor(x))


# Name -> function, for get()/deserialize(). Each function's own name first: serialize() uses it.
ALL_OBJECTS_DICT = {
    fn.__name__: fn
    for fn in (
        relu, leaky_relu, relu6, sigmoid, softmax, log_softmax, tanh, linear, elu, selu, gelu, silu, softplus,
        softsign, hard_sigmoid, hard_silu, exponential, mish,
    )
}  # fmt: skip
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu


def serialize(activation):
    """The name of an activation function (what a layer's ``get_config`` stores).

    Built-in activations give their Keras name; another function gives its ``__name__`` (pass it back to
    :func:`deserialize` through ``custom_objects``).

    Example:
        >>> keras.activations.serialize(keras.activations.swish)
        'silu'
    """
    for name, fn in ALL_OBJECTS_DICT.items():
        if fn is activation:
            return name
    name = getattr(activation, "__name__", None)
    if not callable(activation) or name is None or name == "<lambda>":
        raise ValueError(
            f"Cannot serialize the activation {activation!r}: only named functions can be saved by name. "
            "Define it with `def` (and pass it to deserialize/load through `custom_objects`)."
        )
    from kerasnb.saving.object_registration import get_registered_name

    return get_registered_name(activation)  # "package>name" for a registered function


def deserialize(config, custom_objects=None):
    """The activation function for a name (or a Keras ``{'class_name': 'function', 'config': name}`` dict).

    Names of your own functions are looked up in ``custom_objects``, the active ``custom_object_scope`` blocks
    and the registered functions.

    Example:
        >>> keras.activations.deserialize("relu") is keras.activations.relu
        True
    """
    if isinstance(config, dict):
        if config.get("class_name") not in (None, "function"):
            raise ValueError(f"An activation config names a function ({{'class_name': 'function', 'config': "
                             f"'relu'}}). Received: {config!r}")
        config = config.get("config")
    if not isinstance(config, str):
        raise ValueError(f"An activation config is a name such as 'relu'. Received: {config!r}")
    custom = _lookup.custom_object(config, custom_objects)
    if custom is not None:
        return custom
    fn = _lookup.find(config, ALL_OBJECTS_DICT)
    if fn is None:
        raise _lookup.unknown_identifier("activation function", config, ALL_OBJECTS_DICT)
    return fn


def get(identifier):
    """Return an activation function from a name, ``None`` (:func:`linear`) or a callable (returned as is).

    Example:
        >>> keras.activations.get("relu") is keras.activations.relu
        True
        >>> keras.activations.get("reluu")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret activation function identifier: 'reluu'. Did you mean 'relu'?
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation function identifier: {identifier!r}. Pass a name such as 'relu', "
        "None, or a callable."
    )


__all__ = [
    "relu", "leaky_relu", "relu6", "sigmoid", "softmax", "log_softmax", "tanh", "linear", "elu", "selu", "gelu",
    "silu", "swish", "softplus", "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "exponential", "mish",
    "get", "serialize", "deserialize",
]  # fmt: skip
