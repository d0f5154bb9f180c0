"""Global settings: the array backend, the default float type, epsilon and the image data format.

These mirror ``keras.config`` (and the older ``keras.backend`` spellings)::

    import kerasnb as keras
    keras.config.floatx()            # 'float32'
    keras.config.set_floatx("float64")
    keras.config.epsilon()           # 1e-07
    keras.config.backend()           # 'numpy' or 'cupy'

The backend is read once from the ``KERASNB_BACKEND`` environment variable (``numpy`` by default) and can be
changed with :func:`set_backend`. CuPy is imported only when it is selected, so ``import kerasnb`` stays fast.
"""

import os

_BACKENDS = ("numpy", "cupy")
# bfloat16 is left out: NumPy has no such type.
_FLOATX_CHOICES = ("float16", "float32", "float64")
_DATA_FORMATS = ("channels_last", "channels_first")

_floatx = "float32"
_epsilon = 1e-7
_image_data_format = "channels_last"
_backend = os.environ.get("KERASNB_BACKEND", "numpy").strip().lower() or "numpy"
if _backend not in _BACKENDS:
    raise ValueError(
        f"KERASNB_BACKEND must be one of {_BACKENDS}. Received: KERASNB_BACKEND={_backend!r}. "
        "Unset it to use NumPy."
    )


def backend():
    """Return the name of the array backend in use: ``'numpy'`` or ``'cupy'``.

    Example:
        >>> kerasnb.config.backend()
        'numpy'
    """
    return _backend


def set_backend(name):
    """Select the array library that new tensors live on: ``'numpy'`` (CPU) or ``'cupy'`` (NVIDIA GPU).

    Selecting ``'cupy'`` imports CuPy and checks that a GPU is visible; it raises ``RuntimeError`` with the
    fix when either is missing. Tensors made before the switch stay where they are.

    Example:
        >>> kerasnb.config.set_backend("numpy")
    """
    global _backend
    name = str(name).strip().lower()
    if name not in _BACKENDS:
        raise ValueError(f"`name` must be one of {_BACKENDS}. Received: name={name!r}")
    if name == "cupy":
        from kerasnb.engine.arrays import cupy_module

        cupy_module()  # fails early, with advice, if CuPy or a GPU is missing
    _backend = name


def floatx():
    """Return the default float type as a string, ``'float32'`` unless changed.

    Example:
        >>> kerasnb.config.floatx()
        'float32'
    """
    return _floatx


def set_floatx(value):
    """Set the default float type (``'float16'``, ``'float32'`` or ``'float64'``).

    Example:
        >>> kerasnb.config.set_floatx("float64")
        >>> kerasnb.config.set_floatx("float32")
    """
    global _floatx
    value = str(value)
    if value not in _FLOATX_CHOICES:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {set(_FLOATX_CHOICES)}")
    _floatx = value


def epsilon():
    """Return the fuzz factor used in numeric expressions (``1e-7`` unless changed).

    Example:
        >>> kerasnb.config.epsilon()
        1e-07
    """
    return _epsilon


def set_epsilon(value):
    """Set the fuzz factor used in numeric expressions.

    Example:
        >>> kerasnb.config.set_epsilon(1e-5)
        >>> kerasnb.config.set_epsilon(1e-7)
    """
    global _epsilon
    _epsilon = float(value)


def image_data_format():
    """Return ``'channels_last'`` (the default) or ``'channels_first'``.

    Example:
        >>> kerasnb.config.image_data_format()
        'channels_last'
    """
    return _image_data_format


def set_image_data_format(data_format):
    """Set the default image data format: ``'channels_last'`` or ``'channels_first'``.

    Example:
        >>> kerasnb.config.set_image_data_format("channels_first")
        >>> kerasnb.config.set_image_data_format("channels_last")
    """
    global _image_data_format
    data_format = str(data_format).lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {_DATA_FORMATS}. Received: data_format={data_format}"
        )
    _image_data_format = data_format


def standardize_data_format(data_format):
    """Return ``data_format``, or the global default when it is ``None``, checking its value."""
    if data_format is None:
        return _image_data_format
    data_format = str(data_format).lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {_DATA_FORMATS}. Received: data_format={data_format}"
        )
    return data_format
