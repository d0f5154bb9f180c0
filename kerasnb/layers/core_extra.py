"""More core layers: ``Lambda`` (a function as a layer), ``ActivityRegularization`` and ``Identity``."""

import importlib
import inspect

import numpy as np

from kerasnb import ops, regularizers
from kerasnb.layers.keras_tensor import flatten, map_structure
from kerasnb.layers.layer import Layer


def _function_config(fn):
    """A function saved by its *name* (and module), as Keras saves registered functions — never its code."""
    name = getattr(fn, "__name__", type(fn).__name__)
    return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
            "registered_name": name}


def _function_from_config(cfg, custom_objects, what):
    """The function a :func:`_function_config` names: from ``custom_objects``, else (for kerasnb's own functions)
    from its module."""
    if callable(cfg):
        return cfg
    name, module = cfg["config"], cfg.get("module")
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name == "<lambda>":
        raise ValueError(
            f"This Lambda layer's {what} was a Python lambda. kerasnb saves functions by name only, never their "
            f"code, so a lambda cannot be restored from a config. Define the function with `def` and pass it as "
            f"custom_objects={{'<function name>': fn}}, or pass this one as custom_objects={{'<lambda>': fn}}."
        )
    if module and (module == "kerasnb" or module.startswith("kerasnb.")):
        fn = getattr(importlib.import_module(module), name, None)
        if fn is not None:
            return fn
    raise ValueError(f"Unknown function {name!r} (the Lambda layer's {what}): pass it to from_config/load as "
                     f"custom_objects={{{name!r}: fn}}.")


def _takes(fn, argument):
    try:
        return argument in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # some builtins have no signature
        return False


class Lambda(Layer):
    """Wraps a function of tensors as a layer, for quick experiments in ``Sequential`` and functional models.

    Args:
        function: called as ``function(inputs, **arguments)``; it also receives ``mask`` / ``training`` when
            its signature names them.
        output_shape: optional. A tuple without the batch axis, or a function ``input_shape -> output_shape``;
            by default the shape is found by running the function on small zero inputs.
        mask: optional: a function ``(inputs, mask) -> output mask``, or a fixed mask.
        arguments: a dict of extra keyword arguments for ``function``.

    ``get_config`` saves the function by its name only — kerasnb never stores Python code — so a layer made
    from a ``lambda`` cannot be recreated from its config; give ``from_config`` the function through
    ``custom_objects`` (``{'name': fn}``). For anything worth saving, write a ``Layer`` subclass.

    Example:
        >>> def square(x):
        ...     return x * x
        >>> layer = Lambda(square)
        >>> layer(np.array([[1.0, 2.0]])).numpy()
        array([[1., 4.]], dtype=float32)
        >>> Lambda.from_config(layer.get_config(), custom_objects={"square": square})(np.array([[3.0]])).numpy()
        array([[9.]], dtype=float32)
        >>> Lambda(lambda x, k: x * k, arguments={"k": 10.0})(keras.Input(shape=(3,))).shape
        (None, 3)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda's `function` must be callable. Received: function={function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if _takes(self.function, "mask"):
            kwargs["mask"] = mask
        if _takes(self.function, "training"):
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)  # run the function on zeros
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch_size = flatten(input_shape)[0] if input_shape else None
        return (batch_size, *self._output_shape)

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:  # trace the function itself: keeps the output's dtype and structure
            return self._trace_output(*args, **kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        cfg = {**super().get_config(), "function": _function_config(self.function)}
        if self._output_shape is not None:
            cfg["output_shape"] = (_function_config(self._output_shape) if callable(self._output_shape)
                                   else list(self._output_shape))
        if self.mask is not None:
            cfg["mask"] = _function_config(self.mask) if callable(self.mask) else np.asarray(self.mask).tolist()
        cfg["arguments"] = dict(self.arguments)
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["function"] = _function_from_config(config["function"], custom_objects, "function")
        output_shape = config.get("output_shape")
        if isinstance(output_shape, dict):
            config["output_shape"] = _function_from_config(output_shape, custom_objects, "output_shape")
        elif output_shape is not None:
            config["output_shape"] = tuple(output_shape)
        mask = config.get("mask")
        if isinstance(mask, dict):
            config["mask"] = _function_from_config(mask, custom_objects, "mask")
        elif mask is not None:
            config["mask"] = ops.convert_to_tensor(np.asarray(mask, dtype=bool))
        return cls(**config)


class ActivityRegularization(Layer):
    """Returns its inputs unchanged and adds ``(l1 * sum(|x|) + l2 * sum(x²)) / batch_size`` to the model's loss
    (``layer.losses``) — a penalty on the activations rather than on the weights.

    Args:
        l1, l2: the penalty factors (>= 0).

    Example:
        >>> layer = ActivityRegularization(l1=0.5)
        >>> layer(np.array([[1.0, -2.0], [3.0, 0.0]])).shape
        (2, 2)
        >>> layer.losses  # 0.5 * 6 / 2 samples
        [<Tensor shape=() dtype=float32 numpy=1.5>]
    """

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        # The Layer base class adds the penalty (divided by the batch size, as Keras 3) after each call.
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


class Identity(Layer):
    """Returns its inputs unchanged (any structure of tensors): a placeholder where a layer is expected.

    Example:
        >>> Identity()(np.array([[1.0, 2.0]])).numpy()
        array([[1., 2.]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, *args, **kwargs):
        return map_structure(lambda t: type(t)(t.shape, t.dtype), args[0])
