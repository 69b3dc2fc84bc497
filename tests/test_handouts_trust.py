"""Handouts a facilitator can trust: no small count can be rebuilt, no failure is silent.

One module fixture renders the real handout notebook for teams whose data put
small counts where nobody expects them (small groups in some months only, a
group where nearly everyone has the outcome, a small reference group, a month
whose total is small, a rate per bed day whose incidents are nearly all 1-7),
twice: once from the data and once from the same data with every small count
changed. Every number of every page (text, attributes, aria-labels, embedded
data) is then tried as the rate of each small cell of the team's counts (by
period and group, by period, by group, before and after the change); a number
counts as a rebuild only if the other rendering gives its own small count back
too. The same fixture carries teams that fail on purpose (a YAML error, a
misspelt focus group, IMD groups with an "Unknown" and no order).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

import equitykit as ek
from equitykit import privacy
from equitykit.handouts import compare_groups, parse_teams_text, team_counts

WORKSHOP = Path(__file__).resolve().parent.parent / "workshop"
FIXTURE = Path(__file__).parent / "fixtures" / "handout_fixture.ipynb"


# --------------------------------------------------------------------------- data with small cells


def _sparse_clinic(rng: np.random.Generator) -> pd.DataFrame:
    """Missed appointments by IMD quintile and month, small counts in unexpected places.

    Quintile 1 (the focus) is small in most months; quintile 2 is large except in
    two months with 6 people; in quintile 3 nearly everyone misses (those who
    came are 1 to 7 a month); quintile 5, the most advantaged, has 3 people a
    month and 2 missed appointments in all; December 2022 has only quintile 4,
    with 5 people (a small total).
    """
    months = pd.date_range("2023-01-01", periods=18, freq="MS")
    rows = [{"month": pd.Timestamp("2022-12-01"), "imd_quintile": 4, "missed": 2, "appointments": 5}]
    for i, m in enumerate(months):
        after = m >= pd.Timestamp("2023-10-01")
        n1 = int(rng.integers(11, 21))
        rows.append({"month": m, "imd_quintile": 1, "appointments": n1,
                     "missed": int(rng.binomial(n1, 0.18 if after else 0.33))})
        n2 = 6 if i in (4, 9) else int(rng.integers(90, 120))
        rows.append({"month": m, "imd_quintile": 2, "appointments": n2, "missed": int(rng.binomial(n2, 0.2))})
        n3 = int(rng.integers(60, 90))
        rows.append({"month": m, "imd_quintile": 3, "appointments": n3, "missed": n3 - int(rng.integers(1, 8))})
        n4 = int(rng.integers(140, 170))
        rows.append({"month": m, "imd_quintile": 4, "appointments": n4, "missed": int(rng.binomial(n4, 0.12))})
        rows.append({"month": m, "imd_quintile": 5, "appointments": 3, "missed": int(i in (3, 8))})
    return pd.DataFrame(rows)


def _rare_ward(rng: np.random.Generator) -> pd.DataFrame:
    """Restrictive practice incidents per occupied bed days by fortnight: nearly every count is 0-7."""
    fortnights = pd.date_range("2023-01-02", periods=26, freq="14D")
    beds = {"White": 300, "Black": 120, "Asian": 60, "Other": 20}
    rate = {"White": 0.012, "Black": 0.04, "Asian": 0.02, "Other": 0.02}
    rows = []
    for i, f in enumerate(fortnights):
        for group, n in beds.items():
            r = rate[group] * (0.5 if group == "Black" and i >= 13 else 1)
            days = int(n + rng.integers(-10, 11)) if n > 20 else 20
            rows.append({"fortnight": f, "ethnicity": group, "incidents": int(rng.poisson(r * days)),
                         "occupied_bed_days": days})
    return pd.DataFrame(rows)


def _period_rows(rng: np.random.Generator) -> pd.DataFrame:
    """One row per referral, the date column named ``period``; Black referrals are few in some months."""
    rows = []
    for m in pd.date_range("2023-01-01", periods=20, freq="MS"):
        for group, n in (("White", 60), ("Asian", 30), ("Black", 4 if m.month in (2, 6, 11) else 18)):
            p = 0.5 if group == "Black" and m < pd.Timestamp("2023-12-01") else 0.75
            for _ in range(n):
                day = int(rng.integers(1, 28))
                rows.append({"period": (m + pd.Timedelta(days=day - 1)).strftime("%Y-%m-%d"),
                             "ethnicity": group, "seen_in_14_days": int(rng.random() < p)})
    return pd.DataFrame(rows)


def _changed(data: pd.DataFrame, x: str, by: str, outcome: str, n: str | None, complement: bool) -> pd.DataFrame:
    """The same data with every small cell's count moved by one (a control rendering)."""
    if n is None:  # row-level: flip one row's outcome in each small month-and-group cell
        out = data.copy()
        month = pd.to_datetime(out[x]).dt.to_period("M")
        for _, idx in out.groupby([month, out[by]]).groups.items():
            yes = int(out.loc[idx, outcome].sum())
            if privacy.disclosive([yes], [len(idx)], complement)[0]:
                out.loc[idx[0], outcome] = 1 - out.loc[idx[0], outcome]
        return out
    out = data.copy()
    small = privacy.disclosive(out[outcome], out[n], complement)
    up = out[outcome] < out[n]
    out.loc[small & up, outcome] += 1
    out.loc[small & ~up, outcome] -= 1
    return out


def _cells(data: pd.DataFrame, x: str, by: str, outcome: str, n: str | None, change: str) -> pd.DataFrame:
    """Every cell a page could give away: by period and group, by period, by group, by group before/after."""
    counts = team_counts(data, x=x, by=by, outcome=outcome, n=n)
    n = n or "people"
    counts = counts.rename(columns={x: "period", outcome: "numerator", n: "denominator"})
    side = np.where(counts["period"] >= pd.Timestamp(change), "after", "before")
    levels = [
        counts,
        counts.groupby("period", as_index=False)[["numerator", "denominator"]].sum(),
        counts.groupby(by, as_index=False)[["numerator", "denominator"]].sum(),
        counts.assign(side=side).groupby([by, "side"], as_index=False)[["numerator", "denominator"]].sum(),
    ]
    return pd.concat([lev[[c for c in ("period", "numerator", "denominator") if c in lev]] for lev in levels],
                     ignore_index=True)


PRIVACY_TEAMS = {
    # team: (file, x, by, outcome, n, people?, first PDSA cycle)
    "Sparse Clinic": ("sparse.csv", "month", "imd_quintile", "missed", "appointments", True, "2023-10-02"),
    "Tiny Reference": ("sparse.csv", "month", "imd_quintile", "missed", "appointments", True, "2023-10-02"),
    "Rare Ward": ("rare.csv", "fortnight", "ethnicity", "incidents", "occupied_bed_days", False, "2023-07-03"),
    "Period Clinic": ("period.csv", "period", "ethnicity", "seen_in_14_days", None, True, "2023-12-04"),
}


def _teams_yaml(folder: Path) -> str:
    return f"""
notebook: {WORKSHOP / "handout.ipynb"}
defaults: {{chart: p, improvement: decrease}}
teams:
  - name: Sparse Clinic
    data: sparse.csv
    outcome: missed
    n: appointments
    characteristic: imd_quintile
    reference: "4"
    focus: "1"
    date: month
    pdsa_log: sparse_pdsa.csv
  - name: Tiny Reference
    data: sparse.csv
    outcome: missed
    n: appointments
    characteristic: imd_quintile
    reference: most_advantaged
    focus: "1"
    date: month
    pdsa_log: sparse_pdsa.csv
  - name: Rare Ward
    data: rare.csv
    outcome: incidents
    n: occupied_bed_days
    characteristic: ethnicity
    reference: White
    focus: Black
    date: fortnight
    chart: u
    multiply: 1000
    unit: per 1,000 occupied bed days
    pdsa_log: rare_pdsa.csv
  - name: Period Clinic
    data: period.csv
    outcome: seen_in_14_days
    characteristic: ethnicity
    reference: White
    focus: Black
    date: period
    improvement: increase
    pdsa_log: period_pdsa.csv
  - name: Broken Entry
    data: sparse.csv
    outcome: missed: yes
    n: appointments
  - name: Misspelt Focus
    data: period.csv
    outcome: seen_in_14_days
    characteristic: ethnicity
    reference: White
    focus: Blak
    date: period
    improvement: increase
  - name: Unknown IMD
    data: unknown_imd.csv
    outcome: missed
    n: appointments
    characteristic: imd_decile
    reference: most_advantaged
    date: month
  - name: Gone After
    data: gone.csv
    outcome: seen_in_14_days
    characteristic: ethnicity
    reference: White
    focus: Black
    date: period
    improvement: increase
    pdsa_log: period_pdsa.csv
"""


def _write_inputs(folder: Path, control: bool) -> None:
    rng = np.random.default_rng(2024)
    sparse, rare, period = _sparse_clinic(rng), _rare_ward(rng), _period_rows(rng)
    if control:
        sparse = _changed(sparse, "month", "imd_quintile", "missed", "appointments", True)
        rare = _changed(rare, "fortnight", "ethnicity", "incidents", "occupied_bed_days", False)
        period = _changed(period, "period", "ethnicity", "seen_in_14_days", None, True)
    sparse.to_csv(folder / "sparse.csv", index=False)
    rare.to_csv(folder / "rare.csv", index=False)
    period.to_csv(folder / "period.csv", index=False)
    gone = period[~((period["ethnicity"] == "Black") & (period["period"] >= "2023-12-04"))]
    gone.to_csv(folder / "gone.csv", index=False)
    unknown = pd.DataFrame({"month": ["2024-01-01"] * 11, "imd_decile": [*map(str, range(1, 11)), "Unknown"],
                            "missed": [30, 28, 25, 22, 20, 18, 15, 14, 12, 10, 9],
                            "appointments": [100] * 11})
    unknown.to_csv(folder / "unknown_imd.csv", index=False)
    header = "cycle_id,change_idea,start_date,end_date,act\n"
    (folder / "sparse_pdsa.csv").write_text(
        header + "S1,Text reminders,2023-10-02,2023-11-24,adopt\nS2,Evening clinics,2025-06-02,2025-07-25,\n")
    (folder / "rare_pdsa.csv").write_text(
        header + "R1,Safety huddle,2023-07-03,2023-08-25,adopt\nR2,Staff training,2024-03-04,2024-04-26,\n")
    (folder / "period_pdsa.csv").write_text(header + "P1,Same-week triage,2023-12-04,2024-01-26,adopt\n")
    (folder / "teams.yaml").write_text(_teams_yaml(folder))


@pytest.fixture(scope="module")
def trust(tmp_path_factory):
    """The real handout for the teams above, from the data and from the control data."""
    pages = {}
    reports = {}
    folders = {}
    for variant in ("data", "control"):
        folder = tmp_path_factory.mktemp(f"trust_{variant}")
        _write_inputs(folder, control=variant == "control")
        report = ek.render_handouts(folder / "teams.yaml", folder / "out", jobs=2, progress=False,
                                    only=None if variant == "data" else list(PRIVACY_TEAMS))
        reports[variant] = report
        folders[variant] = folder
        pages[variant] = {o.team: o.path.read_text() for o in report.outcomes if o.ok}
    return folders, reports, pages


def _text(page: str) -> str:
    import html as html_module

    body = re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start):page.index(end)]


# --------------------------------------------------------------------------- no small cell can be rebuilt


@pytest.mark.parametrize("team", list(PRIVACY_TEAMS))
def test_no_small_cell_can_be_rebuilt_from_any_number_on_the_page(trust, team):
    folders, reports, pages = trust
    file, x, by, outcome, n, people, change = PRIVACY_TEAMS[team]
    cells = {}
    for variant in ("data", "control"):
        data = pd.read_csv(folders[variant] / file)
        cells[variant] = _cells(data, x, by, outcome, n, change)
    risky = privacy.disclosive(cells["data"]["numerator"], cells["data"]["denominator"], people)
    assert risky.sum() >= 20, "the test data should have many small cells"
    assert (cells["data"]["numerator"] != cells["control"]["numerator"])[risky].mean() > 0.5
    scales = (1, 100, 1000)
    found = privacy.find_disclosures(pages["data"][team], cells["data"], complement=people, scales=scales,
                                     control=(pages["control"][team], cells["control"]))
    assert found == [], f"{team}: {len(found)} small cell(s) can be rebuilt: {found[:5]}"


def test_the_check_finds_what_an_unsafe_page_gives_away(trust):
    """The same check, on the lens chart drawn without disclosure control, rebuilds small cells."""
    import vl_convert as vlc

    folders, _, _ = trust
    svgs = {}
    cells = {}
    for variant in ("data", "control"):
        data = pd.read_csv(folders[variant] / "sparse.csv")
        counts = team_counts(data, x="month", by="imd_quintile", outcome="missed", n="appointments")
        lens = ek.equity_lens(counts, x="month", outcome="missed", by="imd_quintile", n="appointments",
                              change="2023-10-02", improvement="decrease", groups=("4", "1"))
        svgs[variant] = vlc.vegalite_to_svg(lens.chart().to_dict())
        cells[variant] = _cells(data, "month", "imd_quintile", "missed", "appointments", "2023-10-02")
        safe = vlc.vegalite_to_svg(lens.chart(suppress=True).to_dict())
        assert privacy.find_disclosures(safe, cells[variant]) == []
    found = privacy.find_disclosures(svgs["data"], cells["data"], control=(svgs["control"], cells["control"]))
    assert len(found) >= 5, found


def test_no_figure_on_the_page_is_taken_over_withheld_points(trust):
    """The mean of the gap's monthly points includes withheld months: it is not printed."""
    _, _, pages = trust
    for team, page in pages["data"].items():
        assert not re.search(r"baseline mean of [-\u2212]?\d", _text(page)), team
    assert any("Verdict:" in _text(page) for page in pages["data"].values())


def test_small_groups_are_withheld_with_a_note_and_counts_shown_only_rounded(trust):
    _, _, pages = trust
    sparse = _text(pages["data"]["Sparse Clinic"])
    assert "rest on 1 to 7" in sparse or "pools" in sparse  # the lens chart says what it withheld or pooled
    table = re.search(r'<table[^>]*class="dataframe"[^>]*>(.*?)</table>', pages["data"]["Sparse Clinic"], re.S)
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]
    rows = {r[0]: r for r in rows if r}
    assert rows["5"][1] == "*" and rows["5"][3] == "*"  # 2 missed appointments: suppressed, rate withheld
    counts = [c for r in rows.values() for c in r[1:3]]
    assert all(c == "*" or int(c) % 5 == 0 for c in counts)
    tiny = _text(pages["data"]["Tiny Reference"])  # the reference (quintile 5) is small
    assert "withheld" in tiny and "No verdict" in tiny


# --------------------------------------------------------------------------- honest short series


def test_short_series_says_trial_limits_keeps_the_axis_and_writes_dates_in_words(trust):
    _, _, pages = trust
    page = pages["data"]["Sparse Clinic"]
    text = _text(page)
    assert "trial limits" in text.lower()
    assert "Not on the chart (outside the dates of the data): PDSA S2: Evening clinics (began 2 June 2025)." in text
    assert "Timestamp(" not in page and "00:00:00" not in text
    spc = _section(page, "2. Our measure over time", "3. Through the equity lens")
    svg = re.search(r"<svg\b.*?</svg>", spc, re.S).group(0)
    assert "2025" not in svg and "Jun 2024" in svg  # the axis ends with the data (June 2024), not the cycle
    assert "PDSA S1" in svg
    rare = _text(pages["data"]["Rare Ward"])
    assert "PDSA R2: Staff training (began 4 March 2024)" in rare
    # pooled fortnights are not read as a series with fortnights missing
    assert "Each point pools" in rare and "No data for" not in rare


def test_units_are_the_same_in_every_section(trust):
    _, _, pages = trust
    page = pages["data"]["Rare Ward"]
    lens = _section(page, "3. Through the equity lens", "4. In plain English")
    assert "per 1,000 occupied bed days" in _text(lens)
    for word in ("percentage points", "%"):
        assert word not in _text(lens).replace("95% CI", ""), word
        assert word not in re.sub(r"95% CI", "", " ".join(re.findall(r'aria-label="([^"]*)"', lens))), word
    assert "per 1,000 occupied bed days" in _text(_section(page, "1. The equity gap", "2. Our measure"))
    plain = _text(_section(page, "4. In plain English", "5. Next steps")).replace("95% CI", "")
    assert "%" not in plain and "percentage points" not in plain


def test_a_date_column_named_period_works(trust):
    _, reports, pages = trust
    status = {o.team: o for o in reports["data"].outcomes}
    assert status["Period Clinic"].ok, status["Period Clinic"].reason
    assert re.search(r"Verdict: (the gap narrowed|the gap widened|no clear change)", _text(pages["data"]["Period Clinic"]))


def test_focus_group_with_no_rows_after_the_first_cycle_says_so(trust):
    _, reports, pages = trust
    text = _text(pages["data"]["Gone After"])
    assert "No verdict yet: Black has no data from when the first PDSA cycle began (4 December 2023) on." in text
    assert "KeyError" not in text


# --------------------------------------------------------------------------- the teams file, per team


def test_each_failure_names_its_team_and_the_run_says_so(trust):
    folders, reports, _ = trust
    report = reports["data"]
    status = {o.team: o for o in report.outcomes}
    assert not report.ok
    broken = status["Broken Entry"].reason
    line = next(i for i, t in enumerate(_teams_yaml(folders["data"]).splitlines(), 1) if "missed: yes" in t)
    assert f"not valid YAML at line {line}" in broken
    misspelt = status["Misspelt Focus"].reason
    assert "focus: 'Blak'" in misspelt and "Did you mean 'Black'?" in misspelt
    unknown = status["Unknown IMD"].reason
    assert "order: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']" in unknown and "'Unknown'" in unknown
    for name in ("Sparse Clinic", "Rare Ward", "Period Clinic", "Gone After", "Tiny Reference"):
        assert status[name].ok, (name, status[name].reason)
    index = (folders["data"] / "out" / "index.html").read_text()
    for name in ("Broken Entry", "Misspelt Focus", "Unknown IMD"):
        assert f'{name}</td><td><span class="failed">not made</span>: ' in index, name
    assert f"line {line}" in index and "Did you mean" in index
    assert "EquityKitError" not in index


def test_the_order_line_suggested_for_unknown_imd_is_one_the_teams_file_takes(tmp_path):
    data = pd.DataFrame({"month": ["2024-01-01"] * 4, "imd": ["1", "2", "3", "Unknown"],
                         "missed": [30, 20, 10, 5], "appointments": [100, 100, 100, 40]})
    with pytest.raises(ek.EquityKitError) as caught:
        compare_groups(data, "missed", "imd", "appointments", "most_advantaged", "", "decrease")
    line = re.search(r"order: \[.*?\]", str(caught.value)).group(0)
    team = parse_teams_text(f"teams:\n  - name: A\n    data: a.csv\n    outcome: missed\n    {line}\n", tmp_path)[0]
    assert team.error == ""
    gap = compare_groups(data, "missed", "imd", "appointments", "most_advantaged", "", "decrease",
                         order=team.parameters["order"])
    assert gap.reference_group == "most advantaged (3)"


def test_every_option_can_be_set_per_team_and_is_checked(tmp_path):
    text = """
defaults: {chart: p, improvement: decrease, multiply: 100}
teams:
  - {name: A, data: a.csv, order: [1, 2, 3], multiply: 1000, unit: "per 1,000 bed days", period: week,
     confidence: 0.9, min_group: 20, rules: ihi, chart: u, improvement: increase}
  - {name: B, data: b.csv, improvment: increase}
  - {name: C, data: c.csv, chart: pp, improvement: lower}
  - {name: D, data: d.csv, confidence: 95}
  - {name: E, data: e.csv, rules: anhoj}
  - {name: F, data: f.csv, chart: c}
"""
    teams = {t.name: t for t in parse_teams_text(text, tmp_path, strict=False)}
    a = teams["A"].parameters
    assert teams["A"].error == ""
    assert (a["order"], a["multiply"], a["unit"], a["period"], a["confidence"], a["min_group"], a["rules"],
            a["chart_type"], a["improvement"]) == ('["1", "2", "3"]', 1000, "per 1,000 bed days", "week", 0.9, 20,
                                                    "ihi", "u", "increase")
    assert "B: the key 'improvment'" in teams["B"].error and "Did you mean 'improvement'?" in teams["B"].error
    assert teams["C"].error.startswith("C: improvement: 'lower' is not one of decrease, increase, neutral")
    assert teams["D"].error.startswith("D: confidence: 95 should be a level between 0 and 1")
    assert "Did you mean 'anhoej'?" in teams["E"].error
    assert "would plot counts of people" in teams["F"].error
    # the notebook takes every option the teams file does
    nb = nbformat.read(WORKSHOP / "handout.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    from equitykit.handouts import TEAM_KEYS

    assert {m for m in re.findall(r"^(\w+) =", params.source, re.M)} == set(TEAM_KEYS.values())


def test_a_yaml_error_names_the_line_and_the_team_and_spares_the_others(tmp_path):
    text = "teams:\n  - name: Ward A\n    data: a.csv\n  - name: Ward B\n    data: b.csv\n    aim: [unclosed\n" \
           "  - name: Ward C\n    data: c.csv\n"
    teams = parse_teams_text(text, tmp_path, strict=False)
    assert [t.name for t in teams] == ["Ward A", "Ward B", "Ward C"]
    assert [bool(t.error) for t in teams] == [False, True, False]
    assert teams[1].error.startswith("Ward B: the teams file is not valid YAML at line")
    with pytest.raises(ek.EquityKitError, match="Ward B: the teams file is not valid YAML"):
        parse_teams_text(text, tmp_path)
    with pytest.raises(ek.EquityKitError, match="line 1"):
        parse_teams_text("notebook: [x\nteams:\n  - name: A\n    data: a.csv\n", tmp_path, strict=False)


# --------------------------------------------------------------------------- a run that says what happened


def _fixture_teams(folder: Path, names: list[str], broken: str = "") -> Path:
    pd.DataFrame({"group": ["A", "B"], "dna": [30, 40], "appointments": [200, 300]}).to_csv(
        folder / "agg.csv", index=False)
    lines = ["notebook: handout.ipynb", "teams:"]
    for name in names:
        outcome = "missing_column" if name == broken else "dna"
        lines.append(f"  - {{name: {name}, data: agg.csv, outcome: {outcome}, n: appointments, characteristic: group}}")
    path = folder / "teams.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_output_folder_holds_only_this_runs_pages(tmp_path):
    import shutil

    shutil.copy(FIXTURE, tmp_path / "handout.ipynb")
    out = tmp_path / "out"
    first = ek.render_handouts(_fixture_teams(tmp_path, ["Ward A", "Ward B", "Ward C"]), out, jobs=1, progress=False)
    assert first.ok and sorted(p.name for p in out.iterdir()) == ["index.html", "ward-a.html", "ward-b.html",
                                                                  "ward-c.html"]
    second = ek.render_handouts(_fixture_teams(tmp_path, ["Ward A", "Ward B"], broken="Ward B"), out, jobs=1,
                                progress=False)
    assert not second.ok
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "ward-a.html"]  # B failed, C is gone
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # nothing built aside left
    assert "missing_column" in (out / "index.html").read_text()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ek.EquityKitError, match="holds files that are not handouts"):
        ek.render_handouts(tmp_path / "teams.yaml", out, progress=False)


def test_cli_exits_non_zero_when_a_team_failed(tmp_path, capsys):
    import shutil

    from equitykit.cli import main

    shutil.copy(FIXTURE, tmp_path / "handout.ipynb")
    code = main(["handouts", str(_fixture_teams(tmp_path, ["Ward A", "Ward B"], broken="Ward B")),
                 "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1"])
    assert code == 1
    out = capsys.readouterr().out
    assert "FAILED  Ward B" in out and "1 of 2 handouts written" in out


def _processes_with(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir() or os.name != "posix", reason="needs /proc and POSIX signals")
def test_ctrl_c_stops_at_once_with_130_stops_the_kernels_and_leaves_no_file(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("team_name = 'x'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import time\ntime.sleep(120)"),
    ])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "handout.ipynb")
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "teams.yaml").write_text("notebook: handout.ipynb\nteams:\n  - {name: Slow A, data: a.csv}\n"
                                         "  - {name: Slow B, data: a.csv}\n")
    marker = f"EQUITYKIT_TEST_RUN={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "equitykit", "handouts", str(tmp_path / "teams.yaml"),
                             "--out", str(out), "--quiet", "--jobs", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while len(_processes_with(marker)) < 3 and time.monotonic() < deadline:  # the command and two kernels
            time.sleep(0.5)
        assert len(_processes_with(marker)) >= 3, "the kernels did not start"
        time.sleep(2)  # the kernels are now running the slow cell
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (stdout, stderr)
    assert took < 15
    assert "Traceback" not in stderr and "handouts written" not in stdout
    assert "stopped" in stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    time.sleep(1)
    assert _processes_with(marker) == []  # no kernel left running
