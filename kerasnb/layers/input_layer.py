"""``keras.Input`` and ``InputLayer``: where a functional graph starts."""

import numpy as np

from kerasnb import config
from kerasnb.layers.keras_tensor import KerasTensor, Node
from kerasnb.layers.layer import Layer, _dtype_name


class InputLayer(Layer):
    """The layer behind ``keras.Input``: it holds the input's shape and dtype and has no weights.

    Args:
        shape: the shape of one sample, without the batch axis, e.g. ``(784,)``.
        batch_size: a fixed batch size, or ``None``.
        dtype: the input's dtype (default ``floatx()``).
        batch_shape: the full shape, batch axis included (instead of ``shape`` and ``batch_size``).
        name: the input's name (used to match dict inputs by key).

    Example:
        >>> keras.layers.InputLayer(shape=(3,)).output.shape
        (None, 3)
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None, sparse=None,
                 input_tensor=None, ragged=None, optional=False, **kwargs):
        if ragged:
            raise ValueError("Ragged inputs are not supported by kerasnb: pad the sequences to one length "
                             "(keras.utils.pad_sequences). Received: ragged=True")
        if optional:
            raise ValueError("Optional inputs are not supported by kerasnb. Received: optional=True")
        if input_tensor is not None:
            raise ValueError("kerasnb's InputLayer cannot wrap an existing tensor: use keras.Input(shape=...). "
                             f"Received: input_tensor={input_tensor!r}")
        if "input_shape" in kwargs and shape is None and batch_shape is None:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        if shape is not None and batch_shape is not None:
            raise ValueError("Pass `shape` or `batch_shape` to an InputLayer, not both.")
        if shape is None and batch_shape is None:
            raise ValueError("An InputLayer needs a `shape` (the shape of one sample, e.g. shape=(784,)).")
        if batch_shape is None:
            shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
            batch_shape = (batch_size, *shape)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("Sparse inputs are not supported by kerasnb: pass dense arrays.")
        self.batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self.built = True
        self._input_dtype = _dtype_name(dtype or config.floatx())
        tensor = KerasTensor(self.batch_shape, self._input_dtype, name=self.name)
        Node(self, (), {}, tensor)

    @property
    def dtype(self):
        return self._input_dtype

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": "string" if self.dtype == "object" else self.dtype,
                "sparse": False, "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None):
    """A symbolic input for the functional API: ``keras.Input(shape=(784,))`` describes a batch of samples of
    shape ``(784,)``.

    Example:
        >>> inputs = keras.Input(shape=(784,), name="digits")
        >>> inputs.shape, inputs.name
        ((None, 784), 'digits')
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name)
    return layer.output
