"""Tests for equitykit.privacy: the one disclosure-control layer of everything shared.

Counts, rates and pages here are written out by hand (7 of 11 is 63.636...%),
never taken from the layer's own output.
"""
from __future__ import annotations

import base64

import altair as alt
import numpy as np
import pandas as pd
import pytest

from equitykit import privacy


def test_small_counts_and_what_gives_them_away():
    assert privacy.small([0, 1, 7, 8, np.nan, "3"]).tolist() == [False, True, True, False, False, True]
    # 3 of 50 (count), 40 of 45 (45 - 40 = 5 without), 9 of 6 impossible but 6 small, 0 of 12, 8 of 16
    got = privacy.disclosive([3, 40, 9, 0, 8], [50, 45, 6, 12, 16]).tolist()
    assert got == [True, True, True, False, False]
    # rates per bed day: the bed days minus incidents are not people
    assert privacy.disclosive([40], [45], complement=False).tolist() == [False]


def test_safe_table_suppresses_rounds_and_withholds_the_complement():
    t = pd.DataFrame({"group": ["A", "B", "C"], "yes": [7, 95, 412], "n": [11, 100, 1013]})
    t["rate"] = 100 * t["yes"] / t["n"]
    before = t.copy()
    out = privacy.safe_table(t, counts=["yes", "n"], rates=["rate"], complement=("yes", "n"))
    pd.testing.assert_frame_equal(t, before)  # the caller's table is not changed
    assert out["yes"].tolist() == ["*", "95", "410"] and out["n"].tolist() == ["10", "100", "1015"]
    assert np.isnan(out.loc[0, "rate"]) and np.isnan(out.loc[1, "rate"])  # 5 of 100 did not: withheld
    assert out.loc[2, "rate"] == 40.7  # 412 / 1013 = 40.671...%
    assert out["suppressed"].tolist() == [True, True, False]


def test_rate_places():
    assert [privacy.rate_places(m) for m in (1, 100, 1000, 100_000)] == [3, 1, 1, 1]


def test_safe_chart_data_pools_periods_until_no_point_is_small():
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    d = pd.DataFrame({"month": months, "yes": [3, 5, 10, 12, 5, 6], "n": [30, 30, 40, 40, 30, 30]})
    s = privacy.safe_chart_data(d, x="month", numerator="yes", denominator="n")
    # in threes (pairs are never used: every other month would read as a series with half its points missing)
    assert s.pooled == 3 and s.withheld == 0
    assert s.counts["numerator"].tolist() == [18, 23]
    assert s.table["month"].tolist() == [months[0], months[3]]
    assert s.table["rate"].tolist() == [18.0, 23.0]  # 18/100, 23/100
    assert "pools 3" in s.note and "7" not in s.note.replace("1 to 7", "")


def test_safe_chart_data_withholds_cells_still_small_and_names_only_the_group():
    months = list(range(1, 9))
    d = pd.DataFrame({
        "month": months * 2,
        "group": ["big"] * 8 + ["tiny"] * 8,
        "yes": [20, 22, 25, 21, 24, 23, 20, 26] + [0, 1, 0, 0, 0, 0, 2, 0],
        "n": [100] * 8 + [3] * 8,
    })
    s = privacy.safe_chart_data(d, x="month", numerator="yes", denominator="n", by="group")
    assert set(s.table["group"]) == {"big"}  # 'tiny' never reaches 8 people however it is pooled
    assert s.withheld > 0 and "tiny" in s.note
    assert not {"1", "2", "3"} & set(s.note.replace("1 to 7", "").split())


def test_safe_chart_data_starts_a_new_point_at_the_change():
    d = pd.DataFrame({"m": range(1, 9), "yes": [5] * 8, "n": [40] * 8})
    s = privacy.safe_chart_data(d, x="m", numerator="yes", denominator="n", starts=[6])
    # in twos, months 5 and 8 would stand alone (5 each): in threes, 1-3, 4-5 and 6-8
    assert s.pooled == 3 and s.table["m"].tolist() == [1, 4, 6]


def test_safe_chart_rounds_data_drops_counts_and_describes_without_numbers():
    data = pd.DataFrame({"x": [1, 2], "rate": [63.6363636364, 2.7397260274], "n": [11, 73]})
    chart = alt.Chart(data).mark_point().encode(x="x:Q", y="rate:Q").properties(title="DNA: 7 of 11 in May")
    spec = privacy.safe_chart(chart).to_dict()
    rows = list(spec["datasets"].values())[0]
    assert rows == [{"x": 1, "rate": 63.6}, {"x": 2, "rate": 2.7}]
    assert not any(c.isdigit() for c in spec["description"])
    layered = alt.vconcat(chart, chart)
    assert "vconcat" in privacy.safe_chart(layered, places=3).to_dict()


def test_find_disclosures_reads_labels_json_and_base64_but_not_pixels():
    cells = pd.DataFrame({"numerator": [7, 2, 40], "denominator": [11, 73, 100]})
    assert privacy.find_disclosures('<path aria-label="%: 63.6363636364"/>', cells)
    assert privacy.find_disclosures("<td>63.6</td>", cells)  # one decimal is enough for 11 people
    assert privacy.find_disclosures("<p>about 64% of them</p>", cells)
    hidden = base64.b64encode(b'{"rate": 0.027397}').decode()
    assert privacy.find_disclosures(f'<img src="data:application/json;base64,{hidden}">', cells)
    assert privacy.find_disclosures('<script type="application/json">{"v": 2.74}</script>', cells)
    # pixel positions and styles are not data a reader can read off
    assert privacy.find_disclosures('<path d="M63.6,2.74L0,0" stroke-width="2.7"/>', cells) == []
    assert privacy.find_disclosures("<style>.a { width: 63.6px }</style>", cells) == []
    # the shown (large) cell's rate is not a disclosure
    assert privacy.find_disclosures("<td>40.0</td>", cells) == []


def test_find_disclosures_ties_a_month_to_its_marks_and_a_control_rules_out_chance():
    cells = pd.DataFrame({"period": pd.to_datetime(["2024-03-01", "2024-04-01"]),
                          "numerator": [7, 50], "denominator": [11, 100]})
    assert privacy.find_disclosures('<path aria-label="x: Mar 2024; rate: 63.6"/>', cells)
    assert privacy.find_disclosures('<path aria-label="x: Mar 4, 2024; rate: 63.6"/>', cells)
    assert privacy.find_disclosures('<path aria-label="x: Apr 2024; rate: 63.6"/>', cells) == []
    # a March cell's rate in a sentence naming no month is no one month's rate
    assert privacy.find_disclosures("<p>the upper limit is 63.6</p>", cells) == []
    # the same page made from data with the small count changed (8 of 11): the number followed the cell
    leak = '<path aria-label="x: Mar 2024; rate: {}"/><path aria-label="x: Apr 2024; rate: 50.0"/>'
    control = cells.assign(numerator=[6, 50])
    assert privacy.find_disclosures(leak.format("63.6"), cells, control=(leak.format("54.5"), control))
    # ... or stayed where it was (an upper limit that happens to read 63.6): chance, not a disclosure
    chance = '<path aria-label="x: Mar 2024; upper: 63.6; rate: {}"/>'
    assert privacy.find_disclosures(chance.format("*"), cells, control=(chance.format("*") + " 63.7", control)) == []


@pytest.mark.parametrize("value", [None, np.nan, 0, 3, 8, 12.5])
def test_round_count(value):
    expected = {None: "", 0: "0", 3: "*", 8: "10", 12.5: "15"}
    key = None if value is None or (isinstance(value, float) and np.isnan(value)) else value
    assert privacy.round_count(value) == expected[key]


def test_a_shared_gap_chart_gives_no_small_count_back_and_an_unshared_one_does():
    """disaggregate(suppress=True) in a notebook: the chart's SVG (labels, tooltips) is as safe as its table."""
    import vl_convert as vlc

    import equitykit as ek

    # 7 of 11 (63.6%), 40 of 45 (5 without), and large groups
    d = pd.DataFrame({"group": ["A", "B", "C", "D"], "yes": [7, 40, 230, 610], "n": [11, 45, 1013, 2027]})
    cells = d.rename(columns={"yes": "numerator", "n": "denominator"})
    shared = ek.disaggregate(d, outcome="yes", by="group", n="n", reference="D", improvement="increase",
                             suppress=True)
    assert privacy.find_disclosures(vlc.vegalite_to_svg(shared.chart().to_dict()), cells) == []
    plain = ek.disaggregate(d, outcome="yes", by="group", n="n", reference="D", improvement="increase")
    assert privacy.find_disclosures(vlc.vegalite_to_svg(plain.chart().to_dict()), cells)


# ----------------------------------------------------------------------------- parts of one whole

@pytest.mark.parametrize("counts", [
    [75, 20, 5],            # one small part: 100% minus the others would give it back
    [500, 9, 3],            # the next part is withheld with it
    [40, 30, 2, 1],         # two small parts adding to 3: one more part goes with them
    [60, 25, 6, 6],         # two small parts adding to 12: nothing more to withhold
    [9, 8, 4],              # every part but one withheld
])
def test_a_small_part_cannot_be_worked_out_from_the_others(counts: list[int]) -> None:
    import equitykit as ek

    frame = pd.DataFrame({"reason": [f"r{i}" for i in range(len(counts))], "n": counts})
    t = ek.pareto(frame, by="reason", outcome="n", suppress=True).table
    total = sum(counts)
    shown = t["percent"].notna()
    withheld = [c for c, s in zip(sorted(counts, reverse=True), shown) if not s]
    assert all(c > 7 for c, s in zip(sorted(counts, reverse=True), shown) if s)
    # What 100% minus the shown shares gives a reader is the withheld parts together: never 1-7.
    assert not 0 < round(total * (100 - t.loc[shown, "percent"].sum()) / 100) <= 7
    assert sum(withheld) == 0 or sum(withheld) > 7
    # The cumulative line stops before the first withheld part.
    first = int(np.flatnonzero(~shown.to_numpy())[0])
    assert t["cumulative_percent"].iloc[first:].isna().all()
    assert t["cumulative_percent"].iloc[:first].notna().all()
    # The chart's embedded data carry nothing the table withholds.
    spec = ek.pareto(frame, by="reason", outcome="n", suppress=True).chart().to_dict()
    rows = [r for v in spec["datasets"].values() for r in v]
    for row in rows:
        if row["category"] in set(t.loc[~shown, "category"]):
            assert row.get("percent") is None and row.get("cumulative_percent") is None


def test_parts_with_no_small_count_are_left_whole() -> None:
    t = pd.DataFrame({"category": ["a", "b"], "count": [40, 12], "percent": [76.9, 23.1]})
    out = privacy.suppress_parts(t, "count", shares=["percent"], running=[])
    assert out["suppressed"].tolist() == [False, False] and out["percent"].tolist() == [76.9, 23.1]


def test_a_small_group_in_representation_cannot_be_worked_out_from_the_others() -> None:
    import equitykit as ek

    service = pd.DataFrame({"ethnicity": ["Asian", "Black", "Mixed", "White"], "referrals": [120, 40, 4, 600]})
    pop = pd.DataFrame({"ethnicity": ["Asian", "Black", "Mixed", "White"], "population": [9000, 3000, 1500, 60000]})
    t = ek.representation(service, pop, by="ethnicity", outcome="referrals", suppress=True).table
    shown = t["service_share"].notna()
    assert not shown[t["group"] == "Mixed"].any()
    left = 764 * (100 - t.loc[shown, "service_share"].sum()) / 100
    assert not 0 < round(left) <= 7  # 100% minus the shown shares is more than the small group alone
    assert t.loc[~shown, "ratio"].isna().all()
