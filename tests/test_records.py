"""The typed weekly record: fields by id, flattened into unique columns only for files."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulator import CeasefireModel, load_scenario
from simulator.records import WeekRecord
from simulator.results import weekly_records
from simulator.scenario.loader import BUNDLED_DIR


@pytest.fixture(scope="module")
def this_week_model(tmp_path_factory):
    """The baseline with its second issue named ``this_week``, run until talks open
    and a text on that issue is on the table."""
    text = (BUNDLED_DIR / "baseline.yaml").read_text()
    path = tmp_path_factory.mktemp("scenario") / "this-week.yaml"
    path.write_text(text.replace("sequencing", "this_week"))
    model = CeasefireModel(load_scenario(path, ["horizon=30"]), seed=2)
    while model.running:
        model.step()
    return model


def test_an_issue_named_this_week_keeps_its_own_column(this_week_model):
    record = this_week_model.week_record
    assert isinstance(record, WeekRecord)
    assert record.issue_ids == ("territory", "this_week")
    # The week's agreement flag and the issue's agreed terms are two columns.
    columns = record.columns()
    assert columns["agreed_this_week"].dtype == bool
    assert columns["terms_this_week"].dtype == float
    rows = weekly_records(this_week_model)
    assert all(isinstance(row["agreed_this_week"], bool) for row in rows)
    talked = [row for row in rows if row["text_this_week"] is not None]
    assert talked, "talks should have opened within 30 weeks"


def test_fields_are_read_by_id_not_by_column_name(this_week_model):
    record = this_week_model.week_record
    holder = this_week_model.holder.actor_id
    assert np.array_equal(
        record.issue(record.text, "this_week"), record.columns()["text_this_week"], equal_nan=True
    )
    assert np.array_equal(record.sides[holder].forces, this_week_model.holder.forces)


def test_two_columns_with_one_name_are_refused_not_overwritten(this_week_model):
    record = this_week_model.week_record
    twin = dataclasses.replace(record, issue_ids=("territory", "territory"), _flat=None)
    with pytest.raises(ValueError, match="both named 'ask_"):
        twin.columns()
