"""spc says what it did with the data it was given.

Rows added into one point (and the column that differs between them), periods
missing from a regular series (named, and drawn as gaps), and limits from
fewer than 20 points (trial limits), in a warning, the summary and the chart.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import equitykit as ek


def _caught(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = ek.spc(*args, **kwargs)
    return res, [str(w.message) for w in caught if issubclass(w.category, ek.EquityKitWarning)]


def _by_ethnicity(months: pd.DatetimeIndex) -> pd.DataFrame:
    rows = [{"month": m, "ethnicity": e, "sex": "all", "seen": 5 + (i + k) % 3, "referred": 10}
            for i, m in enumerate(months) for k, e in enumerate(["Asian", "Black", "Mixed", "White"])]
    return pd.DataFrame(rows)


def test_rows_added_up_are_said_so_naming_the_column_that_differs() -> None:
    d = _by_ethnicity(pd.date_range("2023-01-01", periods=24, freq="MS"))
    res, said = _caught(d, x="month", y="seen", n="referred", chart="p")
    expected = ("4 rows a month, one per ethnicity: the chart adds them up to make one point a month. "
                "Use by='ethnicity' to chart each group.")
    assert expected in said
    assert expected in res.summary().reading
    assert res.table["n_rows"].eq(4).all() and res.table["y"].iloc[0] == d["seen"].iloc[:4].sum()
    # charted by ethnicity there is nothing to add up, and nothing is said
    _, said = _caught(d, x="month", y="seen", n="referred", chart="p", by="ethnicity")
    assert not any("rows a month" in s for s in said)


def test_rows_averaged_on_an_i_chart_say_mean_and_rows_with_no_differing_column_say_so() -> None:
    d = _by_ethnicity(pd.date_range("2023-01-01", periods=24, freq="MS"))
    _, said = _caught(d, x="month", y="seen", chart="i")
    assert any("takes their mean" in s and "one per ethnicity" in s for s in said)
    events = pd.DataFrame({"day": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03"] * 3),
                           "incident": 1})
    _, said = _caught(events, x="day", y="incident", chart="c")
    assert any(s.startswith("Up to ") and "adds them up" in s and "by=" not in s for s in said)


@pytest.mark.parametrize(("freq", "word", "first_missing"), [
    ("MS", "month", "April 2023"),
    ("W-MON", "week", "23 January 2023"),
    ("2W-MON", "fortnight", "13 February 2023"),
    ("D", "day", "4 January 2023"),
])
def test_missing_periods_are_named_in_the_summary_and_drawn_as_gaps(freq, word, first_missing) -> None:
    xs = pd.date_range("2023-01-02" if "MON" in freq else "2023-01-01", periods=24, freq=freq)
    xs = xs.delete([3, 7])
    d = pd.DataFrame({"when": xs, "y": np.arange(22) % 5 + 3})
    res, said = _caught(d, x="when", y="y", chart="c")
    sentence = next(s for s in said if s.startswith("No data for"))
    assert sentence.startswith(f"No data for 2 {word}s between the first and the last: {first_missing}")
    assert "gaps on the chart, not joined across" in sentence
    assert res.summary()["missing_periods"].tolist() == [2]
    assert sentence in res.summary().reading
    spec = res.chart().to_dict(validate=True)
    rows = [r for rows in spec["datasets"].values() for r in rows]
    gaps = [r for r in rows if r["layer"] == "gap"]
    assert len(gaps) == 2 and all(r["value"] is None for r in gaps)
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line"
                and layer["encoding"]["y"]["field"] == "value")
    assert "gap" in line["transform"][0]["filter"]


def test_regular_series_without_gaps_and_irregular_dates_say_nothing_about_missing_periods() -> None:
    full = pd.DataFrame({"when": pd.date_range("2023-01-01", periods=24, freq="MS"), "y": np.arange(24) % 5})
    working_days = pd.DataFrame({"when": pd.bdate_range("2024-01-01", periods=30), "y": np.arange(30) % 4})
    irregular = pd.DataFrame({"when": pd.to_datetime(["2024-01-03", "2024-01-04", "2024-02-20", "2024-03-30"]),
                              "y": [1, 2, 3, 4]})
    for d in (full, working_days, irregular):
        res, said = _caught(d, x="when", y="y", chart="c")
        assert not any(s.startswith("No data for") for s in said)
        assert res.summary()["missing_periods"].tolist() == [0]


def test_period_numbers_with_a_gap() -> None:
    d = pd.DataFrame({"week": [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13], "y": [3, 4, 5, 3, 4, 5, 3, 4, 5, 3, 4, 5]})
    res, said = _caught(d, x="week", y="y", chart="c")
    assert any(s.startswith("No data for 1 period between the first and the last: point 4") for s in said)


def test_limits_from_fewer_than_20_points_are_trial_limits_in_the_summary_and_on_the_chart() -> None:
    short = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=15, freq="MS"), "y": np.arange(15) % 5 + 2})
    res, _ = _caught(short, x="month", y="y", chart="c")
    assert res.summary()["trial_limits"].tolist() == [True]
    assert "These are trial limits: they come from 15 points" in res.summary().reading
    assert "trial limits" in res.chart().to_dict()["title"]["subtitle"][0]
    long = pd.DataFrame({"month": pd.date_range("2021-01-01", periods=24, freq="MS"), "y": np.arange(24) % 5 + 2})
    res, _ = _caught(long, x="month", y="y", chart="c")
    assert res.summary()["trial_limits"].tolist() == [False]
    assert "trial" not in res.summary().reading and "trial" not in str(res.chart().to_dict()["title"])
    # frozen on 12 of 24 points: the limits come from 12 points
    res, _ = _caught(long, x="month", y="y", chart="c", freeze=12)
    assert res.summary()["trial_limits"].tolist() == [True]
    # a run chart has no limits to call trial
    res, _ = _caught(short, x="month", y="y", chart="run")
    assert res.summary()["trial_limits"].tolist() == [False]


def test_quarters_month_ends_and_times_of_day_keep_their_grid() -> None:
    from equitykit.periods import infer_frequency, missing_periods

    cases = [
        (pd.date_range("2023-02-01", periods=12, freq="QS-FEB").delete([3]), "quarter", "2023-11-01"),
        (pd.date_range("2023-01-31", periods=12, freq="ME").delete([3]), "month", "2023-04-30"),
        (pd.date_range("2023-01-01 09:00", periods=12, freq="D").delete([3]), "day", "2023-01-04 09:00"),
    ]
    for xs, word, gone in cases:
        freq = infer_frequency(xs.to_numpy())
        assert freq is not None and freq.word == word
        assert missing_periods(xs.to_numpy(), freq)[1].tolist() == [pd.Timestamp(gone).value]
