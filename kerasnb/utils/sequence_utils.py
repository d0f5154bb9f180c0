"""``pad_sequences``: lists of different lengths to one rectangular NumPy array."""

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pad (or cut) each sequence to the same length and stack them: a NumPy array ``(len(sequences), maxlen)``.

    ``maxlen`` defaults to the longest sequence. A shorter sequence is filled up with ``value``, at the start
    (``padding='pre'``, the default) or at the end (``'post'``); a longer one loses its first items
    (``truncating='pre'``, the default) or its last ones (``'post'``). Items may themselves be arrays (all of
    one shape): the result is then ``(len(sequences), maxlen) + item_shape``. An empty sequence becomes a row of
    ``value``. For strings of varying length use ``dtype=object`` (or a NumPy string dtype) with a string
    ``value``.

    Example:
        >>> sequences = [[1], [2, 3], [4, 5, 6]]
        >>> padded = keras.utils.pad_sequences(sequences)
        >>> padded.dtype
        dtype('int32')
        >>> padded.tolist()
        [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
        >>> keras.utils.pad_sequences(sequences, padding="post", value=-1).tolist()
        [[1, -1, -1], [2, 3, -1], [4, 5, 6]]
        >>> keras.utils.pad_sequences(sequences, maxlen=2, truncating="post").tolist()
        [[0, 1], [2, 3], [4, 5]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be a list of sequences (it has no length). Received: {sequences!r}")
    if padding not in ("pre", "post"):
        raise ValueError(f'`padding` must be "pre" or "post". Received: padding={padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'`truncating` must be "pre" or "post". Received: truncating={truncating!r}')
    is_string_dtype = np.dtype(dtype).kind in "OUS"  # object, str or bytes
    if isinstance(value, str) and not is_string_dtype:
        raise ValueError(f"`dtype` {dtype} cannot hold the string `value`={value!r}. Pass `dtype=object` for "
                         "strings of varying length.")

    lengths, item_shape = [], None
    for index, sequence in enumerate(sequences):
        try:
            lengths.append(len(sequence))
        except TypeError as error:
            raise ValueError(f"`sequences` must be a list of sequences (lists or arrays). Found the non-sequence "
                             f"{sequence!r} at position {index}.") from error
        if item_shape is None and len(sequence):
            item_shape = np.asarray(sequence).shape[1:]  # every item must have the first non-empty one's shape
    item_shape = item_shape or ()
    if maxlen is None:
        if not lengths:
            raise ValueError("`sequences` is empty, so `maxlen` cannot be inferred: pass `maxlen` to get an empty "
                             "array of shape (0, maxlen).")
        maxlen = max(lengths)

    padded = np.full((len(sequences), maxlen) + tuple(item_shape), value, dtype=dtype)
    for index, sequence in enumerate(sequences):
        if not len(sequence) or not maxlen:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(f"The items of the sequence at position {index} have shape {kept.shape[1:]}, but the "
                             f"first non-empty sequence's items have shape {item_shape}. All items must have one "
                             "shape.")
        if padding == "pre":
            padded[index, maxlen - len(kept):] = kept
        else:
            padded[index, :len(kept)] = kept
    return padded
