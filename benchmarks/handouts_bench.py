"""How long 40 team handouts take with the kit's renderer, against a plain serial loop.

The plain loop is what a team would write by hand: for each team, run
``papermill`` and then ``jupyter nbconvert --to html --no-input`` as two
subprocesses. The kit renders in one Python process with a small pool of
kernels that are started once and reused.

Targets (issue 7): the kit at least 2x faster on 2 cores, 40 handouts in
60 s or less, the largest handout 1 MB or less.

    python benchmarks/handouts_bench.py                  # 40 teams, full baseline
    python benchmarks/handouts_bench.py --baseline-teams 8  # baseline timed on 8, scaled to 40

It uses workshop/handout.ipynb with the sample teams when the analysis
functions it needs are in equitykit, and otherwise the small test fixture
notebook (tests/fixtures/handout_fixture.ipynb) on generated aggregated data;
the output says which.
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

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

import equitykit as ek  # noqa: E402
from equitykit.handouts import TEAM_KEYS, parse_teams  # noqa: E402

NEEDED = ("read_data", "disaggregate", "spc", "equity_lens", "PDSALog")


def _real_notebook_ready() -> bool:
    return all(hasattr(ek, name) for name in NEEDED) and (ROOT / "data" / "appointments.csv").exists()


def _teams_file(folder: Path, count: int) -> tuple[Path, str]:
    """Write a teams YAML with ``count`` teams; return it and a description of what it uses."""
    if _real_notebook_ready():
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
        what = "workshop/handout.ipynb with the sample teams (cycled)"
    else:
        rng = np.random.default_rng(1)
        teams = []
        for i in range(count):
            frame = pd.DataFrame(
                {
                    "month": np.repeat(pd.date_range("2023-01-01", periods=24, freq="MS").date.astype(str), 4),
                    "group": ["A", "B", "C", "D"] * 24,
                    "appointments": rng.poisson(120, 96),
                }
            )
            frame["dna"] = rng.binomial(frame["appointments"], 0.12)
            path = folder / f"team{i:02d}.csv"
            frame.to_csv(path, index=False)
            teams.append({"name": f"Team {i + 1:02d}", "data": str(path), "outcome": "dna",
                          "n": "appointments", "characteristic": "group", "date": "month"})
        doc = {"notebook": str(ROOT / "tests" / "fixtures" / "handout_fixture.ipynb"), "teams": teams}
        what = ("the test fixture notebook tests/fixtures/handout_fixture.ipynb (the analysis functions "
                f"{', '.join(n for n in NEEDED if not hasattr(ek, n))} are not in equitykit yet)")
    path = folder / "teams.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path, what


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
    parser.add_argument("--baseline-teams", type=int, default=None,
                        help="time the serial loop on this many teams and scale up (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        teams_yaml, what = _teams_file(folder, args.teams)
        print(f"notebook: {what}")
        print(f"machine: {os.cpu_count()} CPUs; teams: {args.teams}")

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
        note = "" if count == args.teams else f" (timed on {count}, scaled to {args.teams})"
        print(f"serial papermill+nbconvert: {scaled:7.1f} s for {args.teams} handouts{note}")
        speedup = scaled / kit
        print(f"speed-up: {speedup:.1f}x   target >= 2x: {'met' if speedup >= 2 else 'NOT met'}")
        largest = max(sizes)
        print(f"largest handout: {largest / 1e6:.2f} MB   target <= 1 MB: {'met' if largest <= 1e6 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
