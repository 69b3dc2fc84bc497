"""Make the small aggregated data files of the sample teams in workshop/teams/.

Fictional teams of a fictional trust; no real person is in any file. The same
seed always gives the same files. Run from the repository root:

    python workshop/make_team_data.py

Each team file has one row per month (or fortnight) and group, with a count
and its denominator, so the handout never needs row-level records. One team
(Riverside Outpatients) works from the bundled row-level data/appointments.csv
instead. Each team also has a PDSA log (its change ideas with dates) that the
handout draws on the SPC chart.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240613
HERE = Path(__file__).resolve().parent / "teams"

# The layout equitykit.PDSALog.from_csv reads (the bundled data/pdsa_log.csv uses it too).
PDSA_COLUMNS = ["cycle_id", "change_idea", "prediction", "start_date", "end_date", "study", "act"]


def _months(start: str, count: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=count, freq="MS")


def _proportion_team(rng, periods, groups, change, column, by, count, denominator):
    """groups: {name: (size per period, rate before, rate after change)}; by: the characteristic's column."""
    rows = []
    for when in periods:
        for group, (size, before, after) in groups.items():
            n = int(rng.poisson(size))
            rate = before if when < pd.Timestamp(change) else after
            rows.append({column: when.date().isoformat(), by: group,
                         count: int(rng.binomial(n, rate)), denominator: n})
    return pd.DataFrame(rows)


def _write(frame: pd.DataFrame, name: str, out: Path) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    (out / name).write_text(buffer.getvalue(), encoding="utf-8")


def main(out: Path = HERE) -> None:
    """Write every team file into ``out`` (default workshop/teams/)."""
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    months = _months("2023-01-01", 24)

    # Hawthorn Ward (inpatient): restrictive practice per 1,000 bed days by ethnicity, fortnightly.
    fortnights = pd.date_range("2023-01-02", periods=40, freq="14D")
    rows = []
    for when in fortnights:
        after = when >= pd.Timestamp("2023-11-06")
        for group, beds, rate_before, rate_after in [
            ("White", 170, 0.020, 0.017), ("Black", 120, 0.045, 0.024),
            ("Asian", 70, 0.022, 0.018), ("Mixed or other", 30, 0.030, 0.020),
        ]:
            bed_days = int(rng.poisson(beds))
            rate = rate_after if after else rate_before
            rows.append({"fortnight": when.date().isoformat(), "ethnicity": group,
                         "incidents": int(rng.poisson(rate * bed_days)), "bed_days": bed_days})
    _write(pd.DataFrame(rows), "hawthorn_ward.csv", out)

    # Early Intervention North: % of referrals seen within 14 days, by ethnicity.
    _write(_proportion_team(rng, months, {
        "White British": (40, 0.78, 0.80), "Black African or Caribbean": (25, 0.55, 0.74),
        "Asian": (20, 0.62, 0.75), "Other ethnic groups": (6, 0.60, 0.70),
    }, "2023-10-01", "month", "ethnicity", "seen_in_14_days", "referrals"), "early_intervention_north.csv", out)

    # Elm Street GP Practice: cervical screening by age group (24-49 54% -> 68%, 50-64 62% -> 71%).
    _write(_proportion_team(rng, months, {
        "24-49": (210, 0.54, 0.68), "50-64": (120, 0.62, 0.71),
    }, "2023-09-01", "month", "age_group", "screened", "eligible"), "elm_street_screening.csv", out)

    # Talking Therapies East: recovery among people finishing treatment, by ethnicity.
    _write(_proportion_team(rng, months, {
        "White British": (60, 0.50, 0.51), "Bangladeshi": (30, 0.38, 0.49),
        "Black": (18, 0.41, 0.47), "Other ethnic groups": (15, 0.46, 0.48),
    }, "2023-07-01", "month", "ethnicity", "recovered", "finished_treatment"), "talking_therapies_east.csv", out)

    # Community Dental Team: missed appointments by deprivation quintile (1 = most deprived).
    _write(_proportion_team(rng, months, {
        "1": (160, 0.19, 0.13), "2": (140, 0.15, 0.12), "3": (120, 0.12, 0.11),
        "4": (100, 0.10, 0.09), "5": (90, 0.08, 0.08),
    }, "2023-11-01", "month", "imd_quintile", "missed", "appointments"), "community_dental.csv", out)

    logs = {
        "riverside_pdsa.csv": [
            ("R1", "Peer support workers phone people from the most deprived areas 2 days before",
             "Fewer missed appointments in deciles 1-2", "2023-09-04", "2023-10-13",
             "Calls reached 6 in 10; many had no bus fare", "adapt"),
            ("R2", "Calls also offer a travel voucher or a video appointment",
             "DNA in decile 1 falls towards decile 5", "2023-10-16", "2023-12-22",
             "DNA fell in deciles 1-3; staff time 5 hours a week", "adopt"),
        ],
        "hawthorn_pdsa.csv": [
            ("H1", "Post-incident huddle with a senior nurse the same day",
             "Staff name triggers sooner", "2023-09-11", "2023-10-20", "Held after 9 of 11 incidents", "adopt"),
            ("H2", "Safety cross reviewed by service users at the community meeting",
             "Fewer incidents involving Black patients", "2023-11-06", "2024-01-26",
             "Service users led 7 of 8 meetings", "adopt"),
        ],
        "early_intervention_pdsa.csv": [
            ("E1", "Buddy from a similar culture calls within 48 hours of referral",
             "More Black and Asian people seen within 14 days", "2023-10-02", "2023-12-15",
             "Contact made faster; families asked for evening slots", "adapt"),
            ("E2", "Evening first appointments twice a week", "Fewer declined first offers",
             "2024-01-08", "2024-03-01", "Evening slots filled first", "adopt"),
        ],
        "elm_street_pdsa.csv": [
            ("S1", "Personal letter from the GP in the patient's first language",
             "More women aged 24-49 book", "2023-09-04", "2023-11-10", "Bookings rose after letters", "adopt"),
            ("S2", "Saturday morning screening clinic", "Working women aged 24-49 attend",
             "2023-11-13", "2024-02-16", "Clinic full most weeks", "adopt"),
        ],
        "talking_therapies_pdsa.csv": [
            ("T1", "Sessions in Bengali with a bilingual therapist", "Bangladeshi recovery rises towards 50%",
             "2023-07-03", "2023-10-27", "Fewer dropped out after session 2", "adopt"),
            ("T2", "Community group at the mosque explains what therapy is", "More self-referrals",
             "2023-11-06", "2024-02-23", "Self-referrals doubled; waits grew", "adapt"),
        ],
        "community_dental_pdsa.csv": [
            ("D1", "Text reminder with a free-call number to rebook", "Fewer missed in quintile 1",
             "2023-11-06", "2024-01-12", "Half of the rebookings came by phone", "adopt"),
        ],
    }
    for name, cycles in logs.items():
        _write(pd.DataFrame(cycles, columns=PDSA_COLUMNS), name, out)


if __name__ == "__main__":
    main()
