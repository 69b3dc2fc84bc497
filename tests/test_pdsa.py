"""Tests for equitykit.pdsa: the PDSA log, its files and its SPC annotations.

The ward racism case: three cycles for the three change ideas (post-incident
action plan, safety cross at huddles, racial trauma and bias training), in the
CSV layout of the bundled data/pdsa_log.csv (cycle_id, change_idea, plan, do,
study, act, start_date, end_date; the plan holds the prediction).
"""
from __future__ import annotations

import inspect
import os
from pathlib import Path

import pandas as pd
import pytest

import equitykit as ek
from equitykit import files
from equitykit.pdsa import Cycle, PDSALog
from equitykit.validation import EquityKitError

REFERENCE = Path(__file__).parent / "reference" / "data"

WARD_CSV = """cycle_id,change_idea,plan,do,study,act,start_date,end_date
1,Post-incident action plan as a flow chart,"Crisis meeting and a senior manager sees those affected within a day; we predict every incident gets a plan",Used after 3 incidents,"Plans made for all 3; staff wanted a shorter form",adapt,2022-09-05,2022-09-30
2,Safety cross reviewed at safety huddles,"Mark each day at the morning huddle; predict staff talk about incidents daily",Cross on the ward office wall,"Reviewed at 18 of 20 huddles; service users asked to present it",adopt,2022-10-03,2022-10-28
3,"Racial trauma and bias training, co-designed","Two sessions co-designed with service users; predict confidence to respond rises",Ran two sessions,,,2022-11-07,
"""


def ward_log(tmp_path: Path) -> PDSALog:
    path = tmp_path / "pdsa_log.csv"
    path.write_text(WARD_CSV)
    return PDSALog.from_csv(path)


def test_reads_the_bundled_csv_layout(tmp_path):
    log = ward_log(tmp_path)
    assert len(log) == 3
    c1 = log.cycle(1)
    assert c1.act == "adapt" and c1.prediction == "" and "predict" in c1.plan
    assert c1.start_date == pd.Timestamp("2022-09-05") and c1.end_date == pd.Timestamp("2022-09-30")
    c3 = log.cycle("3")
    assert c3.end_date is None and c3.act == "" and c3.study == ""
    assert log.table.columns.tolist() == ["cycle_id", "change_idea", "plan", "prediction", "do", "study", "act",
                                          "start_date", "end_date", "idea"]


def test_annotations_are_what_spc_accepts(tmp_path):
    ann = ward_log(tmp_path).annotations()
    assert ann.columns.tolist() == ["x", "label", "detail"]
    assert pd.api.types.is_datetime64_any_dtype(ann["x"])
    assert ann["x"].tolist() == [pd.Timestamp("2022-09-05"), pd.Timestamp("2022-10-03"), pd.Timestamp("2022-11-07")]
    assert ann["label"].tolist() == [
        "PDSA 1: Post-incident action plan…",
        "PDSA 2: Safety cross reviewed at safety…",
        "PDSA 3: Racial trauma and bias training…",
    ]
    assert ann["detail"].iloc[1].startswith("03 Oct 2022 to 28 Oct 2022. act: adopt. Reviewed at 18 of 20")
    assert ann["detail"].iloc[2] == "07 Nov 2022 (running)"


def test_short_change_ideas_are_kept_whole_and_pdsa_ids_not_doubled():
    log = PDSALog([Cycle("PDSA 1", "Post-incident plan", start_date="2020-10-05")])
    assert log.annotations()["label"].tolist() == ["PDSA 1: Post-incident plan"]


def test_c_chart_annotated_from_the_log(tmp_path):
    spc = getattr(ek, "spc", None)
    if spc is None:
        pytest.skip("equitykit.spc is built on another branch")
    params = inspect.signature(spc).parameters
    kind = next((p for p in ("chart", "chart_type", "type", "kind") if p in params), None)
    if kind is None or "annotations" not in params:
        pytest.skip("spc has no chart-type or annotations argument to test with")
    data = pd.read_csv(REFERENCE / "a_c_racist_incidents.csv", parse_dates=["fortnight_start"])
    ann = ward_log(tmp_path).annotations()
    result = spc(data, x="fortnight_start", y="incidents", annotations=ann, **{kind: "c"})
    spec = result.chart().to_dict() if hasattr(result, "chart") else result.to_dict()
    assert "PDSA 2: Safety cross reviewed at safety…" in str(spec)


def test_no_mutation_of_the_callers_frame(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(WARD_CSV))
    before = frame.copy()
    PDSALog.from_frame(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_prediction_is_optional_and_kept_when_given(tmp_path):
    log = PDSALog()
    log.add(cycle_id="1", change_idea="Peer reminder calls", plan="Call the day before", prediction="Fewer DNAs",
            start_date="08/01/2024", end_date="2024-02-02", act="Adopted")
    c = log.cycle("1")
    assert c.prediction == "Fewer DNAs" and c.act == "adopt" and c.start_date == pd.Timestamp("2024-01-08")
    path = log.to_csv(tmp_path / "log.csv")
    assert pd.read_csv(path).columns.tolist()[3] == "prediction"
    assert PDSALog.from_csv(path) == log


def test_csv_round_trip_writes_the_bundled_columns(tmp_path):
    log = ward_log(tmp_path)
    path = log.to_csv(tmp_path / "again.csv")
    assert path.read_text().splitlines()[0] == "cycle_id,change_idea,plan,do,study,act,start_date,end_date"
    assert PDSALog.from_csv(path) == log


def test_yaml_round_trip_and_typo(tmp_path):
    log = ward_log(tmp_path)
    assert PDSALog.from_yaml(log.to_yaml(tmp_path / "log.yaml")) == log
    (tmp_path / "bad.yaml").write_text("cycles:\n  - cycle_id: 1\n    change_idea: x\n    start_date: 2024-01-01\n"
                                       "    studdy: y\n")
    with pytest.raises(EquityKitError, match="'studdy'. Did you mean 'study'"):
        PDSALog.from_yaml(tmp_path / "bad.yaml")


def test_save_is_atomic(tmp_path, monkeypatch):
    log = ward_log(tmp_path)
    path = log.to_csv(tmp_path / "saved.csv")
    before = path.read_text()
    log.add(cycle_id="4", change_idea="Another idea", start_date="2023-01-09")
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        log.to_csv(path)
    with pytest.raises(OSError):
        log.to_yaml(tmp_path / "saved.yaml")
    assert path.read_text() == before
    assert sorted(os.listdir(tmp_path)) == ["pdsa_log.csv", "saved.csv"]


def test_bad_cycles_name_the_cycle():
    with pytest.raises(EquityKitError, match="PDSA cycle '2' ends .* before it starts"):
        PDSALog([Cycle("2", "Safety cross", start_date="2020-11-02", end_date="2020-10-02")])
    with pytest.raises(EquityKitError, match="PDSA cycle '1' has act 'adoptt'.*Did you mean 'adopt'"):
        Cycle("1", "x", start_date="2020-11-02", act="adoptt")
    with pytest.raises(EquityKitError, match="cycle id '1' is used twice"):
        PDSALog([Cycle("1", "a", start_date="2020-11-02"), {"cycle_id": 1, "change_idea": "b",
                                                           "start_date": "2020-12-01"}])
    with pytest.raises(EquityKitError, match="PDSA cycle '5' has no start_date"):
        Cycle("5", "x")
    with pytest.raises(EquityKitError, match="PDSA cycle '5' has a start_date 'soon'"):
        Cycle("5", "x", start_date="soon")


def test_bad_csv_columns(tmp_path):
    frame = pd.DataFrame({"cycle_id": [1], "change_idea": ["x"], "start_date": ["2024-01-01"], "stdy": ["y"]})
    with pytest.raises(EquityKitError, match="'stdy'.*Did you mean 'study'"):
        PDSALog.from_frame(frame)
    with pytest.raises(EquityKitError, match="no column 'start_date'"):
        PDSALog.from_frame(frame.drop(columns=["start_date", "stdy"]))
    with pytest.raises(EquityKitError, match="no file"):
        PDSALog.from_csv(tmp_path / "missing.csv")


def test_timeline_chart_and_notebook_display(tmp_path):
    log = ward_log(tmp_path)
    spec = log.chart().to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert len(rows) == 3
    assert [r["act"] for r in rows] == ["adapt", "adopt", "running"]
    assert "<table" in log._repr_html_()
