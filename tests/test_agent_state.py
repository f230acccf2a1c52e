"""The state agents read: set up front, named in one protocol, cached honestly."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.model import CeasefireModel
from simulator.scenario import load_scenario
from simulator.world import World

REPLICATIONS = 5


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def test_the_model_has_everything_the_agents_read_from_construction(baseline):
    """Every attribute the World protocol names exists before the first step, with one
    value per replication where it is an array (none appears in the middle of a week)."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=1, collect=False)
    for name in World.__annotations__:
        value = getattr(model, name)
        if isinstance(value, np.ndarray):
            per_issue = name.startswith("scale_")
            assert len(value) == (len(model.issue_ids) if per_issue else REPLICATIONS), name
    for name in ("truce_active", "draw", "strategy_params", "no_deal_terms"):
        assert hasattr(model, name)


def _attributes(model: CeasefireModel) -> dict[str, set[str]]:
    found = {"model": set(vars(model))}
    for side in model.belligerents:
        found[side.actor_id] = set(vars(side))
        found[f"{side.actor_id}.positions"] = set(vars(side.positions))
    if model.mediator is not None:
        found["mediator"] = set(vars(model.mediator))
    return found


def test_no_attribute_is_created_by_a_step(baseline):
    """What exists after construction is all that exists after some weeks of fighting
    and talks, on the model, its agents and their positions."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=3, collect=True)
    before = _attributes(model)
    for _ in range(30):
        model.step()
    after = _attributes(model)
    for owner, names in after.items():
        assert names <= before[owner], f"{owner} gained {sorted(names - before[owner])} in a step"


def test_positions_follow_the_front_by_its_values_not_its_identity(baseline):
    """An issue whose ideal follows the front is worked out afresh when the line's
    values change, even in the same array; an equal line in a new array reuses it."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=2, collect=False)
    actors = [*model.belligerents, model.mediator]
    positions = next(a.positions for a in actors if a and a.positions.ideal_follows_front.any())
    k = int(np.flatnonzero(positions.ideal_follows_front)[0])
    control = np.full(REPLICATIONS, 0.5)
    first = positions.ideal_now(control)[:, k].copy()
    control -= 0.2  # the same array, moved in place
    moved = positions.ideal_now(control)[:, k]
    assert not np.allclose(first, moved)
    low, high = model.scale_low[k], model.scale_high[k]
    unclamped = (first > low) & (first < high)
    np.testing.assert_allclose(moved[unclamped] - first[unclamped], -0.2, atol=1e-12)
    again = positions.ideal_now(control.copy())
    assert again is positions.ideal_now(control)  # an equal line: nothing recomputed


def test_the_model_state_lives_in_its_groups_only(baseline):
    """Front, levers, talks, outcomes and milestones are records of their own: none of their fields
    is also a flat attribute of the model, so there is one place to read each."""
    from dataclasses import fields

    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=4, collect=False)
    flat = set(vars(model))
    groups = (model.front, model.levers, model.talks, model.outcomes, model.milestones)
    for group in groups:
        names = {f.name for f in fields(group)}
        assert not names & flat, f"{type(group).__name__}: {sorted(names & flat)} flat too"
        assert not hasattr(group, "__dict__")  # slots: a misspelt field is an error


def test_arrays_cached_by_identity_are_replaced_each_week(baseline):
    """Code caches on the identity of the front line, the logistics lost, the aid and
    the truces' end weeks: a week puts new arrays there and leaves the old ones as
    they were (a cache keyed on an old array never sees changed values)."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=6, collect=False)
    for _ in range(3):
        model.step()
    old = {
        "control": model.front.control,
        "logistics_lost": model.front.logistics_lost,
        "truce_until": model.outcomes.truce_until,
    }
    copies = {name: array.copy() for name, array in old.items()}
    model.step()
    assert model.front.control is not old["control"]
    assert model.front.logistics_lost is not old["logistics_lost"]
    for name, array in old.items():
        np.testing.assert_array_equal(array, copies[name], err_msg=name)
