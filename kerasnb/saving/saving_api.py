"""``save_model`` and ``load_model``: pick the file format from the path, as Keras does.

- ``.keras``: Keras 3's archive (:mod:`kerasnb.saving.keras_file`), the default;
- ``.h5`` / ``.hdf5``, or ``save_format="h5"``: the legacy HDF5 full-model file (:mod:`kerasnb.saving.legacy_h5`),
  the format of the seeds' ``model.save('my_model.h5')``.

TensorFlow's SavedModel (``save_format="tf"``, a folder) cannot be written without TensorFlow; kerasnb says so
and names the formats it writes.
"""

import os

H5_EXTENSIONS = (".h5", ".hdf5")
VALID_MODEL_EXTENSIONS = ".keras, .h5 or .hdf5"


def save_model(model, filepath, overwrite=True, zipped=None, include_optimizer=True, save_format=None, **kwargs):
    """Save ``model`` (architecture, weights, compile configuration and optimizer state) to ``filepath``.

    Args:
        filepath: a path ending in ``.keras`` (Keras 3's format) or ``.h5``/``.hdf5`` (the legacy HDF5 format).
        overwrite: if False and the file exists, raise instead of replacing it.
        zipped: kept for Keras's signature; only the zipped ``.keras`` archive is written.
        include_optimizer: save the optimizer's state (so training resumes exactly).
        save_format: tf.keras's spelling: ``"h5"`` picks the HDF5 format, ``"keras"`` the archive.
        signatures, options, save_traces: tf.keras's SavedModel arguments, accepted and ignored.

    The file is written to a temporary file next to it and renamed when complete; the model is not changed.

    Example:
        >>> import tempfile, os
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "my_model.h5")
        >>> keras.models.save_model(model, path)
        >>> keras.models.load_model(path).count_params()
        8
    """
    from kerasnb.saving.keras_file import save_keras_file
    from kerasnb.saving.legacy_h5 import save_legacy_h5

    unknown = set(kwargs) - {"signatures", "options", "save_traces"}
    if unknown:
        raise TypeError(f"save() got unexpected keyword argument(s): {sorted(unknown)}")
    filepath = os.fspath(filepath)
    fmt = _format_for(filepath, save_format)
    if zipped is False:
        raise ValueError(
            "kerasnb writes `.keras` files only as zipped archives (zipped=True or None). Received: zipped=False."
        )
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"{filepath} already exists and overwrite=False. Pass overwrite=True to replace it (kerasnb cannot "
            "ask interactively, as tf.keras did in a terminal)."
        )
    if fmt == "h5":
        save_legacy_h5(model, filepath, include_optimizer=include_optimizer)
    else:
        save_keras_file(model, filepath, include_optimizer=include_optimizer)


def _format_for(filepath, save_format):
    lower = filepath.lower()
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "hdf5"):
            return "h5"
        if fmt == "keras":
            if lower.endswith(H5_EXTENSIONS):
                raise ValueError(f"save_format='keras' needs a path ending in .keras. Received: filepath={filepath}")
            return "keras"
        if fmt == "tf":
            raise ValueError(
                "kerasnb cannot write TensorFlow's SavedModel format (save_format='tf'): it needs TensorFlow. Save "
                f"to a path ending in .keras (or .h5) instead. Received: filepath={filepath}, save_format='tf'"
            )
        raise ValueError(f"Unknown save_format {save_format!r}: use 'keras' or 'h5'.")
    if lower.endswith(H5_EXTENSIONS):
        return "h5"
    if lower.endswith(".keras"):
        return "keras"
    raise ValueError(
        "The filename must end in .keras (Keras 3's format) or .h5/.hdf5 (the legacy HDF5 format), or pass "
        f"save_format='h5'. Received: filepath={filepath}"
    )


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by ``model.save`` (kerasnb, Keras 3 or tf-keras): ``.keras`` or legacy ``.h5``.

    Args:
        custom_objects: a dict mapping names to your own classes or functions used by the model (registered
            ones, see ``keras.saving.register_keras_serializable``, are found without it).
        compile: compile the model with the saved compile configuration and restore the optimizer's state.
        safe_mode: refuse anything that would run code from the file (a Lambda layer's saved bytecode). Only an
            explicit ``safe_mode=False`` lifts this, for files you trust.

    Loading never imports a module or calls a function named by the file: classes are looked up among kerasnb's
    own layers, models, losses, metrics, optimizers, ... and ``custom_objects``.

    Example:
        >>> import tempfile, os
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> model.compile(optimizer="adam", loss="mse")
        >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
        >>> model.save(path)
        >>> restored = keras.models.load_model(path)
        >>> type(restored.optimizer).__name__
        'Adam'
    """
    from kerasnb.saving.keras_file import load_keras_file
    from kerasnb.saving.legacy_h5 import load_legacy_h5

    if not isinstance(safe_mode, bool):
        raise TypeError(f"safe_mode must be True or False. Received: safe_mode={safe_mode!r}")
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"File not found: filepath={filepath}. Please ensure the file is an accessible "
                                "`.keras` zip file or `.h5` file.")
    if os.path.isdir(filepath):
        raise ValueError(
            f"{filepath} is a folder. kerasnb loads `.keras` and `.h5` files; a TensorFlow SavedModel folder "
            "needs TensorFlow."
        )
    with open(filepath, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"PK"):
        return load_keras_file(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    if magic == b"\x89HDF\r\n\x1a\n":
        return load_legacy_h5(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    if filepath.lower().endswith((".keras", *H5_EXTENSIONS)):
        raise ValueError(
            f"{filepath} is not a valid {os.path.splitext(filepath)[1]} file: its first bytes are neither a ZIP "
            "archive's nor an HDF5 file's (truncated or corrupted?)."
        )
    raise ValueError(
        f"File format not supported: filepath={filepath}. kerasnb loads {VALID_MODEL_EXTENSIONS} files."
    )
