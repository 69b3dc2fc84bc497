"""The programme page: verdicts and "N of M" on data with known effects, disclosure, bad input, updates."""
from __future__ import annotations

import hashlib
import html
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import equitykit as ek
from equitykit.cli import main
from equitykit.handouts import offline_problems
from equitykit.privacy import find_disclosures
from equitykit.programme import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    history_folder,
    icon_svg,
    read_change_ideas,
    read_programme,
    render_programme,
)

from _scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workshop" / "programme"

GEN = load_script(SAMPLE / "make_programme.py")

# Known effects on the most deprived group after each team's first PDSA cycle (halfway through).
KNOWN = [
    ("Improving A", "improving", 150, "imd_quintile", ["peer-reminder-calls"], 14),
    ("Improving B", "improving", 150, "imd_decile", ["peer-reminder-calls", "community-outreach"], None),
    ("Improving C", "improving", 120, "imd_quintile", ["travel-support"], 20),
    ("Steady A", "steady", 150, "imd_quintile", ["community-outreach"], 14),
    ("Steady B", "steady", 150, "imd_decile", [], None),
    ("Steady C", "steady", 120, "imd_quintile", ["evening-weekend-clinics"], None),
    ("Worsening A", "worsening", 150, "imd_quintile", ["community-outreach"], 14),
    ("Worsening B", "worsening", 150, "imd_decile", ["evening-weekend-clinics"], None),
]


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    folder = tmp_path_factory.mktemp("known")
    path = GEN.make_programme(folder, teams=KNOWN, seed=11, hold_back=False)
    report = render_programme(path, folder / "out")
    return folder, report


def _pages_text(report) -> str:
    return report.page.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- known effects


def test_verdicts_follow_the_known_effects(known):
    _, report = known
    verdicts = dict(zip(report.table["team"], report.table["verdict"]))
    assert verdicts == {
        "Improving A": "narrowed", "Improving B": "narrowed", "Improving C": "narrowed",
        "Steady A": "maintained", "Steady B": "not enough data yet", "Steady C": "maintained",
        "Worsening A": "widened", "Worsening B": "widened",
    }  # Steady B logged no PDSA cycle, so there is nothing to compare before and after


def test_n_of_m_counts_the_improving_teams(known):
    _, report = known
    improving = report.table.loc[report.table["improving"], "team"].tolist()
    assert improving == ["Improving A", "Improving B", "Improving C"]
    assert report.headline["improving"] == 3 and report.headline["teams"] == 8
    variation = dict(zip(report.table["team"], report.table["variation"]))
    assert variation["Worsening A"] == "special_cause_concern"
    assert {variation[t] for t in ("Steady A", "Steady B", "Steady C")} == {"common_cause"}
    page = html.unescape(_pages_text(report))
    assert "3 of 8 teams</strong>showing improvement" in page
    assert "special cause improving at the latest point on a Making Data Count XmR chart" in page
    assert report.summary().reading.startswith("3 of 8 teams are showing improvement")


def test_summary_csv_is_the_page_table(known):
    folder, report = known
    csv = pd.read_csv(folder / "out" / "summary.csv", dtype=str, keep_default_na=False)
    assert {"team", "verdict"} <= set(csv.columns)
    assert csv["team"].tolist() == report.table["team"].tolist()
    assert csv["verdict"].tolist() == report.table["verdict"].tolist()
    page = html.unescape(_pages_text(report))
    for row in csv.itertuples():
        assert f"{row.verdict}</strong>. {row.evidence}" in page
        for value in (row.focus_baseline, row.gap_baseline, row.focus_latest):
            assert value == "*" or re.fullmatch(r"-?\d+\.\d", value), value


def test_assurance_uses_the_target_against_the_current_process(known):
    _, report = known
    t = report.table.set_index("team")
    # Improving A's focus rate fell to about 13% (limits roughly 6% to 20%): a 14% target is hit and miss;
    # Worsening A's rose to about 38%: a 14% target is below its lower limit, consistently failing.
    assert t.loc["Improving A", "assurance"] == "inconsistent"
    assert t.loc["Worsening A", "assurance"] == "consistent_fail"
    assert t.loc["Steady B", "assurance"] == ""  # no target
    page = html.unescape(_pages_text(report))
    assert "Hit and miss (target 14%)" in page and "Consistently failing (target 14%)" in page


def test_programme_wide_ratio_is_the_log_rr_interval_by_hand(known):
    folder, report = known
    # Pool every team's most (quintile 1, deciles 1-2) and least (quintile 5, deciles 9-10) deprived counts.
    x1 = n1 = x5 = n5 = 0
    for name, _, _, characteristic, _, _ in KNOWN:
        data = pd.read_csv(folder / "teams" / f"{GEN._slug(name)}.csv")
        most = data[characteristic].isin([1, 2] if characteristic == "imd_decile" else [1])
        least = data[characteristic].isin([9, 10] if characteristic == "imd_decile" else [5])
        x1 += data.loc[most, "missed"].sum()
        n1 += data.loc[most, "appointments"].sum()
        x5 += data.loc[least, "missed"].sum()
        n5 += data.loc[least, "appointments"].sum()
    rr = (x1 / n1) / (x5 / n5)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x5 - 1 / n5)  # Katz et al. 1978, as in Altman's textbook
    lower, upper = math.exp(math.log(rr) - 1.959964 * se), math.exp(math.log(rr) + 1.959964 * se)
    gap = report.gap
    assert gap["teams"] == 8
    assert gap["ratio"] == pytest.approx(rr, rel=1e-9)
    assert gap["lower"] == pytest.approx(lower, rel=1e-6) and gap["upper"] == pytest.approx(upper, rel=1e-6)
    page = html.unescape(_pages_text(report))
    assert f"{rr:.2f} times as likely" in page and f"95% CI {lower:.2f} to {upper:.2f}" in page


def test_ratio_interval_is_the_textbook_log_interval_on_published_counts():
    # Published counts: myocardial infarctions in the Physicians' Health Study (NEJM 1989;321:129),
    # 139 of 11,037 men on aspirin and 239 of 11,034 on placebo. Katz's log interval, by hand.
    r = ek.risk_ratio(139, 11037, 239, 11034)
    rr = (139 / 11037) / (239 / 11034)
    se = math.sqrt(1 / 139 - 1 / 11037 + 1 / 239 - 1 / 11034)
    z = 1.959963984540054
    assert r.estimate == pytest.approx(rr, rel=1e-12)
    assert (r.lower, r.upper) == pytest.approx((math.exp(math.log(rr) - z * se), math.exp(math.log(rr) + z * se)),
                                               rel=1e-12)
    assert 0.47 < r.lower < 0.48 and 0.71 < r.upper < 0.72  # worked with a calculator: 0.4725 to 0.7155


def test_change_ideas_count_teams_testing_and_improving(known):
    _, report = known
    ideas = report.ideas.set_index("id")
    assert ideas.loc["peer-reminder-calls", "teams_testing"] == 2
    assert ideas.loc["peer-reminder-calls", "showing_improvement"] == 2
    assert ideas.loc["community-outreach", "teams_testing"] == 3  # Improving B, Steady A, Worsening A
    assert ideas.loc["community-outreach", "showing_improvement"] == 1
    assert ideas.loc["community-outreach", "gap_narrowed"] == 1
    assert ideas.loc["safety-cross", "teams_testing"] == 0  # on the menu, not tested: still listed
    assert set(ideas.index) == set(read_change_ideas()["id"])
    page = html.unescape(_pages_text(report))
    assert "Peer support workers make reminder calls" in page and "outreach" in page.lower()


def test_page_is_offline_with_inline_svg_icons_and_words(known):
    _, report = known
    page = _pages_text(report)
    assert offline_problems(page) == []
    assert "<script" not in page.lower()
    assert page.count("<svg") >= 1 + 8  # the small multiples and at least one icon per team
    assert "Special cause: improving" in page and "Special cause: concerning" in page and "Common cause" in page
    assert report.page.stat().st_size < 1_500_000


def test_icons_are_drawn_with_letters_and_colours():
    improving = icon_svg("special_cause_improvement", "decrease")
    assert ">L<" in improving and ek.theme.PALETTE["improvement"] in improving  # lower is better here
    assert ">H<" in icon_svg("special_cause_improvement", "increase")
    assert ek.theme.PALETTE["concern"] in icon_svg("special_cause_concern")
    assert "<path" in icon_svg("common_cause") and ek.theme.PALETTE["line"] in icon_svg("common_cause")
    assert ">P<" in icon_svg("consistent_pass") and ">F<" in icon_svg("consistent_fail")
    assert ">?<" in icon_svg("inconsistent") and icon_svg(None) == ""
    assert set(VARIATION_WORDS) >= {"common_cause", "special_cause_improvement", "special_cause_concern"}
    assert ASSURANCE_WORDS["inconsistent"] == "Hit and miss"


def test_report_chart_has_one_panel_per_team_and_rates_only(known):
    _, report = known
    spec = report.chart().to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert {r["team"] for r in rows} == set(report.table["team"])
    assert set(rows[0]) == {"period", "gap", "team", "unit", "zero", "first_cycle"}  # no counts


# --------------------------------------------------------------------------- disclosure control


def _small_cell_programme(folder: Path) -> Path:
    """Two teams with known small cells: 'Small focus' compares a group of 7 people a fortnight (4 to 6
    of whom miss) with a large group; 'Small latest' has a focus group of 6 people in its latest period."""
    rng = np.random.default_rng(3)
    periods = pd.date_range("2024-01-01", periods=30, freq="14D")
    rows = []
    for when in periods:
        for group, size, rate in (("1", 200, 0.30), ("2", 200, 0.20), ("3", 200, 0.12)):
            n = int(rng.poisson(size))
            rows.append((when.date().isoformat(), group, int(rng.binomial(n, rate)), n))
        rows.append((when.date().isoformat(), "4", int(rng.integers(4, 7)), 7))
    data = pd.DataFrame(rows, columns=["fortnight", "imd_quintile", "missed", "appointments"])
    (folder / "teams").mkdir(parents=True, exist_ok=True)
    data.to_csv(folder / "teams" / "small.csv", index=False)
    last = (data["fortnight"] == data["fortnight"].max()) & (data["imd_quintile"] == "1")
    data.loc[last, ["missed", "appointments"]] = [5, 6]
    data.to_csv(folder / "teams" / "tail.csv", index=False)
    pd.DataFrame({"cycle_id": ["1"], "change_idea": ["Calls"], "start_date": [periods[15].date().isoformat()]}
                 ).to_csv(folder / "teams" / "pdsa.csv", index=False)
    (folder / "programme.yaml").write_text(
        "programme: Small cells\n"
        "defaults: {outcome: missed, n: appointments, date: fortnight, characteristic: imd_quintile,"
        " chart: p, improvement: decrease, pdsa_log: teams/pdsa.csv}\n"
        "teams:\n"
        "  - {name: Small focus, data: teams/small.csv, reference: '3', focus: '4', target: 70}\n"
        "  - {name: Small latest, data: teams/tail.csv, reference: '3', focus: '1'}\n"
    )
    return folder / "programme.yaml"


def _numbers_shown(page: str) -> set[str]:
    """Every number with a decimal point a reader (or a screen reader, or a script) can get from the
    page: text, SVG text, aria-labels, titles, tooltips and any embedded data; not drawing coordinates."""
    text = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    attributes = re.findall(r'(?:aria-label|title|alt|data-[\w-]+|content)\s*=\s*"([^"]*)"', text)
    attributes += re.findall(r"(?:aria-label|title|alt|data-[\w-]+|content)\s*=\s*'([^']*)'", text)
    bare = re.sub(r"<[^>]*>", " ", text)
    shown = set()
    for chunk in [html.unescape(bare), *map(html.unescape, attributes)]:
        shown |= {v.replace("−", "-").lstrip("+-") for v in re.findall(r"[−+-]?\d+\.\d+", chunk)}
    return shown


def _rebuilt_small_cells(path: Path, reference: str, focus: str) -> tuple[set[str], set[str]]:
    """What a reader would look for to rebuild each small cell: the focus group's rate in a period
    where it counts 1 to 7, and the gap from the reference group that would give it away. Also the
    pooled figures (before and after the first cycle), which are not small and may be shown."""
    data = pd.read_csv(path, dtype={"imd_quintile": str})
    wide = data.pivot(index="fortnight", columns="imd_quintile", values=["missed", "appointments"])
    x, n = wide[("missed", focus)], wide[("appointments", focus)]
    rx, rn = wide[("missed", reference)], wide[("appointments", reference)]
    small = ((x > 0) & (x <= 7)) | ((n > 0) & (n <= 7))
    rate, ref = 100 * x / n, 100 * rx / rn
    secrets = {f"{v:.1f}" for v in rate[small]} | {f"{abs(v):.1f}" for v in (rate - ref)[small]}
    before = wide.index < pd.read_csv(path.parent / "pdsa.csv")["start_date"].min()
    pooled = set()
    for side in (before, ~before):
        f, r = 100 * x[side].sum() / n[side].sum(), 100 * rx[side].sum() / rn[side].sum()
        pooled |= {f"{f:.1f}", f"{r:.1f}", f"{abs(f - r):.1f}"}
    return secrets, pooled


def test_no_small_cell_can_be_rebuilt_from_the_page_or_the_csv(tmp_path):
    path = _small_cell_programme(tmp_path)
    report = render_programme(path, tmp_path / "out")
    assert report.ok, report.text()
    page = report.page.read_text(encoding="utf-8")
    csv = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8")
    shown = _numbers_shown(page) | {v.lstrip("+-") for v in re.findall(r"[+-]?\d+\.\d+", csv)}
    for team, focus in (("small.csv", "4"), ("tail.csv", "1")):
        secrets, pooled = _rebuilt_small_cells(tmp_path / "teams" / team, "3", focus)
        assert secrets, "the test data has small cells"
        leaked = (secrets - pooled) & shown
        assert not leaked, f"{team}: small cells' rates or gaps shown: {sorted(leaked)}"
    # The privacy layer's own check, as for handouts: every number on the page and in the CSV tried as
    # the rate of every small cell (per period and group), and as reference rate + gap in one row.
    t = report.table
    for team, focus in (("small.csv", "4"), ("tail.csv", "1")):
        cells = pd.read_csv(tmp_path / "teams" / team).rename(columns={"missed": "numerator",
                                                                       "appointments": "denominator"})
        rebuilt = " ".join(f"<td>{r + g:.1f}</td>" for r, g in zip(
            t[["reference_baseline", "reference_latest"]].to_numpy().ravel(),
            t[["gap_baseline", "gap_latest"]].to_numpy().ravel()) if not (pd.isna(r) or pd.isna(g)))
        assert find_disclosures(page + csv.replace(",", " <td>") + rebuilt, cells) == [], team
    assert math.isnan(t.loc[1, "focus_latest"]) and math.isnan(t.loc[1, "gap_latest"])  # 5 of 6
    assert not math.isnan(t.loc[1, "focus_baseline"])  # pooled over the baseline: not small, shown
    assert {v.team: len(v.gaps) for v in report.views} == {"Small focus": 0, "Small latest": 29}
    rows = pd.read_csv(tmp_path / "out" / "summary.csv", dtype=str, keep_default_na=False)
    assert rows.loc[1, "focus_latest"] == "*" and rows.loc[1, "gap_latest"] == "*"
    assert "No period can be shown for Small focus" in page


def test_sample_programme_page_shows_no_small_cell_rate(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns("*-history", "__pycache__"))
    report = render_programme(tmp_path / "sample" / "programme.yaml", tmp_path / "out")
    _, teams = read_programme(tmp_path / "sample" / "programme.yaml")
    small_cells = 0
    for view, team in zip(report.views, teams):
        counts = view.counts
        focus, ref = view.row["focus_group"], view.row["reference_group"]
        latest = counts[counts["period"] == counts["period"].max()].set_index("group")
        for group, column in ((focus, "focus_latest"), (ref, "reference_latest")):
            x, n = latest.loc[group, "numerator"], latest.loc[group, "denominator"]
            if 0 < x <= 7 or 0 < n <= 7:
                small_cells += 1
                assert math.isnan(view.row[column]), (team.name, column)
                assert math.isnan(view.row["gap_latest"])
    assert small_cells >= 2  # the sample has small latest counts: the check above is not empty


# --------------------------------------------------------------------------- bad input


@pytest.fixture()
def broken(tmp_path):
    path = GEN.make_programme(tmp_path, teams=KNOWN[:2], seed=5, hold_back=False)
    text = path.read_text()
    text += ("  - name: Lost team\n    data: teams/nowhere.csv\n    characteristic: imd_quintile\n"
             "  - name: Misspelt team\n    data: teams/improving-a.csv\n    characteristic: imd_quintiel\n"
             "  - name: Unknown idea\n    data: teams/improving-a.csv\n    characteristic: imd_quintile\n"
             "    pdsa_log: teams/bad_pdsa.csv\n")
    path.write_text(text)
    pd.DataFrame({"cycle_id": ["1"], "change_idea": ["Calls"], "start_date": ["2024-01-01"],
                  "idea": ["peer-reminder-cals"]}).to_csv(tmp_path / "teams" / "bad_pdsa.csv", index=False)
    return path


def test_bad_input_marks_the_team_and_the_exit_code_without_stopping_others(broken, capsys):
    code = main(["programme", str(broken), "--out", str(broken.parent / "out")])
    assert code == 1
    out = capsys.readouterr().out
    assert "PROBLEM  Lost team: cannot find the data file" in out
    assert "PROBLEM  Misspelt team" in out and "imd_quintiel" in out
    assert "Did you mean 'peer-reminder-calls'?" in out
    assert "done     Improving A" in out and "done     Improving B" in out
    page = html.unescape((broken.parent / "out" / "programme.html").read_text())
    assert "Teams not shown (3)" in page and "nowhere.csv" in page and "imd_quintiel" in page
    csv = pd.read_csv(broken.parent / "out" / "summary.csv", keep_default_na=False)
    assert csv.set_index("team").loc["Lost team", "status"] == "problem"
    assert (csv["status"] == "ok").sum() == 2


def test_a_misspelt_key_is_that_teams_problem_and_a_file_mistake_exits_2(tmp_path, capsys):
    (tmp_path / "p.yaml").write_text("programme: X\nteams:\n  - {name: A, data: a.csv, targt: 3}\n")
    assert main(["programme", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "out")]) == 1
    assert "PROBLEM  A: the key 'targt' is not one the kit knows (typo?). Did you mean 'target'?" in \
        capsys.readouterr().out
    (tmp_path / "twice.yaml").write_text("teams:\n  - {name: A, data: a.csv}\n  - {name: a, data: b.csv}\n")
    for bad in ("missing.yaml", "twice.yaml"):
        assert main(["programme", str(tmp_path / bad), "--out", str(tmp_path / "out2")]) == 2
        assert "equitykit programme:" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


def test_unknown_menu_idea_in_a_driver_diagram_says_did_you_mean(tmp_path):
    path = GEN.make_programme(tmp_path, teams=KNOWN[:1], seed=5, hold_back=False)
    diagram = ek.DriverDiagram("Fewer missed appointments", [ek.Driver("Reminders", change_ideas=[
        ek.ChangeIdea("Peer calls", status="testing", idea="peer-reminder-call")])])
    diagram.to_yaml(tmp_path / "driver.yaml")
    path.write_text(path.read_text() + "    driver_diagram: driver.yaml\n")
    report = render_programme(path, tmp_path / "out")
    problem = report.table.loc[0, "problem"]
    assert "change idea 'Peer calls' of the driver diagram" in problem
    assert "Did you mean 'peer-reminder-calls'?" in problem
    diagram.idea("Peer calls").idea = "peer-reminder-calls"
    diagram.to_yaml(tmp_path / "driver.yaml")
    assert render_programme(path, tmp_path / "out").table.loc[0, "ideas"] == "peer-reminder-calls"


# --------------------------------------------------------------------------- refresh


def test_update_adds_the_extract_reports_changed_values_and_what_changed(tmp_path):
    teams = [("Late starter", "improving", 150, "imd_quintile", ["peer-reminder-calls"], None),
             ("Other", "steady", 150, "imd_quintile", [], None)]
    path = GEN.make_programme(tmp_path, teams=teams, fortnights=40, seed=2, hold_back=False)
    # The late starter's first cycle begins at the last fortnight: no verdict yet.
    last = pd.read_csv(tmp_path / "teams" / "late-starter.csv")["fortnight"].max()
    pdsa = tmp_path / "teams" / "late-starter_pdsa.csv"
    pd.read_csv(pdsa).assign(start_date=last).to_csv(pdsa, index=False)
    before = render_programme(path, tmp_path / "out")
    assert before.table.loc[0, "verdict"] == "not enough data yet"
    # A new extract: eight more fortnights (the most deprived group much better), and one past value changed.
    rng = np.random.default_rng(9)
    periods = pd.date_range(pd.Timestamp(last) + pd.Timedelta(days=14), periods=8, freq="14D")
    new = GEN.team_counts(rng, "improving", 150, "imd_quintile", periods, periods[0]).assign(team="Late starter")
    old = pd.read_csv(tmp_path / "teams" / "other.csv").head(1).assign(team="Other")
    old["missed"] += 3
    extract = pd.concat([old, new], ignore_index=True)[["team", "fortnight", "imd_quintile", "missed", "appointments"]]
    extract.to_csv(tmp_path / "extract.csv", index=False)
    inputs = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "teams").iterdir()}

    code = main(["programme", str(path), "--update", str(tmp_path / "extract.csv"), "--out", str(tmp_path / "out")])
    assert code == 0
    folder = history_folder(path)
    assert folder == tmp_path / "programme-history" and (folder / "counts.csv").is_file()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    stored = pd.read_csv(folder / "counts.csv")
    assert len(stored) == len(new) + 1 and set(stored.columns) == {
        "team", "period", "group", "numerator", "denominator", "update"}
    after = render_programme(path, tmp_path / "out")  # a later render reads the same history
    assert after.table.loc[0, "verdict"] == "narrowed"
    page = html.unescape(after.page.read_text())
    assert "Late starter: verdict not enough data yet → narrowed" in page
    assert "1 past value(s) were different in this extract" in page and "Other, 2023-01-02, group 1" in page
    # the team files are never changed: the new values live in the history only
    assert inputs == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "teams").iterdir()}

    # The same extract again: nothing new and nothing revised; the page says no team changed.
    again = render_programme(path, tmp_path / "out", update=tmp_path / "extract.csv")
    assert again.update.added == 0 and len(again.update.revised) == 0
    assert "No team's verdict or icons changed." in again.page.read_text()


def test_update_refuses_an_unknown_team_and_writes_nothing(tmp_path):
    path = GEN.make_programme(tmp_path, teams=KNOWN[:1], fortnights=30, seed=2, hold_back=False)
    pd.DataFrame({"team": ["Improving a"], "fortnight": ["2030-01-01"], "imd_quintile": [1], "missed": [1],
                  "appointments": [9]}).to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(ek.EquityKitError, match="Did you mean 'Improving A'"):
        render_programme(path, tmp_path / "out", update=tmp_path / "x.csv")
    assert not history_folder(path).exists()


def test_update_with_a_misspelt_column_skips_that_team_only(tmp_path):
    path = GEN.make_programme(tmp_path, teams=KNOWN[:2], fortnights=30, seed=2, hold_back=True)
    extract = pd.read_csv(tmp_path / "extracts" / "next_fortnight.csv")
    extract.loc[extract["team"] == "Improving B", "imd_decile"] = pd.NA
    extract = extract.rename(columns={"imd_decile": "imd_decle"})
    extract.to_csv(tmp_path / "bad.csv", index=False)
    report = render_programme(path, tmp_path / "out", update=tmp_path / "bad.csv")
    assert not report.ok and "Improving B" in report.update.skipped
    assert "imd_decile" in report.update.skipped["Improving B"]
    assert report.update.added > 0 and "NOT UPDATED  Improving B" in report.text()


# --------------------------------------------------------------------------- the sample and no mutation


def test_sample_programme_renders_with_its_known_effects(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "sample", ignore=shutil.ignore_patterns("*-history", "__pycache__"))
    yaml_path = tmp_path / "sample" / "programme.yaml"
    report = render_programme(yaml_path, tmp_path / "out", update=tmp_path / "sample" / "extracts" / "next_fortnight.csv")
    assert report.ok, report.text()
    verdicts = dict(zip(report.table["team"], report.table["verdict"]))
    for name, effect, *_ in GEN.SAMPLE_TEAMS:
        expected = {"improving": "narrowed", "steady": "maintained", "worsening": "widened"}[effect]
        assert verdicts[name] in (expected, "not enough data yet"), name
    assert len(report.update.revised) == 1


def test_sample_generator_reproduces_the_committed_files(tmp_path):
    GEN.make_programme(tmp_path)
    for made in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        committed = SAMPLE / made.relative_to(tmp_path)
        assert made.read_bytes() == committed.read_bytes(), made.name


def test_inputs_are_never_changed(known, tmp_path):
    folder, _ = known
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and "out" not in p.parts}
    render_programme(folder / "programme.yaml", tmp_path / "out")
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and "out" not in p.parts}
    assert before == after
    menu = read_change_ideas()
    copy = menu.copy()
    ek.programme.ideas_table([], menu)
    pd.testing.assert_frame_equal(menu, copy)


def test_public_api():
    assert ek.render_programme is render_programme
    assert "render_programme" in ek.__all__ and "ProgrammeReport" in ek.__all__


def test_one_process_or_several_give_the_same_page_table(known, tmp_path):
    folder, report = known  # rendered with the default jobs (several processes on this machine)
    serial = render_programme(folder / "programme.yaml", tmp_path / "out", jobs=1)
    pd.testing.assert_frame_equal(serial.table, report.table)
    with pytest.raises(ek.EquityKitError, match="jobs=0"):
        render_programme(folder / "programme.yaml", tmp_path / "out", jobs=0)
