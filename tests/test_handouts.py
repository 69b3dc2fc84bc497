"""Tests for equitykit.handouts: the teams file, the offline export, the engine and privacy.

The engine is run once (module fixture) on a tiny notebook of our own
(tests/fixtures/handout_fixture.ipynb) so these tests do not depend on the
analysis functions of other modules. Seven teams: row-level data carrying a
canary identifier column, aggregated data, a team whose notebook fails, a
team whose notebook would show row-level data (the privacy guard must stop it),
a team whose kernel crashes (restarted, retried once, reported; the next team still renders)
and a team whose data file is missing.
"""
from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import equitykit as ek
from equitykit.cli import main
from equitykit.handouts import (
    _leaks,
    export_html,
    offline_problems,
    parse_teams,
    parse_teams_text,
)

FIXTURE = Path(__file__).parent / "fixtures" / "handout_fixture.ipynb"
CANARIES = [f"94347659{i:02d}" for i in range(60)]  # fake NHS numbers, never to be rendered


# --------------------------------------------------------------------------- teams file


def test_parse_teams_resolves_paths_against_the_yaml_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    yaml_path = tmp_path / "sub" / "teams.yaml"
    yaml_path.write_text(
        "notebook: ../handout.ipynb\n"
        "defaults: {chart: p, improvement: decrease}\n"
        "teams:\n"
        "  - name: Ward A\n    data: ../data/a.csv\n    outcome: dna\n    reference: 10\n"
        "    pdsa_log: logs/a.csv\n    identifiers: nhs_number\n"
        "  - name: Ward B\n    data: /abs/b.csv\n    chart: c\n"
    )
    teams, notebook = parse_teams(yaml_path)
    a, b = teams
    assert notebook == (tmp_path / "handout.ipynb").resolve()
    assert a.parameters["data_file"] == str((tmp_path / "data" / "a.csv").resolve())
    assert a.parameters["pdsa_log_file"] == str((tmp_path / "sub" / "logs" / "a.csv").resolve())
    assert a.parameters["reference_group"] == "10" and a.parameters["chart_type"] == "p"
    assert a.identifiers == ("nhs_number",) and a.slug == "ward-a"
    assert b.parameters["data_file"] == "/abs/b.csv" and b.parameters["chart_type"] == "c"
    assert b.parameters["aim"] == "" and b.parameters["denominator"] == ""
    # every value injected is a literal papermill can write into the parameters cell
    assert all(isinstance(v, (str, int, float, bool)) for v in a.parameters.values())


@pytest.mark.parametrize(
    "text,message",
    [
        ("teams: []", "list called 'teams:'"),
        ("teams: [{name: A}]", "A: add 'data:'"),
        ("teams: [{name: A, data: a.csv, outcom: dna}]", r"A: the key 'outcom' is not one the kit knows"),
        ("teams: [{name: A b, data: a.csv}, {name: a-B, data: b.csv}]", "share the handout file 'a-b.html'"),
        ("teams: [{name: A, data: [a.csv, b.csv]}]", "should be a single value"),
        ("teams: [oops", "not valid YAML"),
    ],
)
def test_parse_teams_errors(text, message):
    with pytest.raises(ek.EquityKitError, match=message):
        parse_teams_text(text, base=".")


def test_missing_teams_file_or_notebook(tmp_path):
    with pytest.raises(ek.EquityKitError, match="cannot find the teams file"):
        ek.render_handouts(tmp_path / "nope.yaml", tmp_path / "out")
    (tmp_path / "t.yaml").write_text("teams: [{name: A, data: a.csv}]")
    with pytest.raises(ek.EquityKitError, match="cannot find the handout notebook"):
        ek.render_handouts(tmp_path / "t.yaml", tmp_path / "out")


# --------------------------------------------------------------------------- export


def _executed_notebook() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("secret_code_line = 1\nprint('hello')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello from the output\n")]
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'
    chart = nbformat.v4.new_code_cell("chart")
    chart.outputs = [nbformat.v4.new_output("execute_result", data={"image/svg+xml": svg}, execution_count=1)]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title $x^2$"), cell, chart])


def test_export_has_no_code_and_nothing_from_the_network():
    page = export_html(_executed_notebook(), "Ward A")
    assert "hello from the output" in page and "<svg" in page
    assert "secret_code_line" not in page
    assert offline_problems(page) == []
    assert not re.search(r"<script[^>]+src=", page) and "require.js" not in page
    assert "mathjax" not in page.lower().replace("mathjax_", "")  # no MathJax loader
    assert "<title>Ward A</title>" in page


def test_offline_problems_finds_remote_scripts_styles_and_images():
    page = (
        '<script src="https://cdn.x/require.js"></script><link rel="stylesheet" href="//cdn.x/a.css">'
        "<style>@import url('https://fonts.x/f.css'); .a{background:url(http://x/y.png)}</style>"
        '<img src="https://x/p.png"><svg xmlns="http://www.w3.org/2000/svg"></svg><a href="https://nhs.uk">ok</a>'
    )
    assert len(offline_problems(page)) == 5


def test_leak_check_finds_identifiers_in_text_spaced_and_base64():
    values = {"9434765919"}
    assert _leaks("<td>9434765919</td>", values) == ["9434765919"]
    assert _leaks("<td>943 476 5919</td>", values) == ["9434765919"]
    hidden = base64.b64encode(b"<svg><text>9434765919</text></svg>").decode()
    assert _leaks(f'<img src="data:image/svg+xml;base64,{hidden}">', values) == ["9434765919"]
    assert _leaks("<td>19434765919</td><td>5</td>", values) == []


# --------------------------------------------------------------------------- the engine


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("handouts")
    rng = np.random.default_rng(7)
    rows = pd.DataFrame(
        {
            "nhs_number": CANARIES * 5,
            "imd_quintile": rng.choice(["1", "2", "3", "4", "5"], size=300),
            "dna": rng.choice(["yes", "no"], size=300, p=[0.2, 0.8]),
        }
    )
    (folder / "data").mkdir()
    rows.to_csv(folder / "data" / "rows.csv", index=False)
    pd.DataFrame({"group": ["A", "B", "C"], "dna": [3, 40, 55], "appointments": [20, 300, 410]}).to_csv(
        folder / "data" / "agg.csv", index=False
    )
    nb_copy = folder / "handout.ipynb"
    shutil.copy(FIXTURE, nb_copy)
    (folder / "teams.yaml").write_text(
        "notebook: handout.ipynb\n"
        "teams:\n"
        "  - {name: Row-level team, data: data/rows.csv, outcome: dna, characteristic: imd_quintile,"
        " aim: Fewer missed appointments}\n"
        "  - {name: Aggregated team, data: data/agg.csv, outcome: dna, n: appointments, characteristic: group}\n"
        "  - {name: Broken team, data: data/agg.csv, outcome: missed, n: appointments, characteristic: group}\n"
        "  - {name: Careless team, data: data/rows.csv, outcome: dna, characteristic: imd_quintile,"
        " aim: SHOW ROWS}\n"
        "  - {name: Crashing team, data: data/agg.csv, outcome: dna, n: appointments, characteristic: group,"
        " aim: CRASH}\n"
        "  - {name: Lost team, data: data/nowhere.csv, outcome: dna}\n"
        "  - {name: After the crash, data: data/agg.csv, outcome: dna, n: appointments, characteristic: group}\n"
    )
    out = folder / "out"
    code = main(["handouts", str(folder / "teams.yaml"), "--out", str(out), "--jobs", "2", "--quiet"])
    return folder, out, code


def test_failing_teams_reported_while_others_complete(rendered, capsys):
    folder, out, code = rendered
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "after-the-crash.html", "aggregated-team.html", "index.html", "row-level-team.html"
    ]
    index = (out / "index.html").read_text()
    for name in ("Row-level team", "Aggregated team", "Broken team", "Careless team", "Lost team"):
        assert name in index
    assert "Columns not found" in index and "missed" in index  # the broken team's reason
    assert "cannot find the data file" in index and "nowhere.csv" in index
    assert "privacy check" in index and "nhs_number" in index
    assert '<a href="row-level-team.html">' in index
    assert "kernel stopped" in index  # a crashed kernel was restarted, tried once more, then reported


def test_no_rendered_byte_contains_a_canary(rendered):
    folder, out, _ = rendered
    pages = [p.read_bytes() for p in out.iterdir()]
    decoded = []
    for page in pages:
        for chunk in re.findall(rb"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)", page):
            decoded.append(base64.b64decode(chunk))
    for blob in pages + decoded:
        for canary in CANARIES:
            assert canary.encode() not in blob
    assert "nhs_number" not in (out / "row-level-team.html").read_text()


def test_handout_is_offline_with_svg_charts_no_code_and_suppressed_counts(rendered):
    folder, out, _ = rendered
    page = (out / "row-level-team.html").read_text()
    assert offline_problems(page) == []
    assert 'data-mime-type="image/svg+xml"' in page and "<svg" in page
    assert "read_csv" not in page and "team_name =" not in page  # no code cells, no parameters
    assert "Row-level team" in page and "Fewer missed appointments" in page
    agg = (out / "aggregated-team.html").read_text()
    # group A has 3 DNAs of 20: the 3 is suppressed, 40 and 55 are shown rounded to 5
    assert "<td>*</td>" in agg and "<td>300</td>" in agg
    assert os.path.getsize(out / "row-level-team.html") < 1_000_000


def test_files_written_atomically_and_readable(rendered):
    folder, out, _ = rendered
    assert not [p for p in out.iterdir() if p.name.startswith(".") or p.name.endswith(".tmp")]
    assert all(p.stat().st_mode & 0o044 for p in out.iterdir())


def test_handout_shows_its_chart_in_chromium_with_the_network_off(rendered, tmp_path):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is needed under CI: apt-get install -y chromium")
        pytest.skip("Chromium not installed (apt-get install -y chromium) to run the offline browser check")
    sync_api = pytest.importorskip("playwright.sync_api")
    folder, out, _ = rendered
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto((out / "row-level-team.html").as_uri())
        chart = page.locator('[data-mime-type="image/svg+xml"] svg').first
        chart.wait_for(state="visible", timeout=10_000)
        box = chart.bounding_box()
        marks = page.locator('[data-mime-type="image/svg+xml"] svg path').count()
        page.screenshot(path=str(tmp_path / "handout.png"), full_page=True)
        browser.close()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    assert marks > 3
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


# --------------------------------------------------------------------------- the sample kit


WORKSHOP = Path(__file__).resolve().parent.parent / "workshop"


def test_sample_teams_file_names_existing_files_and_a_row_level_team():
    teams, notebook = parse_teams(WORKSHOP / "teams.yaml")
    assert len(teams) >= 6 and notebook == (WORKSHOP / "handout.ipynb").resolve()
    row_level = [t for t in teams if not t.parameters["denominator"]]
    assert any(t.parameters["data_file"].endswith(os.path.join("data", "appointments.csv")) for t in row_level)
    for team in teams:
        assert Path(team.parameters["pdsa_log_file"]).is_file(), team.name
        if team.parameters["denominator"]:
            data = pd.read_csv(team.parameters["data_file"])
            needed = {team.parameters[k] for k in ("outcome", "denominator", "characteristic", "date_column")}
            assert needed <= set(data.columns), team.name


def test_handout_notebook_is_clean_with_a_literal_parameters_cell():
    import ast

    nb = nbformat.read(WORKSHOP / "handout.ipynb", as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    tree = ast.parse(params[0].source)
    names = set()
    for node in tree.body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.dump(node)
        names.add(node.targets[0].id)
    from equitykit.handouts import TEAM_KEYS

    assert names == set(TEAM_KEYS.values())
    assert "use_svg_renderer()" in code[0].source  # the first cell chooses the SVG renderer


def test_team_data_generator_reproduces_the_committed_files(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_team_data", WORKSHOP / "make_team_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in (WORKSHOP / "teams").glob("*.csv"))
    for name in made:
        assert (tmp_path / name).read_bytes() == (WORKSHOP / "teams" / name).read_bytes(), name


def test_kernel_start_is_retried_after_a_start_race(monkeypatch):
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    from equitykit.handouts import _Worker

    real = AsyncKernelManager.start_kernel
    calls = []

    async def flaky(self, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Address already in use")  # what a port race looks like
        return await real(self, **kwargs)

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", flaky)

    async def start_and_stop():
        worker = _Worker("python3", os.getcwd(), dict(os.environ))
        await worker.start()
        alive = await worker.km.is_alive()
        await worker.stop()
        return alive

    assert asyncio.run(start_and_stop()) is True
    assert len(calls) == 2
