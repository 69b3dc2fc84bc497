"""How long 40 team handouts take with the kit's renderer, against a plain serial loop.

The plain loop is what a team would write by hand: for each team, run
``papermill`` and then ``jupyter nbconvert --to html --no-input`` as two
subprocesses. The kit renders in one Python process with a small pool of
kernels that are started once and reused.

Targets (issue 7): the kit at least 2x faster on 2 cores, 40 handouts in
60 s or less, the largest handout 1 MB or less.

    python benchmarks/handouts_bench.py                  # 40 teams, full baseline
    python benchmarks/handouts_bench.py --baseline-teams 8  # baseline timed on 8, scaled to 40

It renders the real workshop/handout.ipynb for the sample teams of
workshop/teams.yaml, cycled to 40 (one in six is Riverside Outpatients, from
the 100,000-row appointments file). The serial loop is slow, so by default it
is timed on one full cycle of the six sample teams and scaled to 40; the
output says so (``--baseline-teams 40`` times all of it).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

import equitykit as ek  # noqa: E402
from equitykit.handouts import parse_teams  # noqa: E402

def _teams_file(folder: Path, count: int) -> Path:
    """Write a teams YAML with ``count`` teams, the sample teams cycled, paths made absolute."""
    sample = yaml.safe_load((ROOT / "workshop" / "teams.yaml").read_text())
    base = ROOT / "workshop"
    teams = []
    for i in range(count):
        team = dict(sample["teams"][i % len(sample["teams"])])
        team["name"] = f"{team['name']} {i + 1:02d}"
        for key in ("data", "pdsa_log"):
            if team.get(key):
                team[key] = str((base / team[key]).resolve())
        teams.append(team)
    doc = {"notebook": str(base / "handout.ipynb"), "defaults": sample.get("defaults", {}), "teams": teams}
    path = folder / "teams.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _serial_baseline(teams_yaml: Path, out: Path, count: int) -> float:
    """papermill then nbconvert, one subprocess each, one team after another."""
    teams, notebook = parse_teams(teams_yaml)
    bindir = Path(sys.executable).parent
    papermill = [str(bindir / "papermill")] if (bindir / "papermill").exists() else [sys.executable, "-m", "papermill"]
    jupyter = [str(bindir / "jupyter")] if (bindir / "jupyter").exists() else [sys.executable, "-m", "jupyter"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for team in teams[:count]:
        executed = out / f"{team.slug}.ipynb"
        params = []
        for name, value in team.parameters.items():
            params += ["-r", name, str(value)]
        for command in (
            [*papermill, str(notebook), str(executed), "-k", "python3", "--log-level", "ERROR",
             "--no-progress-bar", *params],
            [*jupyter, "nbconvert", "--to", "html", "--no-input", "--log-level", "ERROR", str(executed)],
        ):
            done = subprocess.run(command, env=env, cwd=out, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{' '.join(command[:2])} failed for {team.name}:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=None, help="kernels at once (default: CPU count, max 4)")
    parser.add_argument("--baseline-teams", type=int, default=6,
                        help="time the serial loop on this many teams and scale up (default 6: one of each "
                             "sample team)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        teams_yaml = _teams_file(folder, args.teams)
        print("notebook: workshop/handout.ipynb with the sample teams of workshop/teams.yaml (cycled)")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; teams: {args.teams}")

        report = ek.render_handouts(teams_yaml, folder / "kit", jobs=args.jobs, progress=False)
        kit = report.seconds
        if not report.ok:
            print(report.text())
            return 1
        sizes = [o.path.stat().st_size for o in report.outcomes if o.path]
        print(f"kit renderer:            {kit:7.1f} s for {args.teams} handouts "
              f"({kit / args.teams:.2f} s each)   target <= 60 s: {'met' if kit <= 60 else 'NOT met'}")

        count = min(args.baseline_teams or args.teams, args.teams)
        serial = _serial_baseline(teams_yaml, folder / "serial", count)
        scaled = serial * args.teams / count
        note = "" if count == args.teams else f" (measured on {count}, extrapolated to {args.teams})"
        print(f"serial papermill+nbconvert: {scaled:7.1f} s for {args.teams} handouts{note}")
        speedup = scaled / kit
        print(f"ratio serial / kit: {speedup:.1f}x   target >= 2x: {'met' if speedup >= 2 else 'NOT met'}")
        largest = max(sizes)
        print(f"largest handout: {largest / 1e6:.2f} MB ({largest:,} bytes)   target <= 1 MB: {'met' if largest <= 1e6 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
