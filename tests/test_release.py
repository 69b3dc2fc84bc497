"""The release check: the built wheel alone runs the course and the facilitator's kit.

`python -m build` makes the sdist and, from it, the wheel (as `make dist` does);
the wheel goes into a fresh virtual environment outside the checkout, and from
another folder, with none of the repository in reach, we load every dataset,
run `equitykit doctor`, copy the learner notebooks and run each one top to
bottom with that environment's kernel, then copy the facilitator's kit and
render the handouts from its teams file. Slow (a few minutes): marked `release`
(`pytest -m "not release"` leaves it out while working on something else).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.release

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"


def _load_setup_course() -> tuple[str, ...]:
    """setup.py's COURSE globs, read without running setup()."""
    import ast

    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COURSE":
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COURSE")


def _run(command: list, *, cwd: Path, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{command}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=ROOT)
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    (found,) = dist.glob("equitykit-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> dict:
    """A fresh environment with only the wheel (and what it depends on) installed."""
    home = tmp_path_factory.mktemp("fresh")
    _run([sys.executable, "-m", "venv", home / "venv"], cwd=home)
    python = home / "venv" / BIN / "python"
    # --no-compile: no .pyc for all of JupyterLab up front (a minute of CPU here); imports make them
    _run([python, "-m", "pip", "install", "--quiet", "--no-compile", wheel], cwd=home)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("JUPYTER")}
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    # a person's own Jupyter folders play no part: kernels come from the fresh environment
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR"):
        env[name] = str(home / name.lower())
    work = home / "elsewhere"
    work.mkdir()
    return {"python": python, "script": python.parent / "equitykit", "env": env, "work": work}


def _expected_course() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for pattern in _load_setup_course() for p in ROOT.glob(pattern)}


def test_build_globs_and_copy_parts_agree():
    from equitykit.course import FACILITATOR_FILES, LEARNER_FILES

    assert {part.glob for part in LEARNER_FILES + FACILITATOR_FILES} == set(_load_setup_course())


def test_the_wheel_holds_the_package_the_course_and_the_licence_and_nothing_else(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packaged = {n for n in names if n.startswith("equitykit/")}
    course = {n.removeprefix("equitykit/_course/") for n in packaged if n.startswith("equitykit/_course/")}
    assert course == _expected_course()
    assert {"notebooks/00_start_here.ipynb", "data/appointments.csv", "workshop/handout.ipynb",
            "workshop/teams.yaml", "workshop/facilitator/00_start_here.ipynb"} <= course
    code = {n for n in packaged if not n.startswith("equitykit/_course/")}
    assert code == {f"equitykit/{p.name}" for p in (ROOT / "equitykit").iterdir()
                    if p.suffix == ".py" or p.name == "py.typed"}
    version = wheel.name.split("-")[1]
    data = f"equitykit-{version}.data/data/share/jupyter/lab/settings/overrides.d/equitykit.json"
    info = f"equitykit-{version}.dist-info/"
    others = {n for n in names - packaged if not n.startswith(info)}
    assert others == {"_equitykit_start.py", data}
    assert f"{info}licenses/LICENSE" in names
    metadata = zipfile.ZipFile(wheel).read(f"{info}METADATA").decode()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    runtime = [line for line in requires if "extra ==" not in line]
    assert any("jupyterlab" in line for line in runtime)
    for tool in ("pytest", "nbval", "hypothesis", "playwright"):
        assert not any(tool in line for line in runtime), f"{tool} is a test tool, not a runtime dependency"
        assert any(tool in line and 'extra == "test"' in line for line in requires), tool


def test_the_sdist_holds_what_the_wheel_is_built_from(dist):
    (sdist,) = dist.glob("equitykit-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"setup.py", "pyproject.toml", "LICENSE", "MANIFEST.in", "_equitykit_start.py",
            "jupyter/equitykit.json"} <= names
    assert _expected_course() <= names


def test_the_installed_wheel_runs_the_course_and_the_facilitators_kit(venv):
    python, script, env, work = venv["python"], venv["script"], venv["env"], venv["work"]
    package = Path(_run([python, "-c", "import equitykit, pathlib; print(pathlib.Path(equitykit.__file__).parent)"],
                        cwd=work, env=env).stdout.strip())
    assert ROOT not in package.parents and package.parent.name == "site-packages"
    before = _tree(package)

    # every dataset, from the package
    loaded = _run([python, "-c", "import equitykit as ek\n"
                   "for name in ek.list_datasets()['name']:\n"
                   "    frame = ek.load_dataset(name)\n"
                   "    assert len(frame) > 0, name\n"
                   "    print(name, len(frame))"], cwd=work, env=env).stdout
    assert len(loaded.splitlines()) == 10

    # the doctor, for a pip install, with nothing to fix
    report = _run([script, "doctor"], cwd=work, env=env).stdout
    assert "installed with pip, into" in report and "FAIL" not in report

    # a learner's copy, every notebook run from it with the environment's own kernel
    course = work / "my course"  # a space, as in many Windows user names
    _run([script, "notebooks", course], cwd=work, env=env)
    notebooks = sorted(p.name for p in course.glob("*.ipynb"))
    assert len(notebooks) >= 7 and (course / "data" / "appointments.csv").is_file()
    # A notebook that errors fails at once. One that times out is run once more in a fresh kernel:
    # ipykernel 7 now and then loses a reply at start-up and both ends wait (vscode-jupyter #17228).
    runner = ("import sys, nbformat\nfrom nbclient import NotebookClient\nfrom pathlib import Path\n"
              "folder = Path(sys.argv[1])\n"
              "for path in sorted(folder.glob('*.ipynb')):\n"
              "    for attempt in (1, 2):\n"
              "        nb = nbformat.read(path, as_version=4)\n"
              "        try:\n"
              "            NotebookClient(nb, timeout=180, startup_timeout=120, kernel_name='python3',\n"
              "                           resources={'metadata': {'path': str(folder)}}).execute()\n"
              "            break\n"
              "        except (TimeoutError, RuntimeError):  # a cell or the kernel start timed out\n"
              "            if attempt == 2:\n"
              "                raise\n"
              "            print('timed out, trying again:', path.name, file=sys.stderr, flush=True)\n"
              "    print('ran', path.name, flush=True)\n")
    ran = _run([python, "-c", runner, course], cwd=work, env=env, timeout=1800).stdout
    assert ran.split() == [w for name in notebooks for w in ("ran", name)]

    # a facilitator's copy, and the handouts from its sample teams file
    kit = work / "facilitator"
    _run([script, "notebooks", kit, "--facilitator"], cwd=work, env=env)
    handouts = work / "handouts"
    _run([script, "handouts", kit / "workshop" / "teams.yaml", "--out", handouts, "--quiet"],
         cwd=work, env=env, timeout=1800)
    import yaml

    teams = yaml.safe_load((kit / "workshop" / "teams.yaml").read_text())["teams"]
    pages = sorted(p.name for p in handouts.glob("*.html"))
    assert "index.html" in pages and len(pages) == len(teams) + 1, pages

    assert _tree(package) == before, "nothing may be written into the installed package"


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
