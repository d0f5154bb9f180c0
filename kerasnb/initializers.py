"""Initializers: the starting values of weights, as ``keras.initializers``.

An initializer is called with a shape (and optionally a dtype) and returns a new backend array (NumPy, or CuPy
on the GPU) of that shape. That is exactly what :class:`kerasnb.Variable` asks of a callable initial value, so
``kerasnb.Variable(GlorotUniform(), shape=(3, 4))`` works, and layers use the same call.

Random initializers draw from :class:`kerasnb.engine.random.SeedGenerator`. As in Keras 3, an initializer
instance returns the *same* values every time it is called: a ``seed`` fixes them, and an unseeded initializer
draws its seed once, when it is created, from the global generator that
:func:`kerasnb.utils.set_random_seed` controls — so seeding at the top of a notebook makes every run identical.

The variance-scaling family (Glorot, He, LeCun) scales the spread of the values by the number of inputs
and/or outputs of the layer (the "fans"), so that activations neither grow nor shrink from layer to layer.
"""

import abc
import inspect
import math

import numpy as np

from kerasnb import _lookup
from kerasnb.engine import arrays
from kerasnb.engine import random as _random
from kerasnb.engine.tensor import Tensor, standardize_dtype


class Initializer(abc.ABC):
    """Base class of initializers: ``initializer(shape, dtype=None)`` returns a new array of that shape.

    A subclass implements ``__call__``; ``get_config`` returns the constructor arguments, so that the default
    ``from_config`` (``cls(**config)``) rebuilds an equal initializer.

    Example:
        >>> class Halves(kerasnb.initializers.Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return np.full(shape, 0.5, dtype=standardize_dtype(dtype))
        >>> kerasnb.Variable(Halves(), shape=(2,))
        <Variable path=variable, shape=(2,), dtype=float32, value=[0.5 0.5]>
    """

    @abc.abstractmethod
    def __call__(self, shape, dtype=None):
        """Return an array of ``shape`` and ``dtype`` (default ``floatx()``)."""

    def get_config(self):
        """The constructor arguments as a dict (JSON-serializable)."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Make an initializer from the output of ``get_config``."""
        return cls(**config)

    def clone(self):
        """A new initializer with the same configuration."""
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _standardize_shape(shape):
    """``shape`` as a tuple of non-negative ints (an int means a 1-D shape)."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(int(d) for d in shape)
    except TypeError as e:
        raise ValueError(f"An initializer needs a fully known shape of ints. Received: shape={shape!r}") from e
    if any(d < 0 for d in shape):
        raise ValueError(f"Shape dimensions must be non-negative. Received: shape={shape}")
    return shape


# -- constant initializers -----------------------------------------------------------------------------------


class Zeros(Initializer):
    """All zeros.

    Example:
        >>> kerasnb.initializers.Zeros()((2, 2))
        array([[0., 0.],
               [0., 0.]], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        return arrays.backend_module().zeros(_standardize_shape(shape), dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """All ones.

    Example:
        >>> ones = kerasnb.initializers.Ones()(3, dtype="int32")
        >>> ones.tolist(), ones.dtype
        ([1, 1, 1], dtype('int32'))
    """

    def __call__(self, shape, dtype=None):
        return arrays.backend_module().ones(_standardize_shape(shape), dtype=standardize_dtype(dtype))


class Constant(Initializer):
    """Every element set to ``value`` (a scalar, or an array that broadcasts to the shape).

    Example:
        >>> kerasnb.initializers.Constant(2.5)((2,))
        array([2.5, 2.5], dtype=float32)
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize_shape(shape), standardize_dtype(dtype)
        value = self.value.numpy() if isinstance(self.value, Tensor) else arrays.to_numpy(self.value)
        return arrays.to_backend(np.broadcast_to(np.asarray(value, dtype=dtype), shape).copy())

    def get_config(self):
        value = self.value
        if isinstance(value, Tensor) or arrays.is_array(value):
            value = arrays.to_numpy(value.data if isinstance(value, Tensor) else value).tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; a non-square shape gets ones on its diagonal).

    Example:
        >>> kerasnb.initializers.Identity(gain=2.0)((2, 3))
        array([[2., 0., 0.],
               [0., 2., 0.]], dtype=float32)
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize_shape(shape), standardize_dtype(dtype)
        if len(shape) != 2:
            raise ValueError(
                f"Identity matrix initializer can only be used for 2D matrices. Received: shape={shape} "
                f"of rank {len(shape)}."
            )
        return (self.gain * arrays.backend_module().eye(*shape, dtype="float64")).astype(dtype)

    def get_config(self):
        return {"gain": self.gain}


# -- random initializers -------------------------------------------------------------------------------------


class RandomInitializer(Initializer):
    """Base class of the random initializers: the ``seed`` handling they share.

    ``seed`` may be an int (fixed values), ``None`` (a seed drawn now from the global generator, so
    ``set_random_seed`` governs it) or a :class:`~kerasnb.engine.random.SeedGenerator` (a stream: each call then
    draws new values from it).

    Example:
        >>> init = kerasnb.initializers.RandomNormal(seed=3)
        >>> bool((init((4,)) == init((4,))).all())   # a seeded instance repeats itself, as in Keras 3
        True
    """

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            # Drawn once here: the instance then gives the same values on every call (Keras 3 semantics), and
            # set_random_seed() upstream makes the drawn seed — hence the weights — reproducible.
            seed = int(_random.global_generator().integers(1, 10**9))
        elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer, _random.SeedGenerator)):
            raise ValueError(
                f"`seed` must be an integer or a kerasnb SeedGenerator. Received: seed={seed!r} "
                f"of type {type(seed).__name__}"
            )
        self.seed = seed

    def _generator(self):
        """A stream to draw from: a fresh one from the seed (same values each call), or the given generator."""
        if isinstance(self.seed, _random.SeedGenerator):
            return self.seed
        return _random.SeedGenerator(int(self.seed))

    def _float_dtype(self, dtype):
        dtype = standardize_dtype(dtype)
        if dtype.kind != "f":
            raise ValueError(
                f"{type(self).__name__} makes floating-point values; received dtype={dtype}. "
                "Use a float dtype such as 'float32'."
            )
        return dtype

    def get_config(self):
        seed = self._init_seed
        if isinstance(seed, _random.SeedGenerator):
            seed = seed.seed
        return {"seed": seed}


def _truncated_normal(generator, shape, mean, stddev, dtype):
    """Normal values with every draw beyond two standard deviations drawn again (as Keras and TensorFlow)."""
    values = generator.normal(shape, dtype="float64")
    xp = arrays.array_module(values)
    outside = xp.abs(values) > 2.0
    while bool(outside.any()):
        values[outside] = generator.normal((int(outside.sum()),), dtype="float64")
        outside = xp.abs(values) > 2.0
    return (mean + stddev * values).astype(dtype)


class RandomNormal(RandomInitializer):
    """Values from a normal distribution with ``mean`` and ``stddev``.

    Example:
        >>> kerasnb.initializers.RandomNormal(stddev=1.0, seed=0)((2, 3)).shape
        (2, 3)
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = self._float_dtype(dtype)
        return self._generator().normal(_standardize_shape(shape), self.mean, self.stddev, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal values with ``mean`` and ``stddev``, redrawn when more than two ``stddev`` from the mean.

    Example:
        >>> w = kerasnb.initializers.TruncatedNormal(stddev=1.0, seed=0)((1000,))
        >>> bool(np.abs(w).max() <= 2.0)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = self._float_dtype(dtype)
        return _truncated_normal(self._generator(), _standardize_shape(shape), self.mean, self.stddev, dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Values drawn uniformly from ``[minval, maxval)``.

    Example:
        >>> w = kerasnb.initializers.RandomUniform(-1.0, 1.0, seed=0)((100,))
        >>> bool(w.min() >= -1.0 and w.max() < 1.0)
        True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = self._float_dtype(dtype)
        return self._generator().uniform(_standardize_shape(shape), self.minval, self.maxval, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """The ``(fan_in, fan_out)`` of a weight shape, as Keras computes them.

    A dense kernel ``(inputs, outputs)`` has fans ``inputs`` and ``outputs``. A convolution kernel
    ``(*window, in_channels, out_channels)`` connects each output to ``prod(window)`` positions of every input
    channel, so its fans are the channels times that receptive-field size.

    Example:
        >>> compute_fans((3, 3, 16, 32))   # a 3x3 conv kernel, 16 -> 32 channels
        (144, 288)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return int(math.prod(shape[a] for a in input_axes)), int(math.prod(shape[a] for a in output_axes))
    if len(shape) < 1:  # a scalar weight: treat it as one input, one output
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive_field_size = math.prod(shape[:-2])
        fan_in = shape[-2] * receptive_field_size
        fan_out = shape[-1] * receptive_field_size
    return int(fan_in), int(fan_out)


class VarianceScaling(RandomInitializer):
    """Values whose variance is ``scale / n``, where ``n`` is the fan-in, the fan-out or their average.

    * ``distribution='truncated_normal'`` (or ``'normal'``): a normal truncated at two standard deviations,
      with ``stddev = sqrt(scale / n) / 0.8796...`` so the *truncated* values have variance ``scale / n``;
    * ``'untruncated_normal'``: a plain normal with ``stddev = sqrt(scale / n)``;
    * ``'uniform'``: uniform in ``[-limit, limit]`` with ``limit = sqrt(3 * scale / n)``.

    Example:
        >>> init = kerasnb.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=0)
        >>> bool(np.abs(init((50, 10))).max() <= np.sqrt(3 * 2.0 / 50))
        True
    """

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {modes}")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"  # Keras's meaning of 'normal' here
        distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in distributions:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Please use one of {distributions}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize_shape(shape), self._float_dtype(dtype)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            # 0.8796... is the stddev of a standard normal truncated to [-2, 2]: dividing by it makes the
            # values that survive the truncation have the intended variance.
            stddev = math.sqrt(variance) / 0.87962566103423978
            return _truncated_normal(self._generator(), shape, 0.0, stddev, dtype)
        if self.distribution == "untruncated_normal":
            return self._generator().normal(shape, 0.0, math.sqrt(variance), dtype=dtype)
        limit = math.sqrt(3.0 * variance)  # a uniform on [-limit, limit] has variance limit² / 3
        return self._generator().uniform(shape, -limit, limit, dtype=dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling whose scale, mode and distribution are fixed by its name (Glorot, He, LeCun)."""

    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(self._scale, self._mode, self._distribution, seed, input_axes, output_axes)

    def get_config(self):
        seed = self._init_seed.seed if isinstance(self._init_seed, _random.SeedGenerator) else self._init_seed
        return {"seed": seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_NamedVarianceScaling):
    """Glorot (Xavier) uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))``.

    The default kernel initializer of Keras's Dense and convolution layers.

    Example:
        >>> w = kerasnb.initializers.GlorotUniform(seed=0)((20, 30))
        >>> bool(np.abs(w).max() <= np.sqrt(6 / 50))
        True
    """

    _scale, _mode, _distribution = 1.0, "fan_avg", "uniform"


class GlorotNormal(_NamedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with variance ``2 / (fan_in + fan_out)``.

    Example:
        >>> kerasnb.initializers.GlorotNormal(seed=0)((4, 5)).dtype
        dtype('float32')
    """

    _scale, _mode, _distribution = 1.0, "fan_avg", "truncated_normal"


class HeNormal(_NamedVarianceScaling):
    """He normal: truncated normal with variance ``2 / fan_in`` — suited to ReLU layers.

    Example:
        >>> kerasnb.initializers.HeNormal(seed=0)((3, 3, 8, 16)).shape
        (3, 3, 8, 16)
    """

    _scale, _mode, _distribution = 2.0, "fan_in", "truncated_normal"


class HeUniform(_NamedVarianceScaling):
    """He uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``.

    Example:
        >>> w = kerasnb.initializers.HeUniform(seed=0)((24, 8))
        >>> bool(np.abs(w).max() <= np.sqrt(6 / 24))
        True
    """

    _scale, _mode, _distribution = 2.0, "fan_in", "uniform"


class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal with variance ``1 / fan_in`` — the partner of the SELU activation.

    Example:
        >>> kerasnb.initializers.LecunNormal(seed=0)((4, 4)).shape
        (4, 4)
    """

    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"


class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``.

    Example:
        >>> w = kerasnb.initializers.LecunUniform(seed=0)((12, 4))
        >>> bool(np.abs(w).max() <= np.sqrt(3 / 12))
        True
    """

    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix (times ``gain``), reshaped to the requested shape (rank 2 or more).

    The shape is flattened to ``(prod(shape[:-1]), shape[-1])``; the QR decomposition of a Gaussian matrix
    gives orthonormal columns (or rows, when there are fewer rows than columns), with signs fixed by the
    diagonal of R so that the result is uniformly distributed over orthogonal matrices.

    Example:
        >>> q = kerasnb.initializers.Orthogonal(seed=0)((4, 4))
        >>> np.allclose(q.T @ q, np.eye(4), atol=1e-5)
        True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _standardize_shape(shape), self._float_dtype(dtype)
        if len(shape) < 2:
            raise ValueError(
                f"The tensor to initialize must be at least two-dimensional. Received: shape={shape} "
                f"of rank {len(shape)}."
            )
        num_rows, num_cols = math.prod(shape[:-1]), shape[-1]
        a = self._generator().normal((max(num_rows, num_cols), min(num_rows, num_cols)), dtype="float64")
        xp = arrays.array_module(a)
        q, r = xp.linalg.qr(a)
        q = q * xp.sign(xp.diag(r))  # QR is unique only up to signs: fix them so Q is uniformly random
        if num_rows < num_cols:
            q = q.T
        # C order: q is Fortran-ordered when rows < columns, which slows every matmul with it down.
        return np.ascontiguousarray((self.gain * q).reshape(shape).astype(dtype))

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


# Keras also exports every initializer under a lowercase name (Keras 1/2 code calls them like functions:
# ``initializers.constant(2.0)``, ``initializers.he_normal(seed=1)``). They are the same classes.
zeros = Zeros
ones = Ones
constant = Constant
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal

_CLASSES = (
    Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, Orthogonal,
)  # fmt: skip
_SNAKE_NAMES = {
    Zeros: "zeros", Ones: "ones", Constant: "constant", Identity: "identity", RandomNormal: "random_normal",
    RandomUniform: "random_uniform", TruncatedNormal: "truncated_normal", VarianceScaling: "variance_scaling",
    GlorotUniform: "glorot_uniform", GlorotNormal: "glorot_normal", HeNormal: "he_normal",
    HeUniform: "he_uniform", LecunNormal: "lecun_normal", LecunUniform: "lecun_uniform",
    Orthogonal: "orthogonal",
}  # fmt: skip
# Every name Keras accepts: snake_case names, class names, and its historical aliases.
ALL_OBJECTS_DICT = {
    **{name: cls for cls, name in _SNAKE_NAMES.items()},
    **{cls.__name__: cls for cls in _CLASSES},
    "normal": RandomNormal,
    "uniform": RandomUniform,
    "one": Ones,
    "zero": Zeros,
    "IdentityInitializer": Identity,
    "OrthogonalInitializer": Orthogonal,
}


def serialize(initializer):
    """The Keras config dict of an initializer: ``{'module', 'class_name', 'config', 'registered_name'}``.

    ``None`` gives ``None``; a plain function is saved by name (``class_name`` ``'function'``).

    Example:
        >>> kerasnb.initializers.serialize(kerasnb.initializers.Constant(2.0))["config"]
        {'value': 2.0}
    """
    return _lookup.object_config(initializer, Initializer, "keras.initializers", "initializer")


def deserialize(config, custom_objects=None):
    """Make an initializer from a config dict (the output of ``serialize``, or ``{'class_name', 'config'}``).

    Example:
        >>> kerasnb.initializers.deserialize({"class_name": "Constant", "config": {"value": 3.0}})
        Constant(value=3.0)
    """
    return _lookup.object_from_config(config, custom_objects, ALL_OBJECTS_DICT, _SNAKE_NAMES.values(), "initializer")


def get(identifier):
    """Return an initializer from a name, a config dict, a class, an instance or a callable.

    ``None`` gives ``None``. Names are Keras's (``'glorot_uniform'``, ``'he_normal'``, ``'zeros'``, class names
    too, ignoring case and underscores); a string names a *new* instance with default arguments. An array or
    tensor gives an initializer returning that value (its shape must match).

    Example:
        >>> kerasnb.initializers.get("he_normal")
        HeNormal(seed=None, input_axes=None, output_axes=None)
        >>> kerasnb.initializers.get("glorot_unifrom")
        Traceback (most recent call last):
        ...
        ValueError: Could not interpret initializer identifier: 'glorot_unifrom'. Did you mean 'glorot_uniform'?
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _lookup.find(identifier, ALL_OBJECTS_DICT)
        if cls is None:
            raise _lookup.unknown_identifier("initializer", identifier, _SNAKE_NAMES.values())
        return cls()
    if isinstance(identifier, Tensor) or arrays.is_array(identifier) or isinstance(identifier, np.generic):
        return _ValueInitializer(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret initializer identifier: {identifier!r}. Pass a name such as 'glorot_uniform', "
        "an Initializer, or a callable `fn(shape, dtype=None)`."
    )


class _ValueInitializer(Initializer):
    """Returns a given array (cast to the requested dtype); its shape must be the requested shape."""

    def __init__(self, value):
        self.value = value.numpy() if isinstance(value, Tensor) else arrays.to_numpy(value)

    def __call__(self, shape, dtype=None):
        shape = _standardize_shape(shape)
        if tuple(self.value.shape) != shape:
            raise ValueError(
                f"Expected `shape` to be {tuple(self.value.shape)} for a direct array as initializer. "
                f"Received shape={shape}"
            )
        return arrays.to_backend(self.value.astype(standardize_dtype(dtype)))


__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "Identity", "RandomInitializer", "RandomNormal",
    "RandomUniform", "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal",
    "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal", "compute_fans", "get", "serialize",
    "deserialize", "zeros", "ones", "constant", "identity", "random_normal", "random_uniform",
    "truncated_normal", "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "orthogonal",
]  # fmt: skip
