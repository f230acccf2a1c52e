"""Bounds against cached arrays give what numpy's maximum and minimum give, byte for byte."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.arrays import at_least, at_most, between, filled

SPECIAL = np.array([-0.0, 0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 5e-324, 0.5, 2.0])


@pytest.mark.parametrize("bound", [0.0, -0.0, 1.0, 1e-12])
def test_bounds_equal_numpy_byte_for_byte_signed_zeros_and_nan_included(bound):
    values = np.random.default_rng(1).choice(SPECIAL, 1001)
    assert at_least(values, bound).tobytes() == np.maximum(values, bound).tobytes()
    assert at_most(values, bound).tobytes() == np.minimum(values, bound).tobytes()
    plain = np.minimum(np.maximum(values, 0.0), 1.0)
    assert between(values, 0.0, 1.0).tobytes() == plain.tobytes()
    # np.clip keeps -0.0 where maximum gives 0.0: the reason between is not np.clip
    assert np.signbit(between(np.array([-0.0]), 0.0, 1.0)).tolist() == [False]


def test_bounds_take_arrays_and_write_into_out():
    values = np.array([-1.0, 0.5, 3.0])
    out = np.empty(3)
    result = between(values, np.array([0.0, 0.6, 0.0]), 2.0, out=out)
    assert result is out and out.tolist() == [0.0, 0.6, 2.0]


def test_the_cached_bound_cannot_be_changed():
    with pytest.raises(ValueError):
        filled((3,), 1.0)[0] = 2.0
