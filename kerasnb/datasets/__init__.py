"""``kerasnb.datasets``: Keras's datasets, one submodule each, plus a small bundled one and synthetic toy sets.

* ``mnist``, ``fashion_mnist``, ``cifar10``, ``cifar100``, ``imdb``, ``reuters``, ``boston_housing`` and
  ``california_housing`` work as in Keras 3: ``load_data()`` downloads the same files from the same places,
  checks the same hashes and keeps them in the same cache (``~/.keras/datasets``, or under ``$KERAS_HOME``), so
  data that Keras already downloaded is reused and no download happens twice.
* ``digits`` needs no download: 1,797 handwritten digits (8x8, values 0..16) ship with kerasnb, so it works
  offline and in the browser (JupyterLite).
* ``toy`` makes small synthetic problems (spirals, moons, circles, xor, sine windows, token sequences) from a
  seed.

**Mirrors for classrooms and offline machines.** Set ``kerasnb.datasets.ORIGIN`` (or the environment variable
``KERASNB_DATASETS_ORIGIN``) to the URL of a folder that holds copies of the files under their original names
(``mnist.npz``, ``cifar-10-python.tar.gz``, ... see ``FILE_NAMES``), for instance a web server on the local
network or a ``file://`` URL of a shared drive. The loaders then download from there; the hashes are still
checked, so a mirror must serve the very same files. Without a mirror, a file can also be copied by hand to
the cache path that a failed download names.

Example:
    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    >>> x_train.shape, y_train.shape, x_test.shape
    ((1437, 8, 8), (1437,), (360, 8, 8))
    >>> x, y = keras.datasets.toy.moons(100, seed=0)
    >>> x.shape, y.dtype
    ((100, 2), dtype('int32'))
"""

import importlib

# The mirror folder the loaders download from instead of Keras's origins; None: the environment variable
# KERASNB_DATASETS_ORIGIN, or Keras's origins when that is unset too.
ORIGIN = None

_SUBMODULES = (
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
    "toy",
)


def __getattr__(name):
    # Submodules load on first use, so `import kerasnb` stays quick.
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "FILE_NAMES":
        from kerasnb.datasets._common import FILES

        return tuple(FILES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_SUBMODULES, "FILE_NAMES"})


__all__ = ["ORIGIN", *_SUBMODULES]
