"""``Model``: a layer that can be trained. ``keras.Model(inputs, outputs)`` makes a functional model; subclass
``Model`` and write ``call`` for full control.

A subclassed model creates its layers in ``__init__`` as attributes (also inside lists and dicts); they and
their weights are found automatically::

    class MyModel(keras.Model):
        def __init__(self, num_classes=10):
            super().__init__(name="my_model")
            self.dense_1 = keras.layers.Dense(32, activation="relu")
            self.dense_2 = keras.layers.Dense(num_classes, activation="sigmoid")

        def call(self, inputs):
            return self.dense_2(self.dense_1(inputs))
"""

from kerasnb.layers.keras_tensor import KerasTensor, map_structure
from kerasnb.layers.layer import Layer, ShapeLeaf, to_snake_case, unique_name
from kerasnb.models.trainer import Trainer


class Model(Trainer, Layer):
    """A layer with training (``compile``, ``fit``, ``evaluate``, ``predict``) and ``summary``.

    ``Model(inputs, outputs)`` returns a functional model (:class:`~kerasnb.models.functional.Functional`);
    subclasses define ``call``.

    Example:
        >>> class TwoLayers(keras.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = keras.layers.Dense(8, activation="relu")
        ...         self.out = keras.layers.Dense(1)
        ...     def call(self, inputs):
        ...         return self.out(self.hidden(inputs))
        >>> model = TwoLayers()
        >>> model(np.ones((4, 3))).shape
        (4, 1)
        >>> len(model.weights)
        4
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from kerasnb.models.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, trainable=True, name=None, dtype=None, **kwargs):
        if _functional_arguments(args, kwargs):
            # A subclass called as `CustomModel(inputs, outputs)` (Keras's "customizing fit" guide): like Keras, put
            # Functional into the subclass's bases, so it is a functional model with the subclass's overrides.
            from kerasnb.models.functional import Functional

            _inject_functional(type(self))
            name = name or unique_name(to_snake_case(type(self).__name__))
            Functional.__init__(self, *args, trainable=trainable, name=name, dtype=dtype, **kwargs)
            return
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__ got unexpected positional arguments. A subclassed model should "
                "call `super().__init__(name=...)`; to build a functional model, use keras.Model(inputs, outputs)."
            )
        Trainer.__init__(self)
        Layer.__init__(self, trainable=trainable, name=name or unique_name(to_snake_case(type(self).__name__)),
                       dtype=dtype, **kwargs)

    @property
    def layers(self):
        return self._flatten_layers(include_self=False, recursive=False)

    def get_layer(self, name=None, index=None):
        """A layer of the model, by ``name`` or by ``index`` (position in ``model.layers``).

        Raises ValueError naming the available layers when there is no such layer.
        """
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has {len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}.")
        raise ValueError("Provide either a layer name or a layer index to get_layer().")

    def reset_states(self):
        """Reset the states of every stateful layer inside (``stateful=True`` recurrent layers)."""
        for layer in self._flatten_layers(include_self=False):
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    def build(self, input_shape):
        """Build a subclassed model by running it once on zeros of ``input_shape`` (``None`` sizes allowed)."""
        if not self.built:
            spec = map_structure(lambda s: KerasTensor(s, self.dtype), _shapes(input_shape))
            self._trace_output(spec)
            self.built = True

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Print the classic table of layers, output shapes and parameter counts.

        Args:
            line_length: the width of the table (65 for sequential-like models, 98 with a "Connected to" column).
            positions: where each column ends, as fractions of ``line_length`` or as absolute positions.
            print_fn: called with each line (default ``print``).
        """
        from kerasnb.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    def _repr_html_(self):
        """In a notebook, a built model shows its summary as an HTML table."""
        if not self.built:
            return None
        from kerasnb.widgets.html import summary_html

        return summary_html(self)

    # -- configs: saving the architecture and the compile arguments ---------------------------------------
    def get_config(self):
        """The arguments that recreate this model: ``{"name", "trainable", "dtype"}`` for the base class, to
        which a subclassed model adds its own ``__init__`` arguments::

            def get_config(self):
                return {**super().get_config(), "units": self.units}

        (then ``from_config`` calls ``cls(**config)``). A subclassed model that does not define ``get_config`` has
        its architecture only in Python code, so it cannot be saved as a config: this raises a TypeError saying
        so (save its weights with ``save_weights`` instead).

        Example:
            >>> class Tiny(keras.Model):
            ...     def __init__(self, units=2, **kwargs):
            ...         super().__init__(**kwargs)
            ...         self.units = units
            ...         self.dense = keras.layers.Dense(units)
            ...     def call(self, x):
            ...         return self.dense(x)
            ...     def get_config(self):
            ...         return {**super().get_config(), "units": self.units}
            >>> Tiny(3, name="tiny").get_config()["units"]
            3
        """
        if type(self).get_config is Model.get_config and not _is_builtin_model(type(self)):
            raise TypeError(
                f"Model '{self.name}' is a subclassed model ({type(self).__name__}) without a get_config() method: "
                "its architecture is Python code, which kerasnb never saves, so it cannot be written as a config. "
                "Define get_config() returning the arguments of its __init__ "
                "(`return {**super().get_config(), 'units': self.units}`), or save only its weights with "
                "`model.save_weights(...)` and rebuild the model in code."
            )
        from kerasnb.dtype_policies import serialize

        return {"name": self.name, "trainable": self.trainable, "dtype": serialize(self.dtype_policy)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from its config: a functional model's config (``layers``, ``input_layers``,
        ``output_layers``) rebuilds the graph; a subclassed model's is passed to ``cls(**config)``.

        Example:
            >>> inputs = keras.Input((3,))
            >>> model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
            >>> clone = keras.Model.from_config(model.get_config())
            >>> clone.output_shape
            (None, 2)
        """
        from kerasnb.models.functional import Functional, functional_from_config

        if not isinstance(config, dict):
            raise ValueError(f"A model config is a dict. Received: {config!r}")
        if "layers" in config and "input_layers" in config and (cls is Model or issubclass(cls, Functional)):
            return functional_from_config(Functional if cls is Model else cls, config, custom_objects)
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"Unable to revive model {cls.__name__} from its config: {e}. `from_config` calls "
                f"`{cls.__name__}(**config)`, so its __init__ must accept every key get_config() returns "
                f"({sorted(config)}); override from_config() if it needs more than that."
            ) from e

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, steps_per_execution=None, jit_compile=None, auto_scale_loss=None, **kwargs):
        """Configure the model for training, as :meth:`kerasnb.models.trainer.Trainer.compile` describes, and
        remember the arguments, so that :meth:`get_compile_config` (and a saved file) can repeat them.

        Example:
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
            >>> model.get_compile_config()["metrics"]
            ['mae']
        """
        Trainer.compile(self, optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights,
                        weighted_metrics=weighted_metrics, run_eagerly=run_eagerly,
                        steps_per_execution=steps_per_execution, jit_compile=jit_compile,
                        auto_scale_loss=auto_scale_loss, **kwargs)
        self._compile_arguments = {
            "loss": loss, "loss_weights": loss_weights, "metrics": metrics, "weighted_metrics": weighted_metrics,
            "run_eagerly": bool(run_eagerly), "steps_per_execution": 1 if steps_per_execution is None else
            steps_per_execution, "jit_compile": "auto" if jit_compile is None else jit_compile,
        }

    def get_compile_config(self):
        """The arguments the model was compiled with, serialized as Keras 3 saves them (``optimizer``, ``loss``,
        ``loss_weights``, ``metrics``, ``weighted_metrics``, ``run_eagerly``, ``steps_per_execution``,
        ``jit_compile``); ``None`` when it is not compiled.

        Example:
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            >>> model.compile(optimizer="adam", loss="mse")
            >>> config = model.get_compile_config()
            >>> config["optimizer"]["class_name"], config["loss"]
            ('Adam', 'mse')
        """
        arguments = self.__dict__.get("_compile_arguments")
        if not self.compiled or arguments is None:
            return None
        from kerasnb.saving.serialization_lib import serialize_keras_object

        return {"optimizer": serialize_keras_object(self.optimizer),
                **{key: serialize_keras_object(value) for key, value in arguments.items()}}

    def compile_from_config(self, config, custom_objects=None):
        """Compile the model with the arguments :meth:`get_compile_config` saved (a Keras 3 file's
        ``compile_config``, or the ``training_config`` of a legacy ``.h5``). Losses, metrics and the optimizer are
        looked up as any config's objects are: your ``custom_objects`` and registered objects, then kerasnb's own.

        Example:
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            >>> model.compile_from_config({"optimizer": "sgd", "loss": "mae", "metrics": ["mse"]})
            >>> type(model.optimizer).__name__, model.compiled
            ('SGD', True)
        """
        if not isinstance(config, dict):
            raise ValueError(f"A compile config is a dict of compile() arguments. Received: {config!r}")
        from kerasnb import losses, metrics, optimizers
        from kerasnb.saving.object_registration import CustomObjectScope

        known = ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
                 "steps_per_execution", "jit_compile", "auto_scale_loss")
        arguments = {key: config[key] for key in known if key in config}
        with CustomObjectScope(custom_objects):
            optimizer = arguments.get("optimizer")
            if optimizer is None:
                arguments["optimizer"] = "rmsprop"  # compile()'s default, as Keras does
            elif isinstance(optimizer, dict):
                arguments["optimizer"] = optimizers.deserialize(optimizer, custom_objects=custom_objects)
            for key, family in (("loss", losses), ("metrics", metrics), ("weighted_metrics", metrics)):
                if arguments.get(key) is not None:
                    arguments[key] = _compiled_objects(arguments[key], family, custom_objects)
            for key in ("metrics", "weighted_metrics"):
                # tf-keras saved metrics as one list per output: [[...]] for a single-output model
                value = arguments.get(key)
                if (isinstance(value, list) and len(value) == 1 and isinstance(value[0], list)
                        and len(getattr(self, "outputs", None) or [None]) == 1):
                    arguments[key] = value[0]
            self.compile(**arguments)

    # -- files (kerasnb.saving does the work) ---------------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the whole model — architecture, weights, compile arguments, optimizer state — to a ``.keras``
        archive or a legacy ``.h5`` file (see :func:`kerasnb.saving.saving_api.save_model`).

        Example:
            >>> import os, tempfile
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            >>> model.save(os.path.join(tempfile.mkdtemp(), "model.keras"))
        """
        from kerasnb.saving.saving_api import save_model

        return save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Save the weights only (see :func:`kerasnb.saving.weights.save_weights`).

        Example:
            >>> import os, tempfile
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            >>> model.save_weights(os.path.join(tempfile.mkdtemp(), "model.weights.h5"))
        """
        from kerasnb.saving.weights import save_weights

        return save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights saved by ``save_weights`` (kerasnb, Keras 3 or tf-keras; see
        :func:`kerasnb.saving.weights.load_weights`).

        Example:
            >>> import os, tempfile
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            >>> path = os.path.join(tempfile.mkdtemp(), "model.weights.h5")
            >>> model.save_weights(path)
            >>> model.load_weights(path)
        """
        from kerasnb.saving.weights import load_weights

        return load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs):
        """The model's architecture (and compile arguments, when compiled) as a JSON string in Keras 3's
        format; ``kwargs`` go to ``json.dumps`` (e.g. ``indent=2``). Load it with
        ``keras.models.model_from_json``; the weights are not included.

        Example:
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            >>> clone = keras.models.model_from_json(model.to_json())
            >>> clone.count_params()
            8
        """
        import json

        from kerasnb.saving.serialization_lib import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)

    def to_yaml(self, **kwargs):
        """The same as :meth:`to_json`, as YAML (``yaml.safe_dump``; ``kwargs`` go to it). Needs PyYAML
        (``pip install pyyaml``); load it with ``keras.models.model_from_yaml``.

        Example:
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            >>> keras.models.model_from_yaml(model.to_yaml()).count_params()
            8
        """
        import json

        try:
            import yaml
        except ImportError as e:
            raise ImportError("`model.to_yaml()` needs PyYAML, which is not installed: pip install pyyaml") from e
        return yaml.safe_dump(json.loads(self.to_json()), **kwargs)


def _functional_arguments(args, kwargs):
    """Are these a functional model's ``(inputs, outputs)``: two of them, positional or by name, the inputs
    symbolic tensors from ``keras.Input``?"""
    if len(args) == 2:
        inputs = args[0]
    elif len(args) == 1 and "outputs" in kwargs:
        inputs = args[0]
    elif not args and "inputs" in kwargs and "outputs" in kwargs:
        inputs = kwargs["inputs"]
    else:
        return False
    from kerasnb.layers.keras_tensor import flatten

    flat = flatten(inputs)
    return bool(flat) and all(isinstance(t, KerasTensor) for t in flat)


def _inject_functional(cls):
    """Replace ``Model`` by ``Functional`` among the bases of ``cls`` and of its ``Model`` ancestors (as Keras does),
    so that ``cls(inputs, outputs)`` runs the graph while keeping ``cls``'s own methods (``train_step``, ...)."""
    from kerasnb.models.functional import Functional

    if cls is Model:
        return Functional
    if cls is Functional or not issubclass(cls, Model) or issubclass(cls, Functional):
        return cls
    cls.__bases__ = tuple(_inject_functional(base) for base in cls.__bases__)
    return cls


def _is_builtin_model(cls):
    from kerasnb.models.functional import Functional
    from kerasnb.models.sequential import Sequential

    return cls in (Model, Functional, Sequential)


def _compiled_objects(value, family, custom_objects):
    """Losses or metrics as compile() takes them, from a compile config: names stay names, object and function
    configs become objects; lists and dicts (per output) keep their structure."""
    from kerasnb.saving.serialization_lib import resolve_function

    if isinstance(value, dict) and "class_name" in value:
        if value.get("class_name") == "function":
            return resolve_function(value.get("config"), value.get("module"), custom_objects)
        return family.deserialize(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {key: _compiled_objects(v, family, custom_objects) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_compiled_objects(v, family, custom_objects) for v in value]
    return value


def _shapes(input_shape):
    if isinstance(input_shape, tuple) and all(d is None or isinstance(d, int) for d in input_shape):
        return ShapeLeaf(input_shape)
    if isinstance(input_shape, dict):
        return {k: _shapes(v) for k, v in input_shape.items()}
    return [_shapes(s) for s in input_shape]
