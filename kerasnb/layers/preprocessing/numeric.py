"""Numeric preprocessing: ``Rescaling``, ``Normalization``, ``Discretization``, ``CategoryEncoding``.

``Normalization`` and ``Discretization`` learn their state from data with ``adapt(data)`` (before training, not
by gradient descent): the mean and variance of each feature, or the boundaries of bins holding equal shares of
the data. ``CategoryEncoding`` turns integer ids into one-hot, multi-hot or count vectors.
"""

import math

import numpy as np

from kerasnb import config, ops
from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.keras_tensor import KerasTensor
from kerasnb.layers.layer import Layer


class Rescaling(Layer):
    """Multiplies the inputs by ``scale`` and adds ``offset``, in training and inference alike.

    Args:
        scale: a number (or one per channel), e.g. ``1 / 255`` to map ``[0, 255]`` to ``[0, 1]``.
        offset: added after scaling, e.g. ``scale=1 / 127.5, offset=-1`` maps ``[0, 255]`` to ``[-1, 1]``.

    Integer inputs (such as ``uint8`` images) become floats.

    Example:
        >>> keras.layers.Rescaling(0.5, offset=-1.0)(np.array([[0, 2, 255]], "uint8")).numpy()
        array([[ -1. ,   0. , 126.5]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.built = True

    def call(self, inputs):
        dtype = self.dtype
        scale = ops.cast(self.scale, dtype)
        if scale.ndim > 0 and config.image_data_format() == "channels_first":
            scale = ops.reshape(scale, scale.shape + (1,) * (3 - scale.ndim))
        return ops.cast(inputs, dtype) * scale + ops.cast(self.offset, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """Shifts and scales features to mean 0 and variance 1: ``(x - mean) / sqrt(variance)``.

    The mean and variance are either passed (``mean=``, ``variance=``) or learned from data with
    :meth:`adapt`, which stores them as the layer's (non-trainable) weights ``mean``, ``variance`` and ``count``.

    Args:
        axis: the axis or axes that keep a separate mean and variance (default ``-1``, one per feature);
            ``None`` normalizes everything with one scalar mean and variance.
        mean, variance: fixed values (broadcast to the kept axes); pass both or neither.
        invert: apply the inverse, ``mean + x * sqrt(variance)`` (to turn normalized values back).

    Example:
        >>> layer = keras.layers.Normalization(axis=None)
        >>> layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
        >>> layer(np.array([1.0, 2.0, 3.0])).numpy()
        array([-1.4142135 , -0.70710677,  0.        ], dtype=float32)
    """

    supports_masking = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self._build_input_shape = None
        self.mean = None
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have the same shape. "
                                 f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number of axes "
                                 f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape):
        ndim = len(input_shape)
        self._build_input_shape = tuple(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                             f"ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. Received axis={self.axis}, "
                                 f"inputs.shape={tuple(input_shape)}, with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False)
        else:
            self.mean = self._broadcast(self.input_mean)
            self.variance = self._broadcast(self.input_variance)
        self.built = True

    def _broadcast(self, value):
        """A given mean/variance (scalar, or matching the last kept axes) shaped to broadcast against inputs."""
        value = np.asarray(value, dtype=self.dtype)
        shape = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            shape[self._keep_axis[-i]] = value.shape[-i]
        return ops.broadcast_to(ops.convert_to_tensor(value.reshape(shape)), self._broadcast_shape)

    def adapt(self, data):
        """Compute the mean and variance of ``data`` (an array, a tensor, or an iterable of batches)."""
        if isinstance(data, (np.ndarray, Tensor)):
            batches, input_shape = None, tuple(data.shape)
        elif hasattr(data, "__iter__"):
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches). Expected at least one batch. "
                                 "Pass a non-empty iterable of arrays or tensors, e.g. layer.adapt([x]).")
            first = first[0] if isinstance(first, tuple) else first  # (x, y) batches: take x
            if not hasattr(first, "shape"):
                raise TypeError("adapt() expects an iterable that yields arrays or tensors with a `.shape` "
                                f"attribute (e.g. numpy arrays). Got an element of type {type(first).__name__}.")
            batches, input_shape = [first, *batches], tuple(first.shape)
        else:
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports `np.ndarray`, tensors and "
                            "iterables of batches (e.g. list, generator).")
        if not self.built:
            self.build(input_shape)
        elif any(input_shape[d] != self._build_input_shape[d] for d in self._keep_axis):
            raise ValueError(f"The layer was built with input_shape={self._build_input_shape}, but adapt() is being "
                             f"called with data with an incompatible shape, data.shape={input_shape}")
        if self.input_mean is not None:
            return
        if batches is None:
            values = data.numpy() if isinstance(data, Tensor) else data
            total_mean, total_var = np.mean(values, axis=self._reduce_axis), np.var(values, axis=self._reduce_axis)
        else:
            # Combine per-batch statistics: the running mean and variance weighted by element counts.
            total_mean = np.zeros(self._mean_and_var_shape, self.dtype)
            total_var = np.zeros(self._mean_and_var_shape, self.dtype)
            total_count = 0
            for batch in batches:
                batch = batch[0] if isinstance(batch, tuple) else batch
                batch = np.asarray(batch.numpy() if isinstance(batch, Tensor) else batch, dtype=self.dtype)
                batch_mean = batch.mean(axis=self._reduce_axis)
                batch_var = batch.var(axis=self._reduce_axis)
                batch_count = math.prod(batch.shape[d] for d in self._reduce_axis)
                total_count += batch_count
                batch_weight = batch_count / total_count
                existing_weight = 1.0 - batch_weight
                new_mean = total_mean * existing_weight + batch_mean * batch_weight
                total_var = ((total_var + (total_mean - new_mean) ** 2) * existing_weight
                             + (batch_var + (batch_mean - new_mean) ** 2) * batch_weight)
                total_mean = new_mean
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_var)

    def call(self, inputs):
        if not self.built:
            raise ValueError("You must call `.build(input_shape)` on the layer before using it.")
        inputs = ops.cast(inputs, self.dtype)
        if self.input_mean is None:
            mean = ops.reshape(self.adapt_mean, self._broadcast_shape)
            variance = ops.reshape(self.adapt_variance, self._broadcast_shape)
        else:
            mean, variance = self.mean, self.variance
        std = ops.maximum(ops.sqrt(variance), config.epsilon())
        return mean + inputs * std if self.invert else (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(), "variance": np.array(self.input_variance).tolist()}


# ---------------------------------------------------------------------------------------------------------
# Encoding integer ids (shared by CategoryEncoding, Discretization and the lookup layers)
# ---------------------------------------------------------------------------------------------------------


def encode_categorical(ids, output_mode, depth, dtype, count_weights=None):
    """Encode integer ``ids`` (a NumPy or CuPy array) as Keras does; returns a kerasnb tensor.

    * ``'int'``: the ids themselves (cast to ``dtype``);
    * ``'one_hot'``: a new last axis of length ``depth`` (a trailing axis of size 1 is replaced);
    * ``'multi_hot'`` / ``'count'``: whether / how often each id occurs in a sample. A rank-1 input is *one*
      sample; otherwise axis 1 is summed away. ``count_weights`` weight each occurrence.

    Ids outside ``[0, depth)`` encode as zeros.
    """
    ids = ops.convert_to_tensor(ids)
    if output_mode == "int":
        return ops.cast(ids, dtype)
    if ids.ndim == 0:
        ids = ops.expand_dims(ids, -1)
    if output_mode == "one_hot":
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ops.squeeze(ids, -1)
        return ops.one_hot(ids, depth, dtype=dtype)
    axis = 1 if ids.ndim > 1 else 0
    if output_mode == "multi_hot":
        return ops.max(ops.one_hot(ids, depth, dtype=dtype), axis=axis)
    if count_weights is not None:  # 'count'
        weights = ops.convert_to_tensor(count_weights)
        return ops.sum(ops.one_hot(ids, depth, dtype=weights.dtype) * ops.expand_dims(weights, -1), axis=axis)
    return ops.sum(ops.one_hot(ids, depth, dtype=dtype), axis=axis)


def encoded_shape(input_shape, output_mode, depth):
    """The shape :func:`encode_categorical` gives for ``input_shape``."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if len(input_shape) == 0:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return (depth,)
    return (input_shape[0], *input_shape[2:], depth)


class CategoryEncoding(Layer):
    """Encodes integer ids in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: the number of distinct ids (the length of the output vectors).
        output_mode: ``'multi_hot'`` (default; which ids occur in each sample), ``'one_hot'`` (one vector per
            id) or ``'count'`` (how often each id occurs). ``'binary'`` is an old name for ``'multi_hot'``.
        sparse: not supported (kerasnb has no sparse tensors).

    Call arguments:
        inputs: integer ids; for ``'multi_hot'``/``'count'`` a batch ``(batch, ids)`` or one sample ``(ids,)``.
        count_weights: with ``'count'``, a weight per id (same shape as ``inputs``) summed instead of 1.

    Example:
        >>> layer = keras.layers.CategoryEncoding(num_tokens=4, output_mode="multi_hot")
        >>> layer(np.array([[0, 1], [0, 0], [1, 2], [3, 1]])).numpy()
        array([[1., 1., 0., 0.],
               [1., 0., 0., 0.],
               [0., 1., 1., 0.],
               [0., 1., 0., 1.]], dtype=float32)
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("`sparse=True` is not supported: kerasnb has no sparse tensors.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. Received "
                             f"`count_weights={count_weights}`.")
        ids = ops.convert_to_tensor(inputs)
        if ids.dtype.kind == "f":
            ids = ops.cast(ids, "int64")
        values = ids.numpy()
        if values.size and (values.min() < 0 or values.max() >= self.num_tokens):
            raise ValueError(f"Input values must be in the range 0 <= values < num_tokens with "
                             f"num_tokens={self.num_tokens}. Received: min={values.min()}, max={values.max()}")
        if count_weights is not None:
            count_weights = ops.cast(count_weights, self.dtype)
        return encode_categorical(ids, self.output_mode, self.num_tokens, self.dtype, count_weights)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def compute_output_spec(self, inputs, count_weights=None):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}


# ---------------------------------------------------------------------------------------------------------
# Discretization
# ---------------------------------------------------------------------------------------------------------


class Discretization(Layer):
    """Buckets continuous values into bins: the index of the bin each value falls in.

    Bin ``i`` holds ``bin_boundaries[i - 1] <= x < bin_boundaries[i]``; values below the first boundary are in
    bin 0, values at or above the last in bin ``len(bin_boundaries)``.

    Args:
        bin_boundaries: the sorted boundaries, or ``None`` to learn ``num_bins`` bins with :meth:`adapt`.
        num_bins: the number of bins to learn (boundaries at quantiles of the adapted data).
        epsilon: the error tolerance of the approximate quantiles (smaller is more precise and slower).
        output_mode: ``'int'`` (bin indices, int32), ``'one_hot'``, ``'multi_hot'`` or ``'count'``.
        sparse: not supported (kerasnb has no sparse tensors).

    Example:
        >>> layer = keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> bins = layer(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])).numpy()
        >>> bins.tolist(), bins.dtype
        ([[0, 2, 3, 1], [1, 3, 2, 1]], dtype('int32'))
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False,
                 dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("`sparse=True` is not supported: kerasnb has no sparse tensors.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are: 'int', 'one_hot', 'multi_hot', "
                             f"'count'. Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")
        self.built = True

    @property
    def output_dtype(self):
        return "int32" if self.output_mode == "int" else self.dtype

    def adapt(self, data, steps=None):
        """Learn ``num_bins`` boundaries at the quantiles of ``data`` (an array or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        self.reset_state()
        if isinstance(data, (np.ndarray, Tensor)) or not hasattr(data, "__iter__"):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        data = np.asarray(data.numpy() if isinstance(data, Tensor) else data).astype("float32")
        self.summary = _merge_summaries(_summarize(data, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = _compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        values = ops.convert_to_tensor(inputs).data
        xp = arrays.array_module(values)
        ids = xp.digitize(values, xp.asarray(self.bin_boundaries, dtype=values.dtype)).astype("int32")
        return encode_categorical(ids, self.output_mode, len(self.bin_boundaries) + 1, self.output_dtype)

    def compute_output_shape(self, input_shape):
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        return encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_spec(self, inputs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.output_dtype)

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            config = dict(config)
            bin_boundaries = config.pop("bin_boundaries")  # learned by adapt: restore them after __init__
            layer = cls(**config)
            layer.bin_boundaries = bin_boundaries
            return layer
        return cls(**config)


# Approximate quantiles, as Keras computes them: a "summary" is a sorted (2, n) array of values and weights.


def _summarize(values, epsilon):
    """Every ``step``-th sorted value (about ``1 / epsilon`` of them), each weighted by ``step``."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge_summaries(prev_summary, next_summary, epsilon):
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress_summary(merged, epsilon)


def _compress_summary(summary, epsilon):
    """Interpolate the summary down to about ``1 / epsilon`` points at evenly spaced cumulative weights."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")
