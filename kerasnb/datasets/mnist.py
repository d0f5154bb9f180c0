"""MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grayscale."""

from kerasnb.datasets._common import fetch, load_npz


def load_data(path="mnist.npz"):
    """Load MNIST, downloading it (11 MB) on first use.

    Args:
        path: the file name in the cache (``~/.keras/datasets``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``uint8`` images of shape ``(60000, 28, 28)`` and
        ``(10000, 28, 28)`` with values 0..255, and ``uint8`` labels 0..9 of shape ``(60000,)`` and ``(10000,)``.

    License: Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative of NIST's data; it is
    available under CC BY-SA 3.0.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))
    """
    arrays = load_npz(fetch("mnist.npz", fname=path))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
