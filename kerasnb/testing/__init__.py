"""``kerasnb.testing``: tools for checking your own ops and layers.

Example:
    >>> import kerasnb as keras
    >>> report = keras.testing.check_gradients(lambda x: keras.ops.sin(x) * x, np.array([0.3, 1.2]))
    >>> report.ok
    True
"""

from kerasnb.testing.gradient_check import GradientCheckReport, check_gradients

__all__ = ["GradientCheckReport", "check_gradients"]
