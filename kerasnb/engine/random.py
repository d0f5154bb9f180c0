"""Random numbers: one seeded global generator per backend, and ``SeedGenerator`` for layers.

``kerasnb.utils.set_random_seed(seed)`` reseeds Python's ``random``, NumPy's global generator and kerasnb's own,
so the same seed gives bit-identical weights, dropout masks and shuffles on the same machine.
"""

import random as _pyrandom

import numpy as np

from kerasnb.engine import arrays

_global_seed = None
_generator = None


def set_random_seed(seed):
    """Seed every source of randomness kerasnb uses (Python, NumPy, and kerasnb's own generators).

    Example:
        >>> kerasnb.utils.set_random_seed(42)
    """
    global _global_seed, _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"`seed` must be an integer. Received: seed={seed!r} of type {type(seed).__name__}")
    seed = int(seed)
    _global_seed = seed
    _pyrandom.seed(seed)
    np.random.seed(seed % 2**32)
    _generator = np.random.default_rng(seed)
    xp = arrays.backend_module()
    if xp is not np:
        xp.random.seed(seed % 2**32)


def global_generator():
    """The NumPy generator that unseeded kerasnb randomness draws from (seeded by ``set_random_seed``)."""
    global _generator
    if _generator is None:
        _generator = np.random.default_rng(_global_seed)
    return _generator


class SeedGenerator:
    """A stream of random numbers for one layer or initializer.

    With a ``seed`` the stream is fixed; without one it is drawn from the global generator, so it follows
    ``kerasnb.utils.set_random_seed``.

    Example:
        >>> g = SeedGenerator(1)
        >>> g.normal((2,)).shape
        (2,)
    """

    def __init__(self, seed=None):
        if seed is None:
            seed = int(global_generator().integers(0, 2**63 - 1))
        self.seed = int(seed)
        self._rng = np.random.default_rng(self.seed)

    def _put(self, a, dtype):
        return arrays.to_backend(a.astype(dtype, copy=False))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype="float32"):
        return self._put(self._rng.normal(mean, stddev, size=shape), dtype)

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype="float32"):
        return self._put(self._rng.uniform(minval, maxval, size=shape), dtype)

    def keep_mask(self, shape, rate, dtype="float32"):
        """A dropout mask: ``1 / (1 - rate)`` where a uniform draw in [0, 1) is ``>= rate``, else 0 (so the
        expected value of ``x * mask`` is ``x``). For float32 the draws are made in float32: half the work of
        drawing float64 and casting, on every training step of every Dropout layer.

        Example:
            >>> SeedGenerator(0).keep_mask((2, 3), 0.5)
            array([[2., 2., 2.],
                   [0., 0., 0.]], dtype=float32)
        """
        dtype = np.dtype(dtype)
        draws = self._rng.random(size=shape, dtype=np.float32 if dtype == np.float32 else np.float64)
        mask = (draws >= rate).astype(dtype)
        mask *= dtype.type(1.0 / (1.0 - rate))
        return arrays.to_backend(mask)

    def integers(self, shape, low, high, dtype="int32"):
        return self._put(self._rng.integers(low, high, size=shape), dtype)

    def permutation(self, n):
        return self._rng.permutation(n)


# -- saving and restoring where every stream stands (BackupAndRestore) -------------------------------------------
def _seed_generators(model):
    """The ``SeedGenerator`` of every layer in ``model`` (Dropout, noise, recurrent dropout, random augmentation),
    in layer order then attribute order: the same order for the same model built again."""
    found, seen = [], set()
    for layer in model._flatten_layers() if model is not None else ():
        for value in vars(layer).values():
            if isinstance(value, SeedGenerator) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
    return found


def get_state(model=None):
    """Where every random stream stands, as JSON-able data: Python's ``random``, NumPy's global generator,
    kerasnb's global generator (shuffling) and the seed generator of every layer of ``model``.

    Restoring it with :func:`set_state` makes the next draws the same as they would have been, which is what a
    resumed ``fit`` needs to give the same dropout masks and shuffles as one never interrupted.

    Example:
        >>> state = get_state()
        >>> first = global_generator().random()
        >>> set_state(state)
        >>> global_generator().random() == first
        True
    """
    version, internal, gauss = _pyrandom.getstate()
    name, keys, position, has_gauss, cached = np.random.get_state()
    return {
        "python": [version, list(internal), gauss],
        "numpy": [name, keys.tolist(), int(position), int(has_gauss), float(cached)],
        "kerasnb": global_generator().bit_generator.state,
        "layers": [generator._rng.bit_generator.state for generator in _seed_generators(model)],
    }


def set_state(state, model=None):
    """Put every random stream back where :func:`get_state` found it (see there). ``model`` must have the same
    random layers, in the same order, as the model whose state was taken; otherwise ``ValueError``."""
    generators = _seed_generators(model)
    if len(generators) != len(state["layers"]):
        raise ValueError(
            f"The saved random state is for a model with {len(state['layers'])} random layer stream(s) (Dropout, "
            f"noise, augmentation); this model has {len(generators)}. Restore it into the same architecture."
        )
    version, internal, gauss = state["python"]
    _pyrandom.setstate((version, tuple(internal), gauss))
    name, keys, position, has_gauss, cached = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), position, has_gauss, cached))
    global_generator().bit_generator.state = state["kerasnb"]
    for generator, saved in zip(generators, state["layers"]):
        generator._rng.bit_generator.state = saved
