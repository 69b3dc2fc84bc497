"""The kit's teaching datasets: synthetic, fictional, and shipped inside the package.

Every dataset describes a fictional trust (Riverside NHS Foundation Trust) and
its fictional wards, teams and borough; no row describes a real person. The
stories and figures the data carry are those of published QI-for-equity work
(missed appointments and deprivation, racism on a forensic ward, access to
early intervention, cervical screening, talking therapies for young Black men,
the workshop's evaluation). ``data/README.md`` describes every column.

The files are made from one fixed seed by ``tools/make_datasets.py`` (a
maintainer's tool, not part of the installed kit) and read here from the
course files that travel with the package (``equitykit.course``).

Example
-------
>>> from equitykit.datasets import load_dataset, list_datasets
>>> "appointments" in set(list_datasets()["name"])
True
>>> incidents = load_dataset("ward_incidents")
>>> incidents.columns.tolist()
['fortnight_start', 'incidents', 'phase', 'change_idea']
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from .course import course_files
from .validation import EquityKitError

__all__ = ["DATASETS", "Dataset", "dataset", "list_datasets", "load_dataset"]


@dataclass(frozen=True)
class Dataset:
    """One teaching dataset: its name, what it shows, its step (1-5) and its columns.

    ``columns`` maps each column to ``"date"``, ``"int"`` or ``"text"``.
    """

    name: str
    description: str
    step: int
    columns: dict[str, str]

    @property
    def file(self) -> str:
        """The file's path among the course files, e.g. ``data/appointments.csv``."""
        return f"data/{self.name}.csv"


#: Every bundled dataset, by name, in the order of the sequence of improvement.
DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "appointments",
            "Two years of outpatient appointments (about 100,000 rows): did-not-attend "
            "falls from the most to the least deprived decile, with ethnicity and age patterns.",
            1,
            {"appointment_id": "text", "date": "date", "team": "text", "age": "int",
             "age_band": "text", "sex": "text", "ethnicity": "text", "imd_decile": "int",
             "dna": "int"},
        ),
        Dataset(
            "referrals_by_ethnicity",
            "A year's referrals to a talking-therapies service by ONS 2021 ethnic group, "
            "for a Pareto chart.",
            1,
            {"ethnicity": "text", "ethnic_group": "text", "referrals": "int"},
        ),
        Dataset(
            "population_by_ethnicity",
            "The borough's adult population by the same ethnic groups, to check whom "
            "referrals under-represent.",
            1,
            {"ethnicity": "text", "ethnic_group": "text", "population": "int"},
        ),
        Dataset(
            "talking_therapies",
            "Monthly referrals to talking therapies and those of Black men aged 18-25 "
            "(about 1.5% rising to 1.8%): the data behind an aim statement.",
            3,
            {"month": "date", "referrals": "int", "black_men_18_25": "int", "phase": "text",
             "change_idea": "text"},
        ),
        Dataset(
            "ward_incidents",
            "Racist incidents per fortnight on a forensic ward: about 2 at baseline, about "
            "0.3 after three change ideas (a C chart).",
            4,
            {"fortnight_start": "date", "incidents": "int", "phase": "text",
             "change_idea": "text"},
        ),
        Dataset(
            "ward_incident_log",
            "Every incident on the same ward, one row each, for a safety cross.",
            4,
            {"incident_id": "text", "date": "date", "category": "text"},
        ),
        Dataset(
            "pdsa_log",
            "The ward's PDSA cycles: change idea, plan with prediction, do, study, act.",
            4,
            {"cycle_id": "int", "change_idea": "text", "plan": "text", "do": "text",
             "study": "text", "act": "text", "start_date": "date", "end_date": "date"},
        ),
        Dataset(
            "ei_access",
            "Monthly ethnic-minority service users of an early-intervention psychosis "
            "service: about 67% at baseline rising to about 85% (a P chart).",
            4,
            {"month": "date", "ethnic_minority_users": "int", "service_users": "int",
             "phase": "text", "change_idea": "text"},
        ),
        Dataset(
            "cervical_screening",
            "Monthly women screened and eligible by age group in a GP practice: both "
            "groups improve and the gap narrows from about 8 to about 3 points.",
            5,
            {"month": "date", "age_group": "text", "screened": "int", "eligible": "int",
             "phase": "text", "change_idea": "text"},
        ),
        Dataset(
            "workshop_evaluation",
            "Participants' 5-point Likert answers after part 1 and part 2 of the workshop "
            "(long format).",
            5,
            {"respondent": "text", "part": "text", "statement": "text", "response": "text"},
        ),
    )
}


def list_datasets() -> pd.DataFrame:
    """The bundled datasets: name, description, step of the sequence (1-5) and columns.

    Returns
    -------
    DataFrame
        One row per dataset; ``columns`` is the comma-separated list of its columns.

    Example
    -------
    >>> list_datasets().columns.tolist()
    ['name', 'description', 'step', 'columns']
    """
    return pd.DataFrame(
        {
            "name": [d.name for d in DATASETS.values()],
            "description": [d.description for d in DATASETS.values()],
            "step": [d.step for d in DATASETS.values()],
            "columns": [", ".join(d.columns) for d in DATASETS.values()],
        }
    )


def dataset(name: str) -> Dataset:
    """The catalogue entry for ``name``; an unknown name lists the datasets.

    Example
    -------
    >>> dataset("pdsa_log").step
    4
    """
    spec = DATASETS.get(name) if isinstance(name, str) else None
    if spec is None:
        names = ", ".join(repr(n) for n in DATASETS)
        close = difflib.get_close_matches(str(name), list(DATASETS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise EquityKitError(
            f"there is no dataset called {name!r}.{hint} The datasets are: {names}. "
            "equitykit.list_datasets() describes each one."
        )
    return spec


def load_dataset(name: str) -> pd.DataFrame:
    """Load one of the kit's synthetic teaching datasets as a DataFrame.

    Dates are parsed, counts are whole numbers and text is text; see data/README.md
    for every column. ``list_datasets()`` lists the names.

    Example
    -------
    >>> screening = load_dataset("cervical_screening")
    >>> sorted(screening["age_group"].unique())
    ['24-49', '50-64']
    """
    spec = dataset(name)
    source = course_files().joinpath(spec.file)
    if not source.is_file():
        raise EquityKitError(
            f"the file for dataset {name!r} is missing from the kit ({spec.file}). Reinstall "
            "the kit (pip install --force-reinstall equitykit); in a clone of the repository, "
            "recreate it with: python tools/make_datasets.py"
        )
    dtypes = {c: ("int64" if k == "int" else "str") for c, k in spec.columns.items()
              if k != "date"}
    with source.open("rb") as handle:
        frame = pd.read_csv(handle, dtype=dtypes, keep_default_na=False, na_values=[""])
    for column, kind in spec.columns.items():
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    return frame
