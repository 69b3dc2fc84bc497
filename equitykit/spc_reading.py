"""The plain-English reading of an SPC result: what each group and phase shows, in words.

Used by :meth:`equitykit.spc.SPCResult.summary` (``res`` below is an SPCResult); the
words for columns, numbers and chart names come from :mod:`equitykit.wording`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .wording import chart_name, number, words

__all__ = ["summary_reading", "x_text", "summed_rows_note", "missing_note"]


def x_text(value: Any, kind: str) -> str:
    if kind == "date":
        ts = pd.Timestamp(value)
        return ts.strftime("%d %B %Y").lstrip("0") if ts.day != 1 else ts.strftime("%B %Y")
    if kind == "number":
        return f"point {value:g}" if isinstance(value, float) else f"point {value}"
    return str(value)


def summed_rows_note(count: np.ndarray, x: str, freq: Any, differs: Any, combined: str) -> str:
    """The note that several rows made one point: how many, which column differs, and the fix (``by=``)."""
    most = int(count.max()) if count.size else 0
    per = f"a {freq.word}" if freq is not None else f"for each value of '{x}'"
    lead = f"{most} rows {per}" if (count[count > 0] == most).all() else f"Up to {most} rows {per}"
    lead = lead[0].upper() + lead[1:]
    if differs is None:
        return f"{lead}: the chart {combined} to make one point {per}."
    return (f"{lead}, one per {differs}: the chart {combined} to make one point {per}. "
            f"Use by={str(differs)!r} to chart each group.")


def missing_note(missing: pd.DataFrame, freq: Any, kind: str, by_cols: list, n_groups: int) -> str:
    """The note naming the periods a regular series skips (``missing``: from ``spc_points.missing_points``)."""
    distinct = pd.unique(missing["x"])
    count = len(distinct)
    word = freq.word + ("" if count == 1 else "s")
    shown = [x_text(v, kind) for v in distinct[:4]]
    listed = ", ".join(shown) + (f" and {count - len(shown)} more" if count > len(shown) else "")
    groups = ""
    if by_cols:
        hit = len(missing.drop_duplicates(subset=by_cols))
        groups = f" in {hit} of {n_groups} groups" if hit < n_groups else " in every group"
    return (f"No data for {count} {word} between the first and the last{groups}: {listed}. "
            "They are left as gaps on the chart, not joined across.")


_MAX_READ_GROUPS = 8


def summary_reading(res: Any, out: pd.DataFrame) -> str:
    opts, seg = res.options, res._seg
    nseg = len(out)
    by = opts["by"]
    lines: list[str] = []
    signal_segs = np.flatnonzero(out["runs_signal"].to_numpy() | (out["sigma_signals"].to_numpy() > 0))
    name = chart_name(opts["chart"], opts["rules"])
    n_groups = len(out.drop_duplicates(subset=by)) if by else 1
    if by:
        lines.append(f"{name} for {n_groups} group(s): {len(signal_segs)} group/phase(s) show a signal.")
    shown = signal_segs[:_MAX_READ_GROUPS] if by else np.arange(nseg)
    for s in shown:
        idx = np.flatnonzero(seg == s)
        prefix = ""
        if by:
            prefix += ", ".join(str(out.iloc[s][c]) for c in by) + ": "
        if nseg > 1 and (not by or out["phase"].max() > 1):
            lab = out.iloc[s]["phase_label"] if opts["phase_labels"] else out.iloc[s]["phase"]
            prefix += f"phase {lab}: "
        lines.append(prefix + _segment_reading(res, out.iloc[s], idx))
    if by and len(signal_segs) > _MAX_READ_GROUPS:
        lines.append(f"... and {len(signal_segs) - _MAX_READ_GROUPS} more with signals (see .summary()).")
    if by and not len(signal_segs):
        lines.append("No group shows a signal: the variation in each is consistent with chance (common cause).")
    trial = out["trial_limits"].to_numpy(dtype=bool)
    if trial.any():
        points = res._seg_info["trial_base_points"][trial]
        if nseg == 1:
            lines.append(f"These are trial limits: they come from {int(points[0])} points, and limits from 20 or "
                         "more points are firmer. Recalculate them as points come in.")
        else:
            lines.append(f"Trial limits in {int(trial.sum())} of {nseg} group/phase(s): they come from fewer than "
                         f"20 points (as few as {int(points.min())}); recalculate them as points come in.")
    lines.extend(opts.get("notes", ()))
    return "\n".join(lines)


def _units(opts: dict) -> tuple[str, str]:
    """How the reading writes the chart's values: a % sign, or the rate's "per 1,000 bed days" once."""
    multiply, n = opts.get("multiply", 1), opts.get("n")
    if opts["chart"] in ("p", "pp") and multiply == 100:
        return "%", ""
    if opts["chart"] in ("u", "up") and n is not None and multiply != 1:
        return "", f" per {multiply:,g} {words(n)}"
    return "", ""


def _segment_reading(res: Any, row: pd.Series, idx: np.ndarray) -> str:
    t, opts = res.table, res.options
    kind, improvement = opts["kind"], opts["improvement"]
    parts: list[str] = []
    cl = row["cl"]
    centre = "median" if opts["chart"] in ("run", "g") else "mean"
    if opts["rules"] == "mdc":
        sct = t["special_cause_type"].to_numpy(dtype=object)[idx]
        pt = t["point_type"].to_numpy(dtype=object)[idx]
        xs = t["x"].to_numpy()[idx]
        for code, phrase in (("UCL", "outside the process limits"), ("Trend", "in a 7-point trend"),
                             ("2 in 3", "2 of 3 close to a limit"), ("7 Points", "7 or more in a row on one side "
                                                                                "of the mean")):
            hit = np.flatnonzero(pd.Series(sct).fillna("").str.contains(code if code != "UCL" else "UCL|LCL"))
            if hit.size:
                what = pt[hit[0]].replace("special_cause_", "").replace("_", " ")
                parts.append(f"{hit.size} point(s) {phrase} from {x_text(xs[hit[0]], kind)} ({what})")
        var = row.get("variation")
        var = var if isinstance(var, str) else None
        head = f"mean {number(cl)}, process limits {number(row['lcl'])} to {number(row['ucl'])}. "
        if parts:
            body = "; ".join(parts) + ": special cause variation, unlikely to be chance."
        else:
            body = "Only common cause variation: the process is stable and predictable within its limits."
        tail = ""
        if var:
            tail = f" Variation icon: {str(var).replace('_', ' ')}."
        if isinstance(row.get("assurance"), str):
            tail += f" Assurance icon: {str(row['assurance']).replace('_', ' ')}."
        return head + body + tail
    pct, per = _units(opts)
    head = f"{centre} {number(cl)}{pct}{per}"
    if not np.isnan(row["ucl"]) if row["ucl"] is not None else False:
        head += f", limits {number(row['lcl'])}{pct} to {number(row['ucl'])}{pct}"
    head += ". "
    xs = t["x"].to_numpy()[idx]
    side = res._runs.side[idx]
    runlen = res._runs.run_length[idx]
    if opts["categorical"] and opts["chart"] != "mr":
        parts.append("x is a category, so runs are not analysed (only points beyond the limits count)")
    elif opts["chart"] == "mr":
        parts.append("runs are not analysed on a moving-range chart")
    elif opts["rules"] in ("anhoej", "bestbox", "cutbox"):
        boxed = opts["rules"] != "anhoej"
        lmax = row["box_longest_run_max"] if boxed else row["longest_run_max"]
        cmin = row["box_crossings_min"] if boxed else row["n_crossings_min"]
        if pd.notna(lmax) and row["longest_run"] is not pd.NA and pd.notna(row["longest_run"]) \
                and row["longest_run"] > lmax:
            k, length = _latest_long_run(side, runlen, int(lmax))
            where = "above" if side[k] > 0 else "below"
            parts.append(f"{length} points in a row {where} the centre line from "
                         f"{x_text(xs[k], kind)}: a shift, unlikely to be chance{_direction(where, improvement)}")
        if pd.notna(cmin) and pd.notna(row["n_crossings"]) and row["n_crossings"] < cmin:
            times = {0: "never", 1: "only once"}.get(int(row["n_crossings"]), f"only {int(row['n_crossings'])} times")
            parts.append(f"the line crosses the centre {times} (by chance it would cross at least "
                         f"{int(cmin)} times): the process has shifted")
    else:  # ihi
        sh = t["shift"].to_numpy()[idx]
        tr = t["trend"].to_numpy()[idx]
        if sh.any():
            k = int(np.flatnonzero(sh)[0])
            where = "above" if side[k] > 0 else "below"
            parts.append(f"a shift: {int(runlen[k])} points in a row {where} the centre line from "
                         f"{x_text(xs[k], kind)}{_direction(where, improvement)}")
        if tr.any():
            k = int(np.flatnonzero(tr)[0])
            parts.append(f"a trend of 5 or more points going the same way from {x_text(xs[k], kind)}")
        if t["runs"].to_numpy()[idx].any():
            parts.append(f"{int(row['n_crossings']) + 1} runs, outside the {int(row['n_crossings_min']) + 1} to "
                         f"{int(row['n_crossings_max']) + 1} expected by chance")
    sig = t["sigma_signal"].to_numpy()[idx]
    if sig.any():
        k = int(np.flatnonzero(sig)[0])
        v = t["value"].to_numpy()[idx][k]
        where = "above the upper" if v > t["ucl"].to_numpy()[idx][k] else "below the lower"
        parts.append(f"{int(sig.sum())} point(s) outside the limits, first {x_text(xs[k], kind)} "
                     f"({where} limit{_direction('above' if 'above' in where else 'below', improvement)})")
    signals = [p for p in parts if not p.startswith(("x is a category", "runs are not"))]
    if not signals:
        note = (" " + parts[0][0].upper() + parts[0][1:] + ".") if parts else ""
        return head + "No signals: the variation is consistent with chance (common cause)." + note
    text = "; ".join(parts)
    return head + text[0].upper() + text[1:] + "."


def _latest_long_run(side: np.ndarray, runlen: np.ndarray, limit: int) -> tuple[int, int]:
    """Index of the first point of the most recent run longer than ``limit``, and its length."""
    useful = np.flatnonzero(side != 0)
    last = useful[runlen[useful] > limit][-1]
    length = int(runlen[last])
    members = useful[useful <= last][-length:]
    return int(members[0]), length


def _direction(where: str, improvement: str) -> str:
    if improvement == "neutral":
        return ""
    good = (where == "above") == (improvement == "increase")
    return ", an improvement" if good else ", a concern"
