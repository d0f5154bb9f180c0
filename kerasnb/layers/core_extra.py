"""More core layers: ``Lambda`` (a function as a layer), ``ActivityRegularization`` and ``Identity``."""

import inspect

import numpy as np

from kerasnb import ops, regularizers
from kerasnb.layers.keras_tensor import flatten, map_structure
from kerasnb.layers.layer import Layer


def _function_config(fn):
    """A function saved by its *name*, as Keras saves named functions — never its code. kerasnb's own functions
    are written under Keras's public names (``keras.ops.relu``, ``keras.activations.gelu``), so Keras finds them
    too."""
    from kerasnb.saving.serialization_lib import _builtin_function_name

    builtin = _builtin_function_name(fn)
    if builtin is not None:
        return {"module": builtin[0], "class_name": "function", "config": builtin[1], "registered_name": "function"}
    from kerasnb.saving.object_registration import get_registered_name

    name = get_registered_name(fn) if getattr(fn, "__name__", None) else type(fn).__name__
    return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
            "registered_name": name}


def _function_from_config(cfg, custom_objects, what, safe_mode=None, module=None, function_type=None):
    """The function a Lambda's config holds under ``what``: a name (found in ``custom_objects``, the registry or
    kerasnb's own functions — nothing is imported), or Python bytecode (refused unless safe mode is off)."""
    from kerasnb.saving import serialization_lib

    if callable(cfg) and not isinstance(cfg, (dict, list, tuple)):
        return cfg
    if isinstance(cfg, (list, tuple)) or function_type == "lambda":  # tf-keras: [code, defaults, closure]
        serialization_lib.refuse_code_in_safe_mode(f"the Lambda layer's {what}", safe_mode)
        if isinstance(cfg, str):
            cfg = [cfg, None, None]
        if not isinstance(cfg, (list, tuple)) or len(cfg) != 3:
            raise ValueError(f"The Lambda layer's {what} should be [code, defaults, closure]. Received: {cfg!r}")
        return function_from_bytecode(*cfg)
    if isinstance(cfg, str):  # tf-keras: the function's name, with its module in the layer's config
        cfg = {"module": module, "class_name": "function", "config": cfg}
    if not isinstance(cfg, dict):
        raise ValueError(f"The Lambda layer's {what} config should be a function's config. Received: {cfg!r}")
    if cfg.get("class_name") == "__lambda__":  # Keras 3: {"code", "defaults", "closure"} (or {"value": [...]})
        serialization_lib.refuse_code_in_safe_mode(f"the Lambda layer's {what}", safe_mode)
        inner = cfg.get("config")
        if not isinstance(inner, dict):
            raise ValueError(f"The Lambda layer's {what} holds a malformed __lambda__ config: {inner!r}")
        if "value" in inner:
            value = inner["value"]
            if not isinstance(value, (list, tuple)) or len(value) != 3:
                raise ValueError(f"A __lambda__ config holds [code, defaults, closure]. Received: {value!r}")
            return function_from_bytecode(*value)
        return function_from_bytecode(inner.get("code"), inner.get("defaults"), inner.get("closure"))
    if cfg.get("class_name") != "function":
        raise ValueError(f"The Lambda layer's {what} config should name a function. Received: {cfg!r}")
    name = cfg.get("config")
    if name == "<lambda>" and not (custom_objects and name in custom_objects):
        raise ValueError(
            f"This Lambda layer's {what} was a Python lambda. kerasnb saves functions by name only, never their "
            f"code, so a lambda cannot be restored from a config. Define the function with `def` and pass it as "
            f"custom_objects={{'<function name>': fn}}, or pass this one as custom_objects={{'<lambda>': fn}}."
        )
    try:
        return serialization_lib.resolve_function(name, cfg.get("module"), custom_objects)
    except ValueError:
        raise ValueError(
            f"Unknown function {name!r} (the Lambda layer's {what}): it is none of kerasnb's functions, and none of "
            f"your objects has that name. Pass it to from_config/load as custom_objects={{{name!r}: fn}}."
        ) from None


def function_from_bytecode(code, defaults=None, closure=None):
    """Rebuild a function from the base64-encoded ``marshal`` bytecode Keras writes for a ``lambda``.

    This runs code that came from a file: kerasnb only calls it when loading with ``safe_mode=False`` given
    explicitly. Bytecode written by another Python version is refused with an explanation.

    Example:
        >>> import base64, marshal
        >>> code = base64.b64encode(marshal.dumps((lambda x: x + 1).__code__)).decode("ascii")
        >>> function_from_bytecode(code)(41)
        42
    """
    import base64
    import binascii
    import builtins
    import marshal
    import types

    import kerasnb

    if not isinstance(code, str):
        raise ValueError(f"A Lambda's bytecode is a base64 string. Received: {code!r}")
    try:
        raw = base64.b64decode(code.encode("ascii"))
        code_object = marshal.loads(raw)
    except (ValueError, EOFError, TypeError, binascii.Error) as e:
        raise ValueError(
            "Could not read the Lambda layer's bytecode: it is damaged, or it was written by another Python "
            f"version ({e}). Bytecode only loads in the Python version that wrote it; define the function with "
            "`def` and pass it through `custom_objects` instead."
        ) from e
    if not isinstance(code_object, types.CodeType):
        raise ValueError("The Lambda layer's bytecode does not hold a function's code.")
    cells = None
    if closure is not None:
        if not isinstance(closure, (list, tuple)):
            raise ValueError(f"A Lambda's closure is a list of values. Received: {closure!r}")
        cells = tuple(types.CellType(value) for value in closure)
    if len(cells or ()) != len(code_object.co_freevars):
        raise ValueError("The Lambda layer's bytecode and its closure do not match.")
    if defaults is not None and not isinstance(defaults, (list, tuple)):
        raise ValueError(f"A Lambda's defaults are a list of values. Received: {defaults!r}")
    namespace = {"__builtins__": builtins, "keras": kerasnb, "ops": kerasnb.ops, "np": np, "numpy": np}
    return types.FunctionType(code_object, namespace, code_object.co_name, tuple(defaults) if defaults else None,
                              cells)


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
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Rebuild the layer from its config: functions are found by name (in ``custom_objects``, registered
        objects or kerasnb's own functions); a function stored as Python bytecode — what Keras writes for a
        ``lambda`` — is refused unless ``safe_mode=False`` is given explicitly (or the loading function was given
        it), because loading it would run code from the file.

        Example:
            >>> config = Lambda(keras.ops.relu).get_config()
            >>> Lambda.from_config(config).function is keras.ops.relu
            True
        """
        config = dict(config)
        module = config.pop("module", None)  # tf-keras's keys
        function_type = config.pop("function_type", None)
        output_shape_module = config.pop("output_shape_module", None)
        output_shape_type = config.pop("output_shape_type", None)
        if "function" not in config:
            raise ValueError(f"A Lambda layer's config needs its 'function'. Received keys: {sorted(config)}")
        config["function"] = _function_from_config(config["function"], custom_objects, "function", safe_mode,
                                                   module, function_type)
        output_shape = config.get("output_shape")
        if isinstance(output_shape, dict) or output_shape_type in ("function", "lambda") and output_shape is not None:
            config["output_shape"] = _function_from_config(output_shape, custom_objects, "output_shape", safe_mode,
                                                           output_shape_module, output_shape_type)
        elif output_shape is not None:
            config["output_shape"] = tuple(output_shape)
        mask = config.get("mask")
        if isinstance(mask, dict):
            config["mask"] = _function_from_config(mask, custom_objects, "mask", safe_mode)
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
