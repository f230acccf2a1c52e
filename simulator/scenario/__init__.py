"""Scenario files: the schema (format 1), loading with positions, and checks."""

from .loader import bundled_scenarios, load_scenario, resolve_scenario_path
from .schema import Scenario, json_schema

__all__ = ["Scenario", "bundled_scenarios", "json_schema", "load_scenario", "resolve_scenario_path"]
