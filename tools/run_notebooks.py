"""Run notebooks top to bottom in ONE kernel and fail on any error (nbval --nbval-lax, faster).

nbval starts a kernel per notebook, and each kernel pays for importing the
stack again (about 6 s here: most of it jsonschema's IRI grammar, pulled in by
altair). This runner starts one kernel and, for each notebook, clears the
namespace (``%reset -f``), moves to the notebook's folder and runs its code
cells in order. The rules are nbval's lax mode: any error fails the notebook,
except in a cell marked ``# NBVAL_RAISES_EXCEPTION`` (which must raise);
``# NBVAL_SKIP`` cells are skipped.

Source and facilitator notebooks run with ``EQUITYKIT_STRICT_CHECKS=1``, so a
solution that its own self-check rejects fails the run; learner notebooks
(metadata ``equitykit.version == "learner"``) run without it, stubs and all.

Usage::

    python tools/run_notebooks.py workshop/source/*.ipynb notebooks/*.ipynb

The same notebooks also pass ``pytest --nbval-lax --nbval-current-env`` (slower).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parent.parent
STRICT_ENV = "EQUITYKIT_STRICT_CHECKS"
CELL_TIMEOUT = 120
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class Failure:
    cell: int
    source: str
    error: str


@dataclass
class Outcome:
    path: Path
    strict: bool
    seconds: float = 0.0
    cells: int = 0
    failures: list[Failure] = field(default_factory=list)


def is_strict(nb: nbformat.NotebookNode) -> bool:
    """Solutions present (source or facilitator version): a rejected solution is an error."""
    return nb.metadata.get("equitykit", {}).get("version") != "learner"


def _run(kc, code: str) -> str | None:
    """Execute code; return the error text, or None if it ran cleanly."""
    errors: list[str] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "error":
            content = msg["content"]
            errors.append(_ANSI.sub("", "\n".join(content.get("traceback") or [f"{content['ename']}: {content['evalue']}"])))

    reply = kc.execute_interactive(code, timeout=CELL_TIMEOUT, output_hook=hook, store_history=True, allow_stdin=False)
    if reply["content"]["status"] != "ok":
        if not errors:
            c = reply["content"]
            errors.append(f"{c.get('ename', 'Error')}: {c.get('evalue', '')}")
        return "\n".join(errors)
    return None


def _prepare(kc, folder: Path, strict: bool) -> None:
    setup = (
        "get_ipython().run_line_magic('reset', '-f')\n"
        "import os as _os\n"
        f"_os.chdir({str(folder)!r})\n"
        + (f"_os.environ[{STRICT_ENV!r}] = '1'\n" if strict else f"_os.environ.pop({STRICT_ENV!r}, None)\n")
        + "del _os\n"
    )
    problem = _run(kc, setup)
    if problem:
        raise RuntimeError(f"could not prepare the kernel for a notebook:\n{problem}")


def run_notebook(kc, path: Path) -> Outcome:
    nb = nbformat.read(path, as_version=4)
    outcome = Outcome(path, is_strict(nb))
    started = time.monotonic()
    _prepare(kc, path.resolve().parent, outcome.strict)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if "NBVAL_SKIP" in cell.source:
            continue
        outcome.cells += 1
        try:
            error = _run(kc, cell.source)
        except TimeoutError:
            error = f"the cell did not finish within {CELL_TIMEOUT} s"
            outcome.failures.append(Failure(index, cell.source, error))
            outcome.seconds = time.monotonic() - started
            raise _Stuck(outcome) from None
        expects_error = "NBVAL_RAISES_EXCEPTION" in cell.source
        if expects_error and error is None:
            outcome.failures.append(Failure(index, cell.source, "the cell is marked NBVAL_RAISES_EXCEPTION but raised nothing"))
        elif error is not None and not expects_error:
            outcome.failures.append(Failure(index, cell.source, error))
            break  # later cells would only fail for the same reason
    outcome.seconds = time.monotonic() - started
    return outcome


class _Stuck(Exception):
    """A cell timed out: the kernel is busy, so the next notebook needs a new one."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(str(outcome.path))
        self.outcome = outcome


def _start_kernel() -> tuple[KernelManager, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop(STRICT_ENV, None)
    # IPC: no TCP ports to race for, and nothing readable from the network.
    km = KernelManager(kernel_name="python3", transport="ipc")
    km.start_kernel(cwd=str(ROOT), env=env)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    return km, kc


def run_all(paths: list[Path]) -> list[Outcome]:
    """Run each notebook in turn in one kernel (a new one only after a stuck cell)."""
    outcomes: list[Outcome] = []
    km, kc = _start_kernel()
    try:
        for path in paths:
            try:
                outcomes.append(run_notebook(kc, path))
            except _Stuck as stuck:
                outcomes.append(stuck.outcome)
                kc.stop_channels()
                km.shutdown_kernel(now=True)
                km, kc = _start_kernel()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return outcomes


def report(outcomes: list[Outcome], total: float) -> str:
    lines = []
    for o in outcomes:
        status = "ok" if not o.failures else "FAILED"
        mode = "strict" if o.strict else "learner"
        lines.append(f"{status:6} {o.seconds:5.1f} s  {o.cells:3d} cells  {mode:7}  {o.path}")
    for o in outcomes:
        for f in o.failures:
            lines += ["", f"=== {o.path} code cell at index {f.cell}:", f.source, "--- error:", f.error]
    failed = sum(bool(o.failures) for o in outcomes)
    lines += ["", f"{len(outcomes) - failed} of {len(outcomes)} notebooks ran cleanly in {total:.1f} s (one kernel)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    outcomes = run_all(args.notebooks)
    print(report(outcomes, time.monotonic() - started))
    return 1 if any(o.failures for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
