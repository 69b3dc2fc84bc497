"""Interactive explorers for the notebooks: thin widgets over pure functions.

Each explorer is built from a *view*, a pure function
``view(data, **choices) -> (chart, reading)`` that tests call directly. The
widget only holds the controls (one per choice), an ``Output`` showing the chart
and an ``HTML`` showing the plain-English reading; when a control changes, it
calls the view again. Nothing important lives only in a widget.

- ``gap_explorer``: pick a characteristic and a reference group (step 1);
- ``spc_explorer``: pick a chart type and a rule set, move the baseline (step 4);
- ``gap_effect_explorer``: move two groups' results and see whether the gap
  narrowed, was maintained or widened (notebook 00).

``notebook_setup()``, called in each workshop notebook's first cell, sets up
that kernel for learners (offline charts, short warnings, plain errors).

ipywidgets is imported only when an explorer is built, so ``import equitykit``
stays quick for scripts and handouts.

Example
-------
>>> import pandas as pd
>>> from equitykit.widgets import gap_effect_view
>>> story = pd.DataFrame({"group": ["A", "B"], "before": [54, 62], "after": [68, 71]})
>>> chart, reading = gap_effect_view(story)
>>> reading.splitlines()[0]
'The gap between A and B was 8 points before and 3 points after: it narrowed.'
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from .lens import effect_on_gap
from .theme import alt, styled
from .validation import EquityKitError, as_frame, require_columns
from .wording import words as column_words

__all__ = [
    "Explorer",
    "gap_view",
    "spc_view",
    "gap_effect_view",
    "gap_explorer",
    "spc_explorer",
    "gap_effect_explorer",
    "notebook_setup",
]

View = Callable[..., tuple[Any, str]]


def plain_label(column: str) -> str:
    """A column's name as a label in words: ``"imd_decile"`` -> ``"IMD decile"``.

    Example
    -------
    >>> plain_label("imd_decile"), plain_label("age_band")
    ('IMD decile', 'Age band')
    """
    words = column_words(column)
    return words[:1].upper() + words[1:]


# --- pure views -------------------------------------------------------------------

def gap_view(
    data: pd.DataFrame,
    *,
    outcome: str,
    by: str,
    reference: str = "best",
    n: str | None = None,
    improvement: str = "neutral",
) -> tuple[alt.TopLevelMixin, str]:
    """Disaggregate ``outcome`` by ``by`` against a reference group: the chart and its reading.

    A thin wrapper over ``equitykit.disaggregate``; see it for the arguments.
    """
    import equitykit

    result = equitykit.disaggregate(data, outcome=outcome, by=by, n=n, reference=reference, improvement=improvement)
    return result.chart(), result.summary().reading


def spc_view(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    chart: str = "run",
    rules: str = "anhoej",
    baseline: int = 0,
    improvement: str = "neutral",
    phase: Any = None,
    annotations: Any = None,
) -> tuple[alt.TopLevelMixin, str]:
    """An SPC chart and its reading, with limits frozen on the first ``baseline`` points.

    ``baseline=0`` uses every point for the limits. A thin wrapper over
    ``equitykit.spc``; see it for the other arguments.
    """
    import equitykit

    result = equitykit.spc(
        data, x=x, y=y, n=n, chart=chart, rules=rules, freeze=int(baseline) or None,
        improvement=improvement, phase=phase, annotations=annotations,
    )
    return result.chart(), result.summary().reading


def gap_effect_view(
    data: pd.DataFrame,
    *,
    first_after: float | None = None,
    second_after: float | None = None,
    unit: str = "%",
) -> tuple[alt.LayerChart, str]:
    """Two groups before and after a project: a slope chart and whether the gap changed.

    Parameters
    ----------
    data
        Two rows with columns ``group``, ``before`` and ``after`` (e.g. % screened).
    first_after, second_after
        Replace the 'after' figure of the first or second group (what the explorer moves).
    unit
        Shown after each figure in the chart.

    Returns
    -------
    (chart, reading)
        The reading says whether the gap narrowed, was maintained or widened, and
        whether each group improved. It is arithmetic on two figures: on real data,
        also ask whether the change is more than chance (``equitykit.equity_lens``).
    """
    frame = as_frame(data, "the two groups' figures")
    require_columns(frame, ["group", "before", "after"], "the two groups' figures")
    if len(frame) != 2:
        raise EquityKitError(f"the gap needs exactly two groups (rows); this table has {len(frame)}.")
    frame = frame.reset_index(drop=True)
    if first_after is not None:
        frame.loc[0, "after"] = float(first_after)
    if second_after is not None:
        frame.loc[1, "after"] = float(second_after)
    a, b = frame.to_dict("records")
    gap_before = abs(float(b["before"]) - float(a["before"]))
    gap_after = abs(float(b["after"]) - float(a["after"]))
    effect = effect_on_gap(gap_before, gap_after)

    def moved(row: dict) -> str:
        change = float(row["after"]) - float(row["before"])
        word = "rose" if change > 0 else "fell" if change < 0 else "stayed"
        return f"{row['group']} {word} from {row['before']:g}{unit} to {row['after']:g}{unit}"

    reading = (
        f"The gap between {a['group']} and {b['group']} was {gap_before:g} points before "
        f"and {gap_after:g} points after: it {effect}.\n"
        f"{moved(a)}; {moved(b)}."
    )
    long = frame.melt(id_vars="group", value_vars=["before", "after"], var_name="when", value_name="value")
    long["when"] = long["when"].map({"before": "Before", "after": "After"})
    base = alt.Chart(long).encode(
        x=alt.X("when:N", sort=["Before", "After"], title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=f"Result ({unit})", scale=alt.Scale(zero=False)),
        color=alt.Color("group:N", title=None),
    )
    chart = alt.layer(
        base.mark_line(),
        base.mark_point(size=120),
        base.mark_text(dx=14, align="left").encode(text=alt.Text("value:Q", format="~g")),
    ).properties(
        width=360, height=280,
        title=alt.TitleParams(f"Gap: {gap_before:g} points before, {gap_after:g} after", subtitle=f"The gap {effect}"),
    )
    return styled(chart), reading


# --- the widget -----------------------------------------------------------------------

def _reading_html(reading: str, problem: bool = False) -> str:
    style = "font-size:1.1em;margin:0.4em 0"
    if problem:
        style += ";background:#FFF4E0;border-left:6px solid #E69F00;padding:0.4em 0.8em"
    paras = "".join(f"<p style='margin:0.2em 0'>{html.escape(line)}</p>" for line in reading.splitlines() if line)
    return f"<div class='equitykit-reading' style='{style}'>{paras}</div>"


class Explorer:
    """Controls, a chart and its reading, kept in step by a pure view function.

    Parameters
    ----------
    view
        ``view(data, **choices) -> (chart, reading)``.
    data
        Passed unchanged to the view each time.
    controls
        ``{choice name: ipywidgets control}``; each control's ``value`` is passed to
        the view under that name.
    fixed
        Other keyword arguments passed to the view every time.

    Attributes
    ----------
    chart, reading_text
        The latest chart and reading (what tests look at).
    output, reading
        The ``Output`` holding the chart and the ``HTML`` holding the reading.
    widget
        The whole explorer (a ``VBox``); the explorer displays as it.
    """

    def __init__(self, view: View, data: Any, controls: Mapping[str, Any], fixed: Mapping[str, Any] | None = None) -> None:
        import ipywidgets as w

        self.view = view
        self.data = data
        self.controls = dict(controls)
        self.fixed = dict(fixed or {})
        self.output = w.Output()
        self.reading = w.HTML()
        self.chart: Any = None
        self.reading_text = ""
        self.updates = 0
        self._live: Any = None
        self.widget = w.VBox(
            [w.HBox(list(self.controls.values())), self.output, self.reading],
            layout=w.Layout(width="100%"),
        )
        self.widget.add_class("equitykit-explorer")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def choices(self) -> dict[str, Any]:
        """The keyword arguments the view is called with now."""
        return {**self.fixed, **{name: control.value for name, control in self.controls.items()}}

    def _on_change(self, change: Any = None) -> None:
        self.update()

    def update(self) -> None:
        """Call the view with the current choices and show its chart and reading."""
        try:
            chart, reading = self.view(self.data, **self.choices())
            problem = False
        except EquityKitError as exc:  # a choice that does not fit the data: say why, keep going
            chart, reading, problem = None, f"That choice does not work here: {exc}", True
        self.chart = chart
        self.reading_text = reading
        self.updates += 1
        self._show(chart)
        self.reading.value = _reading_html(reading, problem)

    def _show(self, chart: Any) -> None:
        from IPython.display import display

        if chart is not None and alt.renderers.active == "jupyter":
            # Keep one live chart widget and swap its spec: the front end redraws in place,
            # and the (large) offline Vega bundle is sent once, not at every change.
            from altair.jupyter import JupyterChart

            JupyterChart.enable_offline(offline=bool(alt.renderers.options.get("offline", False)))
            if self._live is not None:
                try:
                    self._live.chart = chart
                    return
                except Exception:  # a chart the live widget cannot take: draw a new one
                    self._live = None
            self._live = JupyterChart(chart)
            chart = self._live
        else:
            self._live = None
        self.output.clear_output(wait=True)
        if chart is not None:
            with self.output:
                display(chart)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _dropdown(description: str, options: Sequence[Any], value: Any = None) -> Any:
    import ipywidgets as w

    options = list(options)
    return w.Dropdown(
        options=options,
        value=value if value is not None else (options[0][1] if isinstance(options[0], tuple) else options[0]),
        description=description,
        style={"description_width": "initial"},
        layout=w.Layout(width="auto"),
    )


_REFERENCE_LABELS = [
    ("Best-outcome group", "best"),
    ("Everyone (overall)", "overall"),
    ("Least deprived end", "most_advantaged"),
]


def _reference_options(data: pd.DataFrame, by: str) -> list[tuple[str, Any]]:
    options = [o for o in _REFERENCE_LABELS if o[1] != "most_advantaged" or pd.api.types.is_numeric_dtype(data[by])]
    groups = sorted(data[by].dropna().unique().tolist(), key=lambda g: (str(type(g)), g))
    return options + [(f"Group: {g}", g) for g in groups]


def gap_explorer(
    data: pd.DataFrame,
    *,
    outcome: str,
    by: Sequence[str],
    n: str | None = None,
    improvement: str = "neutral",
    view: View = gap_view,
) -> Explorer:
    """Pick a characteristic and a reference group; see the gap chart and its reading.

    Parameters
    ----------
    data
        Row-level data (``outcome`` 0/1) or aggregated counts with ``n``.
    outcome, n, improvement
        As in ``equitykit.disaggregate``.
    by
        The characteristics offered, e.g. ``["imd_decile", "ethnicity", "age_band"]``.
    view
        The pure function behind the explorer (``gap_view``; tests pass a fake).
    """
    frame = as_frame(data)
    by = [by] if isinstance(by, str) else list(by)
    require_columns(frame, by + [outcome] + ([n] if n else []))
    characteristic = _dropdown("Characteristic", [(plain_label(b), b) for b in by])
    reference = _dropdown("Reference group", _reference_options(frame, by[0]))

    def refresh_references(change: Any) -> None:
        # Offer the new characteristic's groups; keep the choice if it still fits.
        current = reference.value
        options = _reference_options(frame, change["new"])
        values = [v for _, v in options]
        with reference.hold_trait_notifications():
            reference.options = options
            reference.value = current if current in values else "best"

    # Registered before the explorer's own observer, so the references fit the
    # new characteristic by the time the view is called.
    characteristic.observe(refresh_references, names="value")
    return Explorer(
        view, frame,
        {"by": characteristic, "reference": reference},
        fixed={"outcome": outcome, "n": n, "improvement": improvement},
    )


CHART_LABELS = {
    "run": "Run chart", "i": "I chart (XmR)", "c": "C chart (counts)", "u": "U chart (rates)",
    "p": "P chart (proportions)", "pp": "P' chart (Laney)", "up": "U' chart (Laney)",
    "g": "G chart (cases between)", "t": "T chart (time between)", "xbar": "Xbar chart", "s": "S chart", "mr": "MR chart",
}
RULE_LABELS = {"anhoej": "Anhoej (qicharts2)", "ihi": "IHI run rules", "mdc": "Making Data Count (NHS)",
               "bestbox": "Anhoej best box", "cutbox": "Anhoej cut box"}


def spc_explorer(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    charts: Sequence[str] = ("run", "i", "c"),
    rules: Sequence[str] = ("anhoej", "ihi", "mdc"),
    improvement: str = "neutral",
    annotations: Any = None,
    view: View = spc_view,
) -> Explorer:
    """Pick a chart type and a rule set and move the baseline; see the SPC chart and its reading.

    The baseline slider freezes the limits on the first k points (0: all points).
    """
    import ipywidgets as w

    frame = as_frame(data)
    require_columns(frame, [x, y] + ([n] if n else []))
    points = int(frame[x].nunique())
    chart = _dropdown("Chart", [(CHART_LABELS.get(c, c), c) for c in charts])
    rule = _dropdown("Rules", [(RULE_LABELS.get(r, r), r) for r in rules])
    baseline = w.IntSlider(
        value=0, min=0, max=max(points, 1), step=1, description="Baseline points (0 = all)",
        style={"description_width": "initial"}, continuous_update=False,
        layout=w.Layout(width="420px"),  # the default track is too short to drag point by point
    )
    return Explorer(
        view, frame,
        {"chart": chart, "rules": rule, "baseline": baseline},
        fixed={"x": x, "y": y, "n": n, "improvement": improvement, "annotations": annotations},
    )


def gap_effect_explorer(data: pd.DataFrame, *, unit: str = "%", view: View = gap_effect_view) -> Explorer:
    """Move each group's 'after' figure and see whether the gap narrowed, was maintained or widened."""
    import ipywidgets as w

    frame = as_frame(data, "the two groups' figures")
    require_columns(frame, ["group", "before", "after"], "the two groups' figures")
    sliders = {
        name: w.IntSlider(
            value=int(round(float(row["after"]))), min=0, max=100, step=1,
            description=f"{row['group']} after", style={"description_width": "initial"}, continuous_update=False,
            layout=w.Layout(width="360px"),
        )
        for name, (_, row) in zip(("first_after", "second_after"), frame.iterrows())
    }
    return Explorer(view, frame, sliders, fixed={"unit": unit})


# --- the notebook itself ------------------------------------------------------------

STUB_REMINDER = "... (your turn: replace the ... with your answer, then run the cell again)"


def kit_warning_text(message: Warning | str, category: type[Warning]) -> str:
    r"""A warning as a learner reads it: ``"SPCWarning: message"``, no file name or source line.

    Example
    -------
    >>> from equitykit.spc import SPCWarning
    >>> kit_warning_text(SPCWarning("Read signals with care."), SPCWarning)
    'SPCWarning: Read signals with care.\n'
    """
    return f"{category.__name__}: {message}\n"


def _from_learners_cell(filename: str, category: type[Warning]) -> bool:
    """True for the kit's warnings and for any warning pointing at a notebook cell (not a library file)."""
    import os

    return category.__module__.startswith("equitykit") or "ipykernel_" in filename or not os.path.isfile(filename)


def _show_warning_briefly(original: Callable) -> Callable:
    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001 - warnings' signature
        if not _from_learners_cell(str(filename), category):
            return original(message, category, filename, lineno, file, line)
        import sys

        stream = file if file is not None else sys.stderr
        try:
            stream.write(kit_warning_text(message, category))
        except OSError:
            pass

    show._equitykit = True  # type: ignore[attr-defined]
    return show


def notebook_setup(offline: bool = True) -> None:
    """Set up this notebook's kernel for the workshop; call it once, in the first cell.

    It changes this kernel only, and only when called (importing the kit changes nothing):

    - charts render with no network (``theme.use_offline_renderer``), unless ``offline=False``;
    - warnings from the kit or from a cell show as ``SPCWarning: message``, without the
      kernel's temporary file name and source line;
    - the kit's errors (``EquityKitError``) show as their message, without the kit's own
      source lines: the message names the column, the rows and what to do;
    - an exercise still left as ``...`` shows a reminder instead of ``Ellipsis``.

    Outside IPython only the first two apply.

    Example
    -------
    >>> notebook_setup(offline=False)  # doctest: +SKIP
    """
    import warnings

    from . import theme

    if offline:
        theme.use_offline_renderer()
    if not getattr(warnings.showwarning, "_equitykit", False):
        warnings.showwarning = _show_warning_briefly(warnings.showwarning)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with JupyterLab
        return
    shell = get_ipython()
    if shell is None:
        return

    def plain_error(self, etype, value, tb, tb_offset=None):  # noqa: ANN001 - IPython's handler signature
        # the message alone, e.g. "EquityKitError: The file ... has no column 'Date'. Did you mean 'date'?"
        lines = self.InteractiveTB.get_exception_only(etype, value)
        self._showtraceback(etype, value, ["".join(lines).rstrip("\n")])

    shell.set_custom_exc((EquityKitError,), plain_error)
    plain = shell.display_formatter.formatters["text/plain"]
    # IPython prints None, True, False and ... through its "singleton" printers, looked up by id
    plain.singleton_printers[id(Ellipsis)] = lambda obj, printer, cycle: printer.text(STUB_REMINDER)
