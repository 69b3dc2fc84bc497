"""Tests for the `equitykit` command line: its layout, `lab`, `doctor` and the handouts wiring.

`equitykit notebooks` has its own file (test_course.py); the doctor's checks too (test_doctor.py).
"""
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


def test_conda_environment_matches_pyproject_and_installs_the_kit():
    tomllib = pytest.importorskip("tomllib")
    import yaml

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert sorted(project["dependencies"]) == sorted(d for d in conda if not d.startswith(("python", "pip")))
    assert pip == ["."]  # the kit itself, built with its course files, from this folder
    tools = {t.split(">")[0] for t in project["optional-dependencies"]["test"]}
    assert not tools & {d.split(">")[0] for d in conda}, "test tools belong in the test extra"


def test_doctor_passes_here(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "ready for the workshop" in out
    for expected in ("Python 3.", "pandas", "papermill", "kernel 'python3'", "ipywidgets lab extension",
                     "chart was drawn as SVG"):
        assert expected in out


def test_doctor_command_reports_a_broken_package_with_the_fix_for_this_install(monkeypatch, capsys):
    import sys

    real = doctor.run_checks

    def broken_papermill(module):
        if module == "papermill":
            raise ImportError("simulated: papermill is broken")
        return importlib.import_module(module)

    monkeypatch.setattr(doctor, "run_checks", lambda **kwargs: real(
        import_module=broken_papermill, only=["python", "packages"], install=kwargs.get("install")))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if "papermill" in l and "FAIL" in l)
    assert "cannot be imported (ImportError: simulated: papermill is broken)" in line
    assert f'-m pip install --force-reinstall "papermill>=2.6,<3"' in out and sys.executable in out
    assert "1 of 14 checks FAILED (papermill)" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "doctor" in capsys.readouterr().out


def test_every_command_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("notebooks", "lab", "doctor", "handouts"):
        assert command in out


def test_lab_command_runs_this_pythons_jupyterlab_on_the_folder(tmp_path):
    import os
    import sys

    from equitykit.cli import lab_command

    command = lab_command(tmp_path, browser=False, port=8999)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert "--no-browser" in command and "--port=8999" in command
    assert "--LabApp.default_url=/lab/tree/00_start_here.ipynb" in command
    assert ("--allow-root" in command) == (hasattr(os, "geteuid") and os.geteuid() == 0)


def test_equitykit_lab_copies_the_course_and_serves_it_with_no_news_popup(tmp_path):
    """`equitykit lab DIR` for real: the copy, then JupyterLab answering on that folder."""
    import json
    import os
    import re
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from _lab_server import free_port

    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "user-settings"))  # no settings of a person's own
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "equitykit", "lab", "course", "--no-browser",
                                    "--port", str(port)], cwd=tmp_path, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        token = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and token is None:
            assert process.poll() is None, log.read_text()
            found = re.search(rf"127\.0\.0\.1:{port}/lab[^\s]*\?token=(\w+)", log.read_text())
            token = found.group(1) if found else None
            time.sleep(0.5)
        assert token, log.read_text()
        assert "00_start_here.ipynb" in log.read_text()  # the copy's report came first

        def get(path):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?token={token}", timeout=30) as r:
                return json.load(r)

        names = {item["name"] for item in get("/api/contents")["content"]}
        assert {"00_start_here.ipynb", "data"} <= names
        notification = get("/lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = notification["schema"]["properties"]  # as this environment overrides them
        assert defaults["fetchNews"]["default"] == "false"  # no "get Jupyter news?" pop-up
        assert defaults["checkForUpdates"]["default"] is False
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert (tmp_path / "course" / "06_bring_your_own_data.ipynb").is_file()


def test_handouts_use_the_kits_own_notebook_when_none_is_named(tmp_path, capsys):
    """A teams file with no `notebook:` and no handout.ipynb beside it renders with the packaged one."""
    import yaml

    from equitykit.course import copy_course

    copy_course(tmp_path, facilitator=True)
    workshop = tmp_path / "workshop"
    (workshop / "handout.ipynb").unlink()
    teams = yaml.safe_load((workshop / "teams.yaml").read_text())
    teams.pop("notebook")
    teams["teams"] = [t for t in teams["teams"] if t["name"] == "Elm Street GP Practice"]
    (workshop / "teams.yaml").write_text(yaml.safe_dump(teams))
    code = main(["handouts", str(workshop / "teams.yaml"), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 0, capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) != []
    assert "Elm Street" in (tmp_path / "out" / "index.html").read_text()


def test_lab_with_a_bad_folder_says_so_and_starts_nothing(tmp_path, capsys, monkeypatch):
    import subprocess

    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a))
    target = tmp_path / "notes.txt"
    target.write_text("my notes")
    assert main(["lab", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "data").write_text("in the way")
    assert main(["lab", str(tmp_path / "course")]) == 1  # a file could not be copied: fix it first
    assert "Not copied" in capsys.readouterr().out
    assert started == [] and target.read_text() == "my notes"


def test_make_lab_installs_no_test_tools_and_make_test_does():
    """What `make lab` and `make test` would install (dry runs: nothing installed or started)."""
    import os
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}

    def planned(target):
        dry = subprocess.run(["make", "--no-print-directory", "-n", "-W", "pyproject.toml", target],
                             cwd=ROOT, capture_output=True, text=True, env=env)
        return [line for line in dry.stdout.splitlines() if "pip install" in line]

    lab = planned("lab")
    assert any(line.rstrip().endswith("install --quiet -e .") for line in lab), lab
    assert not any("[test]" in line or "[dev]" in line for line in lab), lab
    assert any('-e ".[test]"' in line for line in planned("test"))
    assert any("build" in line for line in planned("dist"))
