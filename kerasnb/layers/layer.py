"""``Layer``: the base class of every layer and model — state (weights) plus a computation (``call``).

The contract, as in Keras::

    class Linear(keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)              # 1. store the configuration
            self.units = units

        def build(self, input_shape):               # 2. make the weights, once the input shape is known
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):                     # 3. the computation, with kerasnb.ops
            return inputs @ self.w + self.b

        def get_config(self):                       # 4. the configuration, for saving
            return {**super().get_config(), "units": self.units}

Calling a layer (``layer(x)``) runs :meth:`Layer.__call__`, which does the bookkeeping in numbered steps. On
symbolic inputs (``keras.Input``) it computes nothing: it records a node of the functional graph instead.

Sublayers and variables are found by looking at the layer's attributes (also inside lists, tuples and dicts)
when they are asked for — there is no ``__setattr__`` magic, so a subclass may set attributes before calling
``super().__init__()``.
"""

import functools
import inspect
import re

import numpy as np

from kerasnb import config
from kerasnb.engine import autograd
from kerasnb.engine.tensor import Tensor, Variable, convert_to_tensor
from kerasnb.layers.keras_tensor import (
    KerasTensor,
    Node,
    ShapeLeaf,
    any_symbolic,
    flatten,
    map_structure,
    pack_like,
)

# ---------------------------------------------------------------------------------------------------------
# Names: dense, dense_1, dense_2, ... unique per process (reset by keras.backend.clear_session()).
# ---------------------------------------------------------------------------------------------------------

_name_counts = {}


def to_snake_case(name):
    """``MaxPooling2D`` -> ``max_pooling2d``, ``SimpleRNN`` -> ``simple_rnn``, as Keras names layers."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """``base`` the first time, then ``base_1``, ``base_2``, ..."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset_names():
    """Forget every auto-generated name, so the next Dense is ``dense`` again."""
    _name_counts.clear()


# ---------------------------------------------------------------------------------------------------------
# Input specs
# ---------------------------------------------------------------------------------------------------------


class InputSpec:
    """What a layer accepts: a rank (``ndim``, ``min_ndim``, ``max_ndim``) and fixed sizes of some axes.

    Example:
        >>> InputSpec(min_ndim=2, axes={-1: 784})
        InputSpec(min_ndim=2, axes={-1: 784})
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype, self.shape = dtype, shape
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})

    def __repr__(self):
        parts = [f"{k}={v!r}" for k, v in vars(self).items() if v not in (None, {})]
        return f"InputSpec({', '.join(parts)})"


def check_input_spec(layer, inputs):
    """Raise a ValueError naming the layer, the input, what was expected and what was received."""
    specs = layer.input_spec
    if specs is None:
        return
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    tensors = flatten(inputs)
    for i, (spec, x) in enumerate(zip(specs, tensors)):
        if spec is None or not hasattr(x, "shape"):
            continue
        shape = tuple(x.shape)
        where = f'Input {i} of layer "{layer.name}" is incompatible with the layer:'
        if spec.ndim is not None and len(shape) != spec.ndim:
            raise ValueError(f"{where} expected ndim={spec.ndim}, found ndim={len(shape)}. Full shape received: "
                             f"{shape}")
        if spec.min_ndim is not None and len(shape) < spec.min_ndim:
            raise ValueError(f"{where} expected min_ndim={spec.min_ndim}, found ndim={len(shape)}. Full shape "
                             f"received: {shape}")
        if spec.max_ndim is not None and len(shape) > spec.max_ndim:
            raise ValueError(f"{where} expected max_ndim={spec.max_ndim}, found ndim={len(shape)}. Full shape "
                             f"received: {shape}")
        for axis, value in spec.axes.items():
            if value is None or not -len(shape) <= axis < len(shape):
                continue
            if shape[axis] is not None and shape[axis] != value:
                raise ValueError(f"{where} expected axis {axis} of input shape to have value {value}, but received "
                                 f"input with shape {shape}")


# ---------------------------------------------------------------------------------------------------------
# The training flag travels down to nested layers that were called without it (Dropout inside a subclassed
# model called with training=True).
# ---------------------------------------------------------------------------------------------------------

_training_stack = [None]


@functools.cache
def _call_arguments(call):
    """Which of ``training`` / ``mask`` a ``call`` method accepts (``**kwargs`` accepts both)."""
    params = inspect.signature(call).parameters
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return ("training" in params or var_kw), ("mask" in params or var_kw)


_LAYER_STATE = {"_initialized", "_own_variables", "_inbound_nodes", "_losses", "_trainable", "_name", "built"}


class Layer:
    """The base class of all layers: weights (``add_weight`` in ``build``) and a computation (``call``).

    Args:
        activity_regularizer: a penalty on the layer's outputs, added to ``layer.losses`` (divided by the batch
            size, as in Keras 3).
        trainable: whether the layer's weights are updated by training.
        name: a name, unique within a model; by default the class name in snake case, numbered
            (``dense``, ``dense_1``, ...).
        dtype: the dtype of the layer's weights and computations (default ``keras.config.floatx()``).
        input_shape: on the first layer of a ``Sequential``: the shape of one sample, e.g. ``(784,)``.
        input_dim: older spelling of ``input_shape=(input_dim,)``.
        batch_input_shape / batch_size: the full input shape / a fixed batch size, with ``input_shape``.

    Example:
        >>> class Double(keras.layers.Layer):
        ...     def call(self, inputs):
        ...         return inputs * 2
        >>> Double()(np.ones((1, 2))).numpy()
        array([[2., 2.]], dtype=float32)
    """

    # Layers whose Keras 3 configs carry ``quantization_config`` / ``lora_rank`` / ``lora_alpha`` (Dense, Embedding)
    _keras_quantization_keys = False

    def __init__(self, activity_regularizer=None, trainable=True, name=None, dtype=None, autocast=True, **kwargs):
        batch_input_shape = self._pop_input_shape(kwargs)
        if self._keras_quantization_keys:
            _pop_unsupported_features(type(self).__name__, kwargs)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        self._name = str(name) if name else unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype = np.dtype(config.floatx() if dtype is None else _dtype_name(dtype)).name
        self.autocast = autocast
        self.built = False
        self.input_spec = getattr(self, "input_spec", None)
        self._own_variables = []
        self._losses = []
        self._inbound_nodes = []
        self._batch_input_shape = batch_input_shape
        if activity_regularizer is not None or not hasattr(self, "activity_regularizer"):
            from kerasnb import regularizers

            self.activity_regularizer = regularizers.get(activity_regularizer)
        self._initialized = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Keep the shapes each layer is built for (get_build_config), whatever `build` the subclass writes.
        if callable(cls.__dict__.get("build")):
            cls.build = _recording_build(cls.__dict__["build"])

    @staticmethod
    def _pop_input_shape(kwargs):
        """The first layer of a model may say what it expects: input_shape, input_dim, batch_input_shape."""
        batch_size = kwargs.pop("batch_size", None)
        shape = None
        if "batch_input_shape" in kwargs:
            shape = tuple(kwargs.pop("batch_input_shape"))
        if "batch_shape" in kwargs:
            shape = tuple(kwargs.pop("batch_shape"))
        if "input_shape" in kwargs:
            input_shape = kwargs.pop("input_shape")
            input_shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
            shape = (batch_size, *input_shape)
        if "input_dim" in kwargs:
            input_dim = kwargs.pop("input_dim")
            if input_dim is not None:
                shape = (batch_size, int(input_dim))
        return shape

    def __getattr__(self, name):
        # Only reached when normal lookup fails: a subclass that skipped super().__init__() lacks our state.
        if name in _LAYER_STATE and "_initialized" not in self.__dict__:
            raise RuntimeError(
                f"It looks like you are subclassing `{type(self).__name__}` and forgot to call "
                "`super().__init__()`. Add `super().__init__(**kwargs)` at the start of your `__init__` method."
            )
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    # -- properties ----------------------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        """The dtype of the layer's weights and computations, as a string (``'float32'``)."""
        return self._dtype

    compute_dtype = dtype
    variable_dtype = dtype

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """Freeze (``False``) or unfreeze the layer and every layer inside it."""
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value

    @property
    def layers(self):
        """The layers directly inside this layer (found in its attributes)."""
        return [layer for layer in self._flatten_layers(include_self=False, recursive=False)]

    # -- weights -------------------------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none", name=None):
        """Create a weight variable of this layer, usually in ``build``.

        Args:
            shape: the shape (default: a scalar).
            initializer: a name (``'glorot_uniform'``, ``'zeros'``, ...), an initializer, or a callable
                ``(shape, dtype)``; default ``'glorot_uniform'`` for floats, ``'zeros'`` otherwise.
            dtype: default the layer's dtype.
            trainable: whether training updates it.
            regularizer: a penalty on the weight, added to ``layer.losses``.
            constraint: a projection applied after each optimizer step.
            name: the variable's name (its path is ``layer_name/name``).

        Returns:
            The new :class:`kerasnb.Variable`.
        """
        from kerasnb import constraints, initializers, regularizers

        dtype = np.dtype(_dtype_name(dtype) if dtype is not None else self._dtype)
        shape = () if shape is None else tuple(int(d) for d in shape)
        if _CONFIG_LOADING[0]:
            _check_loaded_size(shape, f"the weight '{name or 'variable'}' of layer '{self.name}'")
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        init = initializers.get(initializer)
        variable = Variable(init, shape=shape, dtype=dtype, trainable=trainable, name=name or "variable")
        variable.path = f"{self.name}/{variable.name}"
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        self._own_variables.append(variable)
        return variable

    def _flatten_layers(self, include_self=True, recursive=True):
        """This layer and the layers inside it, in attribute order, each once."""
        result, seen = [], set()

        def visit(layer, depth):
            if id(layer) in seen:
                return
            seen.add(id(layer))
            if depth > 0 or include_self:
                result.append(layer)
            if depth == 0 or recursive:
                for child in layer._attribute_children()[0]:
                    visit(child, depth + 1)

        visit(self, 0)
        return result

    def _attribute_children(self):
        """The layers and the variables held by this layer's attributes (directly or in lists, tuples and
        dicts), in attribute order: one walk over ``__dict__`` finds both.

        The walk is cached: every training step reads ``trainable_weights`` and ``losses``, and walking every
        attribute of every layer each time cost ~15% of an MLP's step. The cache is reused while each attribute
        still holds the same objects: the attribute's value and, for a list, tuple or dict, its items (so an
        append, an item replaced, an attribute re-set or deleted all show). Containers nested two deep are
        walked but not watched; re-assign the attribute after changing one in place."""
        # The signature holds the objects themselves, compared with `is`: a freed object's id can be reused by a
        # new one, a held object's cannot; and `==` on tensors would compare values.
        signature = []
        for key, value in self.__dict__.items():
            if key not in _NOT_CHILDREN:
                signature.append(key)
                signature.append(value)
                if isinstance(value, (list, tuple)):
                    signature.extend(value)
                elif isinstance(value, dict):
                    signature.extend(value.values())
        cached = self.__dict__.get("_children_cache")
        if cached is not None and len(cached[0]) == len(signature) and all(
            a is b for a, b in zip(signature, cached[0])
        ):
            return cached[1]
        children = self._walk_attribute_children()
        self.__dict__["_children_cache"] = (signature, children)
        return children

    def _walk_attribute_children(self):
        layers, variables, seen = [], [], {id(self)}
        for key, value in self.__dict__.items():
            if key in _NOT_CHILDREN:
                continue
            for item in _walk(value):
                if id(item) in seen:
                    continue
                if isinstance(item, Layer):
                    layers.append(item)
                elif isinstance(item, Variable):
                    variables.append(item)
                else:
                    continue
                seen.add(id(item))
        return layers, variables

    def _collect_weights(self, trainable_only=False):
        """One depth-first pass: each layer's own weights (trainable first), then its sublayers', each once.
        With ``trainable_only``, frozen layers (and everything inside them) and non-trainable variables are
        skipped. (``trainable_weights`` is read every training step, so this walks each layer only once.)"""
        result, seen_variables, seen_layers = [], set(), set()

        def visit(layer):
            if id(layer) in seen_layers or (trainable_only and not layer.trainable):
                return
            seen_layers.add(id(layer))
            sublayers, attribute_variables = layer._attribute_children()
            own = layer._own_variables + attribute_variables
            ordered = [v for v in own if v.trainable] + ([] if trainable_only else [v for v in own if not v.trainable])
            for v in ordered:
                if id(v) not in seen_variables:
                    seen_variables.add(id(v))
                    result.append(v)
            for child in sublayers:
                visit(child)

        visit(self)
        return result

    @property
    def weights(self):
        """All weights: this layer's (trainable first), then those of the layers inside it, in order."""
        return self._collect_weights()

    @property
    def trainable_weights(self):
        """The weights training updates: trainable variables of layers that are not frozen."""
        return self._collect_weights(trainable_only=True)

    @property
    def non_trainable_weights(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """The weights' values as a list of NumPy arrays (in ``weights`` order)."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Set the weights from a list of arrays, in ``weights`` order; counts and shapes must match."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                f"{len(weights)}, but the layer was expecting {len(params)} weights."
            )
        for v, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(v.shape) != tuple(w.shape):
                raise ValueError(
                    f"Layer '{self.name}' weight shape {tuple(v.shape)} is not compatible with provided weight "
                    f"shape {tuple(w.shape)} (variable '{v.path}')."
                )
        for v, w in zip(params, weights):
            v.assign(w)

    def count_params(self):
        """The number of scalars in all weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`, or call it on data first."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # -- losses --------------------------------------------------------------------------------------------
    def add_loss(self, loss):
        """Add a loss (a scalar tensor computed in ``call``) to the model's training objective."""
        self._losses.append(loss)

    @property
    def losses(self):
        """Losses added in the last call (``add_loss``) plus the weight regularization penalties, of this layer
        and the layers inside it."""
        return collected_losses(self._flatten_layers(), [v for v in self.weights if v.regularizer is not None])

    # -- building and calling ------------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights, given the shape of the inputs (override in subclasses)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's computation (override in subclasses). The base class returns the inputs."""
        return inputs

    def __call__(self, *args, **kwargs):
        if "_initialized" not in self.__dict__:
            self.__getattr__("_initialized")  # raises the "forgot super().__init__()" error
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f"Layer '{self.name}' was called without inputs.")
            args = (kwargs.pop("inputs"),)
        # 1. Symbolic inputs (keras.Input): record a node of the functional graph instead of computing.
        if any_symbolic(args) or any_symbolic(kwargs):
            return self._symbolic_call(args, kwargs)
        # 2. Convert the inputs: arrays become tensors, floats take the layer's dtype. Keep their masks.
        masks = _masks_of(args[0])
        inputs = self._convert_inputs(args[0])
        # 3. Check them against the input spec, build on first use, check again (build may fix axes).
        check_input_spec(self, inputs)
        if not self.built:
            self._build_for(inputs)
            check_input_spec(self, inputs)
        # 4. Pass `training` on if `call` takes it (explicit, else inherited from an enclosing call), and the
        #    inputs' masks (from Embedding(mask_zero=True) or Masking) if `call` takes `mask`.
        takes_training, takes_mask = _call_arguments(type(self).call)
        training = kwargs.pop("training", None)
        if training is None:
            training = _training_stack[-1]
        if takes_training and training is not None:
            kwargs["training"] = training
        if takes_mask and "mask" not in kwargs and masks is not None:
            kwargs["mask"] = masks
        # 5. Call, with losses from add_loss starting afresh.
        self._losses = []
        _training_stack.append(training)
        try:
            outputs = self.call(inputs, *args[1:], **kwargs)
        finally:
            _training_stack.pop()
        # 6. A penalty on the outputs (activity_regularizer), divided by the batch size as Keras 3 does, so its
        #    strength does not depend on the batch size.
        if self.activity_regularizer is not None:
            for out in flatten(outputs):
                if isinstance(out, Tensor):
                    penalty = self.activity_regularizer(out)
                    self.add_loss(penalty / out.shape[0] if out.ndim > 0 else penalty)
        # 7. Attach the output mask, so the next layer receives it.
        out_mask = self.compute_mask(inputs, kwargs.get("mask", masks))
        if out_mask is not None:
            for t, m in zip(flatten(outputs), flatten(out_mask) if isinstance(out_mask, (list, tuple)) else [
                    out_mask] * len(flatten(outputs))):
                if isinstance(t, Tensor):
                    t._keras_mask = m
        if isinstance(outputs, Tensor):  # shown by summary() for layers of subclassed models
            shape = (None, *outputs.shape[1:])
            if shape != self.__dict__.get("_summary_shape"):  # re-setting it each call would void the weights cache
                self._summary_shape = shape
        return outputs

    supports_masking = False

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: by default the input mask passes through layers that
        ``supports_masking``, and is dropped by the others."""
        return mask if self.supports_masking else None

    def _convert_inputs(self, inputs):
        def convert(x):
            if isinstance(x, Tensor):
                t = x
            else:
                t = convert_to_tensor(x)
            if self.autocast and t.dtype.kind == "f" and t.dtype != self._dtype:
                from kerasnb import ops

                t = ops.cast(t, self._dtype)
            return t

        if _is_numbers(inputs):
            return convert(inputs)
        return map_structure(convert, inputs)

    def _build_for(self, inputs):
        shapes = map_structure(lambda t: tuple(t.shape), inputs)
        self.build(shapes)
        self.built = True

    def _symbolic_call(self, args, kwargs):
        inputs = args[0]
        check_input_spec(self, inputs)
        if not self.built:
            self.build(map_structure(lambda t: tuple(t.shape), inputs))
            self.built = True
            check_input_spec(self, inputs)
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, outputs)
        for i, t in enumerate(flatten(outputs)):
            t.name = self.name if len(flatten(outputs)) == 1 else f"{self.name}_{i}"
        return outputs

    def compute_output_shape(self, input_shape):
        """The output shape for an input shape (``None`` for unknown sizes). The base class finds it by running
        ``call`` on small zero inputs; layers override it when it is cheap to compute."""
        specs = map_structure(lambda s: KerasTensor(s, self._dtype), _shape_structure(input_shape))
        out = self._trace_output(specs)
        return map_structure(lambda t: t.shape, out)

    def compute_output_spec(self, *args, **kwargs):
        """Symbolic outputs (KerasTensors) for symbolic inputs: from ``compute_output_shape`` when the layer
        defines it, else by running ``call`` on zeros."""
        inputs = args[0]
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = self.compute_output_shape(map_structure(lambda t: t.shape, inputs) if not isinstance(
                inputs, KerasTensor) else inputs.shape)
            dtype = self._output_dtype(inputs)
            if _is_shape(shapes):
                return KerasTensor(shapes, dtype)
            return map_structure(lambda s: KerasTensor(s, dtype), _shape_structure(shapes))
        return self._trace_output(inputs, *args[1:], **kwargs)

    def _output_dtype(self, inputs):
        first = flatten(inputs)[0]
        return self._dtype if first.dtype.kind == "f" or self.autocast else first.dtype

    def _trace_output(self, inputs, *args, **kwargs):
        """Run ``call`` on zeros twice, with unknown sizes set to 2 and then 3: sizes that follow them are
        unknown (``None``) in the output, the others are fixed."""
        runs = []
        for fill in (2, 3):
            concrete = map_structure(
                lambda t, fill=fill: Tensor(np.zeros([fill if d is None else d for d in t.shape], dtype=t.dtype)),
                inputs)
            with autograd.no_recording():
                _training_stack.append(False)
                try:
                    call_kwargs = dict(kwargs)
                    if _call_arguments(type(self).call)[0]:
                        call_kwargs.setdefault("training", False)
                    runs.append(self.call(self._convert_inputs(concrete), *args, **call_kwargs))
                finally:
                    _training_stack.pop()
        first, second = flatten(runs[0]), flatten(runs[1])
        specs = [
            KerasTensor([a if a == b else None for a, b in zip(t1.shape, t2.shape)], t1.dtype)
            for t1, t2 in zip(first, second)
        ]
        return pack_like(runs[0], specs)

    # -- the functional graph ------------------------------------------------------------------------------
    def _node_attribute(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer '{self.name}' has never been called and thus has no defined {what}.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"The layer '{self.name}' has been called {len(self._inbound_nodes)} times (it is shared), so its "
                f"{what} is ambiguous. Use `layer.get_input_at(i)`-style access through the model instead."
            )
        values = getattr(self._inbound_nodes[0], attr)
        return values[0] if len(values) == 1 else values

    @property
    def input(self):
        """The symbolic input of the layer's (single) call in a functional graph."""
        return self._node_attribute("input_tensors", "input")

    @property
    def output(self):
        """The symbolic output of the layer's (single) call in a functional graph."""
        return self._node_attribute("output_tensors", "output")

    @property
    def input_shape(self):
        x = self.input
        return [t.shape for t in x] if isinstance(x, list) else x.shape

    @property
    def output_shape(self):
        y = self.output
        return [t.shape for t in y] if isinstance(y, list) else y.shape

    # -- configuration -------------------------------------------------------------------------------------
    @property
    def dtype_policy(self):
        """The layer's :class:`~kerasnb.dtype_policies.DTypePolicy` (its ``dtype`` as Keras 3 saves it).

        Example:
            >>> keras.layers.Dense(2).dtype_policy
            <DTypePolicy "float32">
        """
        from kerasnb.dtype_policies import DTypePolicy

        return DTypePolicy("string" if self.dtype == "object" else self.dtype)

    def get_config(self):
        """The arguments that recreate this layer (``type(layer).from_config(config)``).

        A subclass whose ``__init__`` takes arguments of its own must override this (returning
        ``{**super().get_config(), "units": self.units, ...}``); otherwise it cannot be saved, and this says so.

        Example:
            >>> keras.layers.Dropout(0.5, name="drop").get_config()
            {'name': 'drop', 'trainable': True, 'dtype': 'float32', 'rate': 0.5, 'noise_shape': None, 'seed': None}
        """
        if type(self).get_config is Layer.get_config:
            _check_default_config_suffices(type(self))
        cfg = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            cfg["batch_input_shape"] = self._batch_input_shape
        return cfg

    @classmethod
    def from_config(cls, config):
        """Create a layer from its ``get_config()`` (also from the config real Keras 3 or tf-keras wrote for it).

        Example:
            >>> keras.layers.Dense.from_config({"units": 3, "name": "d"}).units
            3
        """
        return cls(**config)

    def get_build_config(self):
        """The input shape(s) the layer was built for, as Keras saves them (``{"input_shape": [None, 3]}``), or
        ``None`` if it is not built; :meth:`build_from_config` builds a new layer the same way.

        Example:
            >>> layer = keras.layers.Dense(2)
            >>> layer.build((None, 3))
            >>> layer.get_build_config()
            {'input_shape': [None, 3]}
        """
        shapes = self.__dict__.get("_build_shapes_dict")
        if not self.built or not shapes:
            return None
        if len(shapes) == 1 and "input_shape" in shapes:
            return {"input_shape": _shape_to_list(shapes["input_shape"])}
        return {"shapes_dict": {key: _shape_to_list(value) for key, value in shapes.items()}}

    def build_from_config(self, config):
        """Build the layer from :meth:`get_build_config`'s output (what a saved file holds).

        Example:
            >>> layer = keras.layers.Dense(2)
            >>> layer.build_from_config({"input_shape": [None, 3]})
            >>> [tuple(w.shape) for w in layer.weights]
            [(3, 2), (2,)]
        """
        if not isinstance(config, dict):
            raise ValueError(f"Layer '{self.name}': a build config is a dict such as {{'input_shape': [None, 3]}}. "
                             f"Received: {config!r}")
        if "input_shape" in config:
            shape = _shape_from_list(config["input_shape"], self.name)
            if shape is not None:
                self.build(shape)
                self.built = True
        elif "shapes_dict" in config:
            shapes = config["shapes_dict"]
            if not isinstance(shapes, dict):
                raise ValueError(f"Layer '{self.name}': 'shapes_dict' must be a dict of shapes. Received: {shapes!r}")
            self.build(**{str(k): _shape_from_list(v, self.name) for k, v in shapes.items()})
            self.built = True

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


class SymbolicOp(Layer):
    """A layer running one ``kerasnb.ops`` function: what Python operators on KerasTensors add to the graph
    (``x + y``, ``x * 2.0``, ``x[:, 0]``, ...). Arguments that are not tensors (numbers, slices) are kept as
    given. It is saved as Keras 3 saves the same operator (``{"module": "keras.src.ops.numpy", "class_name":
    "Add"}``), so a functional model with operators loads in Keras and back.

    Example:
        >>> x = keras.Input(shape=(3,))
        >>> model = keras.Model(x, (x + 1.0) * x)
        >>> [type(layer).__name__ for layer in model._layers]
        ['InputLayer', 'SymbolicOp', 'SymbolicOp']
        >>> model(np.array([[1.0, 2.0, 3.0]])).numpy()
        array([[ 2.,  6., 12.]], dtype=float32)
    """

    def __init__(self, fn, keras_op_name=None, name=None, **kwargs):
        keras_op_name = keras_op_name or _KERAS_OP_NAMES.get(getattr(fn, "__name__", None))
        base = to_snake_case(keras_op_name) if keras_op_name else getattr(fn, "__name__", "op").strip("<>")
        super().__init__(name=name or unique_name(base), **kwargs)
        self.fn = fn
        self.keras_op_name = keras_op_name
        self.built = True

    def __call__(self, *args, training=None, **kwargs):
        if any_symbolic(args):
            outputs = self._trace_symbolic(args)
            Node(self, args, {}, outputs)
            for i, t in enumerate(flatten(outputs)):
                t.name = self.name if len(flatten(outputs)) == 1 else f"{self.name}_{i}"
            return outputs
        return self.fn(*args)

    def _trace_symbolic(self, args):
        """Run the op twice on zeros in place of the symbolic arguments (unknown sizes 2, then 3)."""
        runs = []
        for fill in (2, 3):
            concrete = map_structure(
                lambda t, fill=fill: Tensor(np.zeros([fill if d is None else d for d in t.shape], dtype=t.dtype))
                if isinstance(t, KerasTensor) else t, list(args))
            with autograd.no_recording():
                runs.append(self.fn(*concrete))
        first, second = flatten(runs[0]), flatten(runs[1])
        specs = [KerasTensor([a if a == b else None for a, b in zip(t1.shape, t2.shape)], t1.dtype)
                 for t1, t2 in zip(first, second)]
        return pack_like(runs[0], specs)

    def call(self, inputs, training=None):
        return self.fn(*inputs)

    def get_config(self):
        if self.keras_op_name is None:
            raise TypeError(
                f"The operation '{self.name}' ({getattr(self.fn, '__name__', self.fn)!r}) has no Keras equivalent, "
                "so a model using it cannot be saved as a config. Use a layer (e.g. keras.layers.Add) instead."
            )
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        raise ValueError(
            "An operation's config does not say which op it runs; it is rebuilt from its class name "
            "(e.g. {'module': 'keras.src.ops.numpy', 'class_name': 'Add', 'config': {'name': 'add'}})."
        )


def _getitem(x, key):
    # JSON has no tuples: Keras 3 writes the key of x[:, 0:2] as a list of slices, which means a tuple.
    from kerasnb import ops

    return ops.getitem(x, tuple(key) if isinstance(key, list) else key)


class _KerasOpClass:
    """What a config's Keras 3 operation class (``{"module": "keras.src.ops.numpy", "class_name": "Add"}``)
    resolves to: it makes the :class:`SymbolicOp` running kerasnb's op of the same meaning."""

    def __init__(self, class_name, op_name):
        self.__name__ = self.__qualname__ = class_name
        self.op_name = op_name

    def from_config(self, config):
        from kerasnb import ops

        fn = _getitem if self.op_name == "getitem" else getattr(ops, self.op_name)
        name = config.get("name")
        return SymbolicOp(fn, keras_op_name=self.__name__, name=name if isinstance(name, str) and name else None)

    def __repr__(self):
        return f"<Keras operation {self.__name__}>"


# Keras 3's operation classes (keras.src.ops.numpy) that KerasTensor operators create -> kerasnb.ops functions
_KERAS_OPS = {
    "Add": "add", "Subtract": "subtract", "Multiply": "multiply", "TrueDivide": "divide", "Divide": "divide",
    "Matmul": "matmul", "Power": "power", "Negative": "negative", "GetItem": "getitem", "Absolute": "absolute",
    "FloorDivide": "floor_divide", "Mod": "mod", "Maximum": "maximum", "Minimum": "minimum",
}
KERAS_OP_CLASSES = {name: _KerasOpClass(name, op) for name, op in _KERAS_OPS.items()}
# kerasnb op function name -> the Keras operation class written for it
_KERAS_OP_NAMES = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "TrueDivide",
                   "true_divide": "TrueDivide", "matmul": "Matmul", "power": "Power", "negative": "Negative",
                   "getitem": "GetItem", "_getitem": "GetItem", "absolute": "Absolute", "abs": "Absolute",
                   "floor_divide": "FloorDivide", "mod": "Mod", "maximum": "Maximum", "minimum": "Minimum"}


def _is_shape(s):
    return isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _shape_structure(shapes):
    """Mark each shape tuple inside ``shapes`` as a leaf."""
    if _is_shape(shapes):
        return ShapeLeaf(shapes)
    if isinstance(shapes, dict):
        return {k: _shape_structure(v) for k, v in shapes.items()}
    return [_shape_structure(s) for s in shapes]


def collected_losses(layers, regularized):
    """What ``losses`` returns, from the layers (this one and those inside it) and their regularized weights (in
    the order of ``weights``): the losses each layer added in its last call, then each weight's penalty. ``fit``
    calls it with both lists read once per ``fit``."""
    return [loss for layer in layers for loss in layer._losses] + [v.regularizer(v) for v in regularized]


def _masks_of(inputs):
    """The ``_keras_mask`` of each input tensor (one mask, a list, or ``None`` when no input has one)."""
    leaves = flatten(inputs) if isinstance(inputs, (list, tuple, dict)) and not _is_numbers(inputs) else [inputs]
    masks = [getattr(t, "_keras_mask", None) for t in leaves]
    if all(m is None for m in masks):
        return None
    return masks[0] if len(masks) == 1 else masks


# Attributes that never hold child layers or weights (and change every call): skipped by the walk and its cache.
_NOT_CHILDREN = frozenset(("_inbound_nodes", "_losses", "_children_cache", "_fit_structure", "_in_build",
                           "_build_shapes_dict"))


def _walk(value):
    if isinstance(value, (list, tuple)) and not isinstance(value, ShapeLeaf):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    else:
        yield value


def _is_numbers(x):
    """A (nested) list of plain numbers, to convert as one tensor rather than as a list of inputs."""
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(_is_numbers(i) or isinstance(i, (int, float, bool, np.number)) for i in x)
    return False


def _dtype_name(dtype):
    if isinstance(dtype, dict):  # Keras 3 saves a layer's dtype as a DTypePolicy config
        from kerasnb.dtype_policies import deserialize

        dtype = deserialize(dtype)
    if hasattr(dtype, "name") and isinstance(dtype.name, str) and not isinstance(dtype, np.dtype):
        dtype = dtype.name
    if dtype in ("string", "str"):
        return "object"  # Keras's dtype="string": Python strings in a NumPy object array
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        from kerasnb.dtype_policies import DTypePolicy

        DTypePolicy(dtype)  # raises: mixed precision is not supported
    return np.dtype(dtype).name


# ---------------------------------------------------------------------------------------------------------
# Saving support: Keras 3 keys kerasnb accepts, build configs, sizes while loading
# ---------------------------------------------------------------------------------------------------------

# While a config is being loaded (kerasnb.saving.serialization_lib sets this), a weight or traced input larger
# than this many elements is refused: a crafted config must not make kerasnb allocate terabytes.
_CONFIG_LOADING = [0]
MAX_LOADED_ELEMENTS = 2**30


def _check_loaded_size(shape, what):
    size = 1
    for d in shape:
        if d is not None:
            size *= int(d)
    if size > MAX_LOADED_ELEMENTS or any(d is not None and int(d) < 0 for d in shape):
        raise ValueError(
            f"The config being loaded declares {what} of shape {tuple(shape)} ({size:,} elements), more than the "
            f"{MAX_LOADED_ELEMENTS:,} kerasnb accepts from a file; the config is damaged or crafted."
        )


def _pop_unsupported_features(layer_class, kwargs):
    """Keras 3 writes ``quantization_config`` (and ``lora_rank``/``lora_alpha`` when LoRA is on) into some
    configs. Their default values mean "off", which is what kerasnb does; anything else is refused."""
    quantization = kwargs.pop("quantization_config", None)
    if quantization is not None:
        raise ValueError(
            f"{layer_class}: quantized layers are not supported by kerasnb. Received: "
            f"quantization_config={quantization!r}"
        )
    for key in ("lora_rank", "lora_alpha"):
        value = kwargs.pop(key, None)
        if value is not None:
            raise ValueError(f"{layer_class}: LoRA is not supported by kerasnb. Received: {key}={value!r}")
    if kwargs.pop("lora_enabled", False):
        raise ValueError(f"{layer_class}: LoRA is not supported by kerasnb. Received: lora_enabled=True")


@functools.cache
def _check_default_config_suffices(cls):
    """A subclass that keeps the base ``get_config`` must not need ``__init__`` arguments of its own."""
    if cls.__init__ is Layer.__init__:
        return
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return
    required = [p.name for p in params if p.default is inspect.Parameter.empty
                and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    if required:
        raise TypeError(
            f"Layer {cls.__name__} has arguments {required} in `__init__()` and therefore must override "
            "`get_config()` to be saved, e.g.\n\n"
            "    def get_config(self):\n"
            f"        return {{**super().get_config(), {', '.join(f'{n!r}: self.{n}' for n in required)}}}"
        )


def _shape_to_list(shape):
    """A shape, or a structure of shapes, as JSON holds it (tuples become lists)."""
    if isinstance(shape, dict):
        return {k: _shape_to_list(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):
        return [_shape_to_list(d) for d in shape]
    if isinstance(shape, np.integer):
        return int(shape)
    return shape


def _shape_from_list(value, layer_name):
    """A shape read from a build config: a list of ints/None becomes a tuple; lists of those become lists of
    tuples."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if all(d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool)) for d in value):
            shape = tuple(None if d is None else int(d) for d in value)
            if _CONFIG_LOADING[0]:
                _check_loaded_size(shape, f"an input of layer '{layer_name}'")
            return shape
        return [_shape_from_list(v, layer_name) for v in value]
    if isinstance(value, dict):
        return {k: _shape_from_list(v, layer_name) for k, v in value.items()}
    raise ValueError(f"Layer '{layer_name}': a shape in a build config is a list of sizes. Received: {value!r}")


@functools.cache
def _build_parameters(build):
    try:
        return [p for p in list(inspect.signature(build).parameters.values())[1:]
                if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
    except (TypeError, ValueError):
        return []


def _recording_build(build):
    """Wrap a ``build`` method so that the shapes of the outermost call are kept (``get_build_config``) and the
    layer counts as built once it returns, as in Keras 3: ``layer.build(shape)`` called by hand, in a subclass
    that does not call ``super().build``, must not leave ``built`` False (the first call would build again, with
    new weights, and the weights set in between would be lost)."""
    if getattr(build, "_records_shapes", False):
        return build

    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        if self.__dict__.get("_in_build"):
            return build(self, *args, **kwargs)
        shapes = {}
        params = _build_parameters(build)
        if len(args) == 1 and not kwargs:
            shapes = {"input_shape": args[0]}
        else:
            for param, value in zip(params, args):
                shapes[param.name] = value
            shapes.update(kwargs)
            shapes = {k: v for k, v in shapes.items() if v is not None}
        self.__dict__["_in_build"] = True
        try:
            result = build(self, *args, **kwargs)
        finally:
            self.__dict__["_in_build"] = False
        if shapes:
            self.__dict__["_build_shapes_dict"] = shapes
        self.built = True
        return result

    wrapper._records_shapes = True
    return wrapper


Layer.build = _recording_build(Layer.__dict__["build"])
