"""Private helpers for the QI drawings: wrapping labels and showing objects in a notebook.

Diagrams are drawn with Altair on a pixel grid (scales fixed to the canvas, axes
hidden), so the layout arithmetic in each module is in pixels.

Example
-------
>>> wrap("Post-incident action plan as a flow chart", 20)
'Post-incident action\\nplan as a flow chart'
"""
from __future__ import annotations

import base64
import html
import textwrap
from typing import Any

import pandas as pd

from .theme import alt

__all__ = ["wrap", "n_lines", "pixel_x", "pixel_y", "bundle_with_html", "table_html"]

LINE_HEIGHT = 17  # pixels per line of 13-14 px text


def wrap(text: str, width: int) -> str:
    """Wrap ``text`` to lines of at most ``width`` characters, joined by newlines."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=True)) or ""


def n_lines(text: str) -> int:
    """Number of lines in a wrapped label."""
    return text.count("\n") + 1


def pixel_x(field: str, width: float) -> alt.X:
    """An x channel on a 0..width pixel scale with no axis."""
    return alt.X(f"{field}:Q", scale=alt.Scale(domain=[0, width], nice=False, zero=False), axis=None)


def pixel_y(field: str, height: float) -> alt.Y:
    """A y channel on a 0..height pixel scale, 0 at the top, with no axis."""
    return alt.Y(
        f"{field}:Q", scale=alt.Scale(domain=[0, height], nice=False, zero=False, reverse=True), axis=None
    )


def table_html(table: pd.DataFrame, heading: str = "", reading: str = "") -> str:
    """A table as HTML with an optional heading and plain-English reading above it."""
    parts = []
    if heading:
        parts.append(f"<h4 style='margin:0.3em 0'>{html.escape(heading)}</h4>")
    if reading:
        parts.append(f"<p style='margin:0.2em 0 0.6em 0'>{html.escape(reading)}</p>")
    parts.append(table.to_html(index=False, escape=True, na_rep=""))
    return "<div class='equitykit-qi'>" + "".join(parts) + "</div>"


def bundle_with_html(chart: alt.TopLevelMixin, fallback_html: str) -> dict[str, Any]:
    """The chart's MIME bundle under the active renderer, always with a text/html entry.

    The HTML entry is the drawing itself where the renderer gives one (SVG or PNG),
    otherwise the fallback table, so an exported notebook still shows something useful.
    """
    bundle = chart._repr_mimebundle_()
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    bundle = dict(bundle or {})
    if "text/html" not in bundle:
        if "image/svg+xml" in bundle:
            bundle["text/html"] = f"<div>{bundle['image/svg+xml']}</div>"
        elif "image/png" in bundle:
            png = bundle["image/png"]
            if isinstance(png, bytes):
                png = base64.b64encode(png).decode("ascii")
            bundle["text/html"] = f"<img src='data:image/png;base64,{png}'>"
        else:
            bundle["text/html"] = fallback_html
    bundle.setdefault("text/plain", "<equitykit drawing>")
    return bundle
