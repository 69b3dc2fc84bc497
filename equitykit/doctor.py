"""``equitykit doctor``: check a laptop is ready for the workshop, days before it.

Each check gives PASS, WARN or FAIL; every problem comes with what to do, written
for how this copy of the kit was installed (a clone's ``.venv``, a conda
environment, or pip). The doctor must work on the laptop it diagnoses, so this
module uses only the standard library at import and imports nothing of the kit:
each dependency is found with ``importlib.util.find_spec`` and
``importlib.metadata`` before it is imported, each check runs on its own (one
that breaks becomes a FAIL line, never a traceback), and the ``equitykit``
command loads this file by itself when the kit cannot be imported at all.
Nothing here changes the machine, except a test file made and deleted to prove
the output folder can be written.

Example
-------
>>> checks = run_checks(only=["python"])
>>> checks[0].status
'PASS'
"""
from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Check", "Install", "REQUIREMENTS", "detect_install", "run_checks", "format_report",
           "exit_code", "main"]

MIN_PYTHON = (3, 10)

#: distribution name -> (import name, version range). Must match pyproject.toml
#: (a test checks it does), so the doctor works even when the kit is not pip-installed.
REQUIREMENTS: dict[str, tuple[str, str]] = {
    "pandas": ("pandas", ">=2.2,<4"),
    "numpy": ("numpy", ">=1.26,<3"),
    "scipy": ("scipy", ">=1.11,<2"),
    "altair": ("altair", ">=6,<7"),
    "vl-convert-python": ("vl_convert", ">=1.6,<2"),
    "anywidget": ("anywidget", ">=0.9,<1"),
    "ipywidgets": ("ipywidgets", ">=8,<9"),
    "jupyterlab": ("jupyterlab", ">=4,<5"),
    "papermill": ("papermill", ">=2.6,<3"),
    "nbconvert": ("nbconvert", ">=7,<8"),
    "nbformat": ("nbformat", ">=5.9,<6"),
    "pyyaml": ("yaml", ">=6,<7"),
    "openpyxl": ("openpyxl", ">=3.1,<4"),
}

#: Every check, in the order of the report (``only=`` picks some).
CHECKS = ("python", "packages", "kit", "kernel", "widgets", "chart", "datasets", "folder")


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, PASS/WARN/FAIL, details and what to do."""

    name: str
    status: str
    detail: str
    fix: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "FAIL"


# --------------------------------------------------------------------------- how the kit was installed


def _quote(path: str | Path) -> str:
    text = str(path)
    return f'"{text}"' if any(c in text for c in " ()&'") else text


@dataclass(frozen=True)
class Install:
    """How this copy of the kit was installed, and so how to fix it.

    ``kind`` is ``"clone"`` (a clone of the repository with its ``.venv``),
    ``"conda"`` or ``"pip"``; ``where`` is the clone's folder or the environment.
    """

    kind: str
    where: str
    python: str = sys.executable

    def describe(self) -> str:
        """One sentence for the report: how the kit here was installed."""
        return {
            "clone": f"The kit here runs from a clone of its repository in {self.where}, with its .venv.",
            "conda": f"The kit here is installed in the conda environment '{self.where}'.",
            "pip": f"The kit here was installed with pip, into {self.where}.",
        }[self.kind]

    def install(self, *requirements: str) -> str:
        """The command that installs ``requirements`` (``"pandas>=2.2,<4"``) here."""
        wanted = " ".join(f'"{r}"' for r in requirements)
        if self.kind == "conda":
            return f"conda install -n {self.where} -c conda-forge {wanted}"
        return f"{_quote(self.python)} -m pip install {wanted}"

    def reinstall_kit(self) -> str:
        """The command that puts the kit itself (and everything it needs) back."""
        if self.kind == "clone":
            return (f"in {self.where}, run `make install` (without make: "
                    f"`{_quote(self.python)} -m pip install -e .`)")
        if self.kind == "conda":
            return (f"run `conda env update -n {self.where} -f environment.yml` in the kit's folder, "
                    f"or `{_quote(self.python)} -m pip install --force-reinstall equitykit`")
        return (f"run `{_quote(self.python)} -m pip install --force-reinstall equitykit` "
                "(or the wheel file you were given instead of equitykit)")


def _package_folder() -> Path | None:
    """The equitykit package's folder, found without importing it."""
    try:
        spec = importlib.util.find_spec("equitykit")
    except Exception:
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def detect_install(prefix: str | None = None, package: Path | None = None) -> Install:
    """Tell a clone's ``.venv``, a conda environment and a pip install apart.

    Example
    -------
    >>> detect_install().kind in ("clone", "conda", "pip")
    True
    """
    prefix_path = Path(prefix or sys.prefix).resolve()
    package = package if package is not None else _package_folder()
    if package is not None:
        root = package.parent
        if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() \
                and prefix_path == (root / ".venv").resolve():
            return Install("clone", str(root))
    if (prefix_path / "conda-meta").is_dir():
        name = "base" if (prefix_path / "envs").is_dir() else prefix_path.name
        return Install("conda", name)
    return Install("pip", str(prefix_path))


# --------------------------------------------------------------------------- versions


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        match = re.match(r"\d+", piece)
        if not match:
            break
        parts.append(int(match.group()))
    return tuple(parts)


def in_range(version: str, spec: str) -> bool:
    """True when ``version`` satisfies a simple range such as ``">=2.2,<4"``.

    Example
    -------
    >>> in_range("3.1.1", ">=2.2,<4"), in_range("4.0", ">=2.2,<4"), in_range("0.11.0", ">=0.11,<1")
    (True, False, True)
    """
    have = _version_tuple(version)
    for clause in spec.split(","):
        match = re.fullmatch(r"\s*(>=|<=|<|>|==)\s*([\w.]+)\s*", clause)
        if not match:
            continue
        op, bound = match.group(1), _version_tuple(match.group(2))
        width = max(len(have), len(bound))
        a = have + (0,) * (width - len(have))
        b = bound + (0,) * (width - len(bound))
        ok = {">=": a >= b, ">": a > b, "<": a < b, "<=": a <= b, "==": a == b}[op]
        if not ok:
            return False
    return True


# --------------------------------------------------------------------------- the checks


def _check_python(version_info: Any = None, install: Install | None = None) -> Check:
    info = version_info or sys.version_info
    text = f"{info[0]}.{info[1]}.{info[2]}"
    need = ".".join(map(str, MIN_PYTHON))
    if tuple(info[:2]) >= MIN_PYTHON:
        return Check("Python", "PASS", f"Python {text} (needs {need} or newer)")
    redo = ("delete the .venv folder, then run `make lab`" if install and install.kind == "clone"
            else "make a new environment with it and install the kit there")
    return Check("Python", "FAIL", f"Python {text} is too old (needs {need} or newer)",
                 f"Install Python {need} or newer (python.org, or ask IT), then {redo}.")


def _find(module: str) -> bool:
    """Whether ``module`` can be found, without importing it (a broken finder counts as missing)."""
    try:
        return importlib.util.find_spec(module) is not None
    except Exception:  # e.g. ModuleNotFoundError for a dotted name, or a broken .pth finder
        return False


def _check_package(dist: str, module: str, spec: str, install: Install,
                   import_module: Callable[[str], Any], version_of: Callable[[str], str]) -> Check:
    wanted = f"{dist}{spec}"
    if not _find(module):
        return Check(dist, "FAIL", f"{dist} is not installed (the kit needs {spec})",
                     f"Run `{install.install(wanted)}`.")
    try:
        version = version_of(dist)
    except Exception:  # found but with no record of its version (e.g. copied in by hand)
        version = "unknown"
    if version != "unknown" and not in_range(version, spec):
        return Check(dist, "FAIL", f"{dist} {version} is installed but the kit needs {spec}",
                     f"Run `{install.install(wanted)}`.")
    try:
        import_module(module)
    except Exception as exc:  # a broken install can raise anything, not only ImportError
        reinstall = install.install(wanted)
        if install.kind != "conda":
            reinstall = reinstall.replace(" install ", " install --force-reinstall ", 1)
        return Check(dist, "FAIL",
                     f"{dist} {version} is installed but cannot be imported ({type(exc).__name__}: {exc})",
                     f"Reinstall it: `{reinstall}`.")
    return Check(dist, "PASS", f"{dist} {version} (needs {spec})")


def _check_kit(install: Install, import_module: Callable[[str], Any]) -> Check:
    if _package_folder() is None:
        return Check("equitykit", "FAIL", "the equitykit package is not installed in this Python "
                     f"({sys.executable})", f"Install it: {install.reinstall_kit()}.")
    try:
        kit = import_module("equitykit")
    except Exception as exc:
        return Check("equitykit", "FAIL", f"the kit cannot be imported ({type(exc).__name__}: {exc})",
                     "Fix the FAIL lines above first; if this one stays, "
                     f"{install.reinstall_kit()}.")
    return Check("equitykit", "PASS", f"equitykit {getattr(kit, '__version__', '')} imports")


def _kernel_runs_this_python(argv: Sequence[str]) -> bool:
    first = argv[0] if argv else ""
    if first in ("python", "python3", f"python{sys.version_info[0]}"):
        return True  # Jupyter starts the Python it runs in for these names
    try:
        return Path(first).resolve() == Path(sys.executable).resolve()
    except OSError:
        return False


def _check_kernel(install: Install) -> Check:
    name = "Jupyter kernel"
    register = f"`{_quote(sys.executable)} -m ipykernel install --user --name python3`"
    if not _find("jupyter_client"):
        return Check(name, "FAIL", "jupyter_client (which starts notebook kernels) is not installed",
                     f"Run `{install.install('jupyterlab>=4,<5')}` (it brings jupyter_client), "
                     "then restart JupyterLab.")
    if not _find("ipykernel"):
        return Check(name, "FAIL", "ipykernel (the Python kernel notebooks run in) is not installed",
                     f"Run `{install.install('ipykernel')}`, then restart JupyterLab.")
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check(name, "FAIL", "no Jupyter kernel named 'python3' was found",
                     f"Run {register}, then restart JupyterLab.")
    if not _kernel_runs_this_python(spec.argv):
        return Check(name, "WARN", f"the 'python3' kernel runs {spec.argv[0]}, not this Python "
                     f"({sys.executable}), so notebooks may not find the kit",
                     f"Run {register} to point it here, then restart JupyterLab.")
    return Check(name, "PASS", f"kernel 'python3' ({spec.display_name}) runs this Python")


def _check_widgets_extension(install: Install, import_module: Callable[[str], Any]) -> Check:
    name = "Widget extension"
    fix = f"Run `{install.install('ipywidgets>=8,<9', 'jupyterlab_widgets')}`, then restart JupyterLab."
    try:
        import_module("jupyterlab_widgets")
    except Exception:
        return Check(name, "FAIL", "jupyterlab_widgets (the ipywidgets lab extension) is missing", fix)
    if not _find("jupyter_core"):
        return Check(name, "FAIL", "jupyter_core is missing, so lab extensions cannot be found", fix)
    from jupyter_core.paths import jupyter_path

    folders = [Path(p) / "@jupyter-widgets" / "jupyterlab-manager" for p in jupyter_path("labextensions")]
    found = next((f for f in folders if (f / "package.json").exists()), None)
    if found is None:
        return Check(name, "FAIL", "jupyterlab_widgets is installed but its lab extension files were "
                     "not found, so sliders will not show", fix)
    return Check(name, "PASS", f"ipywidgets lab extension found in {found.parent.parent}")


def _check_chart(install: Install, import_module: Callable[[str], Any]) -> Check:
    name = "Offline chart"
    fix = f"Run `{install.install('vl-convert-python>=1.6,<2')}` (it draws charts with no internet)."
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]},
        "mark": "line",
        "encoding": {"x": {"field": "x", "type": "quantitative"},
                     "y": {"field": "y", "type": "quantitative"}},
    }
    try:
        svg = import_module("vl_convert").vegalite_to_svg(spec)
    except Exception as exc:
        return Check(name, "FAIL", f"a chart could not be drawn offline ({type(exc).__name__}: {exc})", fix)
    if "<svg" not in svg:
        return Check(name, "FAIL", "the chart renderer returned no SVG", fix)
    return Check(name, "PASS", "a chart was drawn as SVG with no network")


def _check_datasets(install: Install, import_module: Callable[[str], Any]) -> Check:
    name = "Datasets"
    try:
        kit = import_module("equitykit")
    except Exception:
        return Check(name, "WARN", "the course's datasets were not checked, since the kit does not "
                     "import", "Fix the FAIL lines above, then run `equitykit doctor` again.")
    try:
        names = list(kit.list_datasets()["name"])
        for dataset in names:
            kit.load_dataset(dataset)
    except Exception as exc:
        return Check(name, "FAIL", f"the course's datasets did not load ({type(exc).__name__}: {exc})",
                     f"The kit's files are incomplete: {install.reinstall_kit()}.")
    return Check(name, "PASS", f"{len(names)} datasets load: {', '.join(names)}")


def _check_folder(out: str | os.PathLike[str]) -> Check:
    """Prove the output folder (or the nearest folder above it that exists) can be written."""
    name = "Output folder"
    folder = Path(out).expanduser().resolve()
    fix = (f"Work in a folder you can write to, e.g. your Documents folder (`cd` there first), or "
           "name one with --out.")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        return Check(name, "FAIL", f"'{folder}' is not a folder (a file is in the way)", fix)
    try:
        fd, probe = tempfile.mkstemp(prefix=".equitykit-doctor-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return Check(name, "FAIL", f"cannot write into '{existing}' ({exc.strerror or exc}): "
                     "copies of the notebooks and handouts could not be saved there", fix)
    where = folder if existing == folder else f"{existing} (where {folder} would be made)"
    return Check(name, "PASS", f"files can be written in {where}")


def _isolated(name: str, check: Callable[[], Check]) -> Check:
    """Run one check; if the check itself breaks, that is a FAIL line, never a traceback."""
    try:
        return check()
    except Exception as exc:
        return Check(name, "FAIL", f"the {name.lower()} check could not run ({type(exc).__name__}: {exc})",
                     "Reinstall the kit and its packages, then run `equitykit doctor` again.")


def run_checks(
    *,
    import_module: Callable[[str], Any] = importlib.import_module,
    version_of: Callable[[str], str] = importlib.metadata.version,
    requirements: dict[str, tuple[str, str]] | None = None,
    only: Iterable[str] | None = None,
    out: str | os.PathLike[str] = ".",
    install: Install | None = None,
) -> list[Check]:
    """Run every check (or ``only`` some of ``CHECKS``) and return the list; nothing is printed.

    ``import_module``, ``version_of`` and ``requirements`` let tests simulate a
    missing or wrong package without uninstalling anything; ``out`` is the folder
    whose write access is checked.
    """
    wanted = set(only) if only is not None else set(CHECKS)
    how = install or detect_install()
    steps: list[tuple[str, Callable[[], Check]]] = []
    if "python" in wanted:
        steps.append(("Python", lambda: _check_python(install=how)))
    if "packages" in wanted:
        for dist, (module, spec) in (requirements or REQUIREMENTS).items():
            steps.append((dist, lambda d=dist, m=module, s=spec:
                          _check_package(d, m, s, how, import_module, version_of)))
    if "kit" in wanted:
        steps.append(("equitykit", lambda: _check_kit(how, import_module)))
    if "kernel" in wanted:
        steps.append(("Jupyter kernel", lambda: _check_kernel(how)))
    if "widgets" in wanted:
        steps.append(("Widget extension", lambda: _check_widgets_extension(how, import_module)))
    if "chart" in wanted:
        steps.append(("Offline chart", lambda: _check_chart(how, import_module)))
    if "datasets" in wanted:
        steps.append(("Datasets", lambda: _check_datasets(how, import_module)))
    if "folder" in wanted:
        steps.append(("Output folder", lambda: _check_folder(out)))
    return [_isolated(name, step) for name, step in steps]


def format_report(checks: list[Check], install: Install | None = None) -> str:
    """The report as text: one line per check, what to do under each problem, a verdict.

    Example
    -------
    >>> print(format_report([Check("Python", "PASS", "Python 3.11.2")], Install("pip", "/opt/env")))
    equitykit doctor: is this computer ready for the workshop?
    The kit here was installed with pip, into /opt/env.
    <BLANKLINE>
      PASS  Python 3.11.2
    <BLANKLINE>
    All 1 checks passed: this computer is ready for the workshop.
    """
    how = install or detect_install()
    lines = ["equitykit doctor: is this computer ready for the workshop?", how.describe(), ""]
    for check in checks:
        lines.append(f"  {check.status:<4}  {check.detail}")
        if check.status != "PASS" and check.fix:
            lines.append(f"        What to do: {check.fix}")
    failed = [c for c in checks if c.failed]
    lines.append("")
    if failed:
        names = ", ".join(c.name for c in failed)
        lines.append(f"{len(failed)} of {len(checks)} checks FAILED ({names}). "
                     "Do what each one says, then run `equitykit doctor` again.")
        missing = [f"{c.name}{REQUIREMENTS[c.name][1]}" for c in failed
                   if c.name in REQUIREMENTS and "not installed" in c.detail]
        if len(missing) > 1:
            lines.append(f"All the missing packages at once: {how.install(*missing)}")
    else:
        warned = sum(c.status == "WARN" for c in checks)
        if warned:
            lines.append(f"No check failed ({len(checks) - warned} passed, {warned} "
                         f"warning{'s' if warned != 1 else ''} to read): this computer is ready "
                         "for the workshop.")
        else:
            lines.append(f"All {len(checks)} checks passed: this computer is ready for the workshop.")
    return "\n".join(lines)


def exit_code(checks: list[Check]) -> int:
    """0 when nothing failed, 1 otherwise."""
    return int(any(c.failed for c in checks))


def main(argv: Sequence[str] | None = None, *, reason: str | None = None) -> int:
    """``equitykit doctor [--out DIR]``, also when the rest of the kit cannot start.

    ``reason`` is why the ``equitykit`` command could not start, said before the report.
    """
    parser = argparse.ArgumentParser(prog="equitykit doctor", add_help=reason is None)
    parser.add_argument("command", nargs="?")
    parser.add_argument("--out", default=".")
    args, _ = parser.parse_known_args(argv)
    install = detect_install()
    if reason:
        print(f"equitykit cannot start here ({reason}).\nThe doctor's report says what to fix:\n")
    checks = run_checks(out=args.out if args.command in (None, "doctor") else ".", install=install)
    print(format_report(checks, install))
    return exit_code(checks) or int(reason is not None)
