"""equitykit.spc against qicharts2 0.8.1 and NHSRplotthedots 0.2.2, case by case.

One test per qic_* and ptd_* case of tests/reference/expected/manifest.csv. The
R call recorded there is translated into an equitykit.spc call (part -> phase,
freeze, exclude, facets -> by, rebase -> phase, fix_after_n_points -> freeze,
screen_outliers -> screen_mr, improvement_direction -> improvement), the inputs
are rebuilt as tests/reference/README.md section 2 describes, and every limit
is compared to rtol 1e-9, every flag and count exactly, NaN positions exactly.

method = 'bestbox'/'cutbox' maps to rules="bestbox"/"cutbox" and is checked in
full too: like qicharts2, longest_run_max and n_crossings_min stay the anhoej
values, and runs_signal follows the box. Where qicharts2 falls back to anhoej
(fewer than 10 useful points, with a message) equitykit warns.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitykit import SPCWarning, spc
from equitykit.validation import EquityKitError

REF = Path(__file__).parent / "reference"
EXP = REF / "expected"
MANIFEST = pd.read_csv(EXP / "manifest.csv", keep_default_na=False)
CASES = MANIFEST[MANIFEST["package"].isin(["qicharts2", "NHSRplotthedots"])]
RTOL, ATOL = 1e-9, 1e-12


# ----------------------------------------------------------------------------
# inputs, rebuilt as compute_expected.R builds them
# ----------------------------------------------------------------------------

def _read(name: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    d = pd.read_csv(REF / "data" / name)
    for c in dates:
        d[c] = pd.to_datetime(d[c])
    return d


def datasets() -> dict[str, pd.DataFrame]:
    b = _read("b_p_ei_access.csv", ("month",))
    b["pct"] = 100 * b["ethnic_minority_users"] / b["service_users"]
    i_cs = _read("i_cervical_screening_by_age.csv", ("month",))
    i_cs["pct"] = 100 * i_cs["screened"] / i_cs["eligible"]
    return {
        "a": _read("a_c_racist_incidents.csv", ("fortnight_start",)),
        "b": b,
        "c_": _read("c_u_incidents_bed_days.csv", ("month",)),
        "d": _read("d_i_weekly_wait.csv", ("week_start",)),
        "e": _read("e_run_monthly.csv", ("month",)),
        "f": _read("f_g_t_rare_events.csv"),
        "g": _read("g_pp_dna_large.csv", ("month",)),
        "g2": _read("g2_up_admissions_large.csv", ("month",)),
        "i_dna": _read("i_dna_by_imd_decile.csv"),
        "i_cs": i_cs,
        "j_zero": _read("j_all_zero_counts.csv", ("month",)),
        "j_short": _read("j_short_series_5.csv", ("month",)),
        "j_pzero": _read("j_p_zero_denominator.csv", ("month",)),
        "j_cl": _read("j_points_on_centre_line.csv", ("month",)),
        "j_pna": _read("j_p_missing_value.csv", ("month",)),
    }


DATA = datasets()


# ----------------------------------------------------------------------------
# translating the R calls
# ----------------------------------------------------------------------------

def _split_args(text: str) -> list[str]:
    """Split an argument list on top-level commas."""
    out, depth, cur, quote = [], 0, "", None
    for ch in text:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
            continue
        if ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _inner(call: str, fname: str) -> str:
    start = call.index(fname + "(") + len(fname) + 1
    depth = 1
    for i in range(start, len(call)):
        depth += {"(": 1, ")": -1}.get(call[i], 0)
        if depth == 0:
            return call[start:i]
    raise ValueError(call)


def _data_expr(expr: str) -> pd.DataFrame:
    expr = expr.strip()
    if expr in DATA:
        return DATA[expr].copy()
    m = re.fullmatch(r"subset\((\w+), (\w+) == '([^']*)'\)", expr)
    if m:
        d = DATA[m.group(1)]
        return d[d[m.group(2)] == m.group(3)].reset_index(drop=True)
    m = re.fullmatch(r"mutate\((\w+), (\w+) = as\.Date\((\w+)\)\)", expr)
    if m:
        d = DATA[m.group(1)].copy()
        d[m.group(2)] = pd.to_datetime(d[m.group(3)]).dt.normalize()
        return d
    raise ValueError(expr)


def _x_expr(d: pd.DataFrame, expr: str) -> str:
    m = re.fullmatch(r"factor\((\w+)\)", expr)
    if m:
        d["_x"] = pd.Categorical(d[m.group(1)])
        return "_x"
    m = re.fullmatch(r"as\.Date\((\w+)\)", expr)
    if m:
        d["_x"] = pd.to_datetime(d[m.group(1)]).dt.normalize()
        return "_x"
    return expr


def _sorted_x(d: pd.DataFrame, x: str) -> list:
    col = d[x]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    return sorted(pd.unique(col.dropna()))


def translate_qic(call: str) -> tuple[pd.DataFrame, dict, str]:
    screen = "qic.screenedmr = FALSE" not in call
    args = _split_args(_inner(call, "qic"))
    pos = [a for a in args if not re.match(r"^\w[\w.]* = ", a)]
    named = dict(a.split(" = ", 1) for a in args if re.match(r"^\w[\w.]* = ", a))
    d = _data_expr(named.pop("data"))
    kw: dict = {"x": _x_expr(d, pos[0]), "y": pos[1], "screen_mr": screen}
    if len(pos) > 2:
        kw["n"] = pos[2]
    kw["chart"] = named.pop("chart", "'run'").strip("'")
    method = named.pop("method", "'anhoej'").strip("'")
    if method != "anhoej":
        kw["rules"] = method
    xs = _sorted_x(d, kw["x"])
    # qic()'s own default is multiply = 1 (the kit's default puts P charts in percent)
    kw["multiply"] = float(named.pop("multiply", "1"))
    part = named.pop("part", None)
    freeze = named.pop("freeze", None)
    if part is not None:
        if re.fullmatch(r"\d+", part):
            kw["phase"] = [xs[int(part)]]  # a new part starts after `part` points
        else:
            kw["phase"] = part
    elif freeze is not None:
        kw["freeze"] = int(freeze)
    if "exclude" in named:
        positions = [int(v) for v in re.findall(r"\d+", named.pop("exclude"))]
        kw["exclude"] = [xs[p - 1] for p in positions]
    if "facets" in named:
        kw["by"] = named.pop("facets").replace("~", "").strip()
    assert not named, named
    return d, kw, method


def translate_ptd(call: str) -> tuple[pd.DataFrame, dict]:
    args = _split_args(_inner(call, "ptd_spc"))
    d = _data_expr(args[0])
    named = dict(a.split(" = ", 1) for a in args[1:])
    kw: dict = {"x": named.pop("date_field"), "y": named.pop("value_field"), "rules": "mdc", "chart": "i"}
    kw["improvement"] = named.pop("improvement_direction", "'increase'").strip("'")
    if "facet_field" in named:
        kw["by"] = named.pop("facet_field")
    if "rebase" in named:
        kw["phase"] = re.findall(r"as\.Date\('([^']+)'\)", named.pop("rebase"))
    if "fix_after_n_points" in named:
        kw["freeze"] = int(named.pop("fix_after_n_points"))
    if "screen_outliers" in named:
        kw["screen_mr"] = named.pop("screen_outliers") != "FALSE"
    if "target" in named:
        inner = _inner(named.pop("target"), "ptd_target")
        pairs = re.findall(r"`([^`]+)` = ([\d.]+)", inner)
        kw["target"] = {k: float(v) for k, v in pairs} if pairs else float(inner)
    assert not named, named
    return d, kw


# ----------------------------------------------------------------------------
# comparison helpers
# ----------------------------------------------------------------------------

def _num(a) -> np.ndarray:
    return pd.to_numeric(pd.Series(a), errors="coerce").to_numpy(dtype=float)


def assert_close(ours, theirs, what: str) -> None:
    ours, theirs = _num(ours), _num(theirs)
    assert ours.shape == theirs.shape, what
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{what}: NaN positions")
    ok = ~np.isnan(theirs)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=RTOL, atol=ATOL, err_msg=what)


def assert_same(ours, theirs, what: str) -> None:
    assert list(pd.Series(ours).tolist()) == list(pd.Series(theirs).tolist()), what


def _bool(col: pd.Series) -> pd.Series:
    return col.map({"TRUE": True, "FALSE": False, True: True, False: False, "NA": None})


def _expected(name: str) -> pd.DataFrame:
    return pd.read_csv(EXP / name, keep_default_na=False, na_values=["NA", "NaN"])


def _x_key(values: pd.Series, kind_like: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(kind_like):
        return list(pd.to_datetime(values))
    if isinstance(kind_like.dtype, pd.CategoricalDtype):
        return [str(v) for v in values]
    return list(pd.to_numeric(values).astype(float))


# ----------------------------------------------------------------------------
# the tests
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("case_id", CASES[CASES["package"] == "qicharts2"]["case_id"].tolist())
def test_qic_case(case_id: str) -> None:
    row = CASES.set_index("case_id").loc[case_id]
    d, kw, _ = translate_qic(row["call"])
    before = d.copy()
    if row["status"] == "error":
        with pytest.raises(EquityKitError):
            spc(d, **kw)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = spc(d, **kw)
    pd.testing.assert_frame_equal(d, before)
    fell_back = any(issubclass(w.category, SPCWarning) and "anhoej rules are used" in str(w.message)
                    for w in caught)
    assert fell_back == ("Using method = \"anhoej\"" in row["messages"]), "fallback to anhoej"
    exp = _expected(row["output_file"])
    t = res.table.copy()
    by = kw.get("by")
    # qicharts2 orders rows by part, then facet: match rows on (facet, x)
    t["_f"] = t[by].astype(str) if by else "1"
    exp["_f"] = exp["facet1"].astype(str)
    t["_x"] = _x_key(t["x"], d[kw["x"]])
    exp["_x"] = _x_key(exp["x"], d[kw["x"]])
    t = t.sort_values(["_f", "_x"]).reset_index(drop=True)
    exp = exp.sort_values(["_f", "_x"]).reset_index(drop=True)
    assert len(t) == len(exp) == int(row["n_rows"])
    assert t["_x"].tolist() == exp["_x"].tolist()
    for ours, theirs in [("value", "y"), ("cl", "cl"), ("lcl", "lcl"), ("ucl", "ucl"),
                         ("lcl_95", "lcl.95"), ("ucl_95", "ucl.95")]:
        assert_close(t[ours], exp[theirs], f"{case_id}: {theirs}")
    if "n" in kw:
        assert_close(t["n"], exp["n"], f"{case_id}: n")
    assert_same(t["phase"], exp["part"], "part")
    assert_same(t["baseline"], _bool(exp["baseline"]), "baseline")
    assert_same(~t["excluded"], _bool(exp["include"]), "include")
    assert_same(t["sigma_signal"], _bool(exp["sigma.signal"]), "sigma.signal")
    assert_same(t["run_signal"], _bool(exp["runs.signal"]), "runs.signal")

    # per part: runs analysis and the summary
    s = res.summary().copy()
    s["_f"] = s[by].astype(str) if by else "1"
    s = s.sort_values(["_f", "phase"]).reset_index(drop=True)
    es = _expected(row["summary_file"])
    es["_f"] = es["facet1"].astype(str)
    es = es.sort_values(["_f", "part"]).reset_index(drop=True)
    assert len(s) == len(es)
    counts = ["n.obs", "n.useful", "longest.run", "longest.run.max", "n.crossings", "n.crossings.min"]
    for c in counts:
        assert_close(s[c.replace(".", "_")].astype(float), es[c], f"{case_id}: summary {c}")
    assert_same(s["runs_signal"].astype(int), es["runs.signal"], "summary runs.signal")
    assert_same(s["sigma_signals"], es["sigma.signal"], "summary sigma.signal")
    for ours, theirs in [("lcl", "aLCL"), ("lcl_95", "aLCL.95"), ("cl", "CL"), ("ucl_95", "aUCL.95"),
                         ("ucl", "aUCL")]:
        assert_close(s[ours], es[theirs], f"{case_id}: summary {theirs}")


@pytest.mark.parametrize("case_id", CASES[CASES["package"] == "NHSRplotthedots"]["case_id"].tolist())
def test_ptd_case(case_id: str) -> None:
    row = CASES.set_index("case_id").loc[case_id]
    d, kw = translate_ptd(row["call"])
    before = d.copy()
    if row["status"] == "error":
        with pytest.raises(EquityKitError):
            spc(d, **kw)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = spc(d, **kw)
    pd.testing.assert_frame_equal(d, before)
    short = [w for w in caught if issubclass(w.category, SPCWarning) and "fewer than 13" in str(w.message)]
    assert bool(short) == bool(row["warnings"]), "short-group warning"

    exp = _expected(row["output_file"])
    t = res.table.copy()
    by = kw.get("by")
    t["_f"] = t[by].astype(str) if by else "no facet"
    t["_x"] = pd.to_datetime(t["x"])
    exp["_x"] = pd.to_datetime(exp["x"])
    exp["_f"] = exp["f"].astype(str)
    t = t.sort_values(["_f", "_x"]).reset_index(drop=True)
    exp = exp.sort_values(["_f", "_x"]).reset_index(drop=True)
    assert len(t) == len(exp) == int(row["n_rows"])
    assert t["_x"].tolist() == exp["_x"].tolist()
    assert_close(t["value"], exp["y"], "y")
    assert_same(t["phase"] - 1, exp["rebase_group"], "rebase_group")
    assert_close(t["value"].where(t["baseline"]), exp["fix_y"], "fix_y")
    assert_close(t["cl"], exp["mean_col"], "mean_col")
    assert_close(t["lcl"], exp["lpl"], "lpl")
    assert_close(t["ucl"], exp["upl"], "upl")
    limits_known = t["ucl"].notna()
    exp_out = _bool(exp["outside_limits"])
    assert_same(exp_out.isna(), ~limits_known, "outside_limits NA")
    assert_same(t["outside_limits"][limits_known], exp_out[limits_known], "outside_limits")
    assert_same(t["close_to_limits"][limits_known], _bool(exp["close_to_limits"])[limits_known], "close")
    assert_same(np.sign(t["value"] - t["cl"]).astype(int), exp["relative_to_mean"], "relative_to_mean")
    assert_same(t["special_cause_type"], exp["special_cause_type"], "special_cause_type")
    assert_same(t["special_cause_type"] != "Common Cause", _bool(exp["special_cause_flag"]), "flag")
    assert_same(t["point_type"], exp["point_type"], "point_type")
    assert_close(t["target"], exp["target"], "target")

    s = res.summary().copy()
    s["_f"] = s[by].astype(str) if by else "no facet"
    s = s.sort_values(["_f", "phase"]).reset_index(drop=True)
    es = _expected(row["summary_file"])
    es["_f"] = es["f"].astype(str) if "f" in es else "no facet"
    es = es.sort_values(["_f"] + (["rebase_group"] if "rebase_group" in es else [])).reset_index(drop=True)
    assert len(s) == len(es)
    assert_close(s["cl"], es["mean_col"], "summary mean_col")
    assert_close(s["lcl"], es["lpl"], "summary lpl")
    assert_close(s["ucl"], es["upl"], "summary upl")
    assert_same(s["n_obs"], es["n"], "summary n")
    for c in ("common_cause", "special_cause_improvement", "special_cause_concern"):
        assert_same(s[c], es[c], f"summary {c}")
    assert_same(s["variation"], es["variation_type"], "variation_type")
    if "assurance_type" in es:
        assert_same(s["assurance"].fillna("NA"), es["assurance_type"].fillna("NA"), "assurance_type")
    else:
        assert s["assurance"].isna().all()


@pytest.mark.parametrize("rules", ["bestbox", "cutbox"])
def test_box_limits_on_case_e(rules: str) -> None:
    # README: the longest-run limit of both boxes is 7 for n = 24, so the final run of 8 signals
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        s = spc(DATA["e"], x="month", y="value", rules=rules).summary().iloc[0]
    assert (s["n_useful"], s["longest_run"], s["box_longest_run_max"]) == (24, 8, 7)
    assert bool(s["runs_signal"])
