"""Workshop evaluation: how many agreed, with an honest interval, and a diverging bar chart.

Facilitators ask participants to rate statements such as "I understand what
equity is" on a five-point scale after each part of the workshop. ``likert``
turns those answers (long data, or the wide sheet a form exports) into the
share who agreed or strongly agreed, with a Wilson score interval, and draws
the answers as a diverging stacked bar chart centred on "neither".

Example
-------
>>> import pandas as pd
>>> answers = pd.DataFrame({"statement": ["I understand equity"] * 4,
...                         "response": ["Agree", "Strongly agree", "Disagree", "Agree"]})
>>> res = likert(answers)
>>> res.table[["statement", "n", "agree", "percent_agree"]].to_dict("records")
[{'statement': 'I understand equity', 'n': 4, 'agree': 3, 'percent_agree': 75.0}]
"""
from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._arguments import vocabulary
from .intervals import wilson
from .results import Result, Summary
from .theme import PALETTE, alt
from .validation import EquityKitError, as_frame, describe_rows, require_columns

__all__ = ["LIKERT_LEVELS", "LikertResult", "likert"]

#: The five answers, from most negative to most positive.
LIKERT_LEVELS = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)

# Column names used in the table for the count of each answer.
_COUNT_COLUMNS = ("strongly_disagree", "disagree", "neither", "agree_only", "strongly_agree")

# Spellings seen in form exports, after lower-casing and squashing punctuation.
_ALIASES = {
    "strongly disagree": 0,
    "disagree strongly": 0,
    "disagree": 1,
    "neither agree nor disagree": 2,
    "neither agree or disagree": 2,
    "neither disagree nor agree": 2,
    "neither": 2,
    "neutral": 2,
    "not sure": 2,
    "agree": 3,
    "strongly agree": 4,
    "agree strongly": 4,
}

_COLOURS = (
    PALETTE["signal"],  # strongly disagree: vermillion
    PALETTE["concern"],  # disagree: orange
    PALETTE["muted"],  # neither: grey
    "#56B4E9",  # agree: sky blue (Okabe-Ito)
    PALETTE["improvement"],  # strongly agree: blue
)


def _code_answers(raw: pd.Series, column: str) -> pd.Series:
    """Return each answer as 0-4 (NaN when blank); raise naming the column and rows for others."""
    codes = pd.Series(np.nan, index=raw.index, dtype=float)
    for idx, value in raw.items():
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            continue
        if isinstance(value, (bool, np.bool_)):
            code = None
        elif isinstance(value, (int, float, np.integer, np.floating)):
            code = int(value) - 1 if float(value).is_integer() and 1 <= value <= 5 else None
        else:
            text = re.sub(r"[^a-z0-9]+", " ", str(value).lower()).strip()
            if text == "":
                continue
            if re.fullmatch(r"[1-5]( 0)?", text):
                code = int(text[0]) - 1
            else:
                # "5 Strongly agree" or "Strongly agree (5)": a code and a label together.
                words = re.sub(r"\b[1-5]\b", " ", text)
                code = _ALIASES.get(re.sub(r"\s+", " ", words).strip())
        if code is None:
            codes[idx] = -1
        else:
            codes[idx] = code
    bad = codes == -1
    if bad.any():
        count = int(bad.sum())
        raise EquityKitError(
            f"column '{column}' has {count} answer{'s' if count > 1 else ''} that "
            f"{'are' if count > 1 else 'is'} not on the five-point scale, e.g. {describe_rows(raw, bad)}. "
            f"Use {', '.join(LIKERT_LEVELS)} (any case), or the codes 1-5 "
            "(1 = strongly disagree, 5 = strongly agree); leave a cell empty for no answer."
        )
    return codes


class LikertResult(Result):
    """Agreement with each statement (and part), with Wilson intervals.

    Attributes
    ----------
    table : DataFrame
        One row per part (when given) and statement. Columns: ``part`` (when
        given), ``statement``, ``n`` (people who answered), the count of each
        answer (``strongly_disagree``, ``disagree``, ``neither``, ``agree_only``,
        ``strongly_agree``), ``no_answer``, ``agree`` (agree or strongly agree),
        ``percent_agree``, ``lower`` and ``upper`` (Wilson interval, percent).
    """

    def __init__(self, table: pd.DataFrame, part: str | None, confidence: float) -> None:
        self.table = table
        self.part = part
        self.confidence = confidence

    def summary(self) -> Summary:
        """The % who agreed or strongly agreed with each statement, with a reading.

        Example
        -------
        >>> import pandas as pd
        >>> res = likert(pd.DataFrame({"statement": ["S"] * 2, "response": ["Agree", "Agree"]}))
        >>> res.summary().reading
        "100% agreed or strongly agreed that 'S' (2 of 2; 95% interval 34.2% to 100%)."
        """
        cols = (["part"] if self.part else []) + ["statement", "n", "agree", "percent_agree", "lower", "upper"]
        lines = []
        for row in self.table.itertuples(index=False):
            if row.n == 0:
                lines.append(f"Nobody answered '{row.statement}'.")
                continue
            where = f"{row.part}: " if self.part else ""
            lines.append(
                f"{where}{_pct(row.percent_agree)} agreed or strongly agreed that '{row.statement}' "
                f"({row.agree} of {row.n}; {self.confidence:.0%} interval "
                f"{_pct(row.lower)} to {_pct(row.upper)})."
            )
        return Summary(self.table[cols].reset_index(drop=True), reading="\n".join(lines))

    def _draw(self) -> alt.Chart | alt.FacetChart:
        """A diverging stacked bar chart: disagreement left of zero, agreement right.

        "Neither agree nor disagree" is split in half across zero, so each bar is
        centred on neutral. Built from the table (one row per statement, part
        and answer), never from the individual answers.
        """
        long = []
        for row in self.table.itertuples(index=False):
            counts = [getattr(row, c) for c in _COUNT_COLUMNS]
            pcts = [100 * c / row.n if row.n else 0.0 for c in counts]
            left = -(pcts[0] + pcts[1] + pcts[2] / 2)
            for level, (label, count, pct) in enumerate(zip(LIKERT_LEVELS, counts, pcts)):
                item = {
                    "statement": row.statement,
                    "answer": label,
                    "order": level,
                    "count": int(count),
                    "percent": round(pct, 1),
                    "start": left,
                    "end": left + pct,
                }
                if self.part:
                    label = str(getattr(row, "part"))
                    item["part"] = f"Part {label}" if re.fullmatch(r"\d+(\.0)?", label) else label
                long.append(item)
                left += pct
        frame = pd.DataFrame(long)
        statements = list(dict.fromkeys(self.table["statement"]))
        bars = alt.Chart().mark_bar().encode(
            x=alt.X(
                "start:Q",
                title="% of answers (disagree left, agree right)",
                axis=alt.Axis(labelExpr="abs(datum.value) + '%'", values=list(range(-100, 101, 25))),
                scale=alt.Scale(domain=[-100, 100]),
            ),
            x2="end:Q",
            y=alt.Y("statement:N", sort=statements, title=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color(
                "answer:N",
                scale=alt.Scale(domain=list(LIKERT_LEVELS), range=list(_COLOURS)),
                sort=list(LIKERT_LEVELS),
                title=None,
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("statement:N"),
                alt.Tooltip("answer:N"),
                alt.Tooltip("count:Q"),
                alt.Tooltip("percent:Q", title="%"),
            ],
        )
        centre = alt.Chart().mark_rule(color=PALETTE["centre"]).encode(x=alt.datum(0))
        layered = alt.layer(bars, centre, data=frame).properties(width=480)
        if self.part:
            parts = list(dict.fromkeys(frame["part"]))
            return (
                layered.facet(
                    row=alt.Row("part:N", sort=parts, title=None,
                                header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold"))
                )
                .resolve_scale(y="independent")  # each part shows only its own statements
                .properties(title="How participants rated the workshop")
            )
        return layered.properties(title="How participants rated the workshop")


def _pct(value: float) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


@vocabulary(renamed={"part": "by"}, positional=("statement", "response", "part"))
def likert(
    data: Any,
    *,
    statement: str | Sequence[str] = "statement",
    response: str = "response",
    by: str | None = None,
    confidence: float = 0.95,
) -> LikertResult:
    """Share who agreed or strongly agreed with each statement, with a Wilson interval.

    Parameters
    ----------
    data : DataFrame or path to a CSV file
        Long data (one row per person and statement) or the wide sheet a form
        exports (one column per statement, one row per person).
    statement : str or list of str
        Long data: the column naming the statement (default ``"statement"``).
        Wide data: the list of statement columns.
    response : str
        Long data only: the column with the answer.
    by : str, optional
        Column saying which part of the workshop (e.g. 1 or 2) the answer is
        from (formerly ``part=``); the table's column is ``part``.
    confidence : float
        Confidence level of the interval (default 0.95).

    Answers may be the five labels in any case or spacing ("Strongly agree",
    "strongly  AGREE", "Neither agree or disagree", "Neutral") or the codes 1-5
    (1 = strongly disagree). Empty cells count as no answer, outside ``n``.

    Returns
    -------
    LikertResult
        ``.table`` (one row per part and statement: ``n``, counts of each answer,
        ``agree``, ``percent_agree``, ``lower``, ``upper`` in percent),
        ``.summary()`` and ``.chart()`` (diverging stacked bars centred on neutral).

    Notes
    -----
    Wilson score interval (Wilson 1927), as PHEindicatormethods ``phe_proportion``:
    65 of 100 at 95% gives 55.2544% to 73.6358%.

    Example
    -------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"I could apply QI to inequity": [5, 4, 4, 2, "Agree"]})
    >>> likert(wide, statement=["I could apply QI to inequity"]).table.loc[0, "percent_agree"]
    np.float64(80.0)
    """
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        if not path.exists():
            raise EquityKitError(f"cannot find the file '{path}': check the name and the folder.")
        data = pd.read_csv(path)
    frame = as_frame(data, "the evaluation answers")
    part = by
    if not 0 < confidence < 1:
        raise EquityKitError(f"confidence={confidence!r} should be between 0 and 1, e.g. 0.95.")

    if isinstance(statement, str):
        require_columns(frame, [statement, response, part], "the evaluation answers")
        blank = frame[statement].isna()
        if blank.any():
            raise EquityKitError(
                f"column '{statement}' has empty cells, e.g. {describe_rows(frame[statement], blank)}. "
                "Every answer needs the statement it belongs to."
            )
        long = pd.DataFrame(
            {
                "statement": frame[statement].astype(str).to_numpy(),
                "code": _code_answers(frame[response], response).to_numpy(),
            }
        )
        if part:
            long["part"] = frame[part].to_numpy()
    else:
        columns = list(statement)
        if not columns:
            raise EquityKitError("statement=[] names no columns: list the statement columns of the sheet.")
        require_columns(frame, [*columns, part], "the evaluation answers")
        pieces = []
        for col in columns:
            piece = pd.DataFrame(
                {"statement": str(col), "code": _code_answers(frame[col], str(col)).to_numpy()}
            )
            if part:
                piece["part"] = frame[part].to_numpy()
            pieces.append(piece)
        long = pd.concat(pieces, ignore_index=True)

    keys = (["part"] if part else []) + ["statement"]
    if part and long["part"].isna().any():
        raise EquityKitError(
            f"column '{part}' has empty cells: say which part of the workshop each answer is from."
        )
    rows = []
    for key, group in long.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        codes = group["code"].dropna().astype(int)
        counts = np.bincount(codes.to_numpy(), minlength=5)
        rows.append(
            {
                **dict(zip(keys, key)),
                "n": int(counts.sum()),
                **{name: int(c) for name, c in zip(_COUNT_COLUMNS, counts)},
                "no_answer": int(group["code"].isna().sum()),
                "agree": int(counts[3] + counts[4]),
            }
        )
    table = pd.DataFrame(rows)
    answered = table["n"].to_numpy() > 0  # a statement nobody answered has no percentage
    for col in ("percent_agree", "lower", "upper"):
        table[col] = np.nan
    if answered.any():
        w = wilson(table["agree"].to_numpy()[answered], table["n"].to_numpy()[answered], confidence)
        for col, values in (("percent_agree", w.estimate), ("lower", w.lower), ("upper", w.upper)):
            table.loc[answered, col] = 100 * np.asarray(values, dtype=float)
    return LikertResult(table, part if part else None, confidence)
