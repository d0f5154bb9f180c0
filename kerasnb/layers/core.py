"""Core layers: ``Dense`` (a fully-connected layer) and ``Activation``."""

from kerasnb import activations, constraints, initializers, ops, regularizers
from kerasnb.layers.layer import InputSpec, Layer
from kerasnb.ops.nn import dense_bias_activation

# The activations `dense_bias_activation` computes itself, by their functions in kerasnb.activations.
_FUSED_ACTIVATIONS = {
    activations.linear: "linear",
    activations.relu: "relu",
    activations.sigmoid: "sigmoid",
    activations.tanh: "tanh",
    activations.softmax: "softmax",
}


class Dense(Layer):
    """A fully-connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: the size of the output's last axis (a positive int).
        activation: a name (``'relu'``, ``'softmax'``, ...) or a function; ``None`` means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: how to initialise the weights (``'glorot_uniform'``, ``'zeros'``).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the model's loss.
        kernel_constraint, bias_constraint: projections applied after each optimizer step.

    The kernel has shape ``(input_dim, units)``; inputs of higher rank are multiplied along their last axis.

    Example:
        >>> layer = keras.layers.Dense(4, activation="relu")
        >>> layer(np.ones((2, 3))).shape
        (2, 4)
        >>> layer.count_params()
        16
    """

    supports_masking = True

    _keras_quantization_keys = True  # accepts Keras 3's quantization_config / lora_rank / lora_alpha when off

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Received an invalid value for `units`, expected a positive integer. Received: units={units}"
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        fused = _FUSED_ACTIVATIONS.get(self.activation)
        # (Dense(1, activation="softmax") takes the plain path, where softmax warns that its output is always 1.)
        if fused is not None and self.kernel.dtype.kind == "f" and not (fused == "softmax" and self.units == 1):
            # One op for matmul, bias and activation: fewer graph nodes and arrays (same numbers).
            return dense_bias_activation(inputs, self.kernel, self.bias, fused)
        x = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            # Keras 3 leaves activity_regularizer out of Dense's config (and so loses it); kept here when set
            **({"activity_regularizer": regularizers.serialize(self.activity_regularizer)}
               if self.activity_regularizer is not None else {}),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }


class Activation(Layer):
    """Applies an activation function: ``Activation('softmax')``.

    Example:
        >>> keras.layers.Activation("relu")(np.array([[-1.0, 2.0]])).numpy()
        array([[0., 2.]], dtype=float32)
    """

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
