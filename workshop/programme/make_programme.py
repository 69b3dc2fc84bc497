"""Make the sample programme in workshop/programme/: teams with known effects.

A fictional trust-wide programme on missed appointments and deprivation (the
published story in the kit's method notes). Every team counts missed
appointments per fortnight by IMD quintile (or decile); what happens to the
most deprived group after the team's first PDSA cycle is set here, so the
programme page can be checked against it:

- ``improving``: the most deprived group's missed-appointment rate falls to
  the least deprived group's level after the change (the gap narrows);
- ``steady``: nothing changes (the gap is maintained);
- ``worsening``: the most deprived group's rate rises (the gap widens).

The last fortnight is held back in ``extracts/next_fortnight.csv`` (one file
for every team, with a ``team`` column), together with one corrected past
value, to show ``equitykit programme ... --update``. The same seed always
gives the same files. Run from the repository root:

    python workshop/programme/make_programme.py
"""
from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20220301
HERE = Path(__file__).resolve().parent
START = "2023-01-02"
FORTNIGHTS = 52  # two years

# name, effect, size (appointments per fortnight in each quintile), characteristic, ideas tested, target
SAMPLE_TEAMS = [
    ("Riverside Outpatients", "improving", 120, "imd_quintile", ["peer-reminder-calls", "travel-support"], 14),
    ("Community Dental Team", "improving", 70, "imd_quintile", ["peer-reminder-calls"], 12),
    ("Memory Clinic", "improving", 140, "imd_decile", ["community-outreach"], None),
    ("Physiotherapy North", "steady", 90, "imd_quintile", ["evening-weekend-clinics"], 14),
    ("Diabetes Education", "steady", 50, "imd_quintile", ["translated-information"], None),
    ("Perinatal Mental Health", "steady", 40, "imd_quintile", [], None),
    ("Sexual Health Clinic", "worsening", 100, "imd_quintile", ["evening-weekend-clinics"], 14),
    ("Speech and Language Therapy", "worsening", 130, "imd_decile", ["community-outreach"], None),
]
# Missed-appointment rate before the change, most deprived (quintile 1) to least deprived (quintile 5).
BASE_RATES = [0.26, 0.21, 0.17, 0.14, 0.12]
AFTER_Q1 = {"improving": 0.13, "steady": 0.26, "worsening": 0.38}
COLUMNS = ["fortnight", "group", "missed", "appointments"]


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def team_counts(rng: np.random.Generator, effect: str, size: int, characteristic: str,
                periods: pd.DatetimeIndex, change: pd.Timestamp) -> pd.DataFrame:
    """Missed appointments and appointments per fortnight and group, with the effect after ``change``."""
    deciles = characteristic == "imd_decile"
    rows = []
    for when in periods:
        for quintile, before in enumerate(BASE_RATES, start=1):
            rate = AFTER_Q1[effect] if quintile == 1 and when >= change else before
            groups = (2 * quintile - 1, 2 * quintile) if deciles else (quintile,)
            for group in groups:
                n = int(rng.poisson(size / len(groups)))
                rows.append((when.date().isoformat(), group, int(rng.binomial(n, rate)), n))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.rename(columns={"group": characteristic})


def _csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def make_programme(out: Path = HERE, teams: list[tuple] | None = None, fortnights: int = FORTNIGHTS,
                   seed: int = SEED, hold_back: bool = True) -> Path:
    """Write programme.yaml, teams/*.csv and extracts/next_fortnight.csv into ``out``; return the YAML path.

    ``teams`` defaults to the eight sample teams; each team's first PDSA cycle
    starts halfway through. With ``hold_back`` the last fortnight goes to the
    extract instead of the team files.
    """
    rng = np.random.default_rng(seed)
    teams = SAMPLE_TEAMS if teams is None else teams
    out = Path(out)
    (out / "teams").mkdir(parents=True, exist_ok=True)
    periods = pd.date_range(START, periods=fortnights, freq="14D")
    change = periods[fortnights // 2]
    lines = [
        "# A sample programme for `make programme` (equitykit programme workshop/programme/programme.yaml).",
        "# Fictional teams of a fictional trust, made by make_programme.py with known effects.",
        "# The keys are those of the teams file (workshop/teams.yaml), plus the programme's name and,",
        "# for each team, an optional target: the focus group's rate the team aims for (in %).",
        "programme: Missed appointments and deprivation",
        "defaults:",
        "  outcome: missed",
        "  n: appointments",
        "  date: fortnight",
        "  chart: p",
        "  improvement: decrease",
        "teams:",
    ]
    extract = []
    for name, effect, size, characteristic, ideas, target in teams:
        slug = _slug(name)
        counts = team_counts(rng, effect, size, characteristic, periods, change)
        last = counts["fortnight"] == periods[-1].date().isoformat()
        if hold_back:
            extract.append(counts[last].assign(team=name))
            counts = counts[~last]
        (out / "teams" / f"{slug}.csv").write_text(_csv(counts), encoding="utf-8")
        cycles = [{"cycle_id": f"{i + 1}", "change_idea": f"Test {idea.replace('-', ' ')}",
                   "start_date": (change + pd.Timedelta(weeks=6 * i)).date().isoformat(), "idea": idea}
                  for i, idea in enumerate(ideas)]
        reference, focus = ("10", "1") if characteristic == "imd_decile" else ("5", "1")
        lines += [f"  - name: {name}", f"    data: teams/{slug}.csv", f"    characteristic: {characteristic}",
                  f'    reference: "{reference}"', f'    focus: "{focus}"']
        if cycles:
            (out / "teams" / f"{slug}_pdsa.csv").write_text(_csv(pd.DataFrame(cycles)), encoding="utf-8")
            lines.append(f"    pdsa_log: teams/{slug}_pdsa.csv")
        if target is not None:
            lines.append(f"    target: {target}")
    (out / "programme.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if hold_back and extract:
        frame = pd.concat(extract, ignore_index=True)
        # One past value corrected in the new extract (a late-recorded appointment), to show the report.
        first = teams[0]
        first_file = pd.read_csv(out / "teams" / f"{_slug(first[0])}.csv")
        past = first_file[first_file["fortnight"] == periods[-2].date().isoformat()].head(1).assign(team=first[0])
        past["appointments"] += 1
        frame = pd.concat([past, frame], ignore_index=True)
        (out / "extracts").mkdir(exist_ok=True)
        groups = [c for c in frame.columns if c.startswith("imd_")]
        frame[groups] = frame[groups].astype("Int64")  # 1, not 1.0, where a column is empty for other teams
        columns = ["team", "fortnight", *groups, "missed", "appointments"]
        (out / "extracts" / "next_fortnight.csv").write_text(_csv(frame[columns]), encoding="utf-8")
    return out / "programme.yaml"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: this one)")
    args = parser.parse_args(argv)
    print(make_programme(args.out))


if __name__ == "__main__":
    main()
