"""Small synthetic problems for teaching, made from a seed: no download, any size, shapes you can see.

Every function returns ``(x, y)``: ``float32`` features and ``int32`` class labels (``float32`` targets for
:func:`sine_sequences`). ``seed=None`` draws fresh data on each call (handy for separate training and test
sets); an integer seed gives the same data on every machine.

Example:
    >>> x, y = keras.datasets.toy.spirals(300, n_classes=3, seed=0)
    >>> x.shape, x.dtype, y.shape, y.dtype, sorted(set(y.tolist()))
    ((300, 2), dtype('float32'), (300,), dtype('int32'), [0, 1, 2])
"""

import numpy as np

__all__ = ["circles", "moons", "sequence_classification", "sine_sequences", "spirals", "xor"]


def _check(n_samples, noise=0.0):
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"`n_samples` must be a positive integer. Received: n_samples={n_samples!r}")
    if noise < 0:
        raise ValueError(f"`noise` must be 0 or more (the standard deviation of added noise). Received: noise={noise}")
    return int(n_samples)


def _balanced_labels(n_samples, n_classes):
    return np.arange(n_samples) % n_classes


def spirals(n_samples=200, n_classes=2, noise=0.02, seed=None):
    """Interleaved spiral arms, one per class: the classic problem no straight line can separate.

    Points lie in about ``[-1, 1]^2``; each arm winds one and a half turns out from the centre, and the arms
    are rotated copies of each other. The class of each point is drawn at random.

    Args:
        n_samples: number of points.
        n_classes: number of arms (classes).
        noise: standard deviation of the Gaussian noise added to each coordinate.
        seed: seed of ``np.random.default_rng``; ``None`` for fresh data.

    Returns:
        ``x`` ``float32`` ``(n_samples, 2)`` and ``y`` ``int32`` ``(n_samples,)`` in ``0..n_classes-1``.

    Example:
        >>> x, y = keras.datasets.toy.spirals(200, seed=0)
        >>> x.shape, bool(np.abs(x).max() < 1.2)
        ((200, 2), True)
        >>> bool((keras.datasets.toy.spirals(200, seed=0)[0] == x).all())  # same seed, same data
        True
    """
    n = _check(n_samples, noise)
    if int(n_classes) != n_classes or n_classes < 1:
        raise ValueError(f"`n_classes` must be a positive integer. Received: n_classes={n_classes!r}")
    rng = np.random.default_rng(seed)
    # sqrt spreads the points evenly over the arm's length rather than crowding the centre.
    t = np.sqrt(rng.uniform(0.05, 1.0, n)) * 3 * np.pi
    arm = rng.integers(0, n_classes, n)
    angle = 2 * np.pi * arm / n_classes
    cos, sin = np.cos(angle), np.sin(angle)
    # Exact zeros (sin(pi) is 1e-16 in floating point), so that two arms are exact mirror images.
    cos[np.abs(cos) < 1e-12] = 0.0
    sin[np.abs(sin) < 1e-12] = 0.0
    px, py = t * np.cos(t), t * np.sin(t)
    x = np.stack([cos * px - sin * py, sin * px + cos * py], axis=1) / (3 * np.pi)
    x += rng.normal(scale=noise, size=x.shape)
    return x.astype(np.float32), arm.astype(np.int32)


def moons(n_samples=200, noise=0.1, seed=None):
    """Two interleaving half circles (as scikit-learn's ``make_moons``), class 0 on top, class 1 below.

    Args:
        n_samples: number of points, split evenly between the two classes.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        seed: seed of ``np.random.default_rng``; ``None`` for fresh data.

    Returns:
        ``x`` ``float32`` ``(n_samples, 2)`` (about ``[-1, 2] x [-0.5, 1]``) and ``y`` ``int32``
        ``(n_samples,)`` in ``{0, 1}``.

    Example:
        >>> x, y = keras.datasets.toy.moons(100, noise=0.0, seed=1)
        >>> x.shape, np.bincount(y).tolist()
        ((100, 2), [50, 50])
    """
    n = _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    rng.shuffle(y)
    t = rng.uniform(0.0, np.pi, n)
    x = np.where(
        (y == 0)[:, None],
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    x += rng.normal(scale=noise, size=x.shape)
    return x.astype(np.float32), y.astype(np.int32)


def circles(n_samples=200, noise=0.05, factor=0.5, seed=None):
    """A circle inside a circle: class 0 on the outer one (radius 1), class 1 on the inner one.

    Args:
        n_samples: number of points, split evenly between the two classes.
        noise: standard deviation of the Gaussian noise added to each coordinate.
        factor: radius of the inner circle, between 0 and 1.
        seed: seed of ``np.random.default_rng``; ``None`` for fresh data.

    Returns:
        ``x`` ``float32`` ``(n_samples, 2)`` and ``y`` ``int32`` ``(n_samples,)`` in ``{0, 1}``.

    Example:
        >>> x, y = keras.datasets.toy.circles(100, noise=0.0, factor=0.5, seed=0)
        >>> radius = np.hypot(x[:, 0], x[:, 1])
        >>> bool(np.allclose(radius[y == 0], 1.0)), bool(np.allclose(radius[y == 1], 0.5))
        (True, True)
    """
    n = _check(n_samples, noise)
    if not 0 < factor < 1:
        raise ValueError(f"`factor` (the inner circle's radius) must be between 0 and 1. Received: factor={factor}")
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    rng.shuffle(y)
    t = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, factor)
    x = radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    x += rng.normal(scale=noise, size=x.shape)
    return x.astype(np.float32), y.astype(np.int32)


def xor(n_samples=200, noise=0.0, seed=None):
    """Points in the square ``[-1, 1]^2``, class 1 where exactly one coordinate is positive.

    The smallest problem a single layer cannot solve and one hidden layer can. The class is decided before the
    noise is added, so with ``noise > 0`` points near the axes may sit on the other side.

    Args:
        n_samples: number of points.
        noise: standard deviation of the Gaussian noise added to each coordinate after labeling.
        seed: seed of ``np.random.default_rng``; ``None`` for fresh data.

    Returns:
        ``x`` ``float32`` ``(n_samples, 2)`` and ``y`` ``int32`` ``(n_samples,)`` in ``{0, 1}``.

    Example:
        >>> x, y = keras.datasets.toy.xor(8, seed=0)
        >>> bool(((x[:, 0] > 0) != (x[:, 1] > 0)).astype("int32").tolist() == y.tolist())
        True
    """
    n = _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (n, 2))
    y = (x[:, 0] > 0) != (x[:, 1] > 0)
    x += rng.normal(scale=noise, size=x.shape)
    return x.astype(np.float32), y.astype(np.int32)


def sine_sequences(n_samples=1000, timesteps=20, noise=0.05, seed=None):
    """Windows of noisy sine waves, for next-value regression with a recurrent network.

    Each sample is a sine wave with its own random period (6 to 30 steps), phase and amplitude (0.5 to 1),
    plus Gaussian noise; ``x`` is ``timesteps`` consecutive values and ``y`` the clean value one step later.

    Args:
        n_samples: number of windows.
        timesteps: length of each window.
        noise: standard deviation of the noise on the inputs (the targets are noise-free).
        seed: seed of ``np.random.default_rng``; ``None`` for fresh data.

    Returns:
        ``x`` ``float32`` ``(n_samples, timesteps, 1)`` and ``y`` ``float32`` ``(n_samples, 1)``.

    Example:
        >>> x, y = keras.datasets.toy.sine_sequences(64, timesteps=10, seed=0)
        >>> x.shape, y.shape, y.dtype
        ((64, 10, 1), (64, 1), dtype('float32'))
    """
    n = _check(n_samples, noise)
    if int(timesteps) != timesteps or timesteps < 1:
        raise ValueError(f"`timesteps` must be a positive integer. Received: timesteps={timesteps!r}")
    rng = np.random.default_rng(seed)
    omega = 2 * np.pi / rng.uniform(6.0, 30.0, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    amplitude = rng.uniform(0.5, 1.0, (n, 1))
    steps = np.arange(int(timesteps) + 1)
    wave = amplitude * np.sin(omega * steps + phase)
    x = wave[:, :-1] + rng.normal(scale=noise, size=(n, int(timesteps)))
    return x[:, :, None].astype(np.float32), wave[:, -1:].astype(np.float32)


def sequence_classification(n_samples=1000, length=20, vocab_size=10, seed=None):
    """Token sequences labeled by the order of two marker tokens: a task that needs memory of order.

    Each sequence holds token 1 exactly once and token 2 exactly once, at random positions, among filler
    tokens ``3..vocab_size-1``; the label is 1 if the 1 comes before the 2, else 0. Counting tokens cannot
    solve it (every sequence has the same markers), but an ``Embedding`` + ``LSTM`` learns it in a few epochs.
    Token 0 is never used, so it is free for padding. Labels are balanced up to chance.

    Args:
        n_samples: number of sequences.
        length: tokens per sequence (at least 2).
        vocab_size: number of token ids, ``0..vocab_size-1`` (at least 4); the ``input_dim`` of an Embedding.
        seed: seed of ``np.random.default_rng``; ``None`` for fresh data.

    Returns:
        ``x`` ``int32`` ``(n_samples, length)`` and ``y`` ``int32`` ``(n_samples,)`` in ``{0, 1}``.

    Example:
        >>> x, y = keras.datasets.toy.sequence_classification(4, length=6, seed=0)
        >>> x.shape, x.dtype, y.shape
        ((4, 6), dtype('int32'), (4,))
        >>> [int((row == 1).argmax() < (row == 2).argmax()) for row in x] == y.tolist()
        True
    """
    n = _check(n_samples)
    if int(length) != length or length < 2:
        raise ValueError(f"`length` must be an integer of at least 2. Received: length={length!r}")
    if int(vocab_size) != vocab_size or vocab_size < 4:
        raise ValueError(f"`vocab_size` must be an integer of at least 4 (0 padding, two markers, filler). "
                         f"Received: vocab_size={vocab_size!r}")
    length = int(length)
    rng = np.random.default_rng(seed)
    x = rng.integers(3, int(vocab_size), (n, length))
    # Two distinct positions per row: the first two columns of a random permutation of the positions.
    positions = np.argsort(rng.random((n, length)), axis=1)[:, :2]
    rows = np.arange(n)
    x[rows, positions[:, 0]] = 1
    x[rows, positions[:, 1]] = 2
    y = positions[:, 0] < positions[:, 1]
    return x.astype(np.int32), y.astype(np.int32)
