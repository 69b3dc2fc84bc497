"""The Altair chart of an :class:`~equitykit.spc.SPCResult`.

Built from the result's aggregated point table only (one row per point per
group, never the caller's raw rows), in the kit's theme colours, large enough
to read on a projector. Layers: limits (stepped where they vary with n),
centre line (in the signal colour when the phase has a runs signal), the data
line, points coloured by what they signal, the target, phase breaks and
labelled annotations (PDSA cycles).

Example
-------
>>> import pandas as pd
>>> import equitykit as ek
>>> d = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=12, freq="MS"),
...                   "incidents": [4, 6, 5, 7, 3, 5, 4, 6, 2, 1, 2, 1]})
>>> ch = ek.spc(d, x="month", y="incidents", chart="c",
...             annotations=[("2023-09-01", "PDSA 1")]).chart()
>>> spec = ch.to_dict()
>>> "layer" in spec
True
"""
from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from .theme import PALETTE
from .wording import chart_name, number, words

__all__ = ["build_chart", "SPCChart", "SPCFacetChart", "MAX_GROUPS"]

MAX_GROUPS = 12

_STATUS_COLOURS = {
    "Common cause": PALETTE["data"],
    "Outside the limits": PALETTE["signal"],
    "Part of a shift or trend": PALETTE["neutral"],
    "Improvement": PALETTE["improvement"],
    "Concern": PALETTE["concern"],
    "Special cause (neutral)": PALETTE["neutral"],
    "Excluded": PALETTE["muted"],
}


def _status(res: Any) -> np.ndarray:
    t, opts = res.table, res.options
    status = np.full(len(t), "Common cause", dtype=object)
    if opts["rules"] == "mdc":
        pt = t["point_type"].to_numpy(dtype=object)
        status[pt == "special_cause_improvement"] = "Improvement"
        status[pt == "special_cause_concern"] = "Concern"
        status[np.isin(pt, ["special_cause_neutral_high", "special_cause_neutral_low"])] = "Special cause (neutral)"
    else:
        run_flags = [c for c in ("long_run", "shift", "trend") if c in t]
        in_run = np.zeros(len(t), dtype=bool)
        for c in run_flags:
            in_run |= t[c].to_numpy(dtype=bool)
        status[in_run] = "Part of a shift or trend"
        sig = t["sigma_signal"].to_numpy(dtype=bool)
        if opts["improvement"] != "neutral" and opts["rules"] != "mdc":
            good_high = opts["improvement"] == "increase"
            high = t["value"].to_numpy(dtype=float) > t["cl"].to_numpy(dtype=float)
            status[sig & (high == good_high)] = "Improvement"
            status[sig & (high != good_high)] = "Concern"
        else:
            status[sig] = "Outside the limits"
    status[t["excluded"].to_numpy(dtype=bool)] = "Excluded"
    return status


def _date_axis(first: pd.Timestamp, last: pd.Timestamp, width: int) -> dict:
    """Ticks that always carry the year ("Oct 2020", or "5 Oct 2020" for short spans), not too many to read."""
    most = max(2, width // 80)
    months = (last.year - first.year) * 12 + last.month - first.month
    if months >= 3:
        step = next((s for s in (1, 2, 3, 4, 6, 12, 24, 60, 120) if months / s <= most), 240)
        if step >= 12:
            return {"format": "%Y", "tickCount": {"interval": "year", "step": step // 12}}
        return {"format": "%b %Y", "tickCount": {"interval": "month", "step": step}, "labelOverlap": True}
    days = max(1, (last - first).days)
    step = next((s for s in (1, 2, 7, 14) if days / s <= most * 0.75), 28)
    return {"format": "%-d %b %Y", "tickCount": {"interval": "day", "step": step}, "labelOverlap": True}


def _x_encoding(kind: str, title: str, categories: list | None, axis: dict | None = None) -> dict:
    if kind == "date":
        return {"field": "x", "type": "temporal", "title": title, "axis": axis or {"format": "%b %Y"}}
    if kind == "number":
        return {"field": "x", "type": "quantitative", "title": title, "scale": {"zero": False}}
    return {"field": "x", "type": "ordinal", "title": title, "sort": categories}


def _records(cols: dict[str, np.ndarray], extra: list[dict]) -> dict:
    """Inline JSON rows for the chart: the points, then phase breaks and annotations.

    Built from numpy columns (Altair's own DataFrame conversion is the slowest
    step of making a small chart). Missing numbers become null.
    """
    rows: list[dict] = []
    for block in [cols] + extra:
        names = list(block)
        columns = []
        for name in names:
            arr = np.asarray(block[name])
            if arr.dtype.kind == "f" and not np.isfinite(arr).all():
                arr = np.where(np.isfinite(arr), arr.astype(object), None)
            columns.append(arr.tolist())
        rows.extend(dict(zip(names, r)) for r in zip(*columns))
    return {"values": rows}


def _layer(mark: dict, encoding: dict, layer: str, extra_filter: str | None = None,
           either: str | None = None) -> alt.Chart:
    test = f"datum.layer == '{layer}'" + (f" || datum.layer == '{either}'" if either else "")
    test = f"({test})" + (f" && {extra_filter}" if extra_filter else "") if either else \
        test + (f" && {extra_filter}" if extra_filter else "")
    return alt.Chart(mark=mark, transform=[{"filter": test}], encoding=alt.FacetedEncoding(**encoding))


class SPCChart(alt.LayerChart):
    """An Altair layered chart whose ``to_dict()`` skips re-validating the spec by default.

    equitykit builds the spec from tested code (its tests validate it against
    the Vega-Lite schema); validation is the slowest step of turning a chart
    into a spec. Pass ``validate=True`` to validate anyway. Its layers carry no
    data or parameters of their own, so Altair's merging of them is skipped.
    """

    def __init__(self, data: Any = alt.Undefined, layer: Any = (), **kwargs: Any) -> None:
        alt.TopLevelLayerSpec.__init__(self, data=data, layer=list(layer), **kwargs)

    def to_dict(self, *args: Any, validate: bool = False, **kwargs: Any) -> dict:  # type: ignore[override]
        return super().to_dict(*args, validate=validate, **kwargs)


class SPCFacetChart(alt.FacetChart):
    """The faceted (``by=``) version of :class:`SPCChart`."""

    def to_dict(self, *args: Any, validate: bool = False, **kwargs: Any) -> dict:  # type: ignore[override]
        return super().to_dict(*args, validate=validate, **kwargs)


def build_chart(res: Any, title: str | None = None, width: int = 640, height: int = 300) -> alt.TopLevelMixin:
    """Build the layered (and, with ``by``, faceted) Altair chart of an SPC result."""
    t, opts = res.table, res.options
    by = opts["by"]
    kind = opts["kind"]
    keep = np.ones(len(t), dtype=bool)
    note = ""
    group = None
    if by:
        group = (t[by].astype(str).agg(" | ".join, axis=1) if len(by) > 1 else t[by[0]].astype(str)).to_numpy(object)
        groups = list(pd.unique(group))
        if len(groups) > MAX_GROUPS:
            note = f" (first {MAX_GROUPS} of {len(groups)} groups; filter the data to chart others)"
            keep = np.isin(group, groups[:MAX_GROUPS])
            group = group[keep]
    phase = t["phase"].to_numpy()[keep]
    x = t["x"].to_numpy()[keep]
    categories = None
    if kind == "date":
        x = pd.DatetimeIndex(x).strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
    elif kind == "category":
        x = np.asarray([str(v) for v in x], dtype=object)
        categories = list(pd.unique(x))
    segment = phase.astype(str).astype(object)
    if by:
        segment = group + "#" + segment
    cols: dict[str, np.ndarray] = {"x": x}
    for c in ("value", "cl", "lcl", "ucl"):
        cols[c] = t[c].to_numpy(dtype=float)[keep]
    if opts["target"] is not None:
        cols["target"] = t["target"].to_numpy(dtype=float)[keep]
    cols["run_signal"] = t["run_signal"].to_numpy(dtype=bool)[keep]
    cols["status"] = _status(res)[keep]
    cols["segment"] = segment
    cols["layer"] = np.full(len(x), "point", dtype=object)
    if by:
        cols["group"] = group
    present = [s for s in _STATUS_COLOURS if s in set(cols["status"])]

    stacked = np.concatenate([cols[c] for c in ("value", "ucl", "lcl") + (("target",) if "target" in cols else ())])
    finite = stacked[np.isfinite(stacked)]
    top, bottom = (float(finite.max()), float(finite.min())) if finite.size else (1.0, 0.0)
    span = (top - bottom) or 1.0

    # where things sit along x, as a share of the width (to keep markers apart)
    def x_share(values: np.ndarray) -> np.ndarray:
        if kind == "category":
            pos = {c: i for i, c in enumerate(categories or [])}
            v = np.asarray([pos.get(str(c), np.nan) for c in values], dtype=float)
            lo, hi = 0.0, float(max(len(pos) - 1, 1))
        else:
            v = (pd.DatetimeIndex(values).asi8.astype(float) if kind == "date"
                 else np.asarray(values, dtype=float))
            allx = pd.DatetimeIndex(x).asi8.astype(float) if kind == "date" else np.asarray(x, dtype=float)
            allx = np.concatenate([allx, v])
            allx = allx[np.isfinite(allx)]
            lo, hi = (float(allx.min()), float(allx.max())) if allx.size else (0.0, 1.0)
        return (v - lo) / ((hi - lo) or 1.0)

    ann = res.annotations
    n_ann = len(ann)
    key_rows: list[tuple[str, str]] = []
    if n_ann:
        ax = ann["x"]
        if kind == "date":
            from .periods import to_timestamps

            ax = to_timestamps(list(ax), "annotation x values (dates like the chart's x)")
            order = np.argsort(ax.to_numpy(), kind="stable")
            when = np.asarray([f"{d.day} {d:%b %Y}" for d in ax], dtype=object)
            ax = ax.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
        elif kind == "category":
            ax = np.asarray([str(v) for v in ax], dtype=object)
            order = np.arange(len(ax))
            when = ax.copy()
        else:
            ax = pd.to_numeric(ax, errors="coerce").to_numpy(dtype=float)
            order = np.argsort(ax, kind="stable")
            when = np.asarray([f"{v:g}" for v in ax], dtype=object)
        labels = np.asarray([str(v) for v in ann["label"]], dtype=object)[order]
        details = np.asarray([str(v) for v in ann["detail"]], dtype=object)[order]
        ax, when = np.asarray(ax)[order], when[order]
        nums = np.asarray([str(i + 1) for i in range(n_ann)], dtype=object)
        # Numbered markers, staggered upwards when they would touch (about 22 px apart).
        px = np.nan_to_num(x_share(ax), nan=0.0) * width
        last_px: list[float] = []
        level = np.zeros(n_ann, dtype=int)
        for i, p in enumerate(px):
            free = [k for k, q in enumerate(last_px) if p - q >= 22]
            if free:
                k = free[0]
            elif len(last_px) < 4:
                k = len(last_px)
                last_px.append(p)
            else:
                k = int(np.argmin(last_px))
            last_px[k] = p
            level[i] = k
        levels_used = int(level.max()) + 1
        key_rows = [(n, f"{w}: {lab}") for n, w, lab in zip(nums, when, labels)]
    else:
        levels_used = 0

    # headroom above the data: one row per marker level, one for phase labels, each about 22 px
    first = np.r_[True, segment[1:] != segment[:-1]] & (phase > 1)
    n_phase_breaks = int(first.sum())
    plot_h = max(120, height // 2) if by else height
    rows = levels_used + (1 if n_phase_breaks else 0)
    share = min(0.45, rows * 22 / plot_h)
    row = span / (1 - share) * 22 / plot_h if rows else 0.0

    extra: list[dict] = []
    if n_phase_breaks:
        if opts["phase_labels"]:
            plabels = t["phase_label"].to_numpy(dtype=object)[keep][first]
        else:
            plabels = np.asarray([f"Phase {p}" for p in phase[first]], dtype=object)
        pb = {"x": x[first], "label": plabels, "layer": np.full(n_phase_breaks, "phase", dtype=object),
              "ypos": np.full(n_phase_breaks, top + row * (levels_used + 0.5))}
        if by:
            pb["group"] = group[first]
        extra.append(pb)
    if n_ann:
        groups_shown = list(pd.unique(group)) if by else [None]
        for g in groups_shown:
            block = {"x": ax, "num": nums, "label": labels, "when": when, "detail": details,
                     "layer": np.full(n_ann, "annotation", dtype=object), "ypos": top + row * (level + 0.5)}
            if by:
                block["group"] = np.full(n_ann, g, dtype=object)
            extra.append(block)
    gaps = _gap_rows(res, kind, group_names=list(pd.unique(group)) if by else None)
    if gaps:
        extra.append(gaps)
    data_spec = _records(cols, extra)

    x_title = words(opts["x"])
    y_title = words(opts["y"]) + (f" / {words(opts['n'])}" if opts["n"] is not None else "")
    if opts["multiply"] == 100 and opts["chart"] in ("p", "pp"):
        y_title = f"% ({y_title})"
    elif opts["multiply"] != 1 and opts["n"] is not None:
        y_title = f"{words(opts['y'])} per {opts['multiply']:,g} {words(opts['n'])}"
    elif opts["multiply"] != 1:
        y_title = f"{y_title} x {opts['multiply']:g}"
    axis = None
    if kind == "date":
        stamps = pd.DatetimeIndex(np.concatenate([x, ax]) if n_ann and kind == "date" else x)
        axis = _date_axis(stamps.min(), stamps.max(), width)
    X = _x_encoding(kind, x_title, categories, axis)
    interp = "step" if (opts["chart"] in ("p", "pp", "u", "up") and opts["n"] is not None) else "linear"
    y_scale: dict = {"zero": False}
    # counts, rates and gaps cannot be negative: keep the axis from dipping below 0
    if opts["chart"] in _NON_NEGATIVE and bottom >= 0:
        y_scale["domainMin"] = 0 if bottom <= 0.25 * top else bottom

    def Y(field: str) -> dict:
        return {"field": field, "type": "quantitative", "title": y_title, "scale": y_scale}

    seg = {"field": "segment", "type": "nominal"}
    layers = [
        _layer({"type": "line", "strokeDash": [6, 4], "strokeWidth": 1.8, "color": PALETTE["limit"],
                "interpolate": interp}, {"x": X, "y": Y("lcl"), "detail": seg}, "point"),
        _layer({"type": "line", "strokeDash": [6, 4], "strokeWidth": 1.8, "color": PALETTE["limit"],
                "interpolate": interp}, {"x": X, "y": Y("ucl"), "detail": seg}, "point"),
        _layer({"type": "line", "strokeWidth": 2.2, "interpolate": interp},
               {"x": X, "y": Y("cl"), "detail": seg,
                "color": {"condition": {"test": "datum.run_signal", "value": PALETTE["signal"]},
                          "value": PALETTE["centre"]}}, "point"),
    ]
    if "target" in cols:
        layers.append(_layer({"type": "line", "strokeDash": [10, 4], "strokeWidth": 2, "color": PALETTE["target"]},
                             {"x": X, "y": Y("target"), "detail": seg}, "point"))
    if not opts["categorical"]:
        # missing periods are rows with no value: the line breaks there instead of joining across
        layers.append(_layer({"type": "line", "strokeWidth": 1.5, "color": PALETTE["line"]},
                             {"x": X, "y": Y("value")}, "point", either="gap"))
    xt: dict = {"field": "x", "type": X["type"], "title": x_title or "x"}
    if kind == "date":
        xt["format"] = "%-d %b %Y"
    layers.append(_layer(
        {"type": "point", "filled": True, "size": 80, "opacity": 1},
        {"x": X, "y": Y("value"),
         "color": {"field": "status", "type": "nominal", "title": None,
                   "scale": {"domain": present, "range": [_STATUS_COLOURS[s] for s in present]}},
         "shape": {"condition": {"test": "datum.status == 'Excluded'", "value": "diamond"}, "value": "circle"},
         "tooltip": [xt, {"field": "value", "type": "quantitative", "format": ".4~g"},
                     {"field": "cl", "type": "quantitative", "title": "centre line", "format": ".4~g"},
                     {"field": "lcl", "type": "quantitative", "title": "lower limit", "format": ".4~g"},
                     {"field": "ucl", "type": "quantitative", "title": "upper limit", "format": ".4~g"},
                     {"field": "status", "type": "nominal", "title": "signal"}]}, "point"))
    if n_phase_breaks:
        layers.append(_layer({"type": "rule", "strokeWidth": 1.5, "color": PALETTE["muted"]}, {"x": X}, "phase"))
        layers.append(_layer({"type": "text", "align": "left", "baseline": "middle", "dx": 4, "fontSize": 13,
                              "color": PALETTE["annotation"]},
                             {"x": X, "y": Y("ypos"), "text": {"field": "label", "type": "nominal"}}, "phase"))
    if n_ann:
        tip = [{"field": "num", "type": "nominal", "title": "PDSA / note"},
               {"field": "when", "type": "nominal", "title": "when"},
               {"field": "label", "type": "nominal", "title": "note"},
               {"field": "detail", "type": "nominal", "title": "detail"}]
        layers.append(_layer({"type": "rule", "strokeWidth": 1.5, "strokeDash": [3, 3], "color": PALETTE["annotation"]},
                             {"x": X, "tooltip": tip}, "annotation"))
        layers.append(_layer({"type": "point", "shape": "circle", "size": 340, "filled": True, "fill": "white",
                              "stroke": PALETTE["annotation"], "strokeWidth": 1.5, "opacity": 1},
                             {"x": X, "y": Y("ypos"), "tooltip": tip}, "annotation"))
        layers.append(_layer({"type": "text", "align": "center", "baseline": "middle", "fontSize": 12,
                              "fontWeight": "bold", "color": PALETTE["annotation"]},
                             {"x": X, "y": Y("ypos"), "text": {"field": "num", "type": "nominal"}, "tooltip": tip},
                             "annotation"))
    head = title or _default_title(opts)
    sub = _subtitle(res, note, width)
    subtitle = [sub] if sub else []
    if key_rows and not by:
        # the key below the x axis: one text layer per entry, placed in pixels, two columns when wide
        ncol = 2 if (width >= 560 and len(key_rows) > 3) else 1
        col_w = width / ncol
        nrow = -(-len(key_rows) // ncol)
        for i, (num, text) in enumerate(key_rows):
            c, r = divmod(i, nrow)
            where = {"y": {"value": height + 84 + 17 * r}, "tooltip": tip}
            keep_row = [{"filter": f"datum.layer == 'annotation' && datum.num == '{num}'"}]
            layers.append(alt.Chart(
                mark={"type": "text", "align": "right", "baseline": "top", "fontSize": 12, "fontWeight": "bold",
                      "color": PALETTE["annotation"]},
                transform=keep_row,
                encoding=alt.FacetedEncoding(x={"value": c * col_w + 14}, text={"value": num}, **where)))
            layers.append(alt.Chart(
                mark={"type": "text", "align": "left", "baseline": "top", "fontSize": 12,
                      "color": PALETTE["annotation"], "limit": col_w - 30},
                transform=keep_row,
                encoding=alt.FacetedEncoding(x={"value": c * col_w + 20}, text={"value": text}, **where)))
    elif key_rows:
        per_line = 2 if width >= 560 else 1
        for i in range(0, len(key_rows), per_line):
            subtitle.append("   ".join(f"{num} {text[:40]}" for num, text in key_rows[i:i + per_line]))
    title_spec = {"text": head, "subtitle": subtitle}
    records = data_spec
    if by:
        spec = alt.LayerChart(layer=layers, width=width, height=plot_h)
        order = list(pd.unique(group))
        return SPCFacetChart(data=records, spec=spec, title=title_spec, facet={
            "row": {"field": "group", "type": "nominal", "title": None, "sort": order,
                    "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 14}}})
    return SPCChart(data=records, layer=layers, width=width, height=height, title=title_spec)


_NON_NEGATIVE = {"c", "u", "p", "pp", "up", "g", "t", "mr", "s", "run"}


def _gap_rows(res: Any, kind: str, group_names: list | None) -> dict:
    """Rows with no value at the periods a regular series skips, so the data line breaks there."""
    missing = res.options.get("missing")
    if missing is None or not len(missing):
        return {}
    by = res.options["by"]
    if by:
        key = (missing[by].astype(str).agg(" | ".join, axis=1) if len(by) > 1 else missing[by[0]].astype(str))
        missing = missing[key.isin(group_names or []).to_numpy()]
        key = key[key.isin(group_names or [])].to_numpy(dtype=object)
    if not len(missing):
        return {}
    xs = missing["x"].to_numpy()
    if kind == "date":
        xs = pd.DatetimeIndex(xs).strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
    block = {"x": xs, "value": np.full(len(missing), np.nan), "layer": np.full(len(missing), "gap", dtype=object)}
    if by:
        block["group"] = key
    return block


def _subtitle(res: Any, note: str, width: int) -> str:
    """One line about the whole chart, short enough not to be cut off at the chart's width."""

    s, opts = res.summary(), res.options
    if opts["by"]:
        line = res.summary().reading.splitlines()[0] if len(s) else ""
        if len(s) and s["trial_limits"].any():
            line += " Trial limits (under 20 points)."
    else:
        last = s.iloc[-1]
        centre = "median" if opts["chart"] in ("run", "g") else "mean"
        bits = [f"{centre} {number(float(last['cl']))}"]
        if np.isfinite(float(last["ucl"])):
            trial = "trial limits" if bool(last.get("trial_limits", False)) else "limits"
            bits.append(f"{trial} {number(float(last['lcl']))} to {number(float(last['ucl']))}")
        sig = _signal_words(res, len(s) - 1)
        bits.append(sig or "no signals")
        line = ", ".join(bits)
        if len(s) > 1:
            earlier = int(sum(bool(_signal_words(res, i)) for i in range(len(s) - 1)))
            lab = last["phase_label"] if opts["phase_labels"] else last["phase"]
            before = f" (signals in {earlier} earlier)" if earlier else ""
            line = f"{len(s)} phases{before}; last phase, {lab}: {line}"
        else:
            line = line[0].upper() + line[1:]
    line += note
    most = max(40, int(width / 6.9))  # about 6.9 px a character at the subtitle's 13 px
    return line if len(line) <= most else line[:most - 1].rstrip(" ,;") + "…"


def _signal_words(res: Any, k: int) -> str:
    """A few words on segment ``k``'s signals ('' when none)."""
    s = res.summary().iloc[k]
    status = _status(res)[res._seg == k]
    parts = []
    n_out = int(s["sigma_signals"])
    if n_out:
        parts.append(f"{n_out} point{'s' if n_out > 1 else ''} outside the limits")
    if bool(s["runs_signal"]):
        parts.append("a shift or trend" if res.options["rules"] in ("ihi", "mdc") else "unusual runs")
    if not parts:
        return ""
    good, bad = (status == "Improvement").any(), (status == "Concern").any()
    tone = " (improvement)" if good and not bad else " (concern)" if bad and not good else ""
    return " and ".join(parts) + tone


def _default_title(opts: dict) -> str:

    what = words(opts["y"]) + (f" per {words(opts['n'])}" if opts["n"] is not None else "")
    return f"{chart_name(opts['chart'], opts['rules'])} of {what}"
