"""The ``.keras`` file: Keras 3's native format, a ZIP archive with three members stored uncompressed.

- ``metadata.json``: ``{"keras_version": ..., "date_saved": "%Y-%m-%d@%H:%M:%S"}``;
- ``config.json``: the model's ``serialize_keras_object`` form, with ``build_config`` and, for a compiled
  model, ``compile_config``;
- ``model.weights.h5``: the weights in Keras 3's layout (:mod:`kerasnb.saving.weights`), with the optimizer's
  state under ``optimizer/vars``.

Reading trusts nothing in the archive: only those three members are read, each with a size bound, member
names are never used as paths, the JSON is decoded strictly (UTF-8, bounded nesting), classes are found only
through the registry (:mod:`kerasnb.saving.serialization_lib`), and the HDF5 member is checked by
:func:`kerasnb.saving.h5io.open_for_reading` before a single array is read.
"""

import datetime
import io
import json
import zipfile

from kerasnb.saving.atomic import atomic_write

# The Keras release whose file layout kerasnb writes; real Keras reads ``keras_version`` to pick its loader.
KERAS_FORMAT_VERSION = "3.15.1"

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = "model.weights.h5"

# Bounds on what a member may declare before anything is read: a config is text (Keras's largest are a few MB),
# metadata is two keys; weights are bounded by the HDF5 checks too, this only stops a zip bomb early.
MAX_CONFIG_BYTES = 64 * 2**20
MAX_METADATA_BYTES = 2**20
MAX_WEIGHTS_BYTES = 8 * 2**30
MAX_MEMBERS = 10_000
# A deflated member that claims to expand more than this many times is refused (ordinary HDF5/JSON: < 20).
MAX_COMPRESSION_RATIO = 1000


def save_keras_file(model, filepath, include_optimizer=True):
    """Write ``model`` to ``filepath`` as a ``.keras`` archive that real Keras 3 loads.

    The archive is built in a temporary file next to ``filepath`` and renamed over it only when complete, so a
    crash never leaves a truncated file where a good one was. The model itself is not changed.

    Example:
        >>> import tempfile, os
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
        >>> save_keras_file(model, path)
        >>> import zipfile
        >>> sorted(zipfile.ZipFile(path).namelist())
        ['config.json', 'metadata.json', 'model.weights.h5']
    """
    from kerasnb.saving import weights as weights_io
    from kerasnb.saving.h5io import require_h5py
    from kerasnb.saving.serialization_lib import serialize_model_for_saving

    h5py = require_h5py()
    config_json = json.dumps(serialize_model_for_saving(model, include_compile=True))
    metadata_json = json.dumps({
        "keras_version": KERAS_FORMAT_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    })
    optimizer = model.optimizer if include_optimizer and getattr(model, "compiled", False) else None
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        weights_io.write_keras3_weights(model, h5, optimizer=optimizer)
    with atomic_write(filepath, "wb") as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_MEMBER, metadata_json)
            archive.writestr(CONFIG_MEMBER, config_json)
            archive.writestr(WEIGHTS_MEMBER, buffer.getvalue())


def load_keras_file(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Read a ``.keras`` archive written by kerasnb or real Keras 3 and return the model.

    Raises ValueError for anything that is not a well-formed ``.keras`` archive (truncated, corrupted, a
    member too large, a config naming something that is not a kerasnb modelling object), and OSError when the
    file cannot be read.

    Example:
        >>> import tempfile, os
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
        >>> save_keras_file(model, path)
        >>> load_keras_file(path).count_params()
        8
    """
    config, weights_bytes = read_keras_archive(filepath)
    return model_from_archive(config, weights_bytes, filepath, custom_objects, compile, safe_mode)


def read_keras_archive(filepath):
    """The decoded ``config.json`` and the raw bytes of ``model.weights.h5`` of a ``.keras`` archive, after
    checking the archive's structure and every size it declares."""
    try:
        archive = zipfile.ZipFile(filepath, "r")
    except zipfile.BadZipFile as e:
        raise ValueError(
            f"{filepath!s} is not a valid .keras file: it is not a complete ZIP archive (truncated or corrupted?). "
            f"{e}"
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ValueError(f"{filepath!s} is not a valid .keras file: it has {len(infos)} members.")
        members = {}
        for info in infos:
            # Later duplicates would shadow earlier ones in zipfile's lookup; a real archive never has any.
            if info.filename in members:
                raise ValueError(f"{filepath!s} is not a valid .keras file: member {info.filename!r} appears twice.")
            members[info.filename] = info
        config_bytes = _read_member(archive, members, CONFIG_MEMBER, MAX_CONFIG_BYTES, filepath)
        if METADATA_MEMBER in members:
            metadata = decode_json(_read_member(archive, members, METADATA_MEMBER, MAX_METADATA_BYTES, filepath),
                                   f"{filepath!s}: {METADATA_MEMBER}")
            if not isinstance(metadata, dict):
                raise ValueError(f"{filepath!s}: {METADATA_MEMBER} must hold a JSON object; received {metadata!r:.80}.")
        weights_bytes = None
        if WEIGHTS_MEMBER in members:
            weights_bytes = _read_member(archive, members, WEIGHTS_MEMBER, MAX_WEIGHTS_BYTES, filepath)
    config = decode_json(config_bytes, f"{filepath!s}: {CONFIG_MEMBER}")
    if not isinstance(config, dict):
        raise ValueError(f"{filepath!s}: {CONFIG_MEMBER} must hold a JSON object; received {type(config).__name__}.")
    return config, weights_bytes


def _read_member(archive, members, name, limit, filepath):
    info = members.get(name)
    if info is None:
        raise ValueError(
            f"{filepath!s} is not a valid .keras file: it has no {name!r} member. Members found: "
            f"{sorted(members)[:10]}."
        )
    if info.file_size > limit:
        raise ValueError(
            f"{filepath!s}: member {name!r} declares {info.file_size} bytes, over the limit of {limit} bytes."
        )
    if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise ValueError(
            f"{filepath!s}: member {name!r} claims to expand {info.compress_size} bytes into {info.file_size}; "
            "refusing what looks like a ZIP bomb."
        )
    try:
        with archive.open(info) as f:
            # Never trust the declared size alone: read at most one byte past it.
            data = f.read(info.file_size + 1)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as e:
        # zipfile raises NotImplementedError for compression methods it lacks and RuntimeError for encryption:
        # for a caller both mean "this archive cannot be read".
        raise ValueError(f"{filepath!s}: member {name!r} could not be read (truncated or corrupted?): {e}") from None
    if len(data) != info.file_size:
        raise ValueError(
            f"{filepath!s}: member {name!r} holds {len(data)} bytes but declares {info.file_size} (corrupted?)."
        )
    return data


def decode_json(data, where, max_depth=200):
    """``json.loads`` for untrusted bytes: strict UTF-8 and a bound on nesting, each failure a ValueError.

    Example:
        >>> decode_json(b'{"a": [1, 2]}', "example")
        {'a': [1, 2]}
        >>> decode_json(b"[" * 500 + b"]" * 500, "example")
        Traceback (most recent call last):
        ...
        ValueError: example: the JSON is nested more than 200 levels deep.
    """
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"{where}: the JSON is not valid UTF-8 ({e}).") from None
    depth = _max_nesting(data)
    if depth > max_depth:
        raise ValueError(f"{where}: the JSON is nested more than {max_depth} levels deep.")
    try:
        return json.loads(data)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"{where}: not valid JSON ({e}).") from None


def _max_nesting(text):
    # Counting brackets outside strings is enough to bound what json.loads will recurse into.
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif ch in "]}":
            depth -= 1
    return deepest


def model_from_archive(config, weights_bytes, filepath, custom_objects, compile, safe_mode):
    """Rebuild a model from the decoded config and the weights member: deserialize, build, compile, load."""
    from kerasnb.saving import weights as weights_io
    from kerasnb.saving.h5io import open_for_reading
    from kerasnb.saving.model_config import compile_from_saved_config
    from kerasnb.saving.serialization_lib import deserialize_keras_object

    compile_config = config.get("compile_config") if compile else None
    model = deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
    build_config = config.get("build_config")
    if build_config and not model.built and hasattr(model, "build_from_config"):
        model.build_from_config(build_config)
    compile_from_saved_config(model, compile_config, custom_objects, where=f"{filepath!s}: compile_config")
    if weights_bytes is not None:
        optimizer = model.optimizer if compile_config else None
        with open_for_reading(io.BytesIO(weights_bytes), name=f"{filepath!s}: {WEIGHTS_MEMBER}") as h5:
            weights_io.read_keras3_weights(model, h5, optimizer=optimizer)
    return model
