"""`make lab`'s server starts on notebooks/ and answers on localhost."""
from __future__ import annotations

import json
import urllib.request

from _lab_server import ROOT, lab_server


def test_jupyter_lab_answers_200_on_lab_within_60_seconds():
    with lab_server(ROOT / "notebooks", ready_within=60) as server:
        # /lab answered 200 (lab_server waits for it); the learner notebooks are what it serves.
        with urllib.request.urlopen(server.url("/api/contents"), timeout=10) as response:
            names = {item["name"] for item in json.load(response)["content"]}
        assert "00_start_here.ipynb" in names
    assert server.process.poll() is not None, "the server should be stopped after the test"


def test_make_lab_runs_that_server_on_notebooks_and_may_run_as_root():
    """The command `make lab` runs is the one started above (dry run: nothing installed or started)."""
    import os
    import shutil
    import subprocess

    import pytest

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry = subprocess.run(["make", "--no-print-directory", "-n", "-W", "pyproject.toml", "lab"],
                         cwd=ROOT, capture_output=True, text=True, env=env)
    lines = [line for line in dry.stdout.splitlines() if "jupyter lab" in line]
    assert lines, dry.stdout + dry.stderr
    assert "jupyter lab --notebook-dir=notebooks" in lines[-1]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        assert "--allow-root" in lines[-1]  # JupyterLab refuses to start as root without it
