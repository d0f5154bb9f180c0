"""``kerasnb.utils``: helpers that are not layers or ops.

Example:
    >>> import kerasnb as keras
    >>> keras.utils.set_random_seed(0)
"""

from kerasnb.engine.random import set_random_seed

__all__ = ["set_random_seed"]
