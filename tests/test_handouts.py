"""Tests for equitykit.handouts: the teams file, the offline export, the engine and privacy.

Two engine runs (module fixtures):

- the REAL handout (workshop/handout.ipynb) for two sample teams of
  workshop/teams.yaml (Elm Street, Hawthorn Ward), a row-level team whose data
  carry a canary column of fake NHS numbers, a team asking for a chart of
  counts and a team naming a column its data lack: offline, no code, suppressed
  counts, the lens verdict, no canary byte, and the charts in offline Chromium;
- a tiny fixture notebook (tests/fixtures/handout_fixture.ipynb) for the
  engine's own failure paths: a notebook that would show row-level rows (the
  privacy guard must stop it), a kernel that crashes (restarted, retried once,
  reported; the next team still renders) and a missing data file.
"""
from __future__ import annotations

import base64
import importlib.util as importlib_util
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

from _scripts import load_script

FIXTURE = Path(__file__).parent / "fixtures" / "handout_fixture.ipynb"
CANARIES = [f"94347659{i:02d}" for i in range(60)]  # fake NHS numbers, never to be rendered
WORKSHOP = Path(__file__).resolve().parent.parent / "workshop"


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
        ek.render_handouts(tmp_path / "t.yaml", tmp_path / "out", notebook=tmp_path / "missing.ipynb")


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


# --------------------------------------------------------------------------- the engine (fixture notebook)


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


# --------------------------------------------------------------------------- the sample kit


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
    load_script(WORKSHOP / "make_team_data.py").main(tmp_path)
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


# --------------------------------------------------------------------------- the real handout


def _canary_rows(rng: np.random.Generator) -> pd.DataFrame:
    """Row-level appointments over 24 months with a fake NHS number on every row.

    IMD decile 10 has only 5 people (its counts must show as *); decile 1 misses
    more appointments before the change (July 2023) than after it.
    """
    size = 6000
    dates = pd.Timestamp("2022-04-01") + pd.to_timedelta(rng.integers(0, 730, size), unit="D")
    decile = rng.choice(np.arange(1, 10), size=size)
    decile[:5] = 10
    p = np.where(decile <= 2, np.where(dates < pd.Timestamp("2023-07-01"), 0.25, 0.12), 0.10)
    return pd.DataFrame({
        "nhs_number": [CANARIES[i % len(CANARIES)] for i in range(size)],
        "date": dates.strftime("%Y-%m-%d"),
        "imd_decile": decile,
        "ethnicity": rng.choice(["White", "Asian", "Black"], size=size),
        "dna": (rng.random(size) < p).astype(int),
    })


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The real handout notebook rendered for five teams (two of them fail on purpose)."""
    folder = tmp_path_factory.mktemp("real_handouts")
    _canary_rows(np.random.default_rng(11)).to_csv(folder / "rows.csv", index=False)
    (folder / "rows_pdsa.csv").write_text(
        "cycle_id,change_idea,start_date,end_date,act\n1,Phone reminder with a bus pass offer,2023-07-03,2023-09-29,adopt\n"
    )
    teams = WORKSHOP / "teams"
    (folder / "teams.yaml").write_text(f"""
notebook: {WORKSHOP / "handout.ipynb"}
defaults: {{chart: p, improvement: decrease}}
teams:
  - name: Canary Clinic
    data: rows.csv
    outcome: dna
    characteristic: imd_decile
    reference: best
    date: date
    aim: Reduce missed appointments in IMD deciles 1-2 from 25% to 12% by March 2024
    pdsa_log: rows_pdsa.csv
  - name: Elm Street GP Practice
    data: {teams / "elm_street_screening.csv"}
    outcome: screened
    n: eligible
    characteristic: age_group
    reference: 50-64
    focus: 24-49
    date: month
    improvement: increase
    aim: Increase cervical screening for women aged 24-49 from 54% to 68% by December 2024
    pdsa_log: {teams / "elm_street_pdsa.csv"}
  - name: Hawthorn Ward
    data: {teams / "hawthorn_ward.csv"}
    outcome: incidents
    n: bed_days
    characteristic: ethnicity
    reference: White
    focus: Black
    date: fortnight
    chart: u
    pdsa_log: {teams / "hawthorn_pdsa.csv"}
  - name: Counting Team
    data: {teams / "hawthorn_ward.csv"}
    outcome: incidents
    n: bed_days
    characteristic: ethnicity
    date: fortnight
    chart: c
  - name: Misnamed Team
    data: {teams / "elm_street_screening.csv"}
    outcome: screened
    n: eligible
    characteristic: age_band
    date: month
""")
    out = folder / "out"
    report = ek.render_handouts(folder / "teams.yaml", out, jobs=2, progress=False)
    return out, report


def _text(page: str) -> str:
    import html as html_module

    body = re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_real_handouts_render_and_failures_are_reported(real):
    out, report = real
    status = {o.team: o for o in report.outcomes}
    assert [t for t, o in status.items() if o.ok] == ["Canary Clinic", "Elm Street GP Practice", "Hawthorn Ward"]
    assert "would plot counts of people" in status["Counting Team"].reason
    assert "age_band" in status["Misnamed Team"].reason
    index = (out / "index.html").read_text()
    assert '<a href="elm-street-gp-practice.html">' in index and "would plot counts of people" in index


def test_real_handout_is_offline_svg_and_has_no_code(real):
    out, _ = real
    for name in ("canary-clinic.html", "elm-street-gp-practice.html", "hawthorn-ward.html"):
        page = (out / name).read_text()
        assert offline_problems(page) == [], name
        assert not re.search(r"""<(?:script|img|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
        assert page.count('data-mime-type="image/svg+xml"') >= 3, name  # gap, SPC and lens charts
        code_cells = re.findall(r'class="jp-Cell jp-CodeCell[^"]*"', page)
        assert code_cells and all("jp-mod-noInput" in c for c in code_cells)  # outputs only, no code
        assert not re.search(r'class="[^"]*\b(jp-CodeMirrorEditor|jp-InputPrompt|highlight)\b', page)
        for code in ("team_counts(", "ek.disaggregate", "import equitykit", "team_name ="):
            assert code not in page, (name, code)
        assert os.path.getsize(out / name) < 1_000_000


def test_real_handout_shows_aim_pdsa_and_verdict(real):
    out, _ = real
    elm = _text((out / "elm-street-gp-practice.html").read_text())
    assert "Increase cervical screening for women aged 24-49 from 54% to 68% by December 2024" in elm
    assert "Verdict: the gap narrowed." in elm  # 24-49 catches up with 50-64 in the sample data
    assert "The gap between age group 24-49 and age group 50-64 narrowed after our changes" in elm
    elm_page = (out / "elm-street-gp-practice.html").read_text()
    assert "PDSA S1" in elm_page  # the PDSA log's cycles are labelled on the SPC chart
    hawthorn = _text((out / "hawthorn-ward.html").read_text())
    assert "Verdict: no clear change: the gap was maintained." in hawthorn
    assert "per 1,000 bed days" in hawthorn
    assert "Aim check:" in hawthorn and "none yet" in hawthorn  # no aim in the YAML: said so, not invented
    canary = _text((out / "canary-clinic.html").read_text())
    assert re.search(r"Verdict: (the gap narrowed|the gap widened|no clear change)", canary)


def test_real_handout_counts_are_suppressed(real):
    out, _ = real
    page = (out / "canary-clinic.html").read_text()
    table = re.search(r'<table[^>]*class="dataframe"[^>]*>(.*?)</table>', page, re.S).group(1)
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    rows = [r for r in rows if r]
    assert len(rows) == 10
    counts = [cell for row in rows for cell in row[1:3]]
    assert all(c == "*" or (c.isdigit() and int(c) % 5 == 0) for c in counts), counts
    decile_10 = next(r for r in rows if r[0] == "10")
    assert decile_10[2:4] == ["*", "*"]  # 5 people: the count suppressed and the rate withheld


def test_real_handout_has_no_canary_byte(real):
    out, _ = real
    for path in out.iterdir():
        blob = path.read_bytes()
        decoded = [base64.b64decode(c) for c in re.findall(rb"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)", blob)]
        for part in [blob, *decoded]:
            for canary in CANARIES:
                assert canary.encode() not in part, path.name
        assert b"nhs_number" not in blob


def test_real_handout_shows_its_charts_in_chromium_with_the_network_off(real, tmp_path):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists() or importlib_util.find_spec("playwright") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the offline browser check must run under CI: apt-get install -y chromium; pip install playwright")
        pytest.skip("Chromium (apt-get install -y chromium) and playwright are needed for the offline browser check")
    from playwright.sync_api import sync_playwright

    out, _ = real
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-dev-shm-usage"],
        )
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto((out / "elm-street-gp-practice.html").as_uri())
            charts = page.locator('[data-mime-type="image/svg+xml"] svg')
            charts.first.wait_for(state="visible", timeout=10_000)
            boxes = [charts.nth(i).bounding_box() for i in range(charts.count())]
            marks = page.locator('[data-mime-type="image/svg+xml"] svg path').count()
            page.screenshot(path=str(tmp_path / "handout.png"), full_page=True)
        finally:
            browser.close()
    assert len(boxes) >= 3
    assert all(b is not None and b["width"] > 300 and b["height"] > 100 for b in boxes)
    assert marks > 50
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


# --------------------------------------------------------------------------- what the notebook calls


def test_team_counts_aggregates_rows_and_drops_every_other_column():
    rows = _canary_rows(np.random.default_rng(3))
    before = rows.copy()
    counts = ek.handouts.team_counts(rows, x="date", by="imd_decile", outcome="dna")
    pd.testing.assert_frame_equal(rows, before)  # the caller's data is not changed
    assert list(counts.columns) == ["date", "imd_decile", "dna", "people"]
    assert counts["people"].sum() == len(rows) and counts["dna"].sum() == rows["dna"].sum()
    assert counts["date"].dt.day.eq(1).all() and len(counts) <= 24 * 10
    agg = ek.handouts.team_counts(counts, x="date", by="imd_decile", outcome="dna", n="people")
    pd.testing.assert_frame_equal(agg, counts)


def test_team_counts_errors_name_the_column():
    rows = pd.DataFrame({"date": ["2024-01-01"], "group": ["A"], "dna": ["maybe"]})
    with pytest.raises(ek.EquityKitError, match="dna"):
        ek.handouts.team_counts(rows, x="date", by="group", outcome="dna")
    with pytest.raises(ek.EquityKitError, match="missed"):
        ek.handouts.team_counts(rows, x="date", by="group", outcome="missed")


def test_groups_to_compare_skips_small_and_suppressed_groups():
    from equitykit.handouts import groups_to_compare

    d = pd.DataFrame({"group": ["A", "B", "C", "D"], "yes": [50, 70, 1, 10], "n": [100, 100, 4, 20]})
    gap = ek.disaggregate(d, outcome="yes", by="group", n="n", reference="B", improvement="increase",
                          suppress=True)
    assert groups_to_compare(gap) == ("B", "A")  # C (suppressed) and D (small) are further behind
    assert groups_to_compare(gap, "D") == ("B", "D")  # unless the team names its focus group
    with pytest.raises(ek.EquityKitError, match="'E' is not one of the groups"):
        groups_to_compare(gap, "E")
    overall = ek.disaggregate(d, outcome="yes", by="group", n="n", improvement="increase", suppress=True)
    assert groups_to_compare(overall) is None


def test_narrative_names_rates_never_counts():
    d = pd.DataFrame({"group": ["A", "B", "C"], "yes": [517, 733, 3], "n": [1041, 1029, 6]})
    gap = ek.disaggregate(d, outcome="yes", by="group", n="n", reference="B", improvement="increase",
                          suppress=True)
    text = ek.handouts.narrative(gap, lens_note="No verdict yet.")
    assert "49.7%" in text and "71.2%" in text and "No verdict yet." in text
    assert "1 group(s) are too small" in text
    for count in ("517", "733", "1041", "1029", "1,041"):
        assert count not in text


def test_facilitator_guide_agenda_matches_the_notebooks_minutes():
    guide = (WORKSHOP / "FACILITATOR_GUIDE.md").read_text()
    rows = re.findall(r"^\| (\d\d:\d\d) \| (\d+) \| [^|]+\| ([^|]*)\|$", guide, re.M)
    stated = {}
    for path in sorted((WORKSHOP / "source").glob("0*.ipynb")):
        text = nbformat.read(path, as_version=4).cells[0].source
        stated[path.stem] = int(re.search(r"about (\d+) minutes", text).group(1))
    planned = {}
    for _, minutes, materials in rows:
        for stem in re.findall(r"notebook `(0\d_\w+)`", materials):
            planned[stem] = int(minutes)
    optional = re.search(r"\*\*After part 2 \(optional, (\d+) minutes\):\*\* notebook `(0\d_\w+)`", guide)
    planned[optional.group(2)] = int(optional.group(1))
    assert planned == stated
    # each morning's blocks add up to 09:30-13:00
    for start in ("Part 1", "Part 2"):
        table = guide.split(f"### {start}")[1].split("**Key points")[0]
        assert sum(int(m) for _, m, _ in re.findall(r"^\| (\d\d:\d\d) \| (\d+) \|([^\n]*)$", table, re.M)) == 210
    assert "equitykit doctor" in guide and "make handouts" in guide
