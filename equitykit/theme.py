"""The kit's one look and its renderers, set in one place.

The look is colour-blind safe (Okabe-Ito palette), with large type for a
projector. It travels with each chart the kit returns (:func:`styled` puts
:data:`LOOK` in the chart's own ``config``), so importing equitykit changes
no global Altair theme and leaves a learner's other charts alone. The
renderer is chosen explicitly, once, by the notebook: offline in JupyterLab
(:func:`use_offline_renderer`), static SVG in handouts
(:func:`use_svg_renderer`).

Altair itself is imported the first time a chart is built (:data:`alt`):
importing it costs more than importing pandas.

A chart that carries its own look cannot be layered or concatenated with
another chart (Vega-Lite keeps ``config`` at the top level only); to combine
a kit chart with your own, drop the look first: ``chart.properties(config=alt.Undefined)``
or build the combination and pass it to :func:`styled`.

Example
-------
>>> import equitykit as ek
>>> ek.theme.PALETTE["improvement"]
'#0072B2'
>>> ek.theme.LOOK["font"]
'Arial, Helvetica, sans-serif'
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from .files import atomic_write_text

__all__ = [
    "PALETTE", "CATEGORY_COLOURS", "LOOK", "alt", "styled", "use_offline_renderer", "use_svg_renderer",
]

# Okabe-Ito: distinguishable with the common forms of colour blindness.
CATEGORY_COLOURS = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#CC79A7",  # pink
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]

PALETTE = {
    "data": "#4D4D4D",
    "line": "#7F7F7F",
    "centre": "#000000",
    "limit": "#7F7F7F",
    "target": "#009E73",
    "improvement": "#0072B2",
    "concern": "#E69F00",
    "neutral": "#7F3C8D",
    "signal": "#D55E00",
    "reference": "#000000",
    "muted": "#BDBDBD",
    "annotation": "#555555",
}

#: The Vega-Lite ``config`` every chart the kit returns carries.
LOOK: dict[str, Any] = {
    "font": "Arial, Helvetica, sans-serif",
    "view": {"continuousWidth": 640, "continuousHeight": 320, "stroke": None},
    "axis": {
        "labelFontSize": 13,
        "titleFontSize": 14,
        "titleFontWeight": "normal",
        "gridColor": "#E5E5E5",
        "domainColor": "#7F7F7F",
        "tickColor": "#7F7F7F",
    },
    "legend": {"labelFontSize": 13, "titleFontSize": 14, "orient": "bottom"},
    "title": {"fontSize": 17, "anchor": "start", "subtitleFontSize": 13, "subtitleColor": "#555555"},
    "header": {"labelFontSize": 14, "titleFontSize": 14},
    "range": {"category": CATEGORY_COLOURS},
    "line": {"strokeWidth": 2},
    "point": {"size": 60, "filled": True},
    "text": {"fontSize": 13},
}


class _LazyAltair:
    """``altair``, imported on first use: ``from .theme import alt`` costs nothing at import."""

    def __getattr__(self, name: str) -> Any:
        module: ModuleType = importlib.import_module("altair")
        return getattr(module, name)

    def __repr__(self) -> str:
        return "<altair, imported when first used>"


alt: Any = _LazyAltair()

ChartT = TypeVar("ChartT")


def styled(chart: ChartT) -> ChartT:
    """A copy of ``chart`` carrying the kit's look in its own ``config``.

    Every chart the kit returns goes through here; a global Altair theme is
    never enabled.

    Example
    -------
    >>> import altair as alt, pandas as pd
    >>> c = styled(alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q"))
    >>> c.to_dict()["config"]["axis"]["labelFontSize"]
    13
    """
    return chart.configure(**LOOK)  # type: ignore[attr-defined]


# A real bundle carries Vega itself (megabytes); anything small is not one.
_MIN_BUNDLE_CHARS = 100_000


def _bundle_cache() -> Path:
    import importlib.metadata

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    versions = f"altair{alt.__version__}-vlc{importlib.metadata.version('vl-convert-python')}"
    return root / "equitykit" / f"vega-bundle-{versions}.js"


def use_offline_renderer() -> None:
    """Render charts in JupyterLab with no network (Vega bundled, not from a CDN).

    Call it once, in the first cell of a notebook. Bundling Vega takes a few
    seconds, so the bundle is kept in ``~/.cache/equitykit`` for the next kernel.
    """
    from altair.jupyter import JupyterChart

    if not JupyterChart._is_offline:
        try:
            cache = _bundle_cache()
            bundle = cache.read_text(encoding="utf-8") if cache.is_file() else ""
        except (OSError, ImportError):  # importlib.metadata.PackageNotFoundError is an ImportError
            cache, bundle = None, ""
        if len(bundle) > _MIN_BUNDLE_CHARS:
            # The state JupyterChart.enable_offline() leaves, read from disk instead of re-bundled.
            JupyterChart._esm = bundle
            JupyterChart._is_offline = True
        else:
            JupyterChart.enable_offline(True)
            if cache is not None:
                try:
                    atomic_write_text(cache, JupyterChart._esm)
                except OSError:
                    pass  # a read-only home only costs the next kernel a few seconds
    alt.renderers.enable("jupyter", offline=True)


def use_svg_renderer() -> None:
    """Render charts as static inline SVG (for handouts and HTML exports)."""
    alt.renderers.enable("svg")

