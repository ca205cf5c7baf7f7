"""``StringLookup`` and ``IntegerLookup``: a vocabulary of categories -> integer indices, as Keras's.

Index layout (Keras's): ``[mask_token]`` (index 0, only with a mask token), then
``num_oov_indices`` out-of-vocabulary slots, then the vocabulary. ``adapt`` orders the
vocabulary by frequency, most frequent first, ties broken by the *larger* token first (Keras
sorts by (count, token) ascending and reverses).
"""

import numbers
from collections import Counter

import numpy as np

from ..._farmhash import fingerprint64


class _IndexLookup:
    """What the two lookups share; a subclass says how a token is read and hashed."""

    kind = "token"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None,
                 vocabulary=None, output_mode="int"):
        if output_mode != "int":
            raise ValueError(f"`output_mode` must be 'int' (the index); received {output_mode!r}. "
                             "For a one-hot encoding, index an identity matrix with the output.")
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, numbers.Integral) \
                or num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be an integer >= 0; received {num_oov_indices!r}.")
        if max_tokens is not None and (not isinstance(max_tokens, numbers.Integral) or max_tokens < 1):
            raise ValueError(f"`max_tokens` must be a positive integer or None; received {max_tokens!r}.")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token, self.output_mode = mask_token, oov_token, output_mode
        self.vocabulary = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)

    @property
    def _first_index(self):
        """The index of the first vocabulary token: after the mask and the OOV slots."""
        return (self.mask_token is not None) + self.num_oov_indices

    def set_vocabulary(self, vocabulary):
        """Use ``vocabulary`` (distinct tokens, in index order) instead of an adapted one."""
        tokens = [self._token(t, "vocabulary") for t in vocabulary]
        if len(set(tokens)) != len(tokens):
            raise ValueError("`vocabulary` holds a token twice; each token needs one index.")
        self.vocabulary = tokens
        self._index = {t: i + self._first_index for i, t in enumerate(tokens)}

    def adapt(self, data):
        """The vocabulary of ``data`` (an array, or a list of batches): tokens by count,
        most frequent first, ties by the larger token first; at most ``max_tokens`` indices."""
        batches = data if isinstance(data, (list, tuple)) else [data]
        counts = Counter()
        for batch in batches:
            counts.update(self._token(t, "data") for t in np.asarray(batch, dtype=object).reshape(-1))
        if self.mask_token is not None:
            counts.pop(self.mask_token, None)
        ordered = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[: max(self.max_tokens - self._first_index, 0)]
        self.set_vocabulary(ordered)
        return self

    def vocabulary_size(self):
        return self._first_index + len(self.vocabulary)

    def get_vocabulary(self):
        return ([self.mask_token] if self.mask_token is not None else []) \
            + [self.oov_token] * self.num_oov_indices + list(self.vocabulary)

    def __call__(self, values):
        """Each value's index (``int64``, the shape of ``values``)."""
        if self.vocabulary is None:
            raise ValueError(f"{type(self).__name__} has no vocabulary: call adapt(data) first or "
                             "pass vocabulary=[...].")
        values = np.asarray(values, dtype=object)
        tokens = [self._token(t, "the input") for t in values.reshape(-1)]
        out = np.empty(len(tokens), dtype=np.int64)
        unique = {t: self._lookup(t) for t in set(tokens)}
        for i, t in enumerate(tokens):
            out[i] = unique[t]
        return out.reshape(values.shape)

    def _lookup(self, token):
        if self.mask_token is not None and token == self.mask_token:
            return 0
        if token in self._index:
            return self._index[token]
        if self.num_oov_indices == 0:
            raise ValueError(
                f"{token!r} is not in the vocabulary and num_oov_indices=0 leaves no index for it "
                "(Keras raises too); set num_oov_indices=1 or adapt on data that has it."
            )
        return (self.mask_token is not None) + self._oov_slot(token) % self.num_oov_indices

    def get_config(self):
        return {"max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                "mask_token": self.mask_token, "oov_token": self.oov_token,
                "vocabulary": None if self.vocabulary is None else list(self.vocabulary),
                "output_mode": self.output_mode}

    def __repr__(self):
        size = "not adapted" if self.vocabulary is None else f"{self.vocabulary_size()} indices"
        return f"{type(self).__name__}({size})"


class StringLookup(_IndexLookup):
    """Strings -> indices, as ``keras.layers.StringLookup`` (``output_mode="int"``).

    Args:
        max_tokens: the most indices (mask and OOV slots included); ``None``: no limit.
        num_oov_indices: slots for tokens not in the vocabulary (0: such a token is an error;
            more than 1: the slot is FarmHash ``Fingerprint64(token) % num_oov_indices``, as
            Keras's ``to_hash_bucket_fast``).
        mask_token: a token mapped to index 0 (``None``: no mask).
        oov_token: the name of the OOV slots in ``get_vocabulary()``.
        vocabulary: tokens in index order, instead of ``adapt``.
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, output_mode="int"):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, output_mode)

    @staticmethod
    def _token(value, what):
        if isinstance(value, bytes):
            return value.decode("utf-8")
        if not isinstance(value, str):
            raise ValueError(f"StringLookup takes strings; {what} holds {value!r} "
                             f"({type(value).__name__}). Convert with .astype(str), and replace "
                             "missing values by a string (e.g. '?') first.")
        return value

    @staticmethod
    def _oov_slot(token):
        return fingerprint64(token)


class IntegerLookup(_IndexLookup):
    """Integers -> indices, as ``keras.layers.IntegerLookup`` (``output_mode="int"``); the
    arguments are :class:`StringLookup`'s, with ``oov_token=-1``. More than one OOV slot:
    ``value mod num_oov_indices`` (Keras's ``floormod``)."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, output_mode="int"):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, output_mode)

    @staticmethod
    def _token(value, what):
        integral = isinstance(value, numbers.Integral) or (
            isinstance(value, (float, np.floating)) and float(value).is_integer())
        if isinstance(value, (bool, np.bool_)) or not integral:
            raise ValueError(f"IntegerLookup takes integers; {what} holds {value!r}. Round or "
                             "encode the values as integers first (a missing value as e.g. -1).")
        return int(value)

    @staticmethod
    def _oov_slot(token):
        return token
