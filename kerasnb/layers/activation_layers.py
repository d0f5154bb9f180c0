"""Activation layers with settings (and one with weights): ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``,
``ThresholdedReLU`` and ``Softmax``.

``Activation('relu')`` covers the plain functions; these layers exist for the variants that take arguments
(``ReLU(max_value=6)``), learn them (``PReLU``'s slopes are weights) or take a mask (``Softmax``). Each passes
masks through unchanged.
"""

import warnings

from kerasnb import activations, constraints, initializers, ops, regularizers
from kerasnb.layers.layer import InputSpec, Layer


class _Elementwise(Layer):
    """An activation applied to each element: same output shape, masks pass through."""

    supports_masking = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_Elementwise):
    """Rectified linear unit with Keras's options: ``x`` above ``threshold`` (capped at ``max_value``),
    ``negative_slope * (x - threshold)`` below it.

    Args:
        max_value: the largest output (``None``: no cap); >= 0.
        negative_slope: the slope below the threshold; >= 0.
        threshold: where the unit switches on; >= 0.

    Example:
        >>> ReLU(max_value=5.0, negative_slope=0.5)(np.array([-10.0, -5.0, 0.0, 5.0, 10.0])).numpy()
        array([-5. , -2.5,  0. ,  5. ,  5. ], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                             f"negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError(f"threshold of a ReLU layer cannot be None or a negative value. Received: "
                             f"threshold={threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """Leaky ReLU: ``x`` for x >= 0, ``negative_slope * x`` below, so negative inputs keep a small gradient.

    Args:
        negative_slope: the slope for x < 0 (>= 0, default 0.3). ``alpha`` is its deprecated Keras 2 name.

    Example:
        >>> LeakyReLU(negative_slope=0.5)(np.array([-2.0, 0.0, 3.0])).numpy()
        array([-1.,  0.,  3.], dtype=float32)
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.", stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                             f"Expected a float. Received: negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """Parametric ReLU: ``x`` for x >= 0, ``alpha * x`` below, where the slopes ``alpha`` are learned weights —
    one per input element, or shared along ``shared_axes``.

    Args:
        alpha_initializer: the slopes' initializer (default ``'zeros'``: starts as a plain ReLU).
        alpha_regularizer, alpha_constraint: a penalty and a projection for the slopes.
        shared_axes: axes (counted with the batch axis as 0) that share one slope; for images
            ``(batch, height, width, channels)``, ``shared_axes=[1, 2]`` learns one slope per channel.

    Example:
        >>> layer = PReLU(alpha_initializer=keras.initializers.Constant(0.1), shared_axes=[1])
        >>> layer(np.array([[[-1.0, 2.0], [-3.0, 4.0]]])).numpy()
        array([[[-0.1,  2. ],
                [-0.3,  4. ]]], dtype=float32)
        >>> layer.alpha.shape
        (1, 2)
    """

    supports_masking = True

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        shared = self.shared_axes or []
        param_shape = [1 if i in shared else n for i, n in enumerate(input_shape) if i > 0]
        self.alpha = self.add_weight(shape=param_shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        # As Keras: with shared axes, the other axes must keep their sizes (without, the rank alone is checked).
        axes = {i: input_shape[i] for i in range(1, len(input_shape)) if i not in shared} if shared else {}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


class ELU(_Elementwise):
    """Exponential linear unit: ``x`` for x > 0, ``alpha * (exp(x) - 1)`` below.

    Args:
        alpha: the value the negative side saturates to is ``-alpha`` (default 1.0).

    Example:
        >>> ELU(alpha=2.0)(np.array([-100.0, 0.0, 1.5])).numpy()
        array([-2. ,  0. ,  1.5], dtype=float32)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(_Elementwise):
    """``x`` where ``x > theta``, else 0 — the Keras 2 layer (Keras 3 spells it ``ReLU(threshold=theta)``).

    Args:
        theta: the threshold, >= 0 (default 1.0).

    Example:
        >>> ThresholdedReLU(theta=1.0)(np.array([0.5, 1.0, 1.5])).numpy()
        array([0. , 0. , 1.5], dtype=float32)
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError(f"Theta of a Thresholded ReLU layer cannot be None, expected a float. Received: {theta}")
        if theta < 0:
            raise ValueError(f"The theta value of a Thresholded ReLU layer should be >=0. Received: {theta}")
        self.theta = float(theta)

    def call(self, inputs):
        return inputs * ops.cast(inputs > self.theta, inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


def _large_negative_number(dtype):
    """What masked logits become before the softmax: small enough to vanish, finite in the dtype."""
    return -3e4 if str(dtype) == "float16" else -1e9


class Softmax(_Elementwise):
    """Softmax along ``axis``. With a ``mask`` (True = keep), masked positions get probability exactly 0 and
    the others share the whole probability mass.

    Args:
        axis: an int, or a list of ints to normalise over several axes at once.

    Call arguments:
        inputs: the logits.
        mask: a boolean mask broadcastable to ``inputs`` (each axis 1 or the input's size).

    Example:
        >>> x = np.array([[1.0, 2.0, 3.0]])
        >>> Softmax()(x, mask=np.array([[True, True, False]])).numpy().round(4)
        array([[0.2689, 0.7311, 0.    ]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = ops.convert_to_tensor(mask)
            _check_broadcastable(mask.shape, inputs.shape)
            mask = mask if mask.dtype == bool else mask > 0.5
            inputs = ops.where(mask, inputs, _large_negative_number(inputs.dtype))
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            outputs = ops.exp(inputs - ops.logsumexp(inputs, axis=tuple(self.axis), keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            outputs = ops.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(mask, outputs, 0.0)
        return outputs

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _check_broadcastable(mask_shape, inputs_shape):
    if len(mask_shape) > len(inputs_shape):
        raise ValueError("The `mask` must be broadcastable to `inputs` and must not have more dimensions. "
                         f"Received: inputs.shape={tuple(inputs_shape)}, mask.shape={tuple(mask_shape)}")
    for m, i in zip(mask_shape[::-1], inputs_shape[::-1]):
        if m is not None and i is not None and m != 1 and m != i:
            raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or match "
                             f"the corresponding input dimension. Received: inputs.shape={tuple(inputs_shape)}, "
                             f"mask.shape={tuple(mask_shape)}")
