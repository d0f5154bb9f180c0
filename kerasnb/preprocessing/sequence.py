"""``kerasnb.preprocessing.sequence``: ``pad_sequences`` (the same function as ``kerasnb.utils.pad_sequences``).

Example:
    >>> padded = keras.preprocessing.sequence.pad_sequences([[1], [2, 3]])
    >>> padded.tolist(), padded.dtype
    ([[0, 1], [2, 3]], dtype('int32'))
"""

from kerasnb.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
