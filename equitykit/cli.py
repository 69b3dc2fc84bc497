"""The ``equitykit`` command: ``equitykit doctor`` and ``equitykit handouts``.

Example
-------
>>> main(["--help"])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
SystemExit: 0
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="equitykit",
        description="Tools for facilitators of 'Using QI to Tackle Inequity' workshops.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "doctor",
        help="check this computer is ready for the workshop",
        description="Check Python, the packages, the Jupyter kernel, the widget extension, "
        "offline charts and the datasets. Exits with 1 if anything failed.",
    )
    handouts = sub.add_parser(
        "handouts",
        help="render one HTML handout per team from a teams YAML file",
        description="Render workshop/handout.ipynb for every team in TEAMS.yaml into "
        "self-contained HTML files (no code, charts as SVG, opens with no network) and an index.html.",
    )
    handouts.add_argument("teams", help="the teams YAML file, e.g. workshop/teams.yaml")
    handouts.add_argument("--out", default="build/handouts", help="output folder (default build/handouts)")
    handouts.add_argument("--jobs", type=int, default=None, help="teams rendered at once (default: CPU count, max 4)")
    handouts.add_argument("--notebook", default=None, help="handout notebook (default: the one named in the YAML, "
                          "else workshop/handout.ipynb next to it)")
    handouts.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell (default 300)")
    handouts.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 = all good)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from .doctor import exit_code, format_report, run_checks

        checks = run_checks()
        print(format_report(checks))
        return exit_code(checks)
    if args.command == "handouts":
        from .handouts import render_handouts
        from .validation import EquityKitError

        try:
            report = render_handouts(
                args.teams,
                args.out,
                jobs=args.jobs,
                notebook=args.notebook,
                timeout=args.timeout,
                progress=not args.quiet,
            )
        except EquityKitError as exc:
            print(f"equitykit handouts: {exc}", file=sys.stderr)
            return 2
        print(report.text())
        return 0 if report.ok else 1
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
