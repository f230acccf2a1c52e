"""Docs and schema stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

from simulator.scenario import bundled_scenarios, json_schema
from simulator.scenario.reference import markdown
from simulator.scenario.yamlpos import load_yaml_file

ROOT = Path(__file__).resolve().parents[1]


def test_scenario_reference_is_generated_from_the_schema():
    committed = (ROOT / "docs" / "SCENARIOS.md").read_text(encoding="utf-8")
    assert committed == markdown(), "run: ceasefire schema --format markdown > docs/SCENARIOS.md"


@pytest.mark.parametrize(
    "path",
    [p for p in bundled_scenarios() if "extends" not in p.read_text(encoding="utf-8")],
    ids=lambda p: p.stem,
)
def test_json_schema_accepts_every_complete_bundled_scenario(path):
    data, _ = load_yaml_file(path)
    jsonschema.validate(data, json_schema())


def test_json_schema_rejects_an_unknown_field():
    data, _ = load_yaml_file(ROOT / "scenarios" / "baseline.yaml")
    data["actors"]["russia"]["reslove"] = data["actors"]["russia"].pop("resolve")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


def test_readme_quick_start_is_make_demo_and_make_test():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [line.strip() for line in quick.splitlines() if line.startswith("make")]
    assert commands == ["make demo", "make test"]


def test_readme_guarantees_name_tests_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### What it guarantees", 1)[1].split("\n#", 1)[0]
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", section)
    assert len(named) >= 6
    for file, test in named:
        text = (ROOT / file).read_text(encoding="utf-8")
        assert not test or f"def {test}(" in text, f"{file}::{test}"
