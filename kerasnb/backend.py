"""The ``keras.backend`` spellings of the global settings, for code written against older Keras.

Everything here lives in :mod:`kerasnb.config`; this module only re-exports it, so that
``keras.backend.floatx()`` and ``keras.backend.epsilon()`` keep working::

    import kerasnb as keras
    keras.backend.floatx()   # 'float32'
"""

from kerasnb.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_data_format,
)

__all__ = [
    "backend",
    "clear_session",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_data_format",
]


def clear_session():
    """Reset kerasnb's global state: auto-generated layer names start again (``dense``, ``dense_1``, ...).

    Example:
        >>> keras.backend.clear_session()
        >>> keras.layers.Dense(1).name
        'dense'
    """
    from kerasnb.layers.layer import reset_names

    reset_names()
