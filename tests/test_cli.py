"""Tests for the `equitykit` command line: `equitykit doctor` (and the handouts wiring)."""
from __future__ import annotations

import importlib

from pathlib import Path

import pytest

from equitykit import doctor
from equitykit.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_requirements_match_pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {}
    for dep in deps:
        name = dep.split(">")[0].split("<")[0].split("=")[0].strip()
        declared[name] = dep[len(name):].strip()
    assert {k: v[1] for k, v in doctor.REQUIREMENTS.items()} == declared


def test_doctor_passes_here(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "ready for the workshop" in out
    for expected in ("Python 3.", "pandas", "papermill", "kernel 'python3'", "ipywidgets lab extension",
                     "chart was drawn as SVG"):
        assert expected in out


def _missing(name):
    def fake_import(module):
        if module == name:
            raise ModuleNotFoundError(f"No module named '{name}'")
        return importlib.import_module(module)
    return fake_import


def test_doctor_fails_clearly_when_a_package_is_missing(monkeypatch, capsys):
    real = doctor.run_checks

    def run_without_papermill(**kwargs):
        return real(import_module=_missing("papermill"), only=["python", "packages"])

    monkeypatch.setattr(doctor, "run_checks", run_without_papermill)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if "papermill" in l and "FAIL" in l)
    assert "cannot be imported" in line and ">=2.6,<3" in line
    assert 'What to do: Run `make install`' in out and 'pip install "papermill>=2.6,<3"' in out
    assert "1 of 15 checks FAILED (papermill)" in out


def test_doctor_fails_on_a_version_outside_the_range():
    checks = doctor.run_checks(
        only=["packages"],
        requirements={"pandas": ("pandas", ">=2.2,<4")},
        version_of=lambda dist: "1.5.3",
    )
    assert [c.status for c in checks] == ["FAIL"]
    assert "pandas 1.5.3 is installed but the kit needs >=2.2,<4" in checks[0].detail
    assert doctor.exit_code(checks) == 1


def test_doctor_fails_when_widget_extension_missing():
    checks = doctor.run_checks(only=["widgets"], import_module=_missing("jupyterlab_widgets"))
    assert checks[0].status == "FAIL" and "jupyterlab_widgets" in checks[0].fix


def test_python_too_old():
    check = doctor._check_python((3, 9, 18))
    assert check.failed and "3.9.18 is too old" in check.detail and "3.10" in check.fix


@pytest.mark.parametrize(
    "version,spec,ok",
    [("2.2.0", ">=2.2,<4", True), ("2.1.9", ">=2.2,<4", False), ("4.0.0", ">=2.2,<4", False),
     ("1.9.0.post1", ">=1.6,<2", True), ("0.11.0", ">=0.11,<1", True), ("1.0", ">=0.11,<1", False)],
)
def test_in_range(version, spec, ok):
    assert doctor.in_range(version, spec) is ok


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "doctor" in capsys.readouterr().out
