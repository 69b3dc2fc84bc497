"""``equitykit doctor``: check a laptop is ready for the workshop, days before it.

Each check gives PASS, WARN or FAIL with a line saying what to do. Nothing here
changes the machine: the checks only import, look up and render in memory.

Example
-------
>>> checks = run_checks(only=["python"])
>>> checks[0].status
'PASS'
"""
from __future__ import annotations

import importlib
import importlib.metadata
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Check", "REQUIREMENTS", "run_checks", "format_report", "exit_code"]

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

_INSTALL = "Run `make install` in the kit's folder (or `pip install -e .` in your environment)"


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


def _check_python(version_info: Any = None) -> Check:
    info = version_info or sys.version_info
    text = f"{info[0]}.{info[1]}.{info[2]}"
    need = ".".join(map(str, MIN_PYTHON))
    if tuple(info[:2]) >= MIN_PYTHON:
        return Check("Python", "PASS", f"Python {text} (needs {need} or newer)")
    return Check(
        "Python",
        "FAIL",
        f"Python {text} is too old (needs {need} or newer)",
        f"Install Python {need} or newer (python.org, or ask IT), delete the .venv folder, then run `make lab`.",
    )


def _check_package(
    dist: str,
    module: str,
    spec: str,
    import_module: Callable[[str], Any],
    version_of: Callable[[str], str],
) -> Check:
    try:
        import_module(module)
    except Exception as exc:  # ImportError, or a broken install raising anything else
        return Check(
            dist,
            "FAIL",
            f"{dist} cannot be imported ({type(exc).__name__}: {exc}); needs {spec}",
            f"{_INSTALL}, or `pip install \"{dist}{spec}\"`.",
        )
    try:
        version = version_of(dist)
    except importlib.metadata.PackageNotFoundError:
        version = str(getattr(sys.modules.get(module), "__version__", "unknown"))
    if version != "unknown" and not in_range(version, spec):
        return Check(
            dist,
            "FAIL",
            f"{dist} {version} is installed but the kit needs {spec}",
            f"Run `pip install \"{dist}{spec}\"` (or delete .venv and run `make install`).",
        )
    return Check(dist, "PASS", f"{dist} {version} (needs {spec})")


def _check_kernel() -> Check:
    fix = "Run `python -m ipykernel install --user --name python3` with the kit's Python, then restart JupyterLab."
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check("Jupyter kernel", "FAIL", "no Jupyter kernel named 'python3' was found", fix)
    except Exception as exc:
        return Check("Jupyter kernel", "FAIL", f"Jupyter kernels could not be listed ({exc})", f"{_INSTALL}. {fix}")
    try:
        importlib.import_module("ipykernel")
    except ImportError:
        return Check("Jupyter kernel", "FAIL", "the python3 kernel exists but ipykernel is missing", fix)
    return Check("Jupyter kernel", "PASS", f"kernel 'python3' ({spec.display_name}) is available")


def _check_widgets_extension(import_module: Callable[[str], Any]) -> Check:
    fix = "Run `pip install \"ipywidgets>=8,<9\" jupyterlab_widgets`, then restart JupyterLab."
    try:
        import_module("jupyterlab_widgets")
    except Exception:
        return Check("Widget extension", "FAIL", "jupyterlab_widgets (the ipywidgets lab extension) is missing", fix)
    try:
        from jupyter_core.paths import jupyter_path

        folders = [Path(p) / "@jupyter-widgets" / "jupyterlab-manager" for p in jupyter_path("labextensions")]
    except Exception:  # pragma: no cover - jupyter_core always ships with jupyterlab
        folders = []
    found = next((f for f in folders if (f / "package.json").exists()), None)
    if found is None:
        return Check(
            "Widget extension",
            "FAIL",
            "jupyterlab_widgets is installed but its lab extension files were not found, so sliders will not show",
            fix,
        )
    return Check("Widget extension", "PASS", f"ipywidgets lab extension found in {found.parent.parent}")


def _check_chart() -> Check:
    fix = "Run `pip install \"vl-convert-python>=1.6,<2\"` (it draws charts with no internet)."
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]},
        "mark": "line",
        "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
    }
    try:
        import vl_convert

        svg = vl_convert.vegalite_to_svg(spec)
    except Exception as exc:
        return Check("Offline chart", "FAIL", f"a chart could not be drawn offline ({type(exc).__name__}: {exc})", fix)
    if "<svg" not in svg:
        return Check("Offline chart", "FAIL", "the chart renderer returned no SVG", fix)
    return Check("Offline chart", "PASS", "a chart was drawn as SVG with no network")


def _check_datasets() -> Check:
    import equitykit

    load = getattr(equitykit, "load_dataset", None)
    listing = getattr(equitykit, "list_datasets", None)
    if load is not None and listing is not None:
        try:
            names = list(listing()["name"])
            for name in names:
                load(name)
        except Exception as exc:
            return Check(
                "Datasets",
                "FAIL",
                f"the bundled datasets did not load ({type(exc).__name__}: {exc})",
                "Download the kit again (the data/ folder may be incomplete), then run `make install`.",
            )
        return Check("Datasets", "PASS", f"{len(names)} datasets load: {', '.join(names)}")
    folder = Path(equitykit.__file__).resolve().parent.parent / "data"
    files = sorted(p.name for p in folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return Check(
            "Datasets",
            "WARN",
            f"no datasets found in {folder}",
            "Run the doctor from the kit's own folder, or download the kit again with its data/ folder.",
        )
    return Check("Datasets", "PASS", f"{len(files)} data files in {folder}: {', '.join(files)}")


def run_checks(
    *,
    import_module: Callable[[str], Any] = importlib.import_module,
    version_of: Callable[[str], str] = importlib.metadata.version,
    requirements: dict[str, tuple[str, str]] | None = None,
    only: Iterable[str] | None = None,
) -> list[Check]:
    """Run every check and return the list (nothing is printed).

    ``import_module``, ``version_of`` and ``requirements`` exist so tests can
    simulate a missing or wrong package without uninstalling anything.
    ``only`` limits the run to some of: python, packages, kernel, widgets, chart, datasets.
    """
    wanted = set(only) if only is not None else {"python", "packages", "kernel", "widgets", "chart", "datasets"}
    checks: list[Check] = []
    if "python" in wanted:
        checks.append(_check_python())
    if "packages" in wanted:
        for dist, (module, spec) in (requirements or REQUIREMENTS).items():
            checks.append(_check_package(dist, module, spec, import_module, version_of))
    if "kernel" in wanted:
        checks.append(_check_kernel())
    if "widgets" in wanted:
        checks.append(_check_widgets_extension(import_module))
    if "chart" in wanted:
        checks.append(_check_chart())
    if "datasets" in wanted:
        checks.append(_check_datasets())
    return checks


def format_report(checks: list[Check]) -> str:
    """The report as text: one line per check, what to do under each failure, a verdict.

    Example
    -------
    >>> print(format_report([Check("Python", "PASS", "Python 3.11.2")]))
    equitykit doctor: is this computer ready for the workshop?
    <BLANKLINE>
      PASS  Python 3.11.2
    <BLANKLINE>
    All 1 checks passed: this computer is ready for the workshop.
    """
    lines = ["equitykit doctor: is this computer ready for the workshop?", ""]
    for check in checks:
        lines.append(f"  {check.status:<4}  {check.detail}")
        if check.status != "PASS" and check.fix:
            lines.append(f"        What to do: {check.fix}")
    failed = [c for c in checks if c.failed]
    lines.append("")
    if failed:
        names = ", ".join(c.name for c in failed)
        lines.append(
            f"{len(failed)} of {len(checks)} checks FAILED ({names}). "
            "Do what each one says, then run `equitykit doctor` again."
        )
    else:
        warned = sum(c.status == "WARN" for c in checks)
        if warned:
            lines.append(
                f"No check failed ({len(checks) - warned} passed, {warned} warning{'s' if warned != 1 else ''} "
                "to read): this computer is ready for the workshop."
            )
        else:
            lines.append(f"All {len(checks)} checks passed: this computer is ready for the workshop.")
    return "\n".join(lines)


def exit_code(checks: list[Check]) -> int:
    """0 when nothing failed, 1 otherwise."""
    return int(any(c.failed for c in checks))
