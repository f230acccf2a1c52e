"""`ceasefire plot` and `ceasefire report`: files of the right format on every bundled
scenario, one-line errors for bad outputs, a self-contained and escaped HTML report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import main
from simulator.cli.handouts import PLOT_KINDS
from simulator.outputs.positions_chart import events, positions_run, status
from simulator.scenario import bundled_scenarios, load_scenario

MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-", ".svg": b"<?xml"}
FORMATS = tuple(MAGIC)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_format(path: Path, suffix: str) -> None:
    data = path.read_bytes()
    assert data.startswith(MAGIC[suffix]), data[:20]
    if suffix == ".svg":
        assert b"<svg" in data[:2000]
    # Undated, so the same chart drawn again is the same file.
    assert b"<dc:date>" not in data and b"/CreationDate" not in data


def assert_one_error_line(result, name: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert name in lines[0]


@pytest.mark.parametrize("kind", PLOT_KINDS)
def test_each_kind_on_the_baseline_in_every_format(tmp_path, kind):
    # The baseline in all three formats for each kind (small ensembles, a short run
    # for the positions, which draws the same panels at any length).
    for suffix in FORMATS:
        out = tmp_path / f"{kind}{suffix}"
        result = invoke("plot", "--kind", kind, "-n", "60", "--weeks", "30", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert_format(out, suffix)


OTHERS = [p for p in bundled_scenarios() if p.stem != "baseline"]


@pytest.mark.parametrize("path", OTHERS, ids=[f"{p.parent.name}/{p.stem}" for p in OTHERS])
def test_each_kind_on_every_bundled_scenario(tmp_path, path):
    # Each kind on each other bundled scenario, the formats taken in turn.
    name = str(path)
    for index, kind in enumerate(PLOT_KINDS):
        suffix = FORMATS[index % len(FORMATS)]
        out = tmp_path / f"{kind}{suffix}"
        result = invoke("plot", name, "--kind", kind, "-n", "40", "--weeks", "20", "-o", str(out))
        assert result.exit_code == 0, (kind, result.output)
        assert_format(out, suffix)


@pytest.mark.parametrize(
    ("output", "says"),
    [("chart.jpg", ".png"), ("missing/chart.png", "does not exist"), ("dir.png", "directory")],
)
def test_a_bad_chart_file_is_one_line_and_writes_nothing(tmp_path, output, says):
    (tmp_path / "dir.png").mkdir()
    target = tmp_path / output
    result = invoke("plot", "--kind", "agreement", "-o", str(target))
    assert_one_error_line(result, str(target))
    assert says in result.stderr
    assert [p.name for p in tmp_path.rglob("*")] == ["dir.png"]


def test_positions_plot_follows_the_run_it_shows():
    # The picture's run is `ceasefire run`'s: same seed, same weeks, same front.
    from simulator.results import run, weekly_records

    scenario = load_scenario()
    shown = positions_run(scenario, seed=44)
    assert [r["control"] for r in shown.records] == [
        r["control"] for r in weekly_records(run(scenario, seed=44))
    ]
    # Moscow demands all four oblasts and Kyiv all lost territory, every week.
    assert set(shown.ideals["russia"]["territory"]) == {1.0}
    assert set(shown.ideals["ukraine"]["territory"]) == {0.0}
    marked = {label for _, label, _ in events(shown)}
    if shown.outcome["settlement"]:
        assert "SETTLEMENT" in marked
    states = [status(r) for r in shown.records]
    assert states[0] == "no talks"
    assert ("settlement in force" in states) == bool(shown.outcome["settlement"])


def test_plot_shows_scenario_text_literally(tmp_path):
    # Read as mathtext, '$\\bogus{$' is an unknown command and the chart fails to draw.
    out = tmp_path / "p.png"
    result = invoke("plot", "theory/rubinstein", "--set", r"name=pay $\bogus{$ now", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert_format(out, ".png")


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = invoke(
        "report",
        "theory/divergent-beliefs",
        "theory/nash-mediator",
        "-n",
        "200",
        "--set",
        "name=<script>alert('x')</script> & co",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_report_is_self_contained(report_page):
    attributes = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", report_page)
    assert attributes, "the report has images and a table of contents"
    for value in attributes:
        assert value.startswith(("data:", "#")), value
    assert "url(" not in report_page
    assert "<link" not in report_page
    assert "@import" not in report_page
    images = re.findall(r'<img[^>]*src="data:image/png;base64,', report_page)
    assert len(images) >= 10  # five charts for each of two scenarios


def test_report_escapes_scenario_strings(report_page):
    assert "<script" not in report_page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in report_page


def test_report_has_its_sections(report_page):
    for heading in (
        "Positions: who demands what, and who says so",
        "The positions, week by week",
        "Outcomes over 200 replications",
        "What the outcome depends on",
        "Assumptions",
        "Comparison",
        "95% interval",
        "@media print",
    ):
        assert heading in report_page, heading


def test_report_refuses_a_bad_file_with_one_line(tmp_path):
    for target in (tmp_path / "report.pdf", tmp_path / "nowhere" / "report.html"):
        result = invoke("report", "-n", "100", "-o", str(target))
        assert_one_error_line(result, str(target))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_a_study_chart_drawn_twice_is_the_same_file(tmp_path, suffix):
    """No date and no random ids (an SVG's clip paths were named at random)."""
    study = ["sweep", "-n", "40", "--weeks", "10", "--vary", "actors.russia.resolve=0.5:0.9:2"]
    charts = [tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"]
    for chart in charts:
        result = invoke(*study, "--workers", "1", "--plot", str(chart))
        assert result.exit_code == 0, result.output
    assert charts[0].read_bytes() == charts[1].read_bytes()
