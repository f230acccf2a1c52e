"""Mesa imported without pandas, networkx and mesa.experimental (simulator/mesa_import.py),
and everything that needs them still working when first used."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from simulator.mesa_import import DeferredModule, deferred

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing imported yet) and return its output."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def counted_module(tmp_path, monkeypatch):
    """A module on the path that counts how often its body ran (in ``runs.txt``)."""
    (tmp_path / "counted_mod.py").write_text(
        "from pathlib import Path\n"
        "_runs = Path(__file__).with_name('runs.txt')\n"
        "_runs.write_text(str(int(_runs.read_text() or 0) + 1) if _runs.exists() else '1')\n"
        "VALUE = 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "counted_mod", raising=False)
    yield tmp_path / "runs.txt"
    sys.modules.pop("counted_mod", None)


def test_a_deferred_module_runs_when_a_name_is_first_read(counted_module):
    with deferred(("counted_mod",)):
        import counted_mod as stand_in
    assert isinstance(stand_in, DeferredModule)
    assert not counted_module.exists(), "imported too early"
    assert "counted_mod" not in sys.modules, "the stand-in outlived the block"
    assert not hasattr(stand_in, "__file__")  # tools scanning for files look past it
    assert not counted_module.exists()
    assert stand_in.VALUE == 42
    assert counted_module.read_text() == "1"
    real = sys.modules["counted_mod"]
    assert real is not stand_in and not isinstance(real, DeferredModule)
    assert stand_in.__file__ == real.__file__  # its names were copied in
    assert stand_in.VALUE == 42
    assert "VALUE" in dir(stand_in)
    assert counted_module.read_text() == "1", "imported twice"


def test_a_deferred_module_lists_its_names(counted_module):
    """What a notebook offers to complete is the real module's names."""
    with deferred(("counted_mod",)):
        import counted_mod as stand_in
    assert "VALUE" in dir(stand_in)
    assert counted_module.read_text() == "1"


def test_a_module_imported_already_is_left_alone(counted_module):
    import counted_mod

    with deferred(("counted_mod",)):
        assert sys.modules["counted_mod"] is counted_mod
    assert sys.modules["counted_mod"] is counted_mod
    assert counted_module.read_text() == "1"


def test_the_model_imports_without_pandas_networkx_scipy_spatial_or_asyncio():
    out = run_python(
        """
        import sys
        import simulator.model, simulator.ensemble
        heavy = ["pandas", "networkx", "scipy.spatial", "mesa.experimental", "asyncio"]
        print(sorted(name for name in heavy if name in sys.modules))
        """
    )
    assert out.strip() == "[]"


def test_what_mesa_defers_works_when_used():
    out = run_python(
        """
        import sys, types
        from simulator import CeasefireModel, load_scenario
        model = CeasefireModel(load_scenario("baseline"), replications=1, seed=3)
        for _ in range(3):
            model.step()
        frame = model.datacollector.get_model_vars_dataframe()
        print(type(frame).__name__, len(frame))
        import pandas
        print(type(pandas) is types.ModuleType, pandas is sys.modules["pandas"])
        print(isinstance(frame, pandas.DataFrame))
        import mesa, mesa.experimental.devs
        print(mesa.experimental.devs.__name__)
        print(mesa.space.nx.Graph().number_of_nodes())
        import tqdm.asyncio
        print(tqdm.asyncio.asyncio.iscoroutinefunction(tqdm.asyncio.tqdm_asyncio.gather))
        """
    )
    assert out.split("\n")[:6] == [
        "DataFrame 4",
        "True True",
        "True",
        "mesa.experimental.devs",
        "0",
        "True",
    ]


def test_mesa_imported_first_is_used_as_it_is():
    out = run_python(
        """
        import mesa, pandas
        import simulator.model
        print(mesa.datacollection.pd is pandas, type(mesa.experimental).__name__)
        """
    )
    assert out.strip() == "True module"
