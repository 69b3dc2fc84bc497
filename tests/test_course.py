"""A person's own copy of the course: `equitykit notebooks DIR` (equitykit/course.py).

What the copy holds is checked against the repository's folders (the one source the
build also packages); a learner's changed file must survive every run, and bad input
(a file for DIR, a folder that cannot be written, a half-copied folder) must say what
to do and lose nothing.
"""
from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import equitykit as ek
from equitykit import course, files
from equitykit.cli import main
from equitykit.course import RECORD, copy_course

from _readonly import read_only, unprivileged

ROOT = Path(__file__).resolve().parent.parent

LEARNER = sorted([p.name for p in (ROOT / "notebooks").glob("*.ipynb")]
                 + [f"data/{p.name}" for p in (ROOT / "data").glob("*.csv")] + ["data/README.md"])
FACILITATOR_ONLY = sorted(
    [f"workshop/facilitator/{p.name}" for p in (ROOT / "workshop" / "facilitator").glob("*.ipynb")]
    + [f"workshop/teams/{p.name}" for p in (ROOT / "workshop" / "teams").glob("*.csv")]
    + ["workshop/FACILITATOR_GUIDE.md", "workshop/handout.ipynb", "workshop/teams.yaml"])


def _source(name: str) -> Path:
    """Where a file of a copy comes from in the repository."""
    if "/" not in name:
        return ROOT / "notebooks" / name
    return ROOT / name


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.name != RECORD)


# --------------------------------------------------------------------------- what a copy holds


def test_a_learner_gets_every_notebook_and_dataset_byte_for_byte(tmp_path):
    folder = tmp_path / "new" / "equity-workshop"  # made, parents too
    copy = copy_course(folder)
    assert copy.ok and sorted(copy.added) == LEARNER == _files(folder)
    assert len([n for n in LEARNER if n.endswith(".ipynb")]) >= 7
    for name in LEARNER:
        assert (folder / name).read_bytes() == _source(name).read_bytes(), name
    assert "00_start_here.ipynb" in copy.text() and str(folder) in copy.text()
    record = json.loads((folder / RECORD).read_text())["files"]
    assert sorted(record) == LEARNER


def test_a_facilitator_also_gets_solutions_guide_handout_and_sample_teams(tmp_path):
    copy = copy_course(tmp_path, facilitator=True)
    assert sorted(copy.added) == sorted(LEARNER + FACILITATOR_ONLY) == _files(tmp_path)
    for name in FACILITATOR_ONLY:
        assert (tmp_path / name).read_bytes() == _source(name).read_bytes(), name
    # the sample teams file's paths hold in the copy as in the repository
    teams = yaml.safe_load((tmp_path / "workshop" / "teams.yaml").read_text())
    base = tmp_path / "workshop"
    assert (base / teams["notebook"]).is_file()
    for team in teams["teams"]:
        for key in ("data", "pdsa_log"):
            if key in team:
                assert (base / team[key]).resolve().is_file(), (team["name"], team[key])


def test_learner_copy_then_facilitator_copy_adds_only_the_kit(tmp_path):
    copy_course(tmp_path)
    again = copy_course(tmp_path, facilitator=True)
    assert sorted(again.added) == FACILITATOR_ONLY
    assert sorted(again.unchanged) == LEARNER


def test_datasets_load_from_the_course_files_not_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing here: load_dataset must not depend on the folder
    assert len(ek.load_dataset("pdsa_log")) > 0


# --------------------------------------------------------------------------- running it again


def test_a_changed_notebook_is_kept_and_a_deleted_one_comes_back(tmp_path):
    copy_course(tmp_path)
    mine = tmp_path / "01_identify_the_gap.ipynb"
    mine.write_bytes(mine.read_bytes() + b"\n ")
    edited = mine.read_bytes()
    (tmp_path / "02_understand_the_gap.ipynb").unlink()
    again = copy_course(tmp_path)
    assert again.kept == ("01_identify_the_gap.ipynb",)
    assert again.added == ("02_understand_the_gap.ipynb",)
    assert len(again.unchanged) == len(LEARNER) - 2 and again.ok
    assert mine.read_bytes() == edited
    text = again.text()
    assert "Kept your version of 01_identify_the_gap.ipynb" in text and "rename yours" in text
    # and on every later run too
    assert copy_course(tmp_path).kept == ("01_identify_the_gap.ipynb",)
    assert mine.read_bytes() == edited


def test_a_file_the_learner_made_with_a_course_name_is_kept(tmp_path):
    (tmp_path / "data").mkdir()
    theirs = tmp_path / "data" / "appointments.csv"
    theirs.write_text("their own,data\n1,2\n")
    copy = copy_course(tmp_path)
    assert copy.kept == ("data/appointments.csv",)
    assert theirs.read_text() == "their own,data\n1,2\n"


def test_a_newer_kit_updates_untouched_copies_and_keeps_changed_ones(tmp_path, monkeypatch):
    copy_course(tmp_path)
    changed = tmp_path / "03_strategy_and_change_ideas.ipynb"
    changed.write_text("my notes")
    real_plan = course.course_plan

    class Newer:
        def __init__(self, data: bytes):
            self.data = data

        def read_bytes(self) -> bytes:
            return self.data

    def newer_plan(facilitator=False):
        return [(name, Newer(src.read_bytes() + b"\n") if name.endswith(".ipynb") else src)
                for name, src in real_plan(facilitator)]

    monkeypatch.setattr(course, "course_plan", newer_plan)
    again = copy_course(tmp_path)
    notebooks = [n for n in LEARNER if n.endswith(".ipynb")]
    assert again.kept == ("03_strategy_and_change_ideas.ipynb",)
    assert sorted(again.updated) == sorted(set(notebooks) - {"03_strategy_and_change_ideas.ipynb"})
    assert changed.read_text() == "my notes"
    assert (tmp_path / "00_start_here.ipynb").read_bytes().endswith(b"\n\n")


# --------------------------------------------------------------------------- bad input


def test_a_file_given_as_the_folder_is_refused_and_left_alone(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("my notes")
    with pytest.raises(ek.EquityKitError, match="is a file, not a folder"):
        copy_course(target)
    assert main(["notebooks", str(target)]) == 2
    err = capsys.readouterr().err
    assert "notes.txt' is a file, not a folder" in err and "Traceback" not in err
    assert target.read_text() == "my notes"
    assert main(["notebooks", str(target / "inside")]) == 2  # a file in the path
    assert "is a file, not a folder" in capsys.readouterr().err


def test_the_kits_own_folders_are_refused():
    with pytest.raises(ek.EquityKitError, match="inside the kit's own course files"):
        copy_course(course.course_file("notebooks"))


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = unprivileged([sys.executable, "-m", "equitykit", *args])
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_a_folder_that_cannot_be_written_says_so_and_changes_nothing(tmp_path):
    folder = tmp_path / "course"
    copy_course(folder)
    mine = folder / "00_start_here.ipynb"
    mine.write_text("my work")
    (folder / "data" / "pdsa_log.csv").unlink()
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with read_only(folder):
        result = _run_cli("notebooks", str(folder), cwd=tmp_path)
        made = _run_cli("notebooks", str(folder / "inner"), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot write into" in result.stderr and "Nothing was copied" in result.stderr
    assert "Traceback" not in result.stderr
    assert made.returncode == 2 and "you do not have permission to write in" in made.stderr
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_a_sub_folder_that_cannot_be_written_is_listed_and_the_rest_copied(tmp_path, capsys):
    data = tmp_path / "data"
    data.write_text("a file where the data folder goes")
    assert main(["notebooks", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "Not copied: data/appointments.csv: 'data' is a file, not a folder" in out
    assert "run this command again" in out
    assert data.read_text() == "a file where the data folder goes"
    assert (tmp_path / "00_start_here.ipynb").is_file()


def test_a_half_copied_folder_is_completed_on_the_next_run(tmp_path, monkeypatch):
    real_write = course.atomic_write_bytes
    written = []

    def stop_after_four(path, data):
        if len(written) == 4:
            raise KeyboardInterrupt  # the learner pressed Ctrl-C, or the laptop went to sleep
        written.append(path)
        return real_write(path, data)

    monkeypatch.setattr(course, "atomic_write_bytes", stop_after_four)
    with pytest.raises(KeyboardInterrupt):
        copy_course(tmp_path)
    monkeypatch.setattr(course, "atomic_write_bytes", real_write)
    assert len(_files(tmp_path)) == 4
    # a temporary file a hard kill left behind (atomic writes never leave a half-written target)
    leftover = tmp_path / ".05_implement_and_sustain.ipynb.x1y2z3.tmp"
    leftover.write_text('{"cells": [')
    again = copy_course(tmp_path)
    assert again.ok and not again.kept
    assert len(again.unchanged) == 4 and len(again.added) == len(LEARNER) - 4
    assert not leftover.exists() and "half-written" in again.text()
    assert _files(tmp_path) == LEARNER


def test_files_copied_before_the_record_was_written_are_recognised(tmp_path):
    copy_course(tmp_path)
    (tmp_path / RECORD).unlink()  # e.g. killed before the record was saved
    (tmp_path / "04_test_changes.ipynb").write_text("edited")
    again = copy_course(tmp_path)
    assert again.kept == ("04_test_changes.ipynb",) and len(again.unchanged) == len(LEARNER) - 1


def test_an_unreadable_record_keeps_every_changed_file(tmp_path):
    copy_course(tmp_path)
    (tmp_path / RECORD).write_text("{not json")
    (tmp_path / "04_test_changes.ipynb").write_text("edited")
    again = copy_course(tmp_path)
    assert again.kept == ("04_test_changes.ipynb",)
    assert "could not be read" in again.text()
    assert json.loads((tmp_path / RECORD).read_text())["files"]  # rewritten


def test_a_full_disk_stops_with_a_clear_message_and_a_record(tmp_path, monkeypatch):
    real_write = course.atomic_write_bytes
    calls = []

    def full_after_two(path, data):
        calls.append(path)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(course, "atomic_write_bytes", full_after_two)
    with pytest.raises(ek.EquityKitError, match="the disk is full.*carries on where it stopped"):
        copy_course(tmp_path)
    assert len(json.loads((tmp_path / RECORD).read_text())["files"]) == 2


def test_files_module_is_what_copies_use():
    assert course.atomic_write_bytes is files.atomic_write_bytes


# --------------------------------------------------------------------------- the command


def test_python_dash_m_equitykit_notebooks(tmp_path):
    result = subprocess.run([sys.executable, "-m", "equitykit", "notebooks", "mine", "--facilitator"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"{len(LEARNER) + len(FACILITATOR_ONLY)} added" in result.stdout
    assert _files(tmp_path / "mine") == sorted(LEARNER + FACILITATOR_ONLY)
