"""The ``equitykit`` command (also ``python -m equitykit``).

``equitykit notebooks DIR`` gives a learner their own copy of the course,
``equitykit lab [DIR]`` does the same and opens JupyterLab there,
``equitykit doctor`` checks a laptop days before the workshop, and
``equitykit handouts TEAMS.yaml`` renders one handout per team, and
``equitykit programme PROGRAMME.yaml`` one page for a programme lead.

Example
-------
>>> main(["--help"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
SystemExit: 0
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "lab_command"]

#: Where ``equitykit lab`` puts the course when no folder is given (in the current folder).
DEFAULT_LAB_FOLDER = "equity-workshop"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="equitykit",
        description="The equitykit course and tools for 'Using QI to Tackle Inequity' workshops.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    notebooks = sub.add_parser(
        "notebooks",
        help="copy the course notebooks and their data into a folder of your own",
        description="Copy the learner notebooks and the data they use into DIR (made if needed). "
        "Run it again to add what is missing: a file you changed is never overwritten.",
    )
    notebooks.add_argument("folder", metavar="DIR", help="the folder to copy into, e.g. equity-workshop")
    notebooks.add_argument("--facilitator", action="store_true",
                           help="also copy the notebooks with solutions, the facilitator guide, the "
                           "handout notebook and the sample teams file with its data (into DIR/workshop)")

    lab = sub.add_parser(
        "lab",
        help="copy the course into a folder (as `notebooks` does) and open JupyterLab there",
        description="Copy the course into DIR as `equitykit notebooks DIR` does, then open "
        f"JupyterLab on it. DIR defaults to '{DEFAULT_LAB_FOLDER}' in the current folder.",
    )
    lab.add_argument("folder", metavar="DIR", nargs="?", default=DEFAULT_LAB_FOLDER,
                     help=f"the folder to work in (default: {DEFAULT_LAB_FOLDER})")
    lab.add_argument("--facilitator", action="store_true", help="also copy the facilitator's kit")
    lab.add_argument("--no-browser", action="store_true", help="start JupyterLab without opening a browser")
    lab.add_argument("--port", type=int, default=None, help="port for JupyterLab (default: its own choice)")

    doctor = sub.add_parser(
        "doctor",
        help="check this computer is ready for the workshop",
        description="Check Python, the packages, the Jupyter kernel, the widget extension, "
        "offline charts, the course files and that the output folder can be written. "
        "Every problem comes with what to do for this install. Exits with 1 if anything failed.",
    )
    doctor.add_argument("--out", default=".", help="the folder you will write handouts or notebooks "
                        "into (default: the current folder)")

    handouts = sub.add_parser(
        "handouts",
        help="render one HTML handout per team from a teams YAML file",
        description="Render the handout notebook for every team in TEAMS.yaml into "
        "self-contained HTML files (no code, charts as SVG, opens with no network) and an index.html.",
    )
    handouts.add_argument("teams", help="the teams YAML file, e.g. workshop/teams.yaml")
    handouts.add_argument("--out", default="build/handouts", help="output folder (default build/handouts)")
    handouts.add_argument("--jobs", type=int, default=None, help="teams rendered at once (default: CPU count, max 4)")
    handouts.add_argument("--notebook", default=None, help="handout notebook (default: the one named in the YAML, "
                          "else handout.ipynb next to it, else the kit's own)")
    handouts.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    handouts.add_argument("--quiet", action="store_true", help="no progress bar")
    programme = sub.add_parser(
        "programme",
        help="one page for a programme lead: every team's equity gap, icons, verdicts and change ideas",
        description="Write programme.html (offline, rates only, small numbers withheld) and summary.csv for "
        "every team in PROGRAMME.yaml. With --update, first add a new extract to the programme's history "
        "(kept beside the programme file). Exits with 1 if any team could not be read.",
    )
    programme.add_argument("programme", help="the programme YAML file, e.g. workshop/programme/programme.yaml")
    programme.add_argument("--out", default="build/programme", help="output folder (default build/programme)")
    programme.add_argument("--update", default=None, metavar="EXTRACT",
                           help="a new extract (CSV or Excel with a 'team' column) to add to the history first")
    programme.add_argument("--jobs", type=int, default=None, help="teams worked on at once (default: CPU count, max 4)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 = all good, 1 = something failed, 2 = bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    commands = {"notebooks": _notebooks, "lab": _lab, "doctor": _doctor, "handouts": _handouts,
                "programme": _programme}
    if args.command not in commands:
        parser.print_help()
        return 2
    from .validation import EquityKitError

    try:
        return commands[args.command](args)
    except EquityKitError as exc:
        print(f"equitykit {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nequitykit {args.command}: stopped.", file=sys.stderr)
        return 130


def _notebooks(args: argparse.Namespace) -> int:
    from .course import copy_course

    copy = copy_course(args.folder, facilitator=args.facilitator)
    print(copy.text())
    return 0 if copy.ok else 1


def lab_command(folder: str | os.PathLike[str], *, browser: bool = True, port: int | None = None) -> list[str]:
    """The command that runs this Python's JupyterLab on ``folder``, opened on the first notebook.

    As root (containers, cloud machines) JupyterLab refuses to start without ``--allow-root``.

    Example
    -------
    >>> lab_command("course", browser=False)[1:3]
    ['-m', 'jupyterlab']
    """
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(folder).resolve()}",
               "--LabApp.default_url=/lab/tree/00_start_here.ipynb"]
    if not browser:
        command.append("--no-browser")
    if port is not None:
        command.append(f"--port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def _lab(args: argparse.Namespace) -> int:
    from .course import copy_course
    from .validation import EquityKitError

    if importlib.util.find_spec("jupyterlab") is None:
        raise EquityKitError("JupyterLab is not installed in this Python. Run `equitykit doctor`: "
                             "it says how to install what is missing.")
    copy = copy_course(args.folder, facilitator=args.facilitator)
    print(copy.text())
    if not copy.ok:
        return 1
    print("Starting JupyterLab (stop it with Ctrl-C, twice) ...", flush=True)
    process = subprocess.Popen(lab_command(copy.folder, browser=not args.no_browser, port=args.port))
    try:
        return process.wait()
    except KeyboardInterrupt:  # JupyterLab gets the same Ctrl-C and shuts down by itself
        process.wait()
        return 130


def _doctor(args: argparse.Namespace) -> int:
    from . import doctor

    return doctor.main(["doctor", "--out", args.out])


def _handouts(args: argparse.Namespace) -> int:
    from .handouts import render_handouts

    report = render_handouts(
        args.teams,
        args.out,
        jobs=args.jobs,
        notebook=args.notebook,
        timeout=args.timeout,
        progress=not args.quiet,
    )
    print(report.text())
    return 0 if report.ok else 1


def _programme(args: argparse.Namespace) -> int:
    from .programme import render_programme

    report = render_programme(args.programme, args.out, update=args.update, jobs=args.jobs)
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
