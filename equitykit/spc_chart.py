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
from .validation import EquityKitError

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


def _x_encoding(kind: str, title: str, categories: list | None) -> dict:
    if kind == "date":
        return {"field": "x", "type": "temporal", "title": title}
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


def _layer(mark: dict, encoding: dict, layer: str, extra_filter: str | None = None) -> alt.Chart:
    test = f"datum.layer == '{layer}'" + (f" && {extra_filter}" if extra_filter else "")
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

    extra: list[dict] = []
    first = np.r_[True, segment[1:] != segment[:-1]] & (phase > 1)
    n_phase_breaks = int(first.sum())
    if n_phase_breaks:
        if opts["phase_labels"]:
            labels = t["phase_label"].to_numpy(dtype=object)[keep][first]
        else:
            labels = np.asarray([f"Phase {p}" for p in phase[first]], dtype=object)
        pb = {"x": x[first], "label": labels, "layer": np.full(n_phase_breaks, "phase", dtype=object),
              "ypos": np.full(n_phase_breaks, bottom - 0.04 * span)}
        if by:
            pb["group"] = group[first]
        extra.append(pb)
    ann = res.annotations
    if len(ann):
        ax = ann["x"]
        if kind == "date":
            from .spc import parse_dates

            parsed = parse_dates(pd.Series(list(ax), dtype=object))
            if parsed.isna().any():
                bad = [v for v, ok in zip(ax, parsed.notna()) if not ok]
                raise EquityKitError(
                    f"annotation x values should be dates like the chart's x (e.g. '2024-03-01'), got {bad[:3]!r}.")
            ax = pd.DatetimeIndex(parsed)
            order = np.argsort(ax.to_numpy(), kind="stable")
            ax = ax.strftime("%Y-%m-%dT%H:%M:%S").to_numpy(dtype=object)
        elif kind == "category":
            ax = np.asarray([str(v) for v in ax], dtype=object)
            order = np.arange(len(ax))
        else:
            ax = pd.to_numeric(ax, errors="coerce").to_numpy(dtype=float)
            order = np.argsort(ax, kind="stable")
        labels = np.asarray([str(v)[:40] for v in ann["label"]], dtype=object)[order]
        details = np.asarray([str(v) for v in ann["detail"]], dtype=object)[order]
        ax = np.asarray(ax)[order]
        ypos = top + span * (0.10 + 0.09 * (np.arange(len(ax)) % 3))
        groups_shown = list(pd.unique(group)) if by else [None]
        for g in groups_shown:
            block = {"x": ax, "label": labels, "detail": details,
                     "layer": np.full(len(ax), "annotation", dtype=object), "ypos": ypos}
            if by:
                block["group"] = np.full(len(ax), g, dtype=object)
            extra.append(block)
    data_spec = _records(cols, extra)

    x_title = str(opts["x"])
    y_title = str(opts["y"]) + (f" / {opts['n']}" if opts["n"] is not None else "")
    if opts["multiply"] == 100 and opts["chart"] in ("p", "pp"):
        y_title = f"% ({y_title})"
    elif opts["multiply"] != 1:
        y_title = f"{y_title} x {opts['multiply']:g}"
    X = _x_encoding(kind, x_title, categories)
    interp = "step" if (opts["chart"] in ("p", "pp", "u", "up") and opts["n"] is not None) else "linear"

    def Y(field: str) -> dict:
        return {"field": field, "type": "quantitative", "title": y_title, "scale": {"zero": False}}

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
        layers.append(_layer({"type": "line", "strokeWidth": 1.5, "color": PALETTE["line"]},
                             {"x": X, "y": Y("value")}, "point"))
    xt = {"field": "x", "type": X["type"], "title": x_title}
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
        layers.append(_layer({"type": "text", "align": "left", "dx": 4, "fontSize": 13, "color": PALETTE["annotation"]},
                             {"x": X, "y": Y("ypos"), "text": {"field": "label", "type": "nominal"}}, "phase"))
    if len(ann):
        layers.append(_layer({"type": "rule", "strokeWidth": 1.5, "strokeDash": [3, 3], "color": PALETTE["annotation"]},
                             {"x": X, "tooltip": [{"field": "label", "type": "nominal", "title": "note"},
                                                  {"field": "detail", "type": "nominal", "title": "detail"}]},
                             "annotation"))
        layers.append(_layer({"type": "text", "align": "left", "dx": 4, "fontSize": 13, "fontWeight": "bold",
                              "color": PALETTE["annotation"]},
                             {"x": X, "y": Y("ypos"), "text": {"field": "label", "type": "nominal"}},
                             "annotation"))
    head = title or _default_title(opts)
    reading = res.summary().reading.splitlines()
    # the overall line with groups; otherwise the latest phase, the one the team is living in
    sub = ((reading[0] if by else reading[-1]) if reading else "") + note
    if len(sub) > 150:
        sub = sub[:147] + "..."
    title_spec = {"text": head, "subtitle": [sub] if sub else []}
    records = data_spec
    if by:
        h = max(120, height // 2)
        spec = alt.LayerChart(layer=layers, width=width, height=h)
        order = list(pd.unique(group))
        return SPCFacetChart(data=records, spec=spec, title=title_spec, facet={
            "row": {"field": "group", "type": "nominal", "title": None, "sort": order,
                    "header": {"labelAngle": 0, "labelAlign": "left", "labelFontSize": 14}}})
    return SPCChart(data=records, layer=layers, width=width, height=height, title=title_spec)


def _default_title(opts: dict) -> str:
    from .spc import chart_name

    what = str(opts["y"]) + (f" per {opts['n']}" if opts["n"] is not None else "")
    return f"{chart_name(opts['chart'], opts['rules'])} of {what}"
