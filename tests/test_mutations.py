"""Mutated scenarios: the loader answers with ScenarioError or a scenario that runs soundly.

Hypothesis takes a bundled scenario, applies a few random edits (drop a field,
duplicate one, give it another type, perturb a number, nest a value one level deeper)
and writes the result as a file. The loader may refuse it, but only with its
documented error; whatever it accepts must run a few weeks with finite numbers,
non-negative forces, shares within [0, 1] and valid Beta beliefs after every step.
A second test changes random bytes of a bundled file (NUL bytes, byte-order marks,
anchors, tags, indentation) and asks the same of the loader. Sixty examples each keep
the suite fast; the CI profile in conftest.py draws the same ones every run.
"""

from __future__ import annotations

import copy
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator.errors import ScenarioError
from simulator.model import CeasefireModel
from simulator.scenario import bundled_scenarios, load_scenario
from simulator.scenario.yamlpos import load_yaml_file

BASES = {p.stem: load_yaml_file(p)[0] for p in bundled_scenarios()}
WEEKS = 6

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1e308, -1e-308, 1e9, "", "x", "2025-02-30", "1e308"]),
    st.text(max_size=8),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=5), scalars, max_size=2),
)


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _at(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def _perturb(value: Any, draw: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return draw(values)
    factor = draw(st.sampled_from([-1.0, 0.0, 0.5, 2.0, 10.0, 1e6, 1e-6]))
    shifted = value * factor + draw(st.sampled_from([0.0, -1.0, 1.0, 1e-9]))
    return int(shifted) if isinstance(value, int) and draw(st.booleans()) else shifted


@st.composite
def mutated(draw: Any) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[name])
    edits = ["drop", "duplicate", "retype", "perturb", "nest", "tweak"]
    if draw(st.booleans()):  # half the cases only move numbers, so that many load and run
        edits = ["tweak"]
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(edits))
        paths = _paths(data)
        if edit == "tweak":  # a number moved within a plausible range: often still valid
            paths = [p for p in paths if _is_number(_at(data, p))]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if edit == "tweak":
            parent[key] = parent[key] * draw(st.sampled_from([0.0, 0.5, 0.9, 1.1, 2.0, 3.0]))
        elif edit == "drop":
            del parent[key]
        elif edit == "duplicate":
            if isinstance(parent, list):
                parent.insert(key, copy.deepcopy(parent[key]))
            else:
                parent[f"{key}-copy"] = copy.deepcopy(parent[key])
        elif edit == "retype":
            parent[key] = draw(values)
        elif edit == "perturb":
            parent[key] = _perturb(parent[key], draw)
        else:
            parent[key] = draw(st.sampled_from([[parent[key]], {"value": parent[key]}]))
    return name, data


def _assert_sound(model: CeasefireModel) -> None:
    arrays = {
        "control": model.front.control,
        # The week's odds are unknown (NaN) until the first week is fought.
        "p_holder": model.front.p_holder if model.steps else np.zeros(1),
    }
    for side in model.belligerents:
        arrays |= {
            f"{side.actor_id} forces": side.forces,
            f"{side.actor_id} belief a": side.belief_a,
            f"{side.actor_id} belief b": side.belief_b,
            f"{side.actor_id} believed p": side.believed_p,
        }
        assert np.all(side.forces >= 0), side.forces
        assert np.all(side.belief_a >= 0) and np.all(side.belief_b >= 0)
        assert np.all(side.belief_a + side.belief_b > 0)
    for name, array in arrays.items():
        assert np.all(np.isfinite(array)), (name, array)
    for name in ("control", "p_holder"):
        assert np.all((arrays[name] >= 0) & (arrays[name] <= 1)), (name, arrays[name])
    for side in model.belligerents:
        p = side.believed_p
        assert np.all((p >= 0) & (p <= 1)), p
    terms = model.outcomes.terms[:, 0]
    known = terms[~np.isnan(terms)]
    assert np.all((known >= 0) & (known <= 1)), known


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated(), seed=st.integers(0, 2**32 - 1))
def test_a_mutated_scenario_is_refused_cleanly_or_runs_soundly(case, seed):
    name, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name.replace('/', '-')}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            assert exc.problems
            assert all("\n" not in str(problem) for problem in exc.problems)
            event("refused")
            return
    event("accepted")
    model = CeasefireModel(scenario, replications=4, seed=seed, collect=False)
    _assert_sound(model)
    for _ in range(min(WEEKS, scenario.horizon)):
        model.step()
        _assert_sound(model)
    assert math.isfinite(float(model.front.control.mean()))


TEXTS = {p.stem: p.read_bytes() for p in bundled_scenarios()}
noise = st.one_of(
    st.binary(max_size=4),
    st.sampled_from([b"\x00", b"\xef\xbb\xbf", b"\t", b"&a ", b"*a", b"!!str ", b"[", b"{", b"'"]),
    st.sampled_from([b":", b"- ", b"\n  ", b"\n", b"#", b"%YAML 1.1\n", b"---\n", b"<<: "]),
)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(TEXTS)), data=st.data())
def test_a_file_with_random_bytes_changed_is_refused_only_with_scenario_error(name, data):
    text = bytearray(TEXTS[name])
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text[at : at + cut] = data.draw(noise)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name.replace('/', '-')}.yaml"
        path.write_bytes(bytes(text))
        try:
            load_scenario(path)
        except ScenarioError as exc:
            assert exc.problems
            assert all("\n" not in str(problem) for problem in exc.problems)
