"""A number changed between steps, as a notebook user may change one, is seen from the
next week on, though the agents keep results from week to week."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from simulator.model import CeasefireModel
from simulator.scenario import load_scenario
from simulator.scenario.sampling import quantity_paths

REPLICATIONS = 50
BEFORE, AFTER = 8, 20  # weeks before the change, weeks after it


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def _sides(model):
    holder, defender = model.belligerents
    return holder, defender


CHANGES: dict[str, Callable[[CeasefireModel], None]] = {
    "defender's materiel": lambda m: setattr(_sides(m)[1], "materiel", _sides(m)[1].materiel * 0.1),
    "mediator's aid": lambda m: setattr(m.mediator, "aid_level", np.zeros(REPLICATIONS)),
    "mediator's guarantee": lambda m: setattr(m.mediator, "guarantee_level", np.ones(REPLICATIONS)),
    "holder's cost of a pause": lambda m: setattr(
        _sides(m)[0], "ceasefire_cost", np.zeros(REPLICATIONS)
    ),
    "holder's value of strikes": lambda m: setattr(
        _sides(m)[0], "strike_value", np.zeros(REPLICATIONS)
    ),
}


def weeks_after(scenario, change=None, afresh: bool = False) -> list[bytes]:
    """The state of each week after ``change`` at week BEFORE (none: no change); with
    ``afresh``, nothing kept from one week is used in the next."""
    model = CeasefireModel(scenario, replications=REPLICATIONS, seed=11, collect=False)
    for _ in range(BEFORE):
        model.step()
    if change is not None:
        change(model)
    states = []
    for _ in range(AFTER):
        if afresh:
            model._forget_kept()
        model.step()
        holder, defender = model.belligerents
        arrays = (
            model.front.control,
            holder.walk_away,
            defender.walk_away,
            defender.forces,
            model.outcomes.in_force,
            model.outcomes.ceasefire_until,
            model.outcomes.truce_until,
        )
        states.append(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays))
    return states


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_change_between_steps_is_seen(baseline, name):
    change = CHANGES[name]
    seen = weeks_after(baseline, change)
    assert seen != weeks_after(baseline), "the change should matter in these weeks"
    assert seen == weeks_after(baseline, change, afresh=True)


def test_weeks_nobody_touches_keep_what_they_kept(baseline, monkeypatch):
    """Without a change nothing is forgotten: the kept results serve week after week."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=11, collect=False)
    forgotten = []
    monkeypatch.setattr(model, "_forget_kept", lambda: forgotten.append(model.steps))
    for _ in range(30):
        model.step()
    assert forgotten == []


def test_drawn_numbers_cannot_be_changed_in_place(baseline):
    """Written into in place, a number would go unseen by what was kept: it is refused."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=11, collect=False)
    defender = model.belligerents[1]
    model.step()
    with pytest.raises(ValueError, match="read-only"):
        defender.materiel[0] = 0.0
    assert model.mediator is not None
    with pytest.raises(ValueError, match="read-only"):
        model.mediator.aid_level *= 0.0


def test_a_fixed_number_is_one_number_that_stays_read_only(baseline):
    """A number the scenario fixes is one value every replication reads: its read-only
    flag cannot be lifted, since a write would change every replication at once."""
    model = CeasefireModel(baseline, replications=REPLICATIONS, seed=11, collect=False)
    fixed = [path for path, q in quantity_paths(baseline).items() if not q.is_uncertain]
    assert fixed
    for path in fixed:
        values = model.draw(path)
        assert values.shape == (REPLICATIONS,) and values.strides == (0,), path
        while isinstance(values, np.ndarray):  # the view, and each array it reads
            with pytest.raises(ValueError, match="WRITEABLE"):
                values.flags.writeable = True
            values = values.base
