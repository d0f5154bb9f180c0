"""Reading HDF5 files safely, and the string attributes Keras writes into them.

HDF5 can make a reader do much more than read numbers: follow a link into another file (``ExternalLink``), or
to anywhere in this one (``SoftLink``); take a dataset's bytes from raw files on disk (external storage) or
assemble them from other HDF5 files (virtual datasets); load a third-party compression plugin; or declare a
dataset of terabytes that is stored nowhere, so that reading it allocates the memory. Keras's own loaders have
had advisories for several of these. :func:`open_for_reading` therefore walks the whole file *before* anything
is read and refuses, with a ``ValueError`` naming the object, every one of them:

- soft, external and user-defined links (Keras never writes links);
- datasets with external storage, virtual datasets, and filters other than HDF5's standard ones;
- datasets whose values are not numbers (strings, objects, variable-length, compound types);
- datasets whose declared size (shape x item size) exceeds a bound (2 GiB by default), whose chunks do, or that
  declare much more than they store: uncompressed data must be stored in full (a dataset that was never written,
  whose reads would return its fill value, is allowed up to a small total), compressed data may not claim more
  than HDF5's deflate can produce, and no dataset may claim more storage than the file has;
- more objects, attributes or nesting than a bound.

A truncated or corrupted file gives ``ValueError("... is not a valid HDF5 file or is truncated/corrupted: ...")``;
a missing one ``FileNotFoundError``.

h5py is imported only inside these functions: ``import kerasnb`` works without it (Pyodide/JupyterLite has no
h5py build), and the first HDF5 read or write then raises an ``ImportError`` that says so.

Strings: h5py hands attributes back as ``str``, ``bytes``, NumPy ``bytes_`` or arrays of them depending on how
they were written (Keras 3 writes variable-length ASCII, tf-keras fixed-length bytes). The readers here return
``str`` either way, and read Keras's split attributes (``layer_names0``, ``layer_names1``, ...) that the writers
produce, as Keras does, for lists over 64,512 bytes.
"""

import contextlib
import errno
import io
import math
import os

import numpy as np

__all__ = [
    "HDF5_OBJECT_HEADER_LIMIT",
    "open_for_reading",
    "read_dataset",
    "read_string_attribute",
    "read_string_list_attribute",
    "require_h5py",
    "source_name",
    "write_string_attribute",
    "write_string_list_attribute",
]

# Keras splits string-list attributes into chunks of at most this many bytes (an HDF5 object header holds 64 KiB).
HDF5_OBJECT_HEADER_LIMIT = 64512

DEFAULT_MAX_DATASET_BYTES = 2 * 2**30
DEFAULT_MAX_OBJECTS = 100_000
DEFAULT_MAX_DEPTH = 64
# Bytes a file may declare without storing them (datasets never written: reads return the fill value).
DEFAULT_MAX_UNSTORED_BYTES = 16 * 2**20
# deflate cannot expand data more than ~1032 times; nothing legitimate claims more.
MAX_COMPRESSION_RATIO = 1100
MAX_ATTRIBUTE_BYTES = 64 * 2**20
MAX_ATTRIBUTE_ELEMENTS = 100_000
# Memory for reading one array of variable-length strings (see _read_attribute).
_STRING_ARRAY_BUDGET = 8 * 2**20
# HDF5's own filters (deflate, shuffle, fletcher32, szip, nbit, scaleoffset) and h5py's built-in lzf. Any other
# filter id would make HDF5 search its plugin path and load a shared library.
_STANDARD_FILTERS = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
                     32000: "lzf"}
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

# The limits and display name of each file open_for_reading has open, by HDF5 file number, for read_dataset and
# for error messages.
_OPEN_FILES = {}


def require_h5py():
    """The ``h5py`` module, or an ImportError explaining that HDF5 files need it.

    Example:
        >>> require_h5py().__name__
        'h5py'
    """
    try:
        import h5py
    except ImportError as e:
        raise ImportError(
            "Reading or writing HDF5 files (.weights.h5, .h5, and the weights inside .keras archives) needs the "
            "h5py package, which is not installed. Install it with `pip install h5py`; in JupyterLite, `%pip "
            "install h5py` loads Pyodide's own build of it from Pyodide's package site (kerasnb does not install "
            "it there by itself). Without h5py, keep the weights as NumPy arrays: "
            "`np.savez(path, *model.get_weights())`."
        ) from e
    return h5py


# ---------------------------------------------------------------------------------------------------------
# Opening and checking a file
# ---------------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def open_for_reading(path_or_fileobj, *, name=None, max_dataset_bytes=DEFAULT_MAX_DATASET_BYTES,
                     max_objects=DEFAULT_MAX_OBJECTS, max_depth=DEFAULT_MAX_DEPTH,
                     max_unstored_bytes=DEFAULT_MAX_UNSTORED_BYTES):
    """Open an HDF5 file read-only, check all of it (see the module docstring), and yield the ``h5py.File``.

    Args:
        path_or_fileobj: a path, a binary file object (``io.BytesIO``), or an open ``h5py`` group (checked from
            that group down, and not closed).
        name: how to call the file in error messages (default: the path).
        max_dataset_bytes: the largest dataset (shape x item size) accepted, and the largest chunk.
        max_objects: the most links and attributes walked.
        max_depth: the deepest nesting of groups.
        max_unstored_bytes: how many bytes, in all, datasets may declare without storing them.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not an HDF5 file, truncated or corrupted, or it contains something refused.

    Example:
        >>> import os, tempfile, h5py
        >>> path = os.path.join(tempfile.mkdtemp(), "w.h5")
        >>> with h5py.File(path, "w") as f:
        ...     f["a"] = np.arange(3.0)
        ...     f["b"] = h5py.SoftLink("/a")
        >>> with open_for_reading(path) as f:
        ...     pass
        Traceback (most recent call last):
        ...
        ValueError: w.h5: refusing to read '/b': it is a soft link (to '/a'). Keras files contain no links, ...
    """
    h5py = require_h5py()
    limits = {"max_dataset_bytes": int(max_dataset_bytes), "max_objects": int(max_objects),
              "max_depth": int(max_depth), "max_unstored_bytes": int(max_unstored_bytes)}
    if isinstance(path_or_fileobj, h5py.Group):
        group = path_or_fileobj
        display = name or os.path.basename(str(group.file.filename)) or "<HDF5 file>"
        file_size = _file_size_of_h5(group.file)
        key = group.id.fileno
        previous = _OPEN_FILES.get(key)
        _OPEN_FILES[key] = (limits, display)
        try:
            _checked(group, display, limits, file_size)
            yield group
        finally:
            if previous is None:
                _OPEN_FILES.pop(key, None)
            else:
                _OPEN_FILES[key] = previous
        return

    if isinstance(path_or_fileobj, (str, bytes, os.PathLike)):
        path = os.fsdecode(path_or_fileobj)
        display = name or os.path.basename(path) or path
        if not os.path.exists(path):
            raise FileNotFoundError(errno.ENOENT, f"No such file: '{path}'", path)
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, f"'{path}' is a folder, not an HDF5 file", path)
        with open(path, "rb") as probe:  # surfaces PermissionError & co. as themselves
            head = probe.read(8)
        file_size = os.path.getsize(path)
        source = path
    else:
        fileobj = path_or_fileobj
        display = name or str(getattr(fileobj, "name", "") or "<file object>")
        position = fileobj.tell()
        fileobj.seek(0)
        head = fileobj.read(8)
        fileobj.seek(0, io.SEEK_END)
        file_size = fileobj.tell()
        fileobj.seek(position)
        source = fileobj
    # No HDF5 file locking: reading never needs it, and it fails on some network and read-only file systems.
    options = {"locking": False} if tuple(h5py.version.version_tuple[:2]) >= (3, 5) else {}
    try:
        f = h5py.File(source, "r", **options)
    except (OSError, RuntimeError, KeyError, TypeError) as e:
        detail = str(e)
        if file_size == 0:
            detail = "the file is empty"
        elif head[:8] != _HDF5_SIGNATURE and "signature" in detail:
            detail = f"it does not start with the HDF5 signature ({detail})"
        raise ValueError(f"{display} is not a valid HDF5 file or is truncated/corrupted: {detail}") from None
    try:
        key = f.id.fileno
    except (OSError, RuntimeError, KeyError, TypeError) as e:
        f.close()
        raise ValueError(f"{display} is not a valid HDF5 file or is truncated/corrupted: {e}") from None
    previous = _OPEN_FILES.get(key)  # HDF5 shares one file number when a file is opened twice
    _OPEN_FILES[key] = (limits, display)
    try:
        _checked(f, display, limits, file_size)
        yield f
    finally:
        if previous is None:
            _OPEN_FILES.pop(key, None)
        else:
            _OPEN_FILES[key] = previous
        f.close()


def source_name(obj):
    """How to name the file holding an HDF5 object in messages: the ``name`` given to :func:`open_for_reading`,
    else the file's base name.

    Example:
        >>> import io, h5py
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     f["x"] = np.zeros(2)
        >>> with open_for_reading(buffer, name="model.keras: model.weights.h5") as f:
        ...     source_name(f["x"])
        'model.keras: model.weights.h5'
    """
    entry = _OPEN_FILES.get(obj.id.fileno)
    if entry is not None:
        return entry[1]
    return os.path.basename(str(obj.file.filename)) or "<HDF5 file>"


def _file_size_of_h5(h5file):
    try:
        return int(h5file.id.get_filesize())
    except Exception:  # noqa: BLE001 - any failure just means "unknown"
        return None


def _checked(group, display, limits, file_size):
    """Run :func:`_check_tree`, turning HDF5 errors met on the way into 'truncated/corrupted' ValueErrors."""
    try:
        _check_tree(group, display, limits, file_size)
    except UnicodeDecodeError as e:
        raise ValueError(f"{display} is not a valid HDF5 file or is truncated/corrupted: an object or attribute "
                         f"name is not valid UTF-8 ({e}).") from None
    except (OSError, RuntimeError, KeyError, TypeError) as e:  # h5py's TypeError: an unreadable type record
        raise ValueError(f"{display} is not a valid HDF5 file or is truncated/corrupted: {e}") from None


def _check_tree(root, display, limits, file_size):
    """Walk every link, group, dataset and attribute below ``root`` once, refusing what the module docstring
    lists. Nothing is read except attribute metadata."""
    h5py = require_h5py()
    counts = {"objects": 0, "stored": 0, "unstored": 0}
    seen = {root.id}
    stack = [(root, root.name, 0)]
    while stack:
        group, path, depth = stack.pop()
        _check_attributes(group, path, display, counts, limits)
        for key in group:
            counts["objects"] += 1
            if counts["objects"] > limits["max_objects"]:
                raise ValueError(f"{display}: refusing to read a file with more than {limits['max_objects']} objects "
                               "and attributes (max_objects).")
            child_path = f"{path.rstrip('/')}/{key}"
            link = group.get(key, getlink=True)
            if isinstance(link, h5py.SoftLink):
                raise ValueError(f"{display}: refusing to read '{child_path}': it is a soft link (to {link.path!r}). "
                               "Keras files contain no links, and a link makes a reader follow a path chosen by "
                               "the file.")
            if isinstance(link, h5py.ExternalLink):
                raise ValueError(f"{display}: refusing to read '{child_path}': it is an external link (to "
                               f"{link.path!r} in file {link.filename!r}), which would make the reader open "
                               "another file.")
            if not isinstance(link, h5py.HardLink):
                raise ValueError(f"{display}: refusing to read '{child_path}': it is a {type(link).__name__}, not a "
                               "plain (hard) link.")
            obj = group[key]
            if obj.id in seen:  # a second hard link to an object already checked
                continue
            seen.add(obj.id)
            if isinstance(obj, h5py.Group):
                if depth + 1 > limits["max_depth"]:
                    raise ValueError(f"{display}: refusing to read '{child_path}': groups are nested more than "
                                   f"{limits['max_depth']} levels deep (max_depth).")
                stack.append((obj, child_path, depth + 1))
            elif isinstance(obj, h5py.Dataset):
                _check_attributes(obj, child_path, display, counts, limits)
                declared, stored, filtered = _check_dataset(obj, child_path, display, limits, file_size)
                counts["stored"] += stored
                if stored < declared and not filtered:
                    counts["unstored"] += declared - stored
                    if counts["unstored"] > limits["max_unstored_bytes"]:
                        raise ValueError(
                            f"{display}: refusing to read '{child_path}': the file's datasets declare "
                            f"{counts['unstored']} bytes that are not stored in it (more than "
                            f"max_unstored_bytes={limits['max_unstored_bytes']}). Reading them would allocate "
                            "memory for data the file does not hold."
                        )
            else:  # a committed datatype: harmless, never read
                _check_attributes(obj, child_path, display, counts, limits)
    if file_size is not None and counts["stored"] > file_size:
        raise ValueError(f"{display}: refusing to read the file: its datasets claim {counts['stored']} bytes of "
                         f"storage but the file holds only {file_size} bytes (truncated or forged).")


def _check_attributes(obj, path, display, counts, limits):
    h5py = require_h5py()
    for attr_name in obj.attrs:
        counts["objects"] += 1
        if counts["objects"] > limits["max_objects"]:
            raise ValueError(f"{display}: refusing to read a file with more than {limits['max_objects']} objects and "
                           "attributes (max_objects).")
        aid = obj.attrs.get_id(attr_name)
        shape = aid.shape
        count = 0 if shape is None else math.prod(int(d) for d in shape)
        dtype = aid.dtype
        variable = h5py.check_vlen_dtype(dtype) is not None or (
            h5py.check_string_dtype(dtype) is not None and h5py.check_string_dtype(dtype).length is None)
        if variable:
            if count > MAX_ATTRIBUTE_ELEMENTS:
                raise ValueError(f"{display}: refusing to read attribute {attr_name!r} of '{path}': it holds {count} "
                               f"variable-length elements (more than {MAX_ATTRIBUTE_ELEMENTS}).")
        elif count * dtype.itemsize > MAX_ATTRIBUTE_BYTES:
            raise ValueError(f"{display}: refusing to read attribute {attr_name!r} of '{path}': it declares "
                           f"{count * dtype.itemsize} bytes (more than {MAX_ATTRIBUTE_BYTES}).")


def _bfloat16_marked(dset):
    """Keras stores bfloat16 weights as 2-byte opaque values with the attribute ``dtype='bfloat16'``."""
    if dset.dtype.kind != "V" or dset.dtype.itemsize != 2 or dset.dtype.names is not None:
        return False
    if "dtype" not in dset.attrs:
        return False
    try:
        return read_string_attribute(dset, "dtype") == "bfloat16"
    except ValueError:
        return False


def _check_dataset(dset, path, display, limits, file_size):
    """Refuse a dataset that is not plain numbers stored in this file within the bounds; return (declared bytes,
    stored bytes, whether it is filtered)."""
    h5py = require_h5py()
    where = f"{display}: refusing to read dataset '{path}'"
    if dset.is_virtual:
        raise ValueError(f"{where}: it is a virtual dataset, whose values would be read from other files.")
    external = dset.external
    if external:
        files = [str(item[0]) for item in external]
        raise ValueError(f"{where}: its values are stored in external file(s) {files}, outside the HDF5 file.")
    plist = dset.id.get_create_plist()
    if plist.get_layout() == h5py.h5d.VIRTUAL:
        raise ValueError(f"{where}: it is a virtual dataset, whose values would be read from other files.")
    dtype = dset.dtype
    numeric = (dtype.kind in "biuf" and dtype.names is None and dtype.subdtype is None
               and h5py.check_vlen_dtype(dtype) is None)
    if not numeric and not _bfloat16_marked(dset):
        raise ValueError(f"{where}: expected numbers (bool, int or float), received values of dtype {dtype} "
                       f"({_describe_dtype(dtype)}).")
    if dset.shape is None:
        raise ValueError(f"{where}: it has a null dataspace (no shape and no values); expected an array of numbers.")
    declared = math.prod(int(d) for d in dset.shape) * dtype.itemsize
    if declared > limits["max_dataset_bytes"]:
        raise ValueError(f"{where}: its shape {tuple(dset.shape)} of {dtype} declares {declared} bytes, more than "
                       f"max_dataset_bytes={limits['max_dataset_bytes']}.")
    filters = []
    for i in range(plist.get_nfilters()):
        code = plist.get_filter(i)[0]
        if code not in _STANDARD_FILTERS:
            raise ValueError(f"{where}: it uses HDF5 filter {code}, not one of HDF5's standard filters "
                           f"{sorted(_STANDARD_FILTERS.values())}; loading a third-party filter plugin is refused.")
        filters.append(code)
    if dset.chunks is not None:
        chunk_bytes = math.prod(int(d) for d in dset.chunks) * dtype.itemsize
        if chunk_bytes > limits["max_dataset_bytes"]:
            raise ValueError(f"{where}: its chunks {tuple(dset.chunks)} declare {chunk_bytes} bytes each, more than "
                           f"max_dataset_bytes={limits['max_dataset_bytes']}.")
    stored = int(dset.id.get_storage_size())
    if file_size is not None and stored > file_size:
        raise ValueError(f"{where}: it claims {stored} bytes of storage but the whole file holds only {file_size} "
                       "bytes (truncated or forged).")
    compressing = any(code in (1, 4, 5, 6, 32000) for code in filters)
    if stored < declared:
        if compressing:
            if declared > MAX_COMPRESSION_RATIO * max(stored, 1) and declared > limits["max_unstored_bytes"]:
                raise ValueError(f"{where}: it declares {declared} bytes but stores {stored}: no HDF5 compression "
                               f"expands data {declared // max(stored, 1)} times. Reading it would allocate memory "
                               "for data the file does not hold.")
        elif declared - stored > limits["max_unstored_bytes"]:
            raise ValueError(f"{where}: its shape {tuple(dset.shape)} of {dtype} declares {declared} bytes but only "
                           f"{stored} bytes are stored. Reading it would allocate memory for data the file does "
                           "not hold.")
    return declared, stored, bool(compressing)


def _describe_dtype(dtype):
    h5py = require_h5py()
    if h5py.check_string_dtype(dtype) is not None:
        return "strings"
    if h5py.check_vlen_dtype(dtype) is not None:
        return "variable-length sequences"
    if dtype.names is not None:
        return "a compound type"
    if dtype.kind == "O":
        return "Python objects / references"
    if dtype.kind == "V":
        return "opaque bytes"
    if dtype.kind == "c":
        return "complex numbers"
    return "not numbers"


# ---------------------------------------------------------------------------------------------------------
# Reading datasets
# ---------------------------------------------------------------------------------------------------------


def read_dataset(dset):
    """The values of an HDF5 dataset as a NumPy array, checked first (numbers only, stored in the file, within
    the bounds :func:`open_for_reading` was given). Floats keep their dtype (in native byte order; the caller
    casts); bfloat16 values, which Keras stores as marked 2-byte opaque data, come back as float32.

    Example:
        >>> import io, h5py
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     f["kernel"] = np.ones((2, 3), dtype="float32")
        >>> with open_for_reading(buffer) as f:
        ...     value = read_dataset(f["kernel"])
        >>> value.shape, value.dtype
        ((2, 3), dtype('float32'))
    """
    h5py = require_h5py()
    if not isinstance(dset, h5py.Dataset):
        raise TypeError(f"read_dataset expects an h5py Dataset; received {type(dset).__name__}.")
    limits, display = _OPEN_FILES.get(dset.id.fileno, (None, None))
    if limits is None:
        limits = {"max_dataset_bytes": DEFAULT_MAX_DATASET_BYTES, "max_unstored_bytes": DEFAULT_MAX_UNSTORED_BYTES}
        display = os.path.basename(str(dset.file.filename)) or "<HDF5 file>"
    _check_dataset(dset, dset.name, display, limits, None)
    try:
        value = dset[()]
    except (OSError, RuntimeError, TypeError) as e:
        raise ValueError(f"{display} is not a valid HDF5 file or is truncated/corrupted: reading '{dset.name}' "
                         f"failed: {e}") from None
    value = np.asarray(value)
    if value.dtype.kind == "V":  # bfloat16: the upper half of a float32
        bits = value.view("<u2").astype(np.uint32) << 16
        return bits.view(np.float32)
    if not value.dtype.isnative:
        value = value.astype(value.dtype.newbyteorder("="))
    return value


# ---------------------------------------------------------------------------------------------------------
# String attributes
# ---------------------------------------------------------------------------------------------------------


def _to_str(value, obj, name):
    if isinstance(value, (bytes, np.bytes_)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"Attribute {name!r} of '{obj.name}' is not valid UTF-8 text: {e}") from None
    if isinstance(value, str):
        return str(value)
    raise ValueError(f"Attribute {name!r} of '{obj.name}' should hold text; received {type(value).__name__} "
                     f"{value!r:.80}.")


def _read_attribute(obj, name):
    """An attribute's value, bounded: an array of variable-length strings is read through a fixed-length memory
    type, so many elements pointing at one long string cannot blow up memory."""
    try:
        return _read_attribute_unchecked(obj, name)
    except UnicodeDecodeError as e:
        raise ValueError(f"Attribute {name!r} of '{obj.name}' is not valid UTF-8 text (corrupted?): {e}") from None
    except (OSError, RuntimeError, TypeError) as e:
        raise ValueError(f"Attribute {name!r} of '{obj.name}' could not be read (truncated or corrupted?): "
                         f"{e}") from None


def _read_attribute_unchecked(obj, name):
    h5py = require_h5py()
    aid = obj.attrs.get_id(name)
    shape = aid.shape
    if shape is None:
        return np.array([], dtype=np.float64)
    count = math.prod(int(d) for d in shape)
    info = h5py.check_string_dtype(aid.dtype)
    if info is not None and info.length is None and count > 1:
        width = min(HDF5_OBJECT_HEADER_LIMIT + 2, max(256, _STRING_ARRAY_BUDGET // count))
        memory_type = h5py.h5t.C_S1.copy()
        memory_type.set_size(width)
        out = np.zeros(shape, dtype=f"S{width}")
        try:
            aid.read(out, mtype=memory_type)
        except Exception:  # noqa: BLE001 - an HDF5 without this conversion: read it plainly (count is bounded)
            return obj.attrs[name]
        items = [bytes(x) for x in out.reshape(-1)]
        if any(len(x) >= width - 1 for x in items):
            raise ValueError(f"Attribute {name!r} of '{obj.name}' holds a string of {width - 1} bytes or more; "
                             "refusing to read it.")
        return np.array(items, dtype=object).reshape(shape)
    return obj.attrs[name]


def read_string_attribute(obj, name, default=None):
    """A text attribute as ``str`` (however it was stored), or ``default`` when ``obj`` has no such attribute.

    Example:
        >>> import io, h5py
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     f.attrs["backend"] = b"tensorflow"
        ...     (read_string_attribute(f, "backend"), read_string_attribute(f, "missing", "none"))
        ('tensorflow', 'none')
    """
    if name not in obj.attrs:
        return default
    value = _read_attribute(obj, name)
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise ValueError(f"Attribute {name!r} of '{obj.name}' should hold one text value; received an array of "
                             f"shape {value.shape}.")
        value = value.reshape(-1)[0]
    return _to_str(value, obj, name)


def _string_list(value, obj, name):
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return []
        return [_to_str(v, obj, name) for v in value.reshape(-1)]
    return [_to_str(value, obj, name)]


def read_string_list_attribute(obj, name, default=None):
    """A list-of-text attribute as a list of ``str``, joining Keras's split form (``name0``, ``name1``, ...);
    ``default`` when neither form is present. An empty attribute (Keras writes ``[]`` as an empty float array)
    gives ``[]``.

    Example:
        >>> import io, h5py
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_string_list_attribute(f, "layer_names", [f"dense_{i}" for i in range(10000)])
        ...     names = read_string_list_attribute(f, "layer_names")
        ...     split = sorted(f.attrs)
        >>> len(names), names[-1], split
        (10000, 'dense_9999', ['layer_names0', 'layer_names1'])
    """
    if name in obj.attrs:
        return _string_list(_read_attribute(obj, name), obj, name)
    if f"{name}0" not in obj.attrs:
        return default
    result, chunk = [], 0
    while f"{name}{chunk}" in obj.attrs:
        result.extend(_string_list(_read_attribute(obj, f"{name}{chunk}"), obj, f"{name}{chunk}"))
        chunk += 1
    return result


def write_string_attribute(obj, name, value, encoding="utf-8"):
    """Write one text attribute: a variable-length UTF-8 string, or, with ``encoding="ascii"``, variable-length
    bytes (as Keras writes ``backend`` and ``keras_version`` inside ``model_weights``).

    Example:
        >>> import io, h5py
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_string_attribute(f, "keras_version", "3.15.1", encoding="ascii")
        ...     read_string_attribute(f, "keras_version")
        '3.15.1'
    """
    if encoding not in ("utf-8", "ascii"):
        raise ValueError(f"encoding must be 'utf-8' or 'ascii'. Received: encoding={encoding!r}")
    value = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    obj.attrs[name] = value.encode("utf-8") if encoding == "ascii" else value


def write_string_list_attribute(obj, name, values):
    """Write a list of text values as Keras does: one attribute of variable-length strings, or, when the list
    would take more than 64,512 bytes as fixed-length strings, several attributes ``name0``, ``name1``, ...
    (an empty list is written as an empty float array, as Keras writes it).

    Example:
        >>> import io, h5py
        >>> buffer = io.BytesIO()
        >>> with h5py.File(buffer, "w") as f:
        ...     write_string_list_attribute(f, "weight_names", ["dense/kernel", "dense/bias"])
        ...     read_string_list_attribute(f, "weight_names")
        ['dense/kernel', 'dense/bias']
    """
    encoded = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in values]
    too_long = [v[:40] + b"..." for v in encoded if len(v) > HDF5_OBJECT_HEADER_LIMIT]
    if too_long:
        raise ValueError(f"Cannot save attribute {name!r}: these values are longer than {HDF5_OBJECT_HEADER_LIMIT} "
                         f"bytes each: {too_long}")
    as_array = np.asarray(encoded) if encoded else np.zeros((0,), dtype=np.float64)
    chunks = 1
    parts = [as_array]
    while any(part.nbytes > HDF5_OBJECT_HEADER_LIMIT for part in parts):
        chunks += 1
        parts = np.array_split(as_array, chunks)
    if chunks > 1:
        for i, part in enumerate(parts):
            obj.attrs[f"{name}{i}"] = part
    else:
        obj.attrs[name] = encoded
