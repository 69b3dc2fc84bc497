"""The charts of step 1: each group's rate against the reference, the SII slope, pareto and representation.

Used by the results of :mod:`equitykit.gaps` (``res`` below is a GapResult,
SIIResult, ParetoResult or RepresentationResult); each function returns the
chart with no look of its own, which ``res.chart()`` styles.

Example
-------
>>> import pandas as pd
>>> import equitykit as ek
>>> refs = pd.DataFrame({"reason": ["a"] * 6 + ["b"] * 3 + ["c"]})
>>> pareto_chart(ek.pareto(refs, by="reason")).to_dict()["layer"][0]["mark"]["type"]
'bar'
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import privacy
from .theme import PALETTE, alt
from .wording import words

__all__ = ["gap_chart", "sii_chart", "pareto_chart", "representation_chart"]

_COMPARED_COLOURS = {
    "reference": PALETTE["reference"],
    "worse": PALETTE["concern"],
    "better": PALETTE["improvement"],
    "higher": PALETTE["neutral"],
    "lower": PALETTE["neutral"],
    "no clear difference": PALETTE["data"],
    "no rate": PALETTE["muted"],
    "suppressed": PALETTE["muted"],
}


def gap_chart(res: Any) -> alt.Chart:
    """Each group's rate with its interval, the reference group and its rate marked."""
    data = res.table[["group", "rate", "lower", "upper", "difference", "compared", "is_reference"]].copy()
    withheld = res._reference_withheld()
    data["reference_rate"] = np.nan if withheld else res.reference_rate * res.multiply
    unit = "%" if res.multiply == 100 else ""
    order = data["group"].tolist()
    title_by = " and ".join(words(b) for b in res.by)
    y = alt.Y("group:N", sort=order, title=title_by)
    domain = [k for k in _COMPARED_COLOURS if k in set(data["compared"])]
    colour = alt.Color("compared:N", title="Against the reference",
                       scale=alt.Scale(domain=domain, range=[_COMPARED_COLOURS[k] for k in domain]))
    base = alt.Chart(data)
    tooltip = [alt.Tooltip("group:N", title=title_by),
               alt.Tooltip("rate:Q", format=".1f", title=f"rate{unit and ' (%)'}"),
               alt.Tooltip("lower:Q", format=".1f"), alt.Tooltip("upper:Q", format=".1f"),
               alt.Tooltip("difference:Q", format=".1f"), alt.Tooltip("compared:N")]
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("lower:Q", title=f"{res._outcome_words()} rate{' (%)' if unit else ''}"),
        x2="upper:Q", y=y, color=colour, tooltip=tooltip)
    points = base.mark_point(filled=True, size=90).encode(
        x="rate:Q", y=y, color=colour,
        shape=alt.Shape("is_reference:N", legend=None,
                        scale=alt.Scale(domain=[False, True], range=["circle", "diamond"])),
        tooltip=tooltip)
    rule = base.mark_rule(strokeDash=[6, 4], color=PALETTE["reference"]).encode(x="mean(reference_rate):Q")
    layers = bars + points if withheld else bars + points + rule
    chart = layers.properties(
        title=alt.TitleParams(
            f"{res._outcome_words()} rate by {title_by}",
            subtitle=f"Dots: rate; lines: {res.confidence * 100:g}% interval; dashed line: reference "
                     f"({res.reference_group})"),
        height=alt.Step(22),
    )
    # shared (suppress=True): the chart's data rounded as the table is, so labels cannot say more
    return privacy.safe_chart(chart, places=privacy.rate_places(res.multiply)) if res.suppressed else chart


def sii_chart(res: Any) -> alt.Chart:
    """Each group's rate at the midpoint of its population share, with the fitted slope."""
    g = res._gap
    data = res.groups.copy()
    unit = " (%)" if g.multiply == 100 else ""
    x = alt.X("midpoint:Q", scale=alt.Scale(domain=[0, 1]),
              title="Cumulative share of the population: most deprived (0) to least deprived (1)")
    base = alt.Chart(data)
    bars = base.mark_rule(color=PALETTE["data"], strokeWidth=2).encode(x=x, y="lower:Q", y2="upper:Q")
    points = base.mark_point(filled=True, size=80, color=PALETTE["data"]).encode(
        x=x, y=alt.Y("rate:Q", title=f"{g._outcome_words()} rate{unit}"),
        tooltip=["group:N", alt.Tooltip("rate:Q", format=".1f"), alt.Tooltip("population_share:Q", format=".1%")])
    line = base.mark_line(color=PALETTE["signal"], strokeDash=[6, 3]).encode(x=x, y="fitted:Q")
    t = res.table.iloc[0]
    return (bars + points + line).properties(
        title=alt.TitleParams(
            f"{g._outcome_words()} rate across {words(g.by[0])}",
            subtitle=f"Dashed line: fitted slope; SII {t['sii']:.1f}, RII (PHE) {t['rii']:.2f}"))


def pareto_chart(res: Any) -> alt.Chart:
    """Bars of counts, largest first, with the cumulative percentage line and the 80% mark."""
    data = res.table[["category", "count", "percent", "cumulative_percent"]].copy()
    data["count"] = pd.to_numeric(data["count"], errors="coerce")
    data["eighty"] = 80.0
    order = data["category"].tolist()
    x = alt.X("category:N", sort=order, title=words(res.category), axis=alt.Axis(labelAngle=-40))
    base = alt.Chart(data)
    bars = base.mark_bar(color=PALETTE["data"]).encode(
        x=x, y=alt.Y("count:Q", title=f"Number of {res._what}"),
        tooltip=["category:N", "count:Q", alt.Tooltip("percent:Q", format=".1f")])
    right = alt.Y("cumulative_percent:Q", title="Cumulative %", scale=alt.Scale(domain=[0, 100]),
                  axis=alt.Axis(orient="right"))
    line = base.mark_line(color=PALETTE["signal"], point=alt.OverlayMarkDef(color=PALETTE["signal"])).encode(
        x=x, y=right, tooltip=["category:N", alt.Tooltip("cumulative_percent:Q", format=".1f")])
    eighty = base.mark_rule(strokeDash=[4, 4], color=PALETTE["reference"]).encode(
        y=alt.Y("mean(eighty):Q", scale=alt.Scale(domain=[0, 100])))
    return alt.layer(bars, line + eighty).resolve_scale(y="independent").properties(
        width=alt.Step(max(36, min(70, 480 // max(len(data), 1)))),
        title=alt.TitleParams(f"Pareto chart of {res._what} by {words(res.category)}",
                              subtitle="Bars: counts, largest first; line: cumulative %; dashed: 80%"))


def representation_chart(res: Any) -> alt.Chart:
    """Service share with its interval (dots) against population share (ticks), by group."""
    data = res.table[["group", "service_share", "service_lower", "service_upper", "population_share",
                       "representation"]].copy()
    order = data["group"].tolist()
    y = alt.Y("group:N", sort=order, title=words(res.by))
    base = alt.Chart(data)
    colour = alt.Color("representation:N", title="In the service",
                       scale=alt.Scale(domain=["under-represented", "in line", "over-represented",
                                               "no population figure"],
                                       range=[PALETTE["concern"], PALETTE["data"], PALETTE["improvement"],
                                              PALETTE["muted"]]))
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("service_lower:Q", title="Share (%)"), x2="service_upper:Q", y=y, color=colour)
    dots = base.mark_point(filled=True, size=90).encode(
        x="service_share:Q", y=y, color=colour,
        tooltip=["group:N", alt.Tooltip("service_share:Q", format=".1f"),
                 alt.Tooltip("population_share:Q", format=".1f")])
    ticks = base.mark_tick(color=PALETTE["reference"], thickness=3, size=18).encode(
        x="population_share:Q", y=y)
    return (bars + dots + ticks).properties(
        title=alt.TitleParams(f"Share of the service and of the population by {words(res.by)}",
                              subtitle=f"Dots: share of the service ({res.confidence * 100:g}% interval); "
                                       "black ticks: share of the local population"),
        height=alt.Step(22))
