"""The notebooks: generated versions current, committed clean, exercises wired to checks.

Running them is nbval's job (``make test``); these tests check their shape.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from equitykit.checks import EXERCISES

from _scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "workshop" / "source").glob("*.ipynb"))
GENERATED = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "workshop" / "facilitator").glob("*.ipynb"))
ALL = SOURCES + GENERATED
CHECK_CALL = re.compile(r"""ek\.check\(\s*["']([^"']+)["']""")

build = load_script(ROOT / "tools" / "build_notebooks.py")


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_there_is_a_source_for_every_step():
    names = [p.stem for p in SOURCES]
    assert names[:1] == ["00_start_here"]
    for expected in ("01_identify_the_gap", "02_understand_the_gap", "03_strategy_and_change_ideas",
                     "04_test_changes", "05_implement_and_sustain", "06_bring_your_own_data"):
        assert expected in names


def test_generated_notebooks_are_current():
    assert build.main(["--check"]) == 0, "run: python tools/build_notebooks.py"


def test_check_notices_a_stale_or_orphaned_notebook(tmp_path, monkeypatch):
    for sub in ("workshop/source", "notebooks", "workshop/facilitator"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(build, "SOURCE_DIR", tmp_path / "workshop/source")
    monkeypatch.setattr(build, "LEARNER_DIR", tmp_path / "notebooks")
    monkeypatch.setattr(build, "FACILITATOR_DIR", tmp_path / "workshop/facilitator")
    assert build.stale_files() == []
    learner = tmp_path / "notebooks" / SOURCES[0].name
    learner.write_text(learner.read_text().replace("Start here", "Start HERE"))
    (tmp_path / "notebooks" / "99_orphan.ipynb").write_text(learner.read_text())
    problems = build.stale_files()
    assert any("out of date" in p for p in problems) and any("no source" in p for p in problems)
    build.build()
    (tmp_path / "notebooks" / "99_orphan.ipynb").unlink()
    assert build.stale_files() == []


def test_make_stub_keeps_instructions_and_blanks_every_assigned_name():
    stub = build.make_stub("# Say which group\n# in quotes\nanswer = 'x'\nother: int = 2\nanswer = answer.upper()\n")
    assert stub.splitlines() == [
        "# Say which group", "# in quotes",
        "answer = ...  # your turn: replace ... with your answer",
        "other = ...  # your turn: replace ... with your answer",
    ]
    with pytest.raises(ValueError):
        build.make_stub("print('no assignment')")


@pytest.mark.parametrize("path", ALL, ids=_rel)
def test_committed_clean_with_kernelspec_python3(path):
    nb = _read(path)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{_rel(path)}: outputs left in a cell"


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_notebook_shape(path):
    nb = _read(path)
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    assert "minutes" in first_md.source and "you will be able to" in first_md.source
    assert "Key points" in nb.cells[-1].source
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.source.splitlines()[:2] == ["import equitykit as ek", "ek.notebook_setup()"]
    text = "\n".join(c.source for c in nb.cells)
    assert "Is my work helping to achieve equity?" in text
    assert "Reflection" in text


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_each_solution_is_followed_by_its_check_and_used_nowhere_else(path):
    nb = _read(path)
    cells = nb.cells
    for i, cell in enumerate(cells):
        if "solution" not in cell.metadata.get("tags", []):
            continue
        # An exercise may take a few solution cells in a row (make a table, then answer from it);
        # the first cell after them must be the check.
        j = i + 1
        while "solution" in cells[j].metadata.get("tags", []):
            j += 1
        check_cell = cells[j]
        match = CHECK_CALL.search(check_cell.source)
        assert match, f"{_rel(path)} cell {i}: the cell after a solution must call ek.check(...)"
        assert match.group(1) in EXERCISES, f"unknown exercise {match.group(1)!r}"
        assert EXERCISES[match.group(1)].notebook == path.stem
        # A learner's stub leaves these names as ..., so later cells must not rely on them.
        names = {n.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for later in cells[j + 1:]:
            if later.cell_type != "code":
                continue
            used = {n.id for n in ast.walk(ast.parse(later.source)) if isinstance(n, ast.Name)}
            assert not names & used, f"{_rel(path)}: a later cell uses {names & used} from a solution"


def test_every_exercise_is_in_a_notebook_and_every_check_is_an_exercise():
    used = set()
    for path in SOURCES:
        for cell in _read(path).cells:
            used |= set(CHECK_CALL.findall(cell.source))
    assert used == set(EXERCISES)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=_rel)
def test_learner_versions_hold_no_solutions(path):
    nb = _read(path)
    source = _read(ROOT / "workshop" / "source" / path.name)
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
    for learner_cell, source_cell in zip(nb.cells, source.cells):
        if "solution" in source_cell.metadata.get("tags", []):
            assert "..." in learner_cell.source and "your turn" in learner_cell.source
            assert learner_cell.source != source_cell.source
            compile(learner_cell.source, path.name, "exec")


MINUTES = {"00": 20, "01": 50, "02": 40, "03": 40, "04": 60, "05": 30, "06": 30}


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_minutes_fit_the_agenda(path):
    first_md = next(c for c in _read(path).cells if c.cell_type == "markdown")
    assert f"about {MINUTES[path.stem[:2]]} minutes" in first_md.source


def test_explorers_in_01_and_04_and_the_published_calls():
    text = {p.stem[:2]: "\n".join(c.source for c in _read(p).cells) for p in SOURCES}
    assert "ek.widgets.gap_explorer(" in text["01"] and ".sii()" in text["01"]
    assert "ek.widgets.spc_explorer(" in text["04"]
    assert ('ek.equity_lens(cs, x="month", outcome="screened", n="eligible", by="age_group",\n'
            '                      change="phase", improvement="increase")') in text["04"]
    assert "freeze=" in text["05"] and "ek.safety_cross(" in text["05"] and "ek.sustain_checklist()" in text["05"]
    # 06 writes its example files to a temporary folder, never into the repository.
    assert "tempfile.mkdtemp" in text["06"] and "ek.read_data(" in text["06"] and ".xlsx" in text["06"]


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_cells_meant_to_fail_carry_the_tag_every_tool_honours(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert "NBVAL_RAISES_EXCEPTION" not in cell.source, "use the raises-exception cell tag instead"
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "ek.notebook_setup()" in first.source, "the first code cell sets up the notebook for learners"
