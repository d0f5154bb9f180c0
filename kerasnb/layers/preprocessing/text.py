"""Lookup and text layers: ``StringLookup``, ``IntegerLookup``, ``TextVectorization``.

A lookup layer holds a *vocabulary*, a list of tokens, and maps each token to its index. The first indices are
special: the mask token (index 0, when ``mask_token`` is set) and ``num_oov_indices`` out-of-vocabulary (OOV)
slots that every unknown token falls into. With ``vocabulary=['a', 'b']`` and the defaults, ``'[UNK]'`` is 0,
``'a'`` is 1 and ``'b'`` is 2. ``adapt(data)`` learns the vocabulary instead: every token seen, most frequent
first (ties in reverse sort order, as Keras orders them).

``TextVectorization`` turns sentences into token indices: standardize (lowercase, strip punctuation), split
into words, optionally form n-grams, then look each token up.

These layers work on NumPy string arrays and lists of Python strings (a kerasnb tensor cannot hold strings);
they compute nothing differentiable. Indices come out as int64 tensors; ``invert=True`` turns indices back
into a NumPy array of tokens.
"""

import abc
import collections
import re
import string

import numpy as np

from kerasnb import ops
from kerasnb.engine import arrays
from kerasnb.engine.tensor import Tensor
from kerasnb.layers.keras_tensor import KerasTensor
from kerasnb.layers.layer import Layer
from kerasnb.layers.preprocessing.numeric import encode_categorical, encoded_shape

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_NO_INDEX = np.iinfo(np.int64).max  # a masked token in a non-'int' mode: encoded as nothing


def _as_numpy(x):
    if isinstance(x, Tensor):
        return arrays.to_numpy(x.data)
    return np.asarray(x)


class IndexLookup(Layer, metaclass=abc.ABCMeta):
    """The machinery shared by :class:`StringLookup` and :class:`IntegerLookup` (see their docs)."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", name=None, salt=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"Unknown value for `oov_method`. Allowed values are: 'floormod', 'farmhash'. "
                             f"Received: oov_method={oov_method}")
        if salt is not None:
            raise ValueError("`salt` (keyed SipHash of OOV tokens) is not supported by kerasnb.")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are: "
                             f"{', '.join(map(repr, _OUTPUT_MODES))}. Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._tokens, self._index = [], {}  # the vocabulary (special tokens excluded) and token -> index
        self.idf_weights = None
        if self.output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                             "argument must also be provided.")
        if vocabulary is not None:
            if isinstance(vocabulary, str):  # a file, one token per line: read it, keep the list
                with open(vocabulary, encoding="utf-8") as f:
                    vocabulary = self.input_vocabulary = [self._token(line) for line in f.read().splitlines()]
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()
        self.built = True

    @classmethod
    def from_config(cls, config):
        """Rebuild the lookup from its config. A ``vocabulary`` given as a file path is refused in safe mode (a
        config must not make the loader read files); vocabularies travel in the config (or the ``.keras``
        archive) as lists.

        Example:
            >>> lookup = keras.layers.StringLookup(vocabulary=["a", "b"])
            >>> keras.layers.StringLookup.from_config(lookup.get_config()).get_vocabulary()
            ['[UNK]', 'a', 'b']
        """
        _refuse_vocabulary_file(cls.__name__, config)
        return cls(**config)

    # -- the vocabulary ------------------------------------------------------------------------------------
    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    @abc.abstractmethod
    def _token(self, value):
        """One vocabulary entry as a Python value (``str`` or ``int``)."""

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order: mask token, OOV tokens, then the tokens."""
        specials = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        vocab = specials + list(self._tokens)
        return vocab[self._token_start_index():] if not include_special_tokens else vocab

    def vocabulary_size(self):
        """The number of indices, special ones included."""
        return len(self._tokens) + self._token_start_index()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and, for ``'tf_idf'``, the inverse document frequencies); special tokens at its
        start are recognised and skipped."""
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        vocabulary = [self._token(v) for v in _as_numpy(vocabulary).reshape(-1).tolist()]
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        token_start = self._token_start_index()
        special_tokens = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special_tokens = vocabulary[:token_start] == special_tokens
        tokens = vocabulary[token_start:] if found_special_tokens else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {special_tokens}. Received: mask_token={self.mask_token} at vocabulary index "
                             f"{vocabulary.index(self.mask_token)}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {special_tokens}. Received: oov_token={self.oov_token} at vocabulary index "
                             f"{vocabulary.index(self.oov_token)}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {token_start + len(tokens)}; `max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf_weights = np.asarray(_as_numpy(idf_weights), dtype="float64")
            if len(vocabulary) != len(idf_weights):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(idf_weights)}; len(vocabulary) is {len(vocabulary)}")
            if idf_weights.ndim != 1:
                raise ValueError(f"TF-IDF data must be a 1-index array. Received: type(idf_weights)="
                                 f"{type(idf_weights)}")
            front = 0 if found_special_tokens else token_start  # special tokens get the average weight
            self._set_idf(np.pad(idf_weights, (front, 0), constant_values=np.average(idf_weights)))

    def _set_tokens(self, tokens):
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            size = len(tokens) + self._token_start_index()
            if self._frozen_vocab_size is not None and self._tokens and size != self._frozen_vocab_size:
                raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the "
                                   f"vocabulary size cannot be changed after the layer is called. Old vocab size is "
                                   f"{self._frozen_vocab_size}, new vocab size is {size}")
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()

    def _set_idf(self, weights):
        """The per-index weights of ``'tf_idf'`` (zeros up to ``max_tokens`` when padding)."""
        weights = np.asarray(weights, dtype=self.dtype)
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, self.max_tokens - len(weights)))
        self.idf_weights = weights

    # -- learning the vocabulary ---------------------------------------------------------------------------
    def adapt(self, data, steps=None):
        """Learn the vocabulary from ``data``: an array or list (each row, or each element of a 1-D array, is a
        document) or an iterable of batches."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, Tensor)):
            data = self._prepare(data)
            self.update_state(data[:, None] if data.ndim == 1 else data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        """Count the tokens of one batch of documents (rows)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        if isinstance(data, _Documents):  # token lists of different lengths, from TextVectorization
            documents = [[self._token(t) for t in row] for row in data]
        else:
            data = self._prepare(data)
            data = data.reshape(1, -1) if data.ndim < 2 else data.reshape(len(data), -1)
            documents = [[self._token(t) for t in row] for row in data.tolist()]
        for document in documents:
            self._token_counts.update(document)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(document))
                self._num_documents += 1

    def finalize_state(self):
        """Turn the counts into the vocabulary: most frequent first, ties in reverse sort order."""
        if self._has_input_vocabulary or not self._token_counts:
            return
        counts = {t: n for t, n in self._token_counts.items() if t != self.mask_token and t != self.oov_token}
        tokens = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens:
            tokens = tokens[:self.max_tokens - self._token_start_index()]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            document_counts = np.array([self._document_counts[t] for t in tokens], dtype="float64")
            idf = np.log(1 + self._num_documents / (1 + document_counts)).astype(self.dtype)
            self._set_idf(np.pad(idf, (self._token_start_index(), 0), constant_values=idf.mean()))
        self.reset_state()

    def reset_state(self):
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # -- looking up ----------------------------------------------------------------------------------------
    @abc.abstractmethod
    def _prepare(self, inputs):
        """The inputs as a NumPy array of vocabulary values."""

    def _convert_inputs(self, inputs):
        return self._prepare(inputs)  # strings stay NumPy arrays: tensors cannot hold them

    def _oov_index(self, token):
        """The OOV slot of an unknown token when there are several: a hash of it, modulo ``num_oov_indices``."""
        if isinstance(token, int) and self.oov_method == "floormod":
            return token % self.num_oov_indices
        return fingerprint64(str(token).encode("utf-8")) % self.num_oov_indices

    def lookup(self, inputs):
        """Indices (an int64 NumPy array) of the tokens in ``inputs``."""
        flat = inputs.reshape(-1).tolist()
        ids = np.array([self._index.get(t, -1) for t in flat], dtype="int64").reshape(inputs.shape)
        if self.mask_token is not None:
            ids[inputs == self.mask_token] = 0 if self.output_mode == "int" else _NO_INDEX
        unknown = ids == -1
        if self.num_oov_indices == 0 and unknown.any():
            raise ValueError(f"When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                             f"{inputs[unknown].tolist()}, consider setting `num_oov_indices=1`.")
        if self.num_oov_indices == 1:
            ids[unknown] = self._oov_start_index()
        elif self.num_oov_indices > 1:
            ids[unknown] = [self._oov_start_index() + self._oov_index(t) for t in inputs[unknown].tolist()]
        return ids

    def _invert(self, ids):
        vocab = self.get_vocabulary()
        tokens = [vocab[i] if self._token_start_index() <= i < len(vocab) else self.oov_token
                  for i in ids.reshape(-1).tolist()]
        out = np.array(tokens).reshape(ids.shape)
        if self.mask_token is not None:
            out[ids == 0] = self.mask_token
        return out

    def _encode(self, ids):
        """Encode looked-up ids as the ``output_mode`` asks."""
        if self.output_mode == "int":
            return ops.convert_to_tensor(ids)
        if not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must "
                               "set the layer's vocabulary before calling it. Either pass a `vocabulary` argument to "
                               "the layer, or call `adapt` with some sample data.")
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        if self.output_mode != "tf_idf":
            return encode_categorical(ids, self.output_mode, depth, "int64")
        counts = encode_categorical(ids, "count", depth, self.dtype)
        return counts * ops.convert_to_tensor(self.idf_weights)

    def call(self, inputs):
        inputs = self._prepare(inputs)
        if self.invert:
            return self._invert_output(self._invert(inputs.astype("int64")))
        return self._encode(self.lookup(inputs))

    def _invert_output(self, tokens):
        return tokens

    def compute_output_shape(self, input_shape):
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return encoded_shape(input_shape, "count" if self.output_mode == "tf_idf" else self.output_mode, depth)

    def compute_output_spec(self, inputs):
        dtype = "int64" if self.output_mode in ("int", "one_hot", "multi_hot", "count") else self.dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self):
        """As Keras's, except that a vocabulary learned by ``adapt`` is included as a plain list (Keras stores
        it as a file asset), so ``from_config`` rebuilds the same lookup."""
        vocabulary, idf_weights = self.input_vocabulary, self.input_idf_weights
        if vocabulary is None and self._tokens:
            vocabulary = self.get_vocabulary()
            idf_weights = None if self.idf_weights is None else self.idf_weights[:len(vocabulary)].tolist()
        return {
            **super().get_config(),
            "invert": self.invert, "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token, "mask_token": self.mask_token, "output_mode": self.output_mode,
            "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype, "idf_weights": _listify(idf_weights),
            "vocabulary": _listify(vocabulary), "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method, "salt": self.salt,
        }


def _listify(x):
    if isinstance(x, (np.ndarray, Tensor)):
        return _as_numpy(x).tolist()
    return list(x) if isinstance(x, tuple) else x


class StringLookup(IndexLookup):
    """Maps strings to integer indices through a vocabulary (or, with ``invert=True``, indices to strings).

    Args:
        max_tokens: the largest vocabulary size, special tokens included (``None``: no limit).
        num_oov_indices: how many indices unknown tokens share (hashed among them); 0 makes unknowns an error.
        mask_token: a token that means "padding": index 0, and dropped in the non-``'int'`` modes.
        oov_token: the token returned for unknown indices when ``invert=True`` (default ``'[UNK]'``).
        vocabulary: a list (or array, or a text file with one token per line) of tokens; else :meth:`adapt`.
        idf_weights: with ``'tf_idf'``, the inverse document frequency of each vocabulary token.
        invert: map indices back to tokens.
        output_mode: ``'int'`` (indices), ``'one_hot'``, ``'multi_hot'``, ``'count'`` or ``'tf_idf'``
            (counts times the inverse document frequency).
        pad_to_max_tokens: make the encoded outputs ``max_tokens`` long even if the vocabulary is smaller.
        sparse: not supported (as in Keras without TensorFlow). encoding: of byte-string inputs.

    Example:
        >>> layer = keras.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer(np.array([["a", "c", "d"], ["d", "z", "b"]])).numpy().tolist()
        [[1, 3, 4], [4, 0, 2]]
        >>> keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)(np.array([1, 0, 2]))
        array(['a', '[UNK]', 'b'], dtype='<U5')
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", name=None, salt=None, **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def _token(self, value):
        return value.decode(self.encoding) if isinstance(value, bytes) else str(value)

    def _prepare(self, inputs):
        if self.invert:
            return _as_numpy(inputs)
        values = _as_numpy(inputs)
        if values.dtype.kind == "S":
            values = np.char.decode(values, self.encoding)
        elif values.dtype.kind == "O":
            values = np.array([self._token(v) for v in values.reshape(-1).tolist()]).reshape(values.shape)
        return values.astype(str)

    def get_config(self):
        config = {**super().get_config(), "encoding": self.encoding}
        del config["vocabulary_dtype"]
        return config


class IntegerLookup(IndexLookup):
    """Maps integers (ids of any size) to contiguous indices through a vocabulary; ``invert=True`` maps back.

    Arguments as :class:`StringLookup`, with integer tokens: ``mask_token`` (default ``None``), ``oov_token``
    (default ``-1``, returned for unknown indices when inverting). ``oov_method`` chooses how unknown values
    share ``num_oov_indices > 1`` slots: ``'floormod'`` (``value % num_oov_indices``) or ``'farmhash'``.

    Example:
        >>> layer = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]])).numpy().tolist()
        [[1, 3, 4], [4, 0, 2]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, name=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name, **kwargs)

    def _token(self, value):
        return int(value)

    def _prepare(self, inputs):
        return _as_numpy(inputs).astype("int64")

    def _invert_output(self, tokens):
        return ops.convert_to_tensor(tokens.astype("int64"))

    def get_config(self):
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config


# ---------------------------------------------------------------------------------------------------------
# TextVectorization
# ---------------------------------------------------------------------------------------------------------

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # ASCII only, as tf.strings.lower
_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)
_WHITESPACE = re.compile(r"[^ \t\n\r\f\v]+")  # ASCII whitespace, as tf.strings.split


class TextVectorization(Layer):
    """Turns strings into sequences of token indices (or bag-of-words vectors).

    Each string is standardized, split into tokens, optionally turned into n-grams, and looked up in a
    vocabulary learned with :meth:`adapt` (or passed). Index 0 is padding (the mask token ``''``), 1 is
    ``'[UNK]'`` for unknown tokens.

    Args:
        max_tokens: the largest vocabulary size, padding and ``'[UNK]'`` included.
        standardize: ``'lower_and_strip_punctuation'`` (default), ``'lower'``, ``'strip_punctuation'``, ``None``
            or a function of a NumPy string array returning one. Lowercasing is ASCII-only, as in Keras.
        split: ``'whitespace'`` (default), ``'character'``, ``None`` (each string is one token) or a function
            of one string returning its list of tokens.
        ngrams: ``None``, an int ``n`` (all 1- to n-grams) or a tuple of n-gram sizes.
        output_mode: ``'int'`` (index sequences), ``'multi_hot'``, ``'count'``, ``'tf_idf'`` or ``'one_hot'``.
        output_sequence_length: with ``'int'``, pad or cut every sequence to this length (else: to the longest).
        pad_to_max_tokens, vocabulary, idf_weights, encoding: as in :class:`StringLookup`.
        sparse, ragged: not supported (as in Keras without TensorFlow).

    Example:
        >>> layer = keras.layers.TextVectorization(max_tokens=6, output_sequence_length=4)
        >>> layer.adapt(["The cat sat.", "The dog sat on the cat!"])
        >>> layer.get_vocabulary()
        ['', '[UNK]', 'the', 'sat', 'cat', 'on']
        >>> layer(["the dog ate the cat"]).numpy().tolist()
        [[2, 1, 1, 2]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, **kwargs):
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if ragged:
            raise ValueError("`ragged=True` can only be used with the TensorFlow backend.")
        if not (standardize is None or callable(standardize) or standardize in (
                "lower_and_strip_punctuation", "lower", "strip_punctuation")):
            raise ValueError(f"Unknown value for `standardize`. Allowed values are: 'lower_and_strip_punctuation', "
                             f"'lower', 'strip_punctuation', None or a callable. Received: standardize={standardize}")
        if not (split is None or callable(split) or split in ("whitespace", "character")):
            raise ValueError(f"Unknown value for `split`. Allowed values are: 'whitespace', 'character', None or a "
                             f"callable. Received: split={split}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Unknown value for `output_mode`. Allowed values are: "
                             f"{', '.join(map(repr, _OUTPUT_MODES))}. Received: output_mode={output_mode}")
        if not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == "int" and not (isinstance(output_sequence_length, int) or output_sequence_length is None):
            raise ValueError(f"`output_sequence_length` must be either None or an integer when `output_mode` is "
                             f"'int'. Received: output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode, sparse=sparse,
            has_input_vocabulary=has_input_vocabulary, encoding=encoding, vocabulary_size=vocabulary_size)
        self.built = True

    # -- the pipeline --------------------------------------------------------------------------------------
    def _convert_inputs(self, inputs):
        return self._lookup_layer._prepare(inputs)  # strings stay NumPy arrays

    def _standardized(self, texts):
        """``texts`` (a NumPy string array) lowercased and/or without punctuation."""
        if callable(self._standardize):
            return np.asarray(self._standardize(texts)).astype(str)
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            texts = np.vectorize(lambda s: s.translate(_LOWER), otypes=[object])(texts).astype(str)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            texts = np.vectorize(lambda s: s.translate(_NO_PUNCTUATION), otypes=[object])(texts).astype(str)
        return texts

    def _tokens(self, text):
        """One string's tokens, then its n-grams (all of size ``ngrams[0]``, then ``ngrams[1]``, ...)."""
        if self._split == "whitespace":
            tokens = _WHITESPACE.findall(text)
        elif self._split == "character":
            tokens = list(text)
        else:
            tokens = list(self._split(text))
        if self._ngrams is None:
            return tokens
        return [" ".join(tokens[i:i + n]) for n in self._ngrams for i in range(len(tokens) - n + 1)]

    def _preprocess(self, inputs):
        """Standardized strings (no split), or a list of token lists (one per input string)."""
        texts = self._standardized(self._lookup_layer._prepare(inputs))
        if self._split is None:
            return texts
        if texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError(f"When using `TextVectorization` to tokenize strings, the input rank must be 1 or the "
                                 f"last shape dimension must be 1. Received: inputs.shape={texts.shape} with "
                                 f"rank={texts.ndim}")
            texts = texts[..., 0]
        return [self._tokens(t) for t in texts.reshape(-1).tolist()]

    def call(self, inputs):
        sequences = self._preprocess(inputs)
        lookup = self._lookup_layer
        if self._split is None:
            return lookup._encode(lookup.lookup(sequences))
        ids = [lookup.lookup(np.array(tokens, dtype=str)) for tokens in sequences]
        if self._output_mode != "int":  # bag of words: pad with "no index", which encodes as nothing
            length = max((len(row) for row in ids), default=0)
            padded = np.full((len(ids), length), _NO_INDEX, dtype="int64")
            for i, row in enumerate(ids):
                padded[i, :len(row)] = row
            return lookup._encode(padded)
        length = self._output_sequence_length
        if length is None:
            length = max((len(row) for row in ids), default=0)
        padded = np.zeros((len(ids), length), dtype="int64")  # 0 is the padding index
        for i, row in enumerate(ids):
            padded[i, :min(len(row), length)] = row[:length]
        return ops.convert_to_tensor(padded)

    # -- the vocabulary ------------------------------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from ``data``: a list or array of strings, or an iterable of batches of them."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, Tensor)):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        sequences = self._preprocess(data)
        if self._split is None:
            sequences = sequences.reshape(len(sequences), -1).tolist()
        self._lookup_layer.update_state(_Documents(sequences))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # -- shapes and configuration --------------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            input_shape = tuple(input_shape) + (1,) if len(input_shape) <= 1 else tuple(input_shape)
        else:
            input_shape = tuple(input_shape) + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    def compute_output_spec(self, inputs):
        dtype = self._lookup_layer.dtype if self._output_mode == "tf_idf" else "int64"
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self):
        lookup = self._lookup_layer.get_config()
        return {
            **super().get_config(),
            "max_tokens": self._lookup_layer.max_tokens, "standardize": self._standardize, "split": self._split,
            "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": self._lookup_layer.pad_to_max_tokens, "sparse": self._lookup_layer.sparse,
            "ragged": self._ragged, "vocabulary": lookup["vocabulary"], "idf_weights": lookup["idf_weights"],
            "encoding": self._encoding, "vocabulary_size": self.vocabulary_size(),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild the layer from its config: a ``standardize`` or ``split`` function is found by name (your
        ``custom_objects`` or registered functions); a vocabulary file path is refused in safe mode.

        Example:
            >>> layer = keras.layers.TextVectorization(vocabulary=["cat", "dog"])
            >>> keras.layers.TextVectorization.from_config(layer.get_config())(["dog cat"]).numpy().tolist()
            [[3, 2]]
        """
        config = dict(config)
        _refuse_vocabulary_file(cls.__name__, config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                from kerasnb.saving.serialization_lib import deserialize_keras_object

                config[key] = deserialize_keras_object(config[key], custom_objects=custom_objects)
        return cls(**config)


def _refuse_vocabulary_file(layer_class, config):
    from kerasnb.saving.serialization_lib import in_safe_mode

    vocabulary = config.get("vocabulary") if isinstance(config, dict) else None
    if isinstance(vocabulary, str) and in_safe_mode():
        raise ValueError(
            f"{layer_class}: the config gives the vocabulary as a file path ({vocabulary!r}). Safe mode refuses to "
            "read files named by a config; give the vocabulary as a list, or load with `safe_mode=False` if you "
            "trust the file."
        )


class _Documents(list):
    """A batch of token lists (documents), possibly of different lengths, for ``update_state``."""


# ---------------------------------------------------------------------------------------------------------
# FarmHash Fingerprint64: how TensorFlow (tf.strings.to_hash_bucket_fast) spreads unknown tokens over several
# OOV indices. Plain 64-bit integer arithmetic, written out so that kerasnb needs no compiled hash library.
# ---------------------------------------------------------------------------------------------------------

_MASK = (1 << 64) - 1
_K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


def _fetch64(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _fetch32(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rotate(value, shift):
    return value if shift == 0 else ((value >> shift) | (value << (64 - shift))) & _MASK


def _shift_mix(value):
    return value ^ (value >> 47)


def _hash_len16(u, v, mul):
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _hash_len0to16(s):
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_fetch64(s, 0) + _K2) & _MASK
        b = _fetch64(s, n - 8)
        c = (_rotate(b, 37) * mul + a) & _MASK
        d = ((_rotate(a, 25) + b) * mul) & _MASK
        return _hash_len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _hash_len16((n + (_fetch32(s, 0) << 3)) & _MASK, _fetch32(s, n - 4), mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _hash_len17to32(s):
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K1) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    return _hash_len16((_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK,
                       (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK, mul)


def _hash_len33to64(s):
    n = len(s)
    mul = _K2 + n * 2
    a = (_fetch64(s, 0) * _K2) & _MASK
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * mul) & _MASK
    d = (_fetch64(s, n - 16) * _K2) & _MASK
    y = (_rotate((a + b) & _MASK, 43) + _rotate(c, 30) + d) & _MASK
    z = _hash_len16(y, (a + _rotate((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_fetch64(s, 16) * mul) & _MASK
    f = _fetch64(s, 24)
    g = ((y + _fetch64(s, n - 32)) * mul) & _MASK
    h = ((z + _fetch64(s, n - 24)) * mul) & _MASK
    return _hash_len16((_rotate((e + f) & _MASK, 43) + _rotate(g, 30) + h) & _MASK,
                       (e + _rotate((f + a) & _MASK, 18) + g) & _MASK, mul)


def _weak_hash_len32_with_seeds(s, i, a, b):
    w, x, y, z = _fetch64(s, i), _fetch64(s, i + 8), _fetch64(s, i + 16), _fetch64(s, i + 24)
    a = (a + w) & _MASK
    b = _rotate((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _rotate(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(s):
    """FarmHash's ``Fingerprint64`` of the bytes ``s`` (an unsigned 64-bit int), as TensorFlow computes it.

    Example:
        >>> fingerprint64(b"hello") % 10
        6
    """
    n = len(s)
    if n <= 16:
        return _hash_len0to16(s)
    if n <= 32:
        return _hash_len17to32(s)
    if n <= 64:
        return _hash_len33to64(s)
    seed = 81
    x, y = seed, (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v, w = (0, 0), (0, 0)
    x = (x * _K2 + _fetch64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rotate((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_rotate((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w[1]
        y = (y + v[0] + _fetch64(s, i + 40)) & _MASK
        z = (_rotate((z + w[0]) & _MASK, 33) * _K1) & _MASK
        v = _weak_hash_len32_with_seeds(s, i, (v[1] * _K1) & _MASK, (x + w[0]) & _MASK)
        w = _weak_hash_len32_with_seeds(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xFF) << 1)
    i = last64
    w = ((w[0] + ((n - 1) & 63)) & _MASK, w[1])
    v = ((v[0] + w[0]) & _MASK, v[1])
    w = ((w[0] + v[0]) & _MASK, w[1])
    x = (_rotate((x + y + v[0] + _fetch64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_rotate((y + v[1] + _fetch64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w[1] * 9) & _MASK
    y = (y + v[0] * 9 + _fetch64(s, i + 40)) & _MASK
    z = (_rotate((z + w[0]) & _MASK, 33) * mul) & _MASK
    v = _weak_hash_len32_with_seeds(s, i, (v[1] * mul) & _MASK, (x + w[0]) & _MASK)
    w = _weak_hash_len32_with_seeds(s, i + 32, (z + w[1]) & _MASK, (y + _fetch64(s, i + 16)) & _MASK)
    z, x = x, z
    return _hash_len16((_hash_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _MASK,
                       (_hash_len16(v[1], w[1], mul) + x) & _MASK, mul)
