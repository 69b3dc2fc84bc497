"""Tests for equitykit.review: the three-part data review checklist."""
from __future__ import annotations

import os

import pytest

from equitykit import files
from equitykit.review import REVIEW_PARTS, DataReview, ReviewItem
from equitykit.validation import EquityKitError


def dna_review() -> DataReview:
    review = DataReview("Missed appointments and deprivation")
    review.record("service", "Who uses the service, disaggregated by age, sex, ethnicity, deprivation and other groups?",
                  found="People in the most deprived areas miss appointments more often", source="Appointments extract")
    review.record("staff", "What do staff see?", found="Reminder letters do not reach people without a fixed address")
    return review


def test_default_checklist_has_prompts_for_all_three_parts():
    table = DataReview("Screening by age").table
    assert table.columns.tolist() == ["part", "question", "done", "found", "source"]
    assert list(dict.fromkeys(table["part"])) == list(REVIEW_PARTS.values())
    assert (table["done"] == "").all()


def test_recording_findings_fills_a_question_or_adds_one():
    review = dna_review()
    table = review.table
    answered = table[table["done"] == "yes"]
    assert len(answered) == 2
    assert answered["part"].tolist() == [REVIEW_PARTS["service"], REVIEW_PARTS["supporters"]]
    assert "What do staff see?" in table["question"].tolist()  # a new question was added
    assert len(table) == 8
    assert review.parts_done() == ["service", "supporters"]
    assert review.parts_to_do() == ["lived experience"]
    assert "people with lived experience" in review.reading
    review.record("lived", "What do people say?", found="Letters feel threatening; a call works better")
    assert review.reading == "All three parts of the data review have findings."


def test_unknown_part_is_an_error_with_a_suggestion():
    with pytest.raises(EquityKitError, match="Did you mean 'supporters'"):
        DataReview().record("suporters", "q", "f")
    with pytest.raises(EquityKitError, match="question"):
        ReviewItem("service", "")


def test_review_yaml_round_trip_typo_and_atomic_save(tmp_path, monkeypatch):
    review = dna_review()
    path = review.to_yaml(tmp_path / "review.yaml")
    assert DataReview.from_yaml(path) == review
    (tmp_path / "bad.yaml").write_text("topic: x\nitems:\n  - part: service\n    question: q\n    fonud: y\n")
    with pytest.raises(EquityKitError, match="'fonud'. Did you mean 'found'"):
        DataReview.from_yaml(tmp_path / "bad.yaml")
    before = path.read_text()
    monkeypatch.setattr(files.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        DataReview("other").to_yaml(path)
    assert path.read_text() == before
    assert sorted(os.listdir(tmp_path)) == ["bad.yaml", "review.yaml"]


def test_review_shows_as_a_table():
    html = dna_review()._repr_html_()
    assert "<table" in html and "Missed appointments and deprivation" in html
