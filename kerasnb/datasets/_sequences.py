"""The word-index preprocessing that Keras applies to IMDB and Reuters, kept step for step identical."""


def offset_words(sequences, start_char, index_from):
    """Shift every word index by ``index_from`` and put ``start_char`` in front, as Keras does."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    if index_from:
        return [[w + index_from for w in x] for x in sequences]
    return [list(x) for x in sequences]


def remove_long(maxlen, sequences, labels):
    """Drop the sequences that are not shorter than ``maxlen`` (Keras keeps ``len(x) < maxlen``, strictly)."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Replace (or with ``oov_char=None`` drop) the words outside ``skip_top <= w < num_words``."""
    if not num_words:
        # As Keras: the largest index seen, so that index itself is outside `w < num_words` and becomes oov_char.
        num_words = max((max(x) for x in sequences if len(x)), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]
