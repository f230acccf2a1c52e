"""The browser app (``ceasefire app``, simulator/outputs/app.py).

Fast tests build the app's model and render the SolaraViz page without a browser, as
Mesa's own tests do; one end-to-end test serves the app with ``ceasefire app`` and drives
it in headless Chromium (Debian's ``chromium`` and ``chromedriver`` through Selenium).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

solara = pytest.importorskip("solara", reason="the app extra is not installed")
v = pytest.importorskip("ipyvuetify")

from simulator.model import CeasefireModel  # noqa: E402
from simulator.outputs import app  # noqa: E402
from simulator.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HORIZON = load_scenario(app.DEFAULT_SCENARIO).horizon
"""Weeks in the scenario the page opens with."""
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1600,1000",
)


# ----------------------------------------------------------------------------- the model


def test_every_lever_at_one_is_the_scenario_as_written():
    plain = CeasefireModel(load_scenario("baseline"), seed=5)
    levers = app.AppModel(seed="5")
    for path, values in plain.draws.items():
        np.testing.assert_array_equal(levers.draws[path], values, err_msg=path)
    for _ in range(6):
        plain.step()
        levers.step()
    assert float(levers.front.control[0]) == float(plain.front.control[0])


def test_sliders_scale_the_scenario_numbers_for_the_same_seed():
    base = app.AppModel(seed="11").draws
    moved = app.AppModel(
        seed="11", aid=0.5, sanctions=2.0, holder_red_line_cost=3.0, defender_resolve=2.0
    ).draws
    aid = "actors.united_states.leverage.aid"
    assert moved[aid] == pytest.approx(0.5 * base[aid])
    sanctions = "actors.united_states.leverage.sanctions"
    assert moved[sanctions] == pytest.approx(2.0 * base[sanctions])
    cost = "actors.russia.positions.territory.red_line.cost"
    assert moved[cost] == pytest.approx(3.0 * base[cost])
    # Resolve is a share: doubled, it stops at 1.
    assert moved["actors.ukraine.resolve"] == pytest.approx(1.0)
    # What no slider touches keeps its draw.
    guarantee = "actors.united_states.leverage.guarantee"
    assert moved[guarantee] == pytest.approx(base[guarantee])


def test_an_aid_cut_changes_the_weekly_records():
    full, cut = app.AppModel(), app.AppModel(aid=0.0)
    for _ in range(3):
        full.step()
        cut.step()
    assert full.week_record["aid"][0] > 0
    assert cut.week_record["aid"][0] == 0


def test_protocol_select_overrides_the_scenario_and_explains_a_misfit():
    model = app.AppModel(protocol="alternating_offers")
    assert model.scenario.talks.protocol == "alternating_offers"
    # The Rubinstein case has no mediator, so a mediated protocol cannot run there.
    model = app.AppModel(scenario="theory/rubinstein", protocol="single_text")
    assert model.scenario.talks.protocol == "alternating_offers"
    assert "does not fit" in " ".join(model.notes)


def test_a_seed_that_is_not_a_number_is_explained():
    model = app.AppModel(seed="abc")
    assert model.run_seed == model.scenario.seed
    assert "not a whole number" in " ".join(model.notes)


@pytest.mark.parametrize("name", sorted(app.scenario_files()))
def test_every_bundled_scenario_runs_in_the_app(name):
    model = app.AppModel(scenario=name)
    for _ in range(min(3, model.scenario.horizon)):
        model.step()
    text = app.outcome_html(model)
    assert f"Week {model.steps} of {model.scenario.horizon}" in text
    figure = app.positions_figure(model)
    assert figure.axes[0].get_title().endswith(f"week {model.steps}")


def test_the_run_stops_at_the_horizon():
    model = app.AppModel(scenario="theory/rubinstein")
    for _ in range(model.scenario.horizon + 2):
        model.step()
    assert not model.running
    assert model.steps == model.scenario.horizon
    text = app.outcome_html(model)
    assert "by the end of the run" in text or "agreed" in text


def test_outcome_text_escapes_scenario_strings():
    model = app.AppModel()
    model.notes.append("<script>alert(1)</script>")
    text = app.outcome_html(model)
    assert "<script>" not in text
    assert "&lt;script&gt;" in text


# ----------------------------------------------------------------------------- the page


def _outcome_texts(rc) -> str:
    return " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)


def test_page_renders_and_steps_without_a_browser():
    _box, rc = solara.render(solara.AppLayout(children=[app.make_page()]), handle_error=False)
    assert f"Week 0 of {HORIZON}" in _outcome_texts(rc)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(children=["Step: 2"]).assert_single()
    assert f"Week 2 of {HORIZON}" in _outcome_texts(rc)


def test_page_sliders_and_select_build_the_next_run_on_reset():
    _box, rc = solara.render(solara.AppLayout(children=[app.make_page()]), handle_error=False)
    rc.find(v.Slider, label="US aid ×").widget.v_model = 0.25
    rc.find(v.Select, label="Scenario").widget.v_model = "stalemate"
    # Like Mesa's own pages, a new setting takes effect when the run is rebuilt.
    assert "aid 1.00" in _outcome_texts(rc)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    text = _outcome_texts(rc)
    assert "aid 0.25" in text
    assert "US aid ×0.25" in text
    assert "Scenario stalemate" in text


# ----------------------------------------------------------------------------- the CLI


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ceasefire() -> list[str]:
    """The installed ``ceasefire`` command, or the checkout's cli.py."""
    installed = Path(sys.executable).with_name("ceasefire")
    return [str(installed)] if installed.exists() else [sys.executable, str(ROOT / "cli.py")]


def test_app_without_the_extra_says_how_to_install_it(monkeypatch):
    import importlib.util

    from click.testing import CliRunner

    from simulator.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )
    result = CliRunner().invoke(main, ["app", "--port", str(_free_port())])
    assert result.exit_code == 2
    assert result.stderr.strip() == "the app needs solara: pip install 'ceasefire[app]'"


def test_app_refuses_a_port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*_ceasefire(), "app", "--port", str(port)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"--port {port}: the port is in use on 127.0.0.1; choose another"
    )
    assert "Traceback" not in done.stderr


# ----------------------------------------------------------------------------- the browser


@pytest.fixture
def browser_paths() -> tuple[str, str]:
    """Debian's chromium and chromedriver; missing, a failure under CI and a skip elsewhere."""
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    message = (
        "the browser test needs Debian's chromium and chromium-driver "
        "(apt-get install chromium chromium-driver; .ci/run installs them)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _wait_for_server(url: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"ceasefire app exited early with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"ceasefire app did not answer at {url} within {seconds:.0f} s")


@pytest.fixture
def served_app():
    """``ceasefire app`` on a free port; the server's process group is ended afterwards."""
    port = _free_port()
    server = subprocess.Popen(
        [*_ceasefire(), "app", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_server(url, server, 45)
        yield url, server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def test_browser_changes_a_lever_steps_and_shows_the_outcome(browser_paths, served_app, tmp_path):
    chromium, driver_path = browser_paths
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, server = served_app
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        browser.set_page_load_timeout(30)
        browser.get(url)
        wait = WebDriverWait(browser, 30)

        def page_shows(text: str) -> None:
            wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), text))

        def button(label: str):
            return wait.until(
                ec.element_to_be_clickable((By.XPATH, f"//button[normalize-space(.)='{label}']"))
            )

        page_shows(f"Week 0 of {HORIZON}")
        aid = wait.until(
            ec.presence_of_element_located(
                (
                    By.XPATH,
                    "//label[normalize-space(.)='US aid ×']"
                    "/ancestor::div[contains(@class,'v-input')][1]//*[@role='slider']",
                )
            )
        )
        # Half the scenario's aid, in steps of 0.05. The server echoes each value back, so
        # under load a key can be undone: press until the slider rests at 0.5.
        deadline = time.monotonic() + 30
        settled_at = None
        while time.monotonic() < deadline:
            now = float(aid.get_attribute("aria-valuenow"))
            if abs(now - 0.5) > 1e-6:
                aid.send_keys(Keys.ARROW_LEFT if now > 0.5 else Keys.ARROW_RIGHT)
                settled_at = None
            elif settled_at is None:
                settled_at = time.monotonic()
            elif time.monotonic() - settled_at > 1.0:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the aid slider did not settle at 0.5 (it shows {now})")
        button("Reset").click()
        page_shows("US aid ×0.50")
        for week in (1, 2, 3):
            button("Step").click()
            page_shows(f"Week {week} of {HORIZON}")
        page_shows("aid 0.50")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "Step: 3" in body
        assert "Outcome: no agreement yet" in body or "agreed in week" in body
        button("Run to the end").click()
        page_shows(f"Week {HORIZON} of {HORIZON}")
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "Outcome: no agreement by the end of the run" in body or "agreed in week" in body
        shot = tmp_path / "app.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        shots = os.environ.get("CEASEFIRE_SHOTS_DIR")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(shots) / "app.png")
    except Exception:
        browser.save_screenshot(str(tmp_path / "failed.png"))
        raise
    finally:
        browser.quit()
    assert server.poll() is None, "the server stopped while the page was in use"
