"""``Sequential``: a plain stack of layers, each feeding the next."""

from kerasnb.layers.input_layer import InputLayer
from kerasnb.layers.keras_tensor import KerasTensor, flatten
from kerasnb.layers.layer import Layer, unique_name
from kerasnb.models.model import Model


class Sequential(Model):
    """A stack of layers where each layer has one input and one output.

    The model is built (its weights created) as soon as the input shape is known: from a first layer given
    ``input_shape=``/``input_dim=``, from a ``keras.Input`` added first, or else on the first batch of data.

    Example:
        >>> model = keras.Sequential([
        ...     keras.layers.Dense(16, activation="relu", input_shape=(16,)),
        ...     keras.layers.Dense(4, activation="relu"),
        ... ])
        >>> model.add(keras.layers.Dense(1))
        >>> [layer.count_params() for layer in model.layers], model.count_params()
        ([272, 68, 5], 345)
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name or unique_name("sequential"))
        self._layers = []
        self._input_layer = None
        self._layer_outputs = []  # the symbolic output of each layer, once built
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._build_if_shape_known()

    @property
    def layers(self):
        """The model's layers, in order (the input layer is not listed)."""
        return list(self._layers)

    def add(self, layer, rebuild=True):
        """Add a layer on top of the stack (or a ``keras.Input`` first, to fix the input shape)."""
        if isinstance(layer, KerasTensor) and layer._keras_history and isinstance(layer._keras_history[0],
                                                                                   InputLayer):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(
                    "An Input can only be the first thing added to a Sequential model. Received it after "
                    f"{[layer_.name for layer_ in self._layers] or 'another Input'}."
                )
            self._input_layer = layer
        elif not isinstance(layer, Layer):
            raise TypeError(
                f"The added layer must be an instance of class Layer. Received: layer={layer!r} of type "
                f"{type(layer).__name__}."
            )
        else:
            if any(existing.name == layer.name for existing in self._layers):
                raise ValueError(
                    "All layers added to a Sequential model should have unique names. Name "
                    f"'{layer.name}' is already the name of a layer in this model. Update the `name` argument "
                    "to pass a unique name."
                )
            self._layers.append(layer)
        if rebuild:
            self._build_if_shape_known()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        layer = self._layers.pop()
        self.built = False
        # Keep the remaining layers' outputs: the rebuild uses them to forget those layers' old calls, so each
        # layer still has one call in this model's graph and `layer.output` stays defined.
        self._layer_outputs = self._layer_outputs[:len(self._layers)]
        if rebuild:
            self._build_if_shape_known()
        return layer

    def _input_batch_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._layers and self._layers[0]._batch_input_shape is not None:
            return self._layers[0]._batch_input_shape
        return None

    def _build_if_shape_known(self):
        shape = self._input_batch_shape()
        if shape is not None and self._layers:
            self._build_graph(shape)

    def build(self, input_shape=None):
        """Build the model for inputs of ``input_shape`` (batch axis included; ``None`` sizes allowed)."""
        if input_shape is None:
            input_shape = self._input_batch_shape()
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build a Sequential model.")
        self._build_graph(tuple(input_shape))

    def _build_graph(self, batch_shape):
        """Call each layer on symbolic tensors: this creates the weights and records every output shape."""
        if self._input_layer is None or tuple(self._input_layer.batch_shape) != tuple(batch_shape):
            first = self._layers[0].name if self._layers else "input"
            dtype = self._input_layer.dtype if self._input_layer is not None else None
            self._input_layer = InputLayer(batch_shape=batch_shape, dtype=dtype, name=f"{first}_input")
        # Forget the nodes of an earlier build, so each layer keeps one call in this model's graph.
        for layer, node in zip(self._layers, [t._keras_history for t in self._layer_outputs]):
            if node[0] is layer and node[1] < len(layer._inbound_nodes):
                del layer._inbound_nodes[node[1]]
        x = self._input_layer.output
        outputs = []
        for layer in self._layers:
            x = layer(x)
            outputs.append(x)
        self._layer_outputs = outputs
        self.built = True

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._layers:
            x = layer(x) if training is None else layer(x, training=training)
        return x

    def compute_output_spec(self, *args, **kwargs):
        inputs = args[0]
        if not self.built:
            self._build_graph(inputs.shape)
        last = self._layer_outputs[-1]
        return KerasTensor((inputs.shape[0], *last.shape[1:]), last.dtype)

    def _build_for(self, inputs):
        self._build_graph((None, *inputs.shape[1:]))

    @property
    def input(self):
        if self._input_layer is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input yet: it is not built.")
        return self._input_layer.output

    @property
    def output(self):
        if not self._layer_outputs:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output yet: it is not built.")
        return self._layer_outputs[-1]

    @property
    def inputs(self):
        return [self.input]

    @property
    def outputs(self):
        # Flat, as in a functional model: a last layer with several outputs (an RNN with return_state) gives several.
        return flatten(self.output)

    @property
    def input_shape(self):
        return self.input.shape

    @property
    def output_shape(self):
        return self.output.shape

    @property
    def input_names(self):
        return [self._input_layer.name] if self._input_layer is not None else []

    @property
    def output_names(self):
        if not self._layers:
            return []
        # One name per output, as a functional model names them: the layer that made it.
        count = len(self.outputs) if self._layer_outputs else 1
        return [self._layers[-1].name] * count

    # -- configs ---------------------------------------------------------------------------------------------
    def get_config(self):
        """The model's config in Keras 3's form: ``{"name", "trainable", "dtype", "layers",
        "build_input_shape"}``, where ``layers`` starts with the ``InputLayer`` (with its ``batch_shape``) when
        the input shape is known, and ``build_input_shape`` is there once the model is built.

        Example:
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")], name="seq")
            >>> config = model.get_config()
            >>> [layer["class_name"] for layer in config["layers"]], config["build_input_shape"]
            (['InputLayer', 'Dense'], [None, 3])
        """
        from kerasnb.dtype_policies import serialize as serialize_policy
        from kerasnb.saving.serialization_lib import ObjectSharingScope, serialize_keras_object

        with ObjectSharingScope():
            layers = []
            if self._input_layer is not None:
                layers.append(serialize_keras_object(self._input_layer))
            for i, layer in enumerate(self._layers):
                entry = serialize_keras_object(layer)
                if i == 0 and self._input_layer is not None and isinstance(entry.get("config"), dict):
                    entry["config"].pop("batch_input_shape", None)  # the InputLayer holds it
                layers.append(entry)
        config = {"name": self.name, "trainable": self.trainable, "dtype": serialize_policy(self.dtype_policy),
                  "layers": layers}
        shape = self._input_batch_shape()
        if self.built and shape is not None:
            config["build_input_shape"] = list(shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A Sequential model from its config (Keras 3's, or tf-keras's with ``batch_input_shape``); each layer is
        rebuilt through the saving registry (``custom_objects`` for your own layers).

        Example:
            >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
            >>> keras.Sequential.from_config(model.get_config()).output_shape
            (None, 2)
        """
        from kerasnb.saving.serialization_lib import ObjectSharingScope, deserialize_keras_object

        if isinstance(config, list):  # Keras 2.0-2.2 wrote the list of layers alone
            config = {"layers": config}
        if not isinstance(config, dict):
            raise ValueError(f"A Sequential config is a dict with 'layers'. Received: {config!r}")
        layer_configs = config.get("layers")
        if not isinstance(layer_configs, list):
            raise ValueError(f"A Sequential config's 'layers' is a list of layer configs. Received: {layer_configs!r}")
        name = config.get("name")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"A model's name is a string. Received: name={name!r}")
        model = cls(name=name, trainable=bool(config.get("trainable", True)))
        with ObjectSharingScope():
            for entry in layer_configs:
                if not isinstance(entry, dict) or "class_name" not in entry:
                    raise ValueError(f"Each layer of a Sequential config is a layer config dict. Received: {entry!r}")
                layer = deserialize_keras_object(entry, custom_objects=custom_objects)
                if not isinstance(layer, Layer):
                    raise ValueError(f"A Sequential model holds layers; its config gave {layer!r} of type "
                                     f"{type(layer).__name__}.")
                model.add(layer, rebuild=False)
        model._build_if_shape_known()
        build_input_shape = config.get("build_input_shape")
        if not model.built and isinstance(build_input_shape, (list, tuple)) and model._layers:
            model.build_from_config({"input_shape": build_input_shape})
        return model

    def get_build_config(self):
        """``{"input_shape": [...]}`` once the model is built (as Keras writes it), else ``None``.

        Example:
            >>> keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).get_build_config()
            {'input_shape': [None, 3]}
        """
        shape = self._input_batch_shape()
        if not self.built or shape is None:
            return None
        return {"input_shape": list(shape)}
