"""The bundled synthetic datasets: documented shape, byte-stable generator, teaching patterns.

The pattern checks pin the published figures the data are meant to carry
(../shared/METHOD.md: ward baseline 2 -> 0.3 a fortnight; early intervention
67% -> 85%; screening 54 -> 68% and 62 -> 71%, gap 8 -> 3 points; talking
therapies 1.5% -> 1.8%; evaluation 100% / 86.7% / 94.1%), not our own output.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import equitykit as ek
from equitykit import datasets
from equitykit.datasets import list_datasets, load_dataset

from _scripts import load_script

ROOT = Path(__file__).resolve().parent.parent

make_datasets = load_script(ROOT / "tools" / "make_datasets.py")  # the maintainer's generator, outside the kit
generate_datasets = make_datasets.generate_datasets
DATA_DIR = make_datasets.DATA_DIR  # the repository's data/: the files the kit ships

# The data dictionary in data/README.md, column by column: "date", "int" or "text".
DOCUMENTED = {
    "appointments": {
        "appointment_id": "text", "date": "date", "team": "text", "age": "int",
        "age_band": "text", "sex": "text", "ethnicity": "text", "imd_decile": "int",
        "dna": "int",
    },
    "referrals_by_ethnicity": {"ethnicity": "text", "ethnic_group": "text", "referrals": "int"},
    "population_by_ethnicity": {"ethnicity": "text", "ethnic_group": "text",
                                "population": "int"},
    "talking_therapies": {"month": "date", "referrals": "int", "black_men_18_25": "int",
                          "phase": "text", "change_idea": "text"},
    "ward_incidents": {"fortnight_start": "date", "incidents": "int", "phase": "text",
                       "change_idea": "text"},
    "ward_incident_log": {"incident_id": "text", "date": "date", "category": "text"},
    "pdsa_log": {"cycle_id": "int", "change_idea": "text", "plan": "text", "do": "text",
                 "study": "text", "act": "text", "start_date": "date", "end_date": "date"},
    "ei_access": {"month": "date", "ethnic_minority_users": "int", "service_users": "int",
                  "phase": "text", "change_idea": "text"},
    "cervical_screening": {"month": "date", "age_group": "text", "screened": "int",
                           "eligible": "int", "phase": "text", "change_idea": "text"},
    "workshop_evaluation": {"respondent": "text", "part": "text", "statement": "text",
                            "response": "text"},
}
PHASES = ["baseline", "testing", "after changes"]
LIKERT = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree"]


@pytest.fixture(scope="module")
def appointments() -> pd.DataFrame:
    return load_dataset("appointments")


def _rate(frame: pd.DataFrame, num: str, den: str) -> float:
    return frame[num].sum() / frame[den].sum()


# --------------------------------------------------------------------------- the catalogue


def test_list_datasets_describes_every_dataset():
    table = list_datasets()
    assert table.columns.tolist() == ["name", "description", "step", "columns"]
    assert set(table["name"]) == set(DOCUMENTED)
    assert table["step"].between(1, 5).all()
    for name, cols in zip(table["name"], table["columns"]):
        assert cols == ", ".join(DOCUMENTED[name])
    assert (table["description"].str.len() > 20).all()


def test_public_names_are_exported():
    assert ek.load_dataset is load_dataset
    assert ek.list_datasets is list_datasets
    assert {"load_dataset", "list_datasets", "read_data"} <= set(ek.__all__)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_every_dataset_loads_with_documented_columns_and_types(name):
    frame = load_dataset(name)
    assert frame.columns.tolist() == list(DOCUMENTED[name])
    assert len(frame) > 0
    for column, kind in DOCUMENTED[name].items():
        series = frame[column]
        if kind == "date":
            assert pd.api.types.is_datetime64_dtype(series), column
        elif kind == "int":
            assert series.dtype == np.int64, column
        else:
            assert pd.api.types.is_string_dtype(series), column


def test_every_readme_section_exists():
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for name, columns in DOCUMENTED.items():
        assert f"`{name}`" in text
        for column in columns:
            assert f"`{column}`" in text, (name, column)


def test_unknown_name_lists_the_datasets():
    with pytest.raises(ek.EquityKitError) as info:
        load_dataset("appointment")
    message = str(info.value)
    assert "Did you mean 'appointments'?" in message
    for name in DOCUMENTED:
        assert repr(name) in message


def test_loading_twice_gives_independent_frames():
    first = load_dataset("ward_incidents")
    first.loc[0, "incidents"] = 99
    assert load_dataset("ward_incidents").loc[0, "incidents"] != 99


# --------------------------------------------------------------------------- the generator


def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path):
    written = generate_datasets(tmp_path)
    assert set(written) == set(DOCUMENTED)
    for name, path in written.items():
        assert path.read_bytes() == (DATA_DIR / f"{name}.csv").read_bytes(), name
        assert b"\r" not in path.read_bytes()


def test_generator_cli_writes_into_a_chosen_folder(tmp_path, capsys):
    make_datasets.main(["--out", str(tmp_path), "--seed", "1", "--only", "ward_incidents", "pdsa_log"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pdsa_log.csv", "ward_incidents.csv"]
    assert "ward_incidents" in capsys.readouterr().out


def test_other_seed_gives_other_data_but_same_teaching_criteria(tmp_path):
    make_datasets._ward_counts.cache_clear()
    generate_datasets(tmp_path, seed=7, names=["ward_incidents"])
    other = pd.read_csv(tmp_path / "ward_incidents.csv")
    ours = pd.read_csv(DATA_DIR / "ward_incidents.csv")
    assert not other["incidents"].equals(ours["incidents"])
    base = other.loc[other["phase"] == "baseline", "incidents"].mean()
    assert base == pytest.approx(2, abs=0.05)


def test_files_are_small_enough_to_commit():
    # change_ideas.csv is the programme's change-idea menu, written by hand: not a generated dataset
    sizes = {p.name: p.stat().st_size for p in DATA_DIR.glob("*.csv") if p.name != "change_ideas.csv"}
    assert len(sizes) == len(DOCUMENTED)
    assert max(sizes.values()) < 5 * 1024 * 1024
    assert sum(p.stat().st_size for p in DATA_DIR.iterdir()) < 20_000_000


def test_oversized_file_gives_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(make_datasets, "MAX_FILE_BYTES", 1_000)
    with pytest.warns(UserWarning, match="ward_incidents.csv is .* above the 5 MiB"):
        generate_datasets(tmp_path, names=["ward_incidents"])


def test_generating_an_unknown_dataset_is_refused_before_writing(tmp_path):
    with pytest.raises(ek.EquityKitError, match="no dataset called 'wards'"):
        generate_datasets(tmp_path, names=["ward_incidents", "wards"])
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- step 1


def test_appointments_shape_and_categories(appointments):
    assert 95_000 <= len(appointments) <= 105_000
    assert appointments["appointment_id"].is_unique
    assert not appointments["appointment_id"].str.fullmatch(r"\d{10}").any()  # not NHS-number-like
    span = appointments["date"].max() - appointments["date"].min()
    assert 700 <= span.days <= 731
    assert set(appointments["imd_decile"]) == set(range(1, 11))
    assert set(appointments["dna"]) == {0, 1}
    assert set(appointments["ethnicity"]) == {"White", "Asian", "Black", "Mixed", "Other",
                                               "Not stated"}
    assert set(appointments["sex"]) == {"F", "M"}
    assert appointments["age"].between(18, 99).all()
    bands = pd.cut(appointments["age"], [17, 24, 34, 44, 54, 64, 74, 200],
                   labels=["18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"])
    assert (bands.astype(str) == appointments["age_band"]).all()


def test_dna_falls_steadily_from_most_to_least_deprived(appointments):
    by_decile = appointments.groupby("imd_decile")["dna"].mean()
    assert by_decile[1] >= 2 * by_decile[10]
    # steadily: the rate by decile has a strong negative rank correlation, and each
    # fifth (quintile) is below the one before
    assert by_decile.rank().corr(pd.Series(range(10, 0, -1), index=by_decile.index)) > 0.95
    quintile = appointments.groupby((appointments["imd_decile"] + 1) // 2)["dna"].mean()
    assert quintile.is_monotonic_decreasing


def test_dna_has_ethnicity_and_age_patterns_that_two_way_breakdown_reveals(appointments):
    by_ethnicity = appointments.groupby("ethnicity")["dna"].mean()
    assert by_ethnicity["Black"] > by_ethnicity["White"] + 0.03
    assert by_ethnicity["Not stated"] > by_ethnicity["White"] + 0.03
    by_band = appointments.groupby("age_band")["dna"].mean()
    assert by_band["18-24"] > by_band["25-34"] > by_band["45-54"] > by_band["65-74"]
    # the deprivation gap is wider among young adults than among older people
    young = appointments[appointments["age"] < 35].groupby("imd_decile")["dna"].mean()
    older = appointments[appointments["age"] >= 55].groupby("imd_decile")["dna"].mean()
    assert (young[1] - young[10]) > 1.5 * (older[1] - older[10])


def test_referrals_under_represent_black_and_asian_groups():
    referrals = load_dataset("referrals_by_ethnicity")
    population = load_dataset("population_by_ethnicity")
    stated = referrals[referrals["ethnicity"] != "Not stated"]
    assert set(stated["ethnicity"]) == set(population["ethnicity"])
    assert len(population) == 19  # the ONS 2021 categories
    merged = stated.merge(population, on=["ethnicity", "ethnic_group"])
    ratio = (merged["referrals"] / merged["referrals"].sum()) / (
        merged["population"] / merged["population"].sum())
    ratio.index = merged["ethnicity"]
    assert ratio["Bangladeshi"] < 0.7 and ratio["African"] < 0.8
    assert ratio["White British"] > 1.2
    groups = merged.groupby("ethnic_group")[["referrals", "population"]].sum()
    share = groups["referrals"] / groups["referrals"].sum() - (
        groups["population"] / groups["population"].sum())
    assert share["Black"] < 0 and share["Asian"] < 0 and share["White"] > 0


# --------------------------------------------------------------------------- steps 3-5


def test_talking_therapies_share_rises_from_1_5_to_1_8_percent():
    data = load_dataset("talking_therapies")
    assert list(dict.fromkeys(data["phase"])) == PHASES
    base = _rate(data[data["phase"] == "baseline"], "black_men_18_25", "referrals")
    after = _rate(data[data["phase"] == "after changes"], "black_men_18_25", "referrals")
    assert base == pytest.approx(0.015, abs=0.0005)
    assert after == pytest.approx(0.018, abs=0.0005)


def test_ward_incidents_baseline_near_2_and_later_near_0_3():
    ward = load_dataset("ward_incidents")
    assert list(dict.fromkeys(ward["phase"])) == PHASES
    assert (ward["fortnight_start"].diff().dropna() == pd.Timedelta(days=14)).all()
    assert (ward["fortnight_start"] == pd.Timestamp("2020-08-10")).any()
    base = ward.loc[ward["phase"] == "baseline", "incidents"]
    after = ward.loc[ward["phase"] == "after changes", "incidents"]
    assert len(base) >= 20 and len(after) >= 20
    assert base.mean() == pytest.approx(2, abs=0.1)
    assert after.mean() == pytest.approx(0.3, abs=0.05)
    published = ward[ward["fortnight_start"].between("2020-08-10", "2020-09-20")]
    assert published["incidents"].mean() == pytest.approx(2)
    assert (ward.loc[ward["fortnight_start"] >= "2021-01-01", "incidents"].mean()
            == pytest.approx(0.3, abs=0.05))
    changes = ward.dropna(subset=["change_idea"])
    assert len(changes) == 3
    assert (changes["phase"] == "testing").all()


def test_incident_log_matches_the_fortnightly_counts():
    ward = load_dataset("ward_incidents")
    log = load_dataset("ward_incident_log")
    assert set(log["category"]) == {"racist incident", "violence", "self-harm", "other"}
    assert log["incident_id"].is_unique
    racist = log[log["category"] == "racist incident"]
    start = ward["fortnight_start"].min()
    fortnight = start + pd.to_timedelta((racist["date"] - start).dt.days // 14 * 14, unit="D")
    counts = fortnight.value_counts().reindex(ward["fortnight_start"], fill_value=0)
    assert counts.tolist() == ward["incidents"].tolist()


def test_pdsa_log_dates_match_the_ward_change_dates():
    log = load_dataset("pdsa_log")
    ward = load_dataset("ward_incidents")
    assert set(log["act"]) <= {"adopt", "adapt", "abandon"}
    assert (log["start_date"] <= log["end_date"]).all()
    assert log["cycle_id"].is_unique
    assert log["plan"].str.contains("Prediction").all()
    firsts = log.groupby("change_idea")["start_date"].min()
    for _, row in ward.dropna(subset=["change_idea"]).iterrows():
        assert firsts[row["change_idea"]] == row["fortnight_start"]
    adopted = set(log.loc[log["act"] == "adopt", "change_idea"])
    assert adopted == set(ward["change_idea"].dropna())


def test_ei_access_rises_from_67_to_85_percent():
    ei = load_dataset("ei_access")
    assert (ei["ethnic_minority_users"] <= ei["service_users"]).all()
    first_half_2020 = ei[ei["month"].between("2020-01-01", "2020-06-01")]
    assert _rate(first_half_2020, "ethnic_minority_users", "service_users") == pytest.approx(
        0.67, abs=0.01)
    after = ei[ei["phase"] == "after changes"]
    assert _rate(after, "ethnic_minority_users", "service_users") == pytest.approx(0.85, abs=0.01)
    assert (ei["phase"] == "baseline").sum() >= 12 and len(after) >= 12


def test_cervical_screening_both_groups_improve_and_the_gap_narrows():
    data = load_dataset("cervical_screening")
    assert (data["screened"] <= data["eligible"]).all()
    data = data.assign(pct=100 * data["screened"] / data["eligible"])
    wide = data.pivot(index="month", columns="age_group", values="pct")
    phase = data.groupby("month")["phase"].first()
    expected = {"baseline": (54, 62, 8), "after changes": (68, 71, 3)}
    for name, (young, old, gap) in expected.items():
        part = wide[phase == name]
        assert part["24-49"].mean() == pytest.approx(young, abs=0.5)
        assert part["50-64"].mean() == pytest.approx(old, abs=0.5)
        assert (part["50-64"] - part["24-49"]).mean() == pytest.approx(gap, abs=0.5)
    # an I chart of the gap: every point after the changes sits below the baseline
    # centre line (a shift signal), and the baseline itself is stable
    gap = wide["50-64"] - wide["24-49"]
    base = gap[phase == "baseline"]
    centre = base.mean()
    limit = 2.66 * base.diff().abs().mean()
    assert ((base - centre).abs() < limit).all()
    assert (gap[phase == "after changes"] < centre).all()
    assert (phase == "after changes").sum() >= 8


def test_workshop_evaluation_matches_the_published_shares():
    ev = load_dataset("workshop_evaluation")
    assert set(ev["part"]) == {"Part 1", "Part 2"}
    assert set(ev["response"]) <= set(LIKERT)
    assert ev["respondent"].nunique() == 30
    assert not ev.duplicated(["respondent", "part", "statement"]).any()
    agree = ev.assign(agree=ev["response"].isin(["Agree", "Strongly agree"]))
    share = agree.groupby(["part", "statement"])["agree"].mean()
    assert share["Part 1", "I understand what equity is"] == 1
    assert share["Part 1", "I understand how QI can be applied to inequity"] == pytest.approx(
        0.867, abs=0.001)
    assert share["Part 2", "I would recommend this workshop"] == pytest.approx(0.941, abs=0.001)


def test_missing_file_says_how_to_recreate_it(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "course_files", lambda: tmp_path)
    with pytest.raises(ek.EquityKitError, match="missing from the kit .*tools/make_datasets.py"):
        load_dataset("pdsa_log")


def test_the_catalogue_and_the_generator_agree():
    assert list(make_datasets.MAKERS) == list(datasets.DATASETS)
    assert DATA_DIR == ROOT / "data"
