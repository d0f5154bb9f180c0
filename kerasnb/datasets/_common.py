"""What the dataset loaders share: where each file comes from and its hash, the mirror setting, and safe loading.

The URLs, cache names and hashes are Keras 3's (``keras/src/datasets/*.py``), so the cache is shared with Keras.
"""

import io
import os
import pickle
import zipfile

import numpy as np

from kerasnb.utils.file_utils import DownloadError, get_file

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_TORONTO = "https://www.cs.toronto.edu/~kriz/"

# file name -> (Keras's URL, Keras's hash: 64 hex digits sha256, 32 md5)
FILES = {
    "mnist.npz": (KERAS_ORIGIN + "mnist.npz", "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"),
    "train-labels-idx1-ubyte.gz": (
        KERAS_ORIGIN + "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    ),
    "train-images-idx3-ubyte.gz": (
        KERAS_ORIGIN + "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    ),
    "t10k-labels-idx1-ubyte.gz": (
        KERAS_ORIGIN + "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    ),
    "t10k-images-idx3-ubyte.gz": (
        KERAS_ORIGIN + "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    ),
    "cifar-10-python.tar.gz": (
        _TORONTO + "cifar-10-python.tar.gz",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    ),
    "cifar-100-python.tar.gz": (
        _TORONTO + "cifar-100-python.tar.gz",
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
    ),
    "imdb.npz": (KERAS_ORIGIN + "imdb.npz", "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "imdb_word_index.json": (KERAS_ORIGIN + "imdb_word_index.json", "bfafd718b763782e994055a2d397834f"),
    "reuters.npz": (KERAS_ORIGIN + "reuters.npz", "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"),
    "reuters_word_index.json": (KERAS_ORIGIN + "reuters_word_index.json", "4d44cc38712099c9e383dc6e5f11a921"),
    "boston_housing.npz": (
        KERAS_ORIGIN + "boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
    ),
    "california_housing.npz": (
        KERAS_ORIGIN + "california_housing.npz",
        "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
    ),
}


def mirror():
    """The mirror folder URL (``kerasnb.datasets.ORIGIN``, else ``$KERASNB_DATASETS_ORIGIN``), or ``None``."""
    import kerasnb.datasets

    return kerasnb.datasets.ORIGIN or os.environ.get("KERASNB_DATASETS_ORIGIN") or None


def fetch(name, fname=None, **kwargs):
    """``get_file`` for the known file ``name``: from Keras's origin or the mirror, with Keras's hash."""
    url, file_hash = FILES[name]
    base = mirror()
    if base:
        url = base.rstrip("/") + "/" + name
    try:
        return get_file(fname or name, origin=url, file_hash=file_hash, **kwargs)
    except DownloadError as e:
        hint = "Or set" if base is None else "Or check the mirror setting,"
        raise DownloadError(
            f"{e}. {hint} kerasnb.datasets.ORIGIN (or the environment variable KERASNB_DATASETS_ORIGIN) to the URL "
            f"of a mirror folder that holds {name}."
        ) from None


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays and plain Python values, and nothing else.

    A pickle is a program: loading one calls whatever functions it names, so a tampered download could run any
    code (``os.system``, say) through an unrestricted ``pickle.load``. The CIFAR batches and the IMDB/Reuters
    object arrays are pickles, but all they need are dicts, lists, bytes, strings, numbers (built by pickle
    opcodes, no lookup) and three NumPy names to rebuild arrays. Any other name is refused, so even a file that
    slipped past the hash check can at worst fail to load.
    """

    _RECONSTRUCT = np.empty(0).__reduce__()[0]  # this NumPy's _reconstruct, whichever module it lives in
    _ALLOWED = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        # NumPy 1 wrote numpy.core, NumPy 2 writes numpy._core; resolved here, not by importing numpy.core,
        # which warns under NumPy 2.
        ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
        ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    }

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"Refusing to load {module}.{name} from a dataset file: only NumPy arrays and plain Python values "
                "are allowed. The file may be corrupted or tampered with; delete it and download it again."
            ) from None


def restricted_load(file, encoding="ASCII"):
    """``pickle.load`` through :class:`RestrictedUnpickler`."""
    return RestrictedUnpickler(file, encoding=encoding).load()


def load_npz(path):
    """The arrays of the ``.npz`` file at ``path`` as a dict, never unpickling more than NumPy arrays.

    Numeric arrays are read with pickling off. IMDB and Reuters store ragged sequences as object arrays, which
    NumPy can only save as a pickle, and ``np.load(allow_pickle=True)`` (what Keras used) would run any code a
    tampered file names; those members go through :class:`RestrictedUnpickler` instead.
    """
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not member.endswith(".npy"):
                continue
            with archive.open(member) as raw:
                buffer = io.BytesIO(raw.read())
            arrays[member[: -len(".npy")]] = _read_npy(buffer)
    return arrays


def _read_npy(fp):
    fmt = np.lib.format
    version = fmt.read_magic(fp)
    if version == (1, 0):
        shape, fortran_order, dtype = fmt.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):
        # 3.0 differs from 2.0 only in the header's text encoding, not its layout.
        shape, fortran_order, dtype = fmt.read_array_header_2_0(fp)
    else:
        raise ValueError(f"Unsupported .npy format version {version}")
    if dtype.hasobject:
        array = restricted_load(fp, encoding="latin1")
        if not isinstance(array, np.ndarray):
            raise ValueError(f"Expected a NumPy array in the .npy data, got {type(array).__name__}")
        return array
    fp.seek(0)
    return fmt.read_array(fp, allow_pickle=False)


def shuffled(seed, *arrays):
    """The arrays in the order of one shuffle of ``np.random.RandomState(seed)``, as Keras's loaders do it."""
    indices = np.arange(len(arrays[0]))
    np.random.RandomState(seed).shuffle(indices)
    return tuple(a[indices] for a in arrays)


def check_test_split(test_split):
    if not 0 <= test_split < 1:
        raise ValueError(f"`test_split` must be at least 0 and below 1. Received: test_split={test_split}")


def object_array(sequences):
    """A 1-D object array of lists (``np.array(list_of_lists)`` would make a 2-D array if all lengths agree)."""
    out = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        out[i] = seq
    return out
