"""How long the programme page takes for 40 teams with two years of fortnightly data.

Target (issue 16): 40 teams x 52 fortnights render in 15 s or less on 2 cores,
printed against rendering the same 40 teams' handouts with the kit's handout
renderer (``render_handouts``: a small pool of kernels, one page per team).

    python benchmarks/programme_bench.py                     # the programme, and all 40 handouts
    python benchmarks/programme_bench.py --handout-teams 8   # handouts timed on 8 teams, scaled to 40

The programme is timed as a user runs it: ``equitykit programme`` in a fresh
process (start-up and imports included), then once more with ``--update`` and a
new fortnight's extract. Wall-clock and CPU seconds are both printed, with the
machine's load average: on a shared machine the wall clock says more about the
other work than about the kit. The teams are made by workshop/programme/make_programme.py
(improving, steady and worsening teams in turn, IMD quintiles or deciles).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 15.0


def _generator():
    spec = importlib.util.spec_from_file_location("make_programme", ROOT / "workshop" / "programme" / "make_programme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _programme(folder: Path, count: int) -> Path:
    gen = _generator()
    sample = gen.SAMPLE_TEAMS
    teams = [(f"{name} {i + 1:02d}", *rest) for i, (name, *rest) in
             ((i, sample[i % len(sample)]) for i in range(count))]
    return gen.make_programme(folder, teams=teams, fortnights=gen.FORTNIGHTS, hold_back=True)


def _teams_file(programme: Path) -> Path:
    """The same teams as a handouts teams file: the programme's own keys taken out."""
    lines = [line for line in programme.read_text().splitlines()
             if not line.startswith("programme:") and not line.strip().startswith("target:")]
    lines.insert(0, f"notebook: {ROOT / 'workshop' / 'handout.ipynb'}")
    path = programme.parent / "teams.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str]) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of the process and its workers (the machine may be shared)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(command[:4])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--handout-teams", type=int, default=None,
                        help="time the handouts on this many teams and scale to --teams (default: all)")
    args = parser.parse_args(argv)
    cli = [sys.executable, "-m", "equitykit"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        programme = _programme(folder / "programme", args.teams)
        page, page_cpu = _run([*cli, "programme", str(programme), "--out", str(folder / "out")])
        update, update_cpu = _run([*cli, "programme", str(programme), "--update",
                                   str(programme.parent / "extracts" / "next_fortnight.csv"), "--out", str(folder / "out")])
        size = (folder / "out" / "programme.html").stat().st_size
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"programme page, {args.teams} teams x 52 fortnights: {page:.1f} s wall, {page_cpu:.1f} s CPU "
              f"(target <= {TARGET_SECONDS:.0f} s: {'met' if page <= TARGET_SECONDS else 'NOT met'}; "
              f"load average {load:.1f} on {os.cpu_count()} CPUs); with --update: {update:.1f} s wall, "
              f"{update_cpu:.1f} s CPU; page {size / 1e6:.2f} MB")

        count = min(args.handout_teams or args.teams, args.teams)
        from equitykit.handouts import render_handouts

        teams_yaml = _teams_file(programme)
        names = [line.split("name:", 1)[1].strip() for line in teams_yaml.read_text().splitlines()
                 if line.strip().startswith("- name:")][:count]
        start = time.perf_counter()
        report = render_handouts(teams_yaml, folder / "handouts", progress=False, only=names)
        handouts = time.perf_counter() - start
        failed = len(report.failed)
        scaled = handouts * args.teams / count
        how = "timed on all of them" if count == args.teams else f"timed on {count}, scaled to {args.teams}"
        print(f"handouts for the same {args.teams} teams (render_handouts, {os.cpu_count()} CPUs): {scaled:.1f} s "
              f"({how}{'; ' + str(failed) + ' failed' if failed else ''})")
        print(f"ratio: the programme page takes {page / scaled:.2f}x the time of the handouts "
              f"({scaled / page:.1f}x faster)")
    return 0 if page <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
