"""Built-in examples: small, readable, editable by hand."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Example", "default_example"]


@dataclass(frozen=True)
class Example:
    """Queries and key/value vectors with their tokens.

    Attributes
    ----------
    queries : ndarray, shape (M, d)
    keys : ndarray, shape (N, d)
    values : ndarray, shape (N, d_v) or None
        ``None`` means values = keys.
    query_tokens, key_tokens : tuple of str
    features : tuple of str
        What each dimension means (for the reader).
    """

    queries: np.ndarray
    keys: np.ndarray
    values: np.ndarray | None
    query_tokens: tuple[str, ...]
    key_tokens: tuple[str, ...]
    features: tuple[str, ...]


def default_example() -> Example:
    """ "The cat sat on the mat", asked three questions.

    The vectors were written by hand, one dimension per feature a reader can check:
    ``living`` (is it a creature), ``place`` (is it somewhere to be), ``action`` (is it
    something done) and ``function`` (is it a function word). Each key is the source word's
    features, so K = V. Each query is a question that points at one feature with length 2
    ("who?" mostly ``living``, "where?" mostly ``place``, "did what?" mostly ``action``), long
    enough that dot product is sharper than scaled dot product (which divides by sqrt(4) = 2),
    while ``general``, ``concat`` and ``additive`` mix the features through their random
    parameters (``init_params(..., seed=0)``) and so spread the weights differently.

    Returns
    -------
    Example
        3 queries and 6 keys of width 4.
    """
    keys = np.array(
        [
            #  living place action function
            [0.1, 0.0, 0.0, 1.0],  # the
            [1.0, 0.1, 0.2, 0.0],  # cat
            [0.2, 0.1, 1.0, 0.0],  # sat
            [0.0, 0.5, 0.1, 0.7],  # on
            [0.1, 0.0, 0.0, 1.0],  # the
            [0.1, 1.0, 0.0, 0.0],  # mat
        ]
    )
    queries = np.array(
        [
            [2.0, 0.0, 0.5, 0.0],  # who?
            [0.0, 2.0, 0.0, 0.5],  # where?
            [0.5, 0.0, 2.0, 0.0],  # did what?
        ]
    )
    return Example(
        queries=queries,
        keys=keys,
        values=None,
        query_tokens=("who?", "where?", "did what?"),
        key_tokens=("the", "cat", "sat", "on", "the", "mat"),
        features=("living", "place", "action", "function"),
    )
