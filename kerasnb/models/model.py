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

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable}


def _shapes(input_shape):
    if isinstance(input_shape, tuple) and all(d is None or isinstance(d, int) for d in input_shape):
        return ShapeLeaf(input_shape)
    if isinstance(input_shape, dict):
        return {k: _shapes(v) for k, v in input_shape.items()}
    return [_shapes(s) for s in input_shape]
