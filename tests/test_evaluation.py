"""Tests for equitykit.evaluation.likert, pinned to hand-worked counts and published Wilson limits."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import equitykit as ek
from equitykit.evaluation import LIKERT_LEVELS, LikertResult, likert

REF = Path(__file__).parent / "reference" / "expected"

A = "I understand what equity is"
B = "I could apply QI to inequity"


def _long() -> pd.DataFrame:
    """Part 1, statement A: 8 SD, 12 D, 15 N, 45 A, 20 SA (65 of 100 agree).
    Part 2, statement B: 10 answers, all agree or strongly agree (10 of 10)."""
    answers = (
        ["Strongly disagree"] * 8
        + ["Disagree"] * 12
        + ["Neither agree nor disagree"] * 15
        + ["Agree"] * 45
        + ["Strongly agree"] * 20
    )
    part1 = pd.DataFrame(
        {"respondent": range(100), "part": 1, "statement": A, "response": answers}
    )
    part2 = pd.DataFrame(
        {"respondent": range(10), "part": 2, "statement": B, "response": ["Agree"] * 6 + ["Strongly agree"] * 4}
    )
    return pd.concat([part1, part2], ignore_index=True)


def test_published_wilson_limits_65_of_100():
    res = likert(_long(), by="part")
    row = res.table.iloc[0]
    assert (row["part"], row["statement"], row["n"], row["agree"]) == (1, A, 100, 65)
    assert row["percent_agree"] == pytest.approx(65.0)
    # PHEindicatormethods / published check: Wilson 65/100 at 95% is 0.552544 to 0.736358.
    assert row["lower"] == pytest.approx(55.2544, abs=1e-4)
    assert row["upper"] == pytest.approx(73.6358, abs=1e-4)
    assert [row[c] for c in ("strongly_disagree", "disagree", "neither", "agree_only", "strongly_agree")] == [
        8, 12, 15, 45, 20,
    ]


def test_all_agree_wilson_closed_form():
    # All 10 of 10 agree: lower limit is n / (n + z^2) = 10 / 13.841459 = 0.722467.
    row = likert(_long(), by="part").table.iloc[1]
    assert (row["n"], row["agree"], row["percent_agree"]) == (10, 10, 100.0)
    assert row["lower"] == pytest.approx(72.2467, abs=1e-4)
    assert row["upper"] == pytest.approx(100.0)


def test_against_phe_proportion_two_confidence_levels():
    # PHEindicatormethods phe_proportion(..., confidence = c(0.95, 0.998), multiplier = 100), Wilson:
    # each decile's DNA count becomes that many "Agree" answers out of its appointments.
    ref = pd.read_csv(REF / "phe_proportion_dna_decile_pct_95_998.csv").head(3)
    rows = []
    for r in ref.itertuples():
        rows.append(pd.DataFrame({
            "statement": f"decile {r.imd_decile}",
            "response": ["Agree"] * r.dna + ["Disagree"] * (r.appointments - r.dna),
        }))
    answers = pd.concat(rows, ignore_index=True)
    for conf, lo, hi in ((0.95, "lower95_0cl", "upper95_0cl"), (0.998, "lower99_8cl", "upper99_8cl")):
        t = likert(answers, confidence=conf).table
        assert t["percent_agree"].to_numpy() == pytest.approx(ref["value"].to_numpy(), abs=1e-6)
        assert t["lower"].to_numpy() == pytest.approx(ref[lo].to_numpy(), abs=1e-6)
        assert t["upper"].to_numpy() == pytest.approx(ref[hi].to_numpy(), abs=1e-6)


def test_summary_reading_and_columns():
    s = likert(_long(), by="part").summary()
    assert list(s.columns) == ["part", "statement", "n", "agree", "percent_agree", "lower", "upper"]
    assert "1: 65% agreed or strongly agreed that 'I understand what equity is' (65 of 100" in s.reading
    assert "2: 100% agreed" in s.reading


def test_chart_is_diverging_and_centred_on_neutral():
    res = likert(_long()[lambda d: d["part"] == 1], by=None)
    spec = res.chart().to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(values) == 5  # one row per answer: aggregated, no individual answers
    by_answer = {v["answer"]: v for v in values}
    assert [v["answer"] for v in sorted(values, key=lambda v: v["order"])] == list(LIKERT_LEVELS)
    # 8 + 12 + half of 15 to the left of zero; neutral straddles zero equally.
    assert by_answer["Strongly disagree"]["start"] == pytest.approx(-27.5)
    assert by_answer["Neither agree nor disagree"]["start"] == pytest.approx(-7.5)
    assert by_answer["Neither agree nor disagree"]["end"] == pytest.approx(7.5)
    assert by_answer["Strongly agree"]["end"] == pytest.approx(72.5)
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == list(LIKERT_LEVELS)
    assert spec["layer"][1]["mark"]["type"] == "rule"


def test_chart_faceted_by_part():
    spec = likert(_long(), by="part").chart().to_dict()
    assert "facet" in spec and spec["facet"]["row"]["field"] == "part"
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(values) == 2 * 5


def test_wide_form_export_with_variants_and_codes(tmp_path):
    wide = pd.DataFrame(
        {
            "Timestamp": ["2024-03-01 10:00"] * 6,
            A: ["strongly  AGREE", "agree ", "Neither agree or disagree", "5", 4, None],
            B: [1, 2.0, "3", "4 - Agree", "Strongly agree (5)", "Disagree"],
        }
    )
    path = tmp_path / "form.csv"
    wide.to_csv(path, index=False)
    for data in (wide, path, str(path)):
        t = likert(data, statement=[A, B]).table
        a = t.set_index("statement").loc[A]
        assert (a["n"], a["agree"], a["no_answer"], a["neither"]) == (5, 4, 1, 1)
        b = t.set_index("statement").loc[B]
        assert (b["n"], b["strongly_disagree"], b["disagree"], b["neither"], b["agree"]) == (6, 1, 2, 1, 2)


def test_unknown_answer_names_column_and_row():
    wide = pd.DataFrame({A: ["Agree", "Agree", "Maybe?"], B: ["Agree", "Agree", "Agree"]})
    with pytest.raises(ek.EquityKitError, match=r"column 'I understand what equity is'.*row 2: 'Maybe\?'"):
        likert(wide, statement=[A, B])
    with pytest.raises(ek.EquityKitError, match=r"column 'response'.*row 0: 7"):
        likert(pd.DataFrame({"statement": [A], "response": [7]}))


def test_missing_column_and_bad_confidence():
    with pytest.raises(ek.EquityKitError, match="no column 'answer'"):
        likert(_long(), response="answer")
    with pytest.raises(ek.EquityKitError, match="confidence"):
        likert(_long(), confidence=95)


def test_does_not_change_callers_data():
    data = _long()
    before = data.copy()
    likert(data, by="part").chart()
    pd.testing.assert_frame_equal(data, before)


def test_public_api_and_result_type():
    assert ek.likert is likert
    assert isinstance(likert(_long()), LikertResult)
    assert "agreed" in likert(_long())._repr_html_()


def test_statement_nobody_answered_has_no_percentage():
    wide = pd.DataFrame({A: ["Agree", "Disagree", "Agree"], B: [None, None, None]})
    t = likert(wide, statement=[A, B]).table.set_index("statement")
    assert t.loc[B, "n"] == 0 and t.loc[B, "no_answer"] == 3
    assert np.isnan(t.loc[B, ["percent_agree", "lower", "upper"]].astype(float)).all()
    w = ek.wilson(2, 3)  # the kit's one Wilson interval
    assert t.loc[A, "lower"] == pytest.approx(100 * w.lower) and t.loc[A, "upper"] == pytest.approx(100 * w.upper)
