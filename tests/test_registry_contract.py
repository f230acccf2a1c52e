"""One contract, run over every registry entry (as Axelrod's TestPlayer is run over
every strategy): protocols, negotiator strategies, drafting rules, mediator policies.

Each entry is driven through a few weeks of random inputs over ``R`` replications
and must give outputs of the right shape and range, keep its memory where a
replication is not talking, keep replications independent (changing one
replication's inputs changes no other's output), and survive pickling (Dask sends
entries to other processes). A new entry in ``listing()`` is covered without a line
here; a new kind of registry fails until it has a driver.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from simulator.talks.base import MediatorView, Named, Party, Situation
from simulator.talks.policies import TalksWeek
from simulator.talks.protocols import SplitTheDifference
from simulator.talks.registry import listing
from simulator.talks.utility import concede_towards, normalised_weights

R, K, WEEKS = 6, 2, 4
START_WEEK = 2

ENTRIES = [(kind, name) for kind, entries in listing().items() for name in entries]


def _values(cls: type[Named], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each parameter drawn per replication from its allowed range."""
    return {spec.name: rng.uniform(spec.low, spec.high, R) for spec in cls.params}


def _situation(rng: np.random.Generator, week: int) -> Situation:
    return Situation(
        rounds=np.full(R, week, dtype=np.int64) + rng.integers(0, 3, R),
        offer_gain=rng.uniform(-0.2, 0.5, R),
        proposing=rng.random(R) < 0.5,
        talking=rng.random(R) < 0.6,
        walk_away=rng.uniform(0.0, 0.7, R),
        other_walk_away=rng.uniform(0.0, 0.7, R),
        patience=rng.uniform(0.9, 0.999, R),
        other_patience=rng.uniform(0.9, 0.999, R),
        resources=rng.uniform(0.2, 1.2, R),
    )


def _party(rng: np.random.Generator) -> Party:
    ideal = rng.uniform(0.0, 1.0, (R, K))
    other = rng.uniform(0.0, 1.0, (R, K))
    weights = normalised_weights(rng.uniform(0.1, 1.0, (R, K)), np.ones(K))
    walk_away = rng.uniform(0.0, 0.6, R)
    threshold = walk_away + rng.uniform(0.0, 1.0, R) * (1.0 - walk_away)
    red = rng.uniform(0.0, 1.0, (R, K))
    low, high = np.minimum(ideal, red), np.maximum(ideal, red)
    return Party(
        ideal=ideal,
        weights=weights,
        walk_away=walk_away,
        threshold=threshold,
        ask=np.clip(concede_towards(ideal, other, weights, threshold), low, high),
        low=low,
        high=high,
        salience=weights,
        capability=rng.uniform(0.2, 0.8, R),
        crossing_cost=np.where(rng.random((R, K)) < 0.5, np.inf, rng.uniform(0.0, 0.3, (R, K))),
    )


def _mediator(rng: np.random.Generator) -> MediatorView:
    preferred = rng.uniform(0.0, 1.0, (R, K))
    preferred[:, 1:] = np.where(rng.random((R, K - 1)) < 0.3, np.nan, preferred[:, 1:])
    weights = normalised_weights(rng.uniform(0.1, 1.0, (R, K)), np.ones(K))
    return MediatorView(preferred, weights, weights, front=rng.uniform(0.0, 1.0, R))


def _week(rng: np.random.Generator, week: int) -> TalksWeek:
    offered = rng.random(R) < 0.7
    return TalksWeek(
        week, offered, offered & (rng.random(R) < 0.4), offered & (rng.random(R) < 0.4)
    )


# -------------------------------------------------------------------------- drivers
# A driver builds an entry, and gives for each week the inputs and a call that returns
# the week's outputs (a tuple of arrays over replications), and which replications
# talk that week (None: the entry keeps no memory tied to talking).


def _inputs(kind: str, rng: np.random.Generator, week: int) -> dict[str, Any]:
    if kind == "negotiator":
        return {"situation": _situation(rng, week)}
    if kind in ("protocol", "mediator drafting"):
        return {
            "parties": (_party(rng), _party(rng)),
            "mediator": _mediator(rng),
            "rounds": np.full(R, week, dtype=np.int64),
        }
    if kind == "mediator policy":
        return {"week": _week(rng, week)}
    raise AssertionError(f"no contract driver for registry kind {kind!r}")


def _build(kind: str, cls: type[Named], values: dict[str, np.ndarray]) -> Any:
    if kind == "negotiator":
        return cls(values, R)  # type: ignore[call-arg]
    if kind == "mediator policy":
        return cls(values, R, START_WEEK)  # type: ignore[call-arg]
    return cls(values)


def _call(kind: str, entry: Any, inputs: dict[str, Any]) -> tuple[np.ndarray, ...]:
    if kind == "negotiator":
        return (entry.aspiration(inputs["situation"]),)
    if kind == "mediator drafting":
        return (entry.draft(inputs["parties"], inputs["mediator"]),)
    if kind == "protocol":
        drafter = SplitTheDifference({"pull": np.full(R, 0.3)})
        result = entry.round(inputs["parties"], inputs["mediator"], drafter, inputs["rounds"], 0)
        return (result.text, result.accepted, result.proposer, *result.accepts)
    entry.act(inputs["week"])
    levers = entry.levers
    return (levers.aid, levers.intelligence, levers.sanctions, levers.guarantee)


def _talking(kind: str, inputs: dict[str, Any]) -> np.ndarray | None:
    if kind == "negotiator":
        return inputs["situation"].talking
    if kind == "mediator policy":
        week = inputs["week"]
        return week.offered | week.accepted | week.other_accepted
    return None


def _run(kind, cls, seed: int, change: Callable[[dict[str, Any]], None] | None = None):
    """Build the entry and drive it for WEEKS weeks; ``change`` may alter each week's
    inputs (and the parameters, given as the 'values' key) before they are used."""
    rng = np.random.default_rng(seed)
    values = _values(cls, rng)
    if change is not None:
        change({"values": values})
    entry = _build(kind, cls, values)
    outputs = []
    for week in range(WEEKS):
        inputs = _inputs(kind, rng, week)
        if change is not None:
            change(inputs)
        outputs.append(_call(kind, entry, inputs))
    return entry, outputs


def _entry(kind: str, name: str) -> type[Named]:
    return listing()[kind][name]


# ------------------------------------------------------------------------ contract


def _hull(inputs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The terms a text may take on each issue ``(R, K)``: between the lowest and the
    highest of both parties' limits and the mediator's preferred terms (and, on
    territory, the line of contact)."""
    first, second = inputs["parties"]
    mediator = inputs["mediator"]
    low = np.fmin(np.minimum(first.low, second.low), mediator.preferred)
    high = np.fmax(np.maximum(first.high, second.high), mediator.preferred)
    low[:, 0] = np.minimum(low[:, 0], mediator.front)
    high[:, 0] = np.maximum(high[:, 0], mediator.front)
    return low, high


@pytest.mark.parametrize(("kind", "name"), ENTRIES)
def test_outputs_have_the_shape_and_range_of_their_kind(kind, name):
    cls = _entry(kind, name)
    rng = np.random.default_rng(1)
    entry = _build(kind, cls, _values(cls, rng))
    for week in range(WEEKS):
        inputs = _inputs(kind, rng, week)
        _check_outputs(kind, _call(kind, entry, inputs), inputs)


def _check_outputs(kind: str, week: tuple[np.ndarray, ...], inputs: dict[str, Any]) -> None:
    if True:
        if kind == "negotiator":
            (aspiration,) = week
            assert aspiration.shape == (R,)
            assert np.all((aspiration >= 0.0) & (aspiration <= 1.0))
        elif kind == "mediator drafting":
            (text,) = week
            low, high = _hull(inputs)
            assert text.shape == (R, K) and np.all(np.isfinite(text))
            assert np.all((text >= low - 1e-12) & (text <= high + 1e-12))
        elif kind == "protocol":
            text, accepted, proposer, first, second = week
            low, high = _hull(inputs)
            assert text.shape == (R, K) and np.all(np.isfinite(text))
            assert np.all((text >= low - 1e-12) & (text <= high + 1e-12))
            assert accepted.shape == first.shape == second.shape == (R,)
            assert accepted.dtype == bool
            assert set(np.unique(proposer)) <= {-1, 0, 1}
            # An agreed text is one at least one party (the responder, or both) accepts.
            assert not np.any(accepted & ~first & ~second)
        else:
            for lever in week:
                assert lever.shape == (R,)
                assert np.all(np.isfinite(lever) & (lever >= 0.0))


@pytest.mark.parametrize(("kind", "name"), [e for e in ENTRIES if e[0] == "protocol"])
def test_parties_answers_are_their_own(kind, name):
    """A protocol reports each party's answer as the party gives it to the text."""
    rng = np.random.default_rng(4)
    entry = _build(kind, _entry(kind, name), _values(_entry(kind, name), rng))
    inputs = _inputs(kind, rng, 3)
    text, _, _, first, second = _call(kind, entry, inputs)
    np.testing.assert_array_equal(first, inputs["parties"][0].accepts(text))
    np.testing.assert_array_equal(second, inputs["parties"][1].accepts(text))


def _arrays(state: Any) -> list[np.ndarray]:
    """Every per-replication array an entry keeps, however nested."""
    found: list[np.ndarray] = []
    if isinstance(state, np.ndarray):
        if state.ndim and state.shape[0] == R:
            found.append(state)
    elif isinstance(state, dict):
        for value in state.values():
            found += _arrays(value)
    elif isinstance(state, list | tuple):
        for value in state:
            found += _arrays(value)
    elif hasattr(state, "__dict__"):
        found += _arrays(vars(state))
    return found


@pytest.mark.parametrize(("kind", "name"), ENTRIES)
def test_memory_is_unchanged_where_a_replication_is_not_talking(kind, name):
    """Where there are no talks this week, an entry remembers exactly what it did."""
    cls = _entry(kind, name)
    rng = np.random.default_rng(2)
    entry = _build(kind, cls, _values(cls, rng))
    for week in range(WEEKS + START_WEEK):
        inputs = _inputs(kind, rng, week)
        before = copy.deepcopy(_arrays(entry))
        _call(kind, entry, inputs)
        talking = _talking(kind, inputs)
        after = _arrays(entry)
        assert len(after) == len(before), "an entry must not grow new state in a week"
        if talking is None:  # no memory tied to talks: nothing may change at all
            talking = np.zeros(R, dtype=bool)
        quiet = ~talking
        if kind == "mediator policy" and week == START_WEEK:
            continue  # the week a policy starts, it sets its levers once for all
        for old, new in zip(before, after, strict=True):
            np.testing.assert_array_equal(old[quiet], new[quiet])


@pytest.mark.parametrize(("kind", "name"), ENTRIES)
def test_replications_are_independent(kind, name):
    """Changing every input of replication 0 leaves every other replication's output
    exactly as it was."""
    cls = _entry(kind, name)
    other_rng = np.random.default_rng(99)

    def change_first(inputs: dict[str, Any]) -> None:
        for value in _arrays(inputs):
            if value.dtype == bool:
                value[0] = ~value[0]
            elif np.issubdtype(value.dtype, np.integer):
                value[0] = value[0] + 7
            else:
                finite = np.isfinite(value[0])
                jitter = other_rng.uniform(0.8, 1.0, np.shape(value[0]))
                value[0] = np.where(finite, value[0] * jitter, value[0])

    _, plain = _run(kind, cls, seed=3)
    _, changed = _run(kind, cls, seed=3, change=change_first)
    for week_plain, week_changed in zip(plain, changed, strict=True):
        for a, b in zip(week_plain, week_changed, strict=True):
            np.testing.assert_array_equal(a[1:], b[1:])


@pytest.mark.parametrize(("kind", "name"), ENTRIES)
def test_entries_survive_pickling_mid_run(kind, name):
    """A pickled entry (as Dask ships it) goes on exactly as the original does."""
    cls = _entry(kind, name)
    entry, _ = _run(kind, cls, seed=5)
    clone = pickle.loads(pickle.dumps(entry))
    rng = np.random.default_rng(6)
    inputs = _inputs(kind, rng, WEEKS)
    for a, b in zip(
        _call(kind, entry, copy.deepcopy(inputs)), _call(kind, clone, inputs), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_every_kind_of_registry_has_a_driver():
    rng = np.random.default_rng(0)
    for kind in listing():
        assert _inputs(kind, rng, 0)
