"""Normalization layers: ``BatchNormalization``, ``LayerNormalization``, ``GroupNormalization`` and
``UnitNormalization``.

The first three share one step: *standardize* — subtract the mean and divide by the standard deviation, over
some axes — then scale by ``gamma`` and shift by ``beta`` (learned, one per channel). They differ only in the
axes the statistics are taken over, for inputs ``(batch, ..., channels)``:

* BatchNormalization: over the batch (and every other axis but the channels), so each channel is normalized
  across the samples of the batch; at inference it uses moving averages of those statistics instead;
* LayerNormalization: over the channels of each sample, independently of the rest of the batch;
* GroupNormalization: over groups of channels (and the other axes) of each sample.

Standardizing is the fused op :class:`Standardize` (one forward, one backward): fewer passes over the data and
fewer temporaries than the same computation written as five separate ops, so about 1.5 times as fast (forward
plus backward, NumPy, a (128, 16, 16, 32) batch), and BatchNormalization as a whole about 1.25 times.
"""

import math
import warnings

from kerasnb import config, constraints, initializers, ops, regularizers
from kerasnb.engine.autograd import Op
from kerasnb.layers.layer import InputSpec, Layer


class Standardize(Op):
    """x̂ = (x − m) / √(v + ε), with m and v the mean and (biased) variance of x over ``axes``;
    dx = r·(g − Σg/n − x̂·Σ(g·x̂)/n), r = 1/√(v + ε), g = dx̂ (sums over ``axes``).

    With ``weights`` w (a mask, broadcast to x's shape) the statistics are weighted, as Keras computes masked
    batch statistics: m = Σwx / W, v = Σw(x − m)² / W with W = Σw + 1e-7, and the backward becomes
    dx = r·(g − w·(Σg − Σ(g·x̂)·Σ(w·x̂)/W)/W − w·x̂·Σ(g·x̂)/W), which is the line above when w = 1, W = n.
    After the forward, ``mean`` and ``var`` hold the statistics (with the reduced axes kept, size 1).

    Example:
        >>> Standardize(axes=(0,), epsilon=0.0)(np.array([1.0, 3.0])).numpy()
        array([-1.,  1.])
    """

    def __init__(self, axes, epsilon, weights=None):
        self.axes, self.epsilon, self.weights = tuple(axes), epsilon, weights

    def forward(self, x):
        axes, w = self.axes, self.weights
        if w is None:
            self.total = math.prod(x.shape[a] for a in axes)
            self.mean = x.mean(axis=axes, keepdims=True)
            centered = x - self.mean
            self.var = (centered * centered).mean(axis=axes, keepdims=True)
        else:
            w = self.w = w.astype(x.dtype)
            self.total = w.sum(axis=axes, keepdims=True) + config.epsilon()
            self.mean = (w * x).sum(axis=axes, keepdims=True) / self.total
            centered = x - self.mean
            self.var = (w * centered * centered).sum(axis=axes, keepdims=True) / self.total
        self.r = 1 / self.xp.sqrt(self.var + self.epsilon)
        self.xhat = centered * self.r
        return self.xhat

    def backward(self, g):
        axes, total, xhat = self.axes, self.total, self.xhat
        g_sum = g.sum(axis=axes, keepdims=True)
        gx_sum = (g * xhat).sum(axis=axes, keepdims=True)
        if self.weights is None:
            return self.r * (g - g_sum / total - xhat * (gx_sum / total))
        w = self.w
        wx_mean = (w * xhat).sum(axis=axes, keepdims=True) / total
        return self.r * (g - w * (g_sum - gx_sum * wx_mean) / total - w * xhat * gx_sum / total)


def _positive_axes(axes, ndim):
    axes = [axes] if isinstance(axes, int) else list(axes)
    return sorted(a % ndim for a in axes)


def _broadcast_shape(input_shape, axes):
    """The shape that lines a weight of shape ``input_shape[axes]`` up with the inputs (1 elsewhere)."""
    return tuple(input_shape[a] if a in axes else 1 for a in range(len(input_shape)))


def _check_axes(axes, input_shape, received):
    for axis in [axes] if isinstance(axes, int) else axes:
        if axis >= len(input_shape) or axis < -len(input_shape):
            raise ValueError(f"Axis {axis} is out of bounds for input shape {tuple(input_shape)}. "
                             f"Received: axis={received}")


class _ScaleShift(Layer):
    """Shared by the layers with ``gamma`` / ``beta``: arguments, weights, scaling, config."""

    supports_masking = True

    def __init__(self, center=True, scale=True, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def _add_gamma_beta(self, shape, gamma=True, beta=True):
        if gamma:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if beta:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)

    def _scale_and_shift(self, x, shape):
        """``x * gamma + beta``, the weights reshaped to ``shape`` to broadcast against ``x``."""
        if self.gamma is not None:
            x = x * ops.reshape(self.gamma, shape)
        if self.beta is not None:
            x = x + ops.reshape(self.beta, shape)
        return x

    def compute_output_shape(self, input_shape):
        _check_axes(self.axis, input_shape, self.axis)
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


class BatchNormalization(_ScaleShift):
    """Normalizes each channel with statistics of the batch in training, and with their moving averages at
    inference: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    * ``training=True`` (``fit``): ``mean``/``var`` are the batch's, over every axis but ``axis``, and the moving
      averages are updated: ``moving = moving * momentum + batch * (1 - momentum)``.
    * ``training=False`` (``predict``, ``evaluate``, a plain call): ``moving_mean``/``moving_variance``.
    * A frozen layer (``layer.trainable = False``) always runs in inference mode, even inside ``fit``: its moving
      statistics stay fixed (Keras 3's rule, the one fine-tuning needs).

    Args:
        axis: the channels axis (default -1; 1 for ``channels_first`` images).
        momentum: the moving averages' momentum.
        epsilon: added to the variance, so no division by zero.
        center, scale: learn ``beta`` / ``gamma`` (each a vector of one value per channel).
        beta_initializer, gamma_initializer, moving_mean_initializer, moving_variance_initializer: initial values.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: penalties and projections.
        synchronized: must stay ``False`` (cross-device statistics need Keras's TensorFlow backend).

    Call arguments:
        inputs: any rank.
        training: batch statistics (``True``) or moving statistics.
        mask: ``(batch, steps)`` booleans; masked steps are left out of the batch statistics.

    The weights are ``gamma, beta, moving_mean, moving_variance`` (4 * channels numbers, the last two
    non-trainable).

    Example:
        >>> layer = BatchNormalization(momentum=0.5)
        >>> x = np.array([[0.0], [2.0]])
        >>> layer(x, training=True).numpy().round(4)  # (x - 1) / sqrt(1 + 0.001)
        array([[-0.9995],
               [ 0.9995]], dtype=float32)
        >>> layer.moving_mean.numpy(), layer.moving_variance.numpy()
        (array([0.5], dtype=float32), array([1.], dtype=float32))
        >>> layer.count_params(), len(layer.trainable_weights)
        (4, 2)
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, renorm=False, renorm_clipping=None, renorm_momentum=0.99, **kwargs):
        super().__init__(center=center, scale=scale, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, **kwargs)
        if synchronized:
            raise ValueError("Argument synchronized=True is only supported with the TensorFlow backend.")
        if renorm:
            raise ValueError("Batch renormalization (renorm=True) is not implemented in kerasnb.")
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]  # tf-keras saved the axis as a one-element list
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {tuple(input_shape)}.")
        self._add_gamma_beta((channels,), gamma=self.scale, beta=self.center)
        self.moving_mean = self.add_weight(shape=(channels,), name="moving_mean",
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(shape=(channels,), name="moving_variance",
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError("The mask provided should be one dimension less than the inputs. Received: "
                             f"mask.shape={tuple(mask.shape)}, inputs.shape={tuple(inputs.shape)}")
        channel_axis = self.axis % inputs.ndim
        shape = _broadcast_shape(inputs.shape, [channel_axis])
        if training and self.trainable:
            weights = None if mask is None else ops.broadcast_to(ops.expand_dims(mask, -1), inputs.shape).data
            standardize = Standardize([a for a in range(inputs.ndim) if a != channel_axis], self.epsilon, weights)
            x = standardize(inputs)
            self._update_moving_statistics(standardize.mean.reshape(-1), standardize.var.reshape(-1))
        else:
            mean, variance = ops.reshape(self.moving_mean, shape), ops.reshape(self.moving_variance, shape)
            x = (inputs - mean) * ops.rsqrt(variance + self.epsilon)
        return self._scale_and_shift(x, shape)

    def _update_moving_statistics(self, mean, variance):
        """moving = moving * momentum + batch * (1 - momentum), on plain arrays (never differentiated)."""
        m = self.momentum
        self.moving_mean.assign(self.moving_mean.data * m + mean * (1.0 - m))
        self.moving_variance.assign(self.moving_variance.data * m + variance * (1.0 - m))

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "synchronized": False,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": 0.99,
        }


class LayerNormalization(_ScaleShift):
    """Normalizes each sample over ``axis`` (by default its features), independently of the batch:
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``. The same in training and at inference.

    Args:
        axis: an int or a list of ints: the axes normalized together (``gamma``/``beta`` span them).
        epsilon: added to the variance.
        center, scale: learn ``beta`` / ``gamma``.
        rms_scaling: deprecated in Keras 3 and kept for its configs: ``gamma * x / sqrt(var + epsilon)``, no
            centering and no ``beta`` (it divides by the variance's root, not the root mean square).
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer, beta_constraint,
            gamma_constraint: as in ``BatchNormalization``.

    Example:
        >>> LayerNormalization(epsilon=0.0)(np.array([[1.0, 2.0, 3.0]])).numpy().round(4)
        array([[-1.2247,  0.    ,  1.2247]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(center=center, scale=scale, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, **kwargs)
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument incorrectly scales the "
                          "input by the variance, not the root mean square.", stacklevel=2)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")
        self.epsilon = epsilon
        self.rms_scaling = rms_scaling

    def build(self, input_shape):
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        shape = tuple(input_shape[a] for a in self.axis)
        self._add_gamma_beta(shape, gamma=self.scale or self.rms_scaling, beta=self.center and not self.rms_scaling)
        self.built = True

    def call(self, inputs):
        axes = _positive_axes(self.axis, inputs.ndim)
        if self.rms_scaling:
            x = inputs * ops.rsqrt(ops.var(inputs, axis=tuple(axes), keepdims=True) + self.epsilon)
        else:
            x = Standardize(axes, self.epsilon)(inputs)
        return self._scale_and_shift(x, _broadcast_shape(inputs.shape, axes))

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "rms_scaling": self.rms_scaling}


class GroupNormalization(_ScaleShift):
    """Splits the channels into ``groups`` and normalizes each group of each sample (over its channels and all
    the other non-batch axes). ``groups=1`` normalizes all channels together; ``groups=-1`` (one channel per
    group) is instance normalization. Independent of the batch, so the same in training and at inference.

    Args:
        groups: how many groups; must divide the number of channels (default 32).
        axis: the channels axis.
        epsilon, center, scale, and the initializers, regularizers and constraints: as in
            ``LayerNormalization``; ``gamma``/``beta`` have one value per channel.

    Example:
        >>> x = np.array([[1.0, 3.0, 10.0, 20.0]])
        >>> GroupNormalization(groups=2, epsilon=0.0)(x).numpy()
        array([[-1.,  1., -1.,  1.]], dtype=float32)
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a positive integer (or `-1` "
                             f"for instance normalization). Received: groups={groups}")
        super().__init__(center=center, scale=scale, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, beta_regularizer=beta_regularizer,
                         gamma_regularizer=gamma_regularizer, beta_constraint=beta_constraint,
                         gamma_constraint=gamma_constraint, **kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of channels "
                             f"({channels}).")
        if channels % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number of channels "
                             f"({channels}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        self._add_gamma_beta((channels,), gamma=self.scale, beta=self.center)
        self.built = True

    def call(self, inputs):
        axis = self.axis % inputs.ndim
        channels = inputs.shape[axis]
        # (batch, ..., channels, ...) -> (batch, ..., groups, channels // groups, ...): standardize over every axis
        # but the batch and the groups.
        grouped = ops.reshape(inputs, (*inputs.shape[:axis], self.groups, channels // self.groups,
                                       *inputs.shape[axis + 1:]))
        x = Standardize([a for a in range(1, grouped.ndim) if a != axis], self.epsilon)(grouped)
        x = ops.reshape(x, inputs.shape)
        return self._scale_and_shift(x, _broadcast_shape(inputs.shape, [axis]))

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm along ``axis``: ``x / ||x||`` (a zero vector stays zero).

    Args:
        axis: an int or a list of ints.

    Example:
        >>> UnitNormalization()(np.array([[3.0, 4.0]])).numpy()
        array([[0.6, 0.8]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: "
                            f"axis={axis}")
        self.built = True

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        inv_norm = ops.rsqrt(ops.sum(ops.square(inputs), axis=axis, keepdims=True))
        return inputs * ops.minimum(inv_norm, 1e12)  # Keras's epsilon of 1e-12 on the norm

    def compute_output_shape(self, input_shape):
        for axis in [self.axis] if isinstance(self.axis, int) else self.axis:
            if axis >= len(input_shape) or axis < -len(input_shape):
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape {tuple(input_shape)}.")
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
