"""Bounds on arrays of replications, as fast as numpy allows.

numpy's ``maximum`` and ``minimum`` against a Python number take three to four times
as long as against an array of that number (numpy 2.x vectorises the array-array
loop, not the array-scalar one), and the week takes dozens of such bounds. These
helpers compare against a cached, read-only array filled with the bound: the same
ufunc on the same values, so the results are identical to the plain expressions,
byte for byte (NaN and signed zeros included).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def filled(shape: tuple[int, ...], value: float) -> np.ndarray:
    """A read-only float array of ``shape`` holding ``value`` everywhere (cached by the
    value's exact bits: -0.0 and 0.0 compare equal but are different bounds)."""
    return _filled(shape, float(value).hex())


@lru_cache(maxsize=64)
def _filled(shape: tuple[int, ...], bits: str) -> np.ndarray:
    array = np.full(shape, float.fromhex(bits))
    array.flags.writeable = False
    return array


def _bound(value: float | np.ndarray, shape: tuple[int, ...]) -> np.ndarray | float:
    """``value`` as an array of ``shape`` when it is a plain number, else as it is."""
    if isinstance(value, np.ndarray) and value.ndim:
        return value
    return filled(shape, float(value))


def at_least(values: np.ndarray, low: float, out: np.ndarray | None = None) -> np.ndarray:
    """``np.maximum(values, low)``."""
    return np.maximum(values, _bound(low, values.shape), out=out)


def at_most(values: np.ndarray, high: float, out: np.ndarray | None = None) -> np.ndarray:
    """``np.minimum(values, high)``."""
    return np.minimum(values, _bound(high, values.shape), out=out)


def between(
    values: np.ndarray,
    low: float | np.ndarray,
    high: float | np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """``np.minimum(np.maximum(values, low), high)``: ``values`` kept in ``[low, high]``
    (not ``np.clip``, which keeps -0.0 where this gives 0.0)."""
    shape = np.shape(values)
    bounded = np.maximum(values, _bound(low, shape), out=out)
    return np.minimum(bounded, _bound(high, shape), out=bounded)
