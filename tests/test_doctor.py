"""`equitykit doctor` never crashes, and says what to do for how the kit was installed.

Packages are made missing (or broken) for real in a child process: a
``sitecustomize`` on its path puts an import blocker first on ``sys.meta_path``,
so ``import pandas`` fails there exactly as on a laptop without pandas. The
command is the installed ``equitykit`` script, as a participant runs it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from equitykit import doctor
from equitykit.doctor import Install, detect_install

from _readonly import read_only, unprivileged

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / ("equitykit.exe" if os.name == "nt" else "equitykit")

BLOCKER = '''
import importlib.abc, importlib.machinery, os, sys

MISSING = set(filter(None, os.environ.get("EQUITYKIT_TEST_MISSING", "").split(",")))
BROKEN = set(filter(None, os.environ.get("EQUITYKIT_TEST_BROKEN", "").split(",")))


class _Broken(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        raise ImportError(f"simulated broken install of {module.__name__}")


class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in MISSING:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if top in BROKEN:
            return importlib.machinery.ModuleSpec(name, _Broken())
        return None


sys.meta_path.insert(0, _Blocker())
'''


@pytest.fixture(scope="module")
def blocker(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("blocker")
    (folder / "sitecustomize.py").write_text(BLOCKER)
    return folder


def _doctor(blocker: Path, cwd: Path, *args: str, missing: str = "", broken: str = "",
            command: list[str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(blocker), EQUITYKIT_TEST_MISSING=missing,
               EQUITYKIT_TEST_BROKEN=broken)
    return subprocess.run(command or [str(SCRIPT), "doctor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _fail_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.lstrip().startswith("FAIL")]


# The eight packages whose absence crashed the doctor, and jupyter_client (UnboundLocalError).
@pytest.mark.parametrize("dist,module", [
    ("pandas", "pandas"), ("numpy", "numpy"), ("scipy", "scipy"), ("altair", "altair"),
    ("anywidget", "anywidget"), ("ipywidgets", "ipywidgets"), ("nbformat", "nbformat"),
    ("pyyaml", "yaml"), ("jupyter_client", "jupyter_client"),
])
def test_a_missing_package_is_a_fail_line_with_its_fix_never_a_traceback(blocker, tmp_path, dist, module):
    result = _doctor(blocker, tmp_path, missing=module)
    everything = result.stdout + result.stderr
    assert result.returncode == 1, everything
    assert "Traceback" not in everything
    fails = _fail_lines(result.stdout)
    assert fails, result.stdout
    if dist in doctor.REQUIREMENTS:
        line = next(l for l in fails if f"{dist} is not installed" in l)
        assert doctor.REQUIREMENTS[dist][1] in line
        assert f'-m pip install "{dist}{doctor.REQUIREMENTS[dist][1]}"' in result.stdout
    else:
        assert any("jupyter_client (which starts notebook kernels) is not installed" in l for l in fails)
    assert sys.executable in result.stdout  # the fix names this install's own Python
    assert "checks FAILED" in result.stdout


def test_several_missing_packages_get_one_command_to_install_them_all(blocker, tmp_path):
    result = _doctor(blocker, tmp_path, missing="pandas,scipy,openpyxl")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "equitykit cannot start here (ModuleNotFoundError: No module named 'pandas')" in result.stdout
    assert ('All the missing packages at once: ' in result.stdout
            and '"pandas>=2.2,<4" "scipy>=1.11,<2" "openpyxl>=3.1,<4"' in result.stdout)
    assert "the course's datasets were not checked, since the kit does not import" in result.stdout


def test_a_broken_package_is_reported_as_broken_with_a_reinstall(blocker, tmp_path):
    result = _doctor(blocker, tmp_path, broken="scipy")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    line = next(l for l in _fail_lines(result.stdout) if l.lstrip().startswith("FAIL  scipy"))
    assert "is installed but cannot be imported (ImportError: simulated broken install of scipy)" in line
    assert '-m pip install --force-reinstall "scipy>=1.11,<2"' in result.stdout


def test_any_command_shows_the_doctor_when_the_kit_cannot_start(blocker, tmp_path):
    result = _doctor(blocker, tmp_path, missing="numpy",
                     command=[str(SCRIPT), "notebooks", str(tmp_path / "course")])
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "equitykit cannot start here" in result.stdout and "numpy is not installed" in result.stdout
    assert not (tmp_path / "course").exists()


def test_python_dash_m_doctor_survives_packages_the_kit_does_not_import_first(blocker, tmp_path):
    result = _doctor(blocker, tmp_path, missing="altair,yaml",
                     command=[sys.executable, "-m", "equitykit", "doctor"])
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "altair is not installed" in result.stdout and "pyyaml is not installed" in result.stdout


def test_a_read_only_folder_fails_the_output_folder_check(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder):
        here = subprocess.run(unprivileged([str(SCRIPT), "doctor"]), cwd=folder,
                              capture_output=True, text=True, timeout=300)
        named = subprocess.run(unprivileged([str(SCRIPT), "doctor", "--out", str(folder / "handouts")]),
                               cwd=tmp_path, capture_output=True, text=True, timeout=300)
    for result in (here, named):
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        line = next(l for l in _fail_lines(result.stdout) if "cannot write into" in l)
        assert str(folder) in line
        assert "a folder you can write to" in result.stdout
        assert "1 of 20 checks FAILED (Output folder)" in result.stdout
    assert list(folder.iterdir()) == []


def test_a_writable_output_folder_that_does_not_exist_yet_passes(tmp_path):
    check = doctor.run_checks(only=["folder"], out=tmp_path / "new" / "handouts")[0]
    assert check.status == "PASS" and "where" in check.detail
    (tmp_path / "file").write_text("x")
    blocked = doctor.run_checks(only=["folder"], out=tmp_path / "file" / "handouts")[0]
    assert blocked.failed and "a file is in the way" in blocked.detail


# --------------------------------------------------------------------------- how it was installed


def test_this_clone_is_recognised():
    install = detect_install()
    assert install.kind == ("clone" if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve() else install.kind)
    if install.kind == "clone":
        assert install.where == str(ROOT)
        assert "make install" in install.reinstall_kit()


def test_a_conda_environment_gets_conda_commands(tmp_path):
    env = tmp_path / "envs" / "equitykit"
    (env / "conda-meta").mkdir(parents=True)
    install = detect_install(prefix=str(env), package=tmp_path / "site-packages" / "equitykit")
    assert install == Install("conda", "equitykit", install.python)
    assert install.install("pandas>=2.2,<4") == 'conda install -n equitykit -c conda-forge "pandas>=2.2,<4"'
    assert "environment.yml" in install.reinstall_kit()
    check = doctor._check_package("pandas", "no_such_module_here", ">=2.2,<4", install, None, None)
    assert check.failed and 'conda install -n equitykit -c conda-forge "pandas>=2.2,<4"' in check.fix
    base = tmp_path / "miniforge3"
    (base / "conda-meta").mkdir(parents=True)
    (base / "envs").mkdir()
    assert detect_install(prefix=str(base), package=tmp_path / "x").where == "base"


def test_a_pip_install_gets_this_pythons_pip(tmp_path):
    install = detect_install(prefix=str(tmp_path / "venv"), package=tmp_path / "venv" / "lib" / "equitykit")
    assert install.kind == "pip"
    windows = Install("pip", "C:/Users/A Person/kit", python="C:/Users/A Person/kit/Scripts/python.exe")
    assert windows.install("numpy>=1.26,<3") == \
        '"C:/Users/A Person/kit/Scripts/python.exe" -m pip install "numpy>=1.26,<3"'
    assert "--force-reinstall equitykit" in windows.reinstall_kit()


def test_a_check_that_breaks_is_a_fail_line():
    def explode():
        raise RuntimeError("boom")

    check = doctor._isolated("Widget extension", explode)
    assert check.failed and "could not run (RuntimeError: boom)" in check.detail


def test_a_kernel_running_another_python_is_a_warning():
    assert doctor._kernel_runs_this_python(["python", "-m", "ipykernel_launcher"])
    assert doctor._kernel_runs_this_python([sys.executable])
    assert not doctor._kernel_runs_this_python(["/usr/bin/some-other-python3.9"])


def test_version_outside_the_range_fails_with_the_install_command():
    checks = doctor.run_checks(only=["packages"], requirements={"pandas": ("pandas", ">=2.2,<4")},
                               version_of=lambda dist: "1.5.3", install=Install("pip", "/env", "/env/bin/python"))
    assert [c.status for c in checks] == ["FAIL"]
    assert "pandas 1.5.3 is installed but the kit needs >=2.2,<4" in checks[0].detail
    assert checks[0].fix == 'Run `/env/bin/python -m pip install "pandas>=2.2,<4"`.'
    assert doctor.exit_code(checks) == 1


def test_widget_extension_missing():
    def no_widgets(module):
        raise ModuleNotFoundError(module)

    check = doctor.run_checks(only=["widgets"], import_module=no_widgets)[0]
    assert check.failed and "jupyterlab_widgets" in check.fix


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


def test_the_doctor_imports_only_the_standard_library():
    """So the command can load it on its own when the kit cannot be imported."""
    import ast

    tree = ast.parse((ROOT / "equitykit" / "doctor.py").read_text())
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = {alias.name.partition(".")[0] for node in top if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module.partition(".")[0] for node in top if isinstance(node, ast.ImportFrom)}
    assert all(node.level == 0 for node in top if isinstance(node, ast.ImportFrom))
    assert names <= set(sys.stdlib_module_names) | {"__future__"}
