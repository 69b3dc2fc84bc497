"""Load test of the workshop hub: N participants sign in and run notebook 01 at the same moment.

Starts the hub (workshop/hub/) on a free 127.0.0.1 port, then for every participant at once:
signs in through the hub's web form, starts their server through the REST API, and executes
their own copy of ``notebooks/01_identify_the_gap.ipynb`` cell by cell in a kernel of that
server (Jupyter server API + the kernel's websocket channels), as JupyterLab would. Prints
one JSON line, then stops the hub (which stops every server and the proxy) and removes the
users it made. Needs root (a system user per participant) and ``make hub-deps``.

    sudo .venv/bin/python benchmarks/hub_load.py --users 20

JSON fields: users, completed (ran every cell without an unexpected error), seconds (from the
first sign-in until the last participant finished), servers_ready_seconds (until the last
server answered), p95_cell_seconds and max_cell_seconds (over every cell of every participant),
peak_mb_per_participant (the largest peak, over participants, of the summed resident memory of
that participant's processes: their server and kernel), mean_peak_mb_per_participant,
hub_and_proxy_peak_mb, cpus, load_average_before (other work on the machine at the start).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import pwd
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "workshop" / "hub"))

from equitykit_hub import NOTEBOOKS_FOLDER, remove_participant  # noqa: E402
from hub_client import sign_in  # noqa: E402
from hub_launch import Hub  # noqa: E402

NOTEBOOK = "01_identify_the_gap.ipynb"


class MemoryWatch(threading.Thread):
    """Samples, twice a second, the resident memory of each participant's processes and of the hub's."""

    def __init__(self, hub_pid: int):
        super().__init__(daemon=True)
        self.hub_pid = hub_pid
        self.uids: dict[int, str] = {}
        self.peaks: dict[str, float] = {}
        self.hub_peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            totals: dict[str, float] = {}
            for proc in psutil.process_iter(["uids", "memory_info"]):
                uids, memory = proc.info["uids"], proc.info["memory_info"]
                if uids and memory and uids.real in self.uids:
                    name = self.uids[uids.real]
                    totals[name] = totals.get(name, 0.0) + memory.rss / 2**20
            for name, total in totals.items():
                self.peaks[name] = max(self.peaks.get(name, 0.0), total)
            try:
                hub = psutil.Process(self.hub_pid)
                family = [hub] + [p for p in hub.children(recursive=True) if p.uids().real == 0]
                self.hub_peak = max(self.hub_peak, sum(p.memory_info().rss for p in family) / 2**20)
            except psutil.Error:
                pass


def run_notebook(hub: Hub, name: str, watch: MemoryWatch) -> dict:
    """One participant's morning: sign in, start the server, run every code cell of notebook 01."""
    participant = sign_in(hub.url, name, hub.code)
    watch.uids[pwd.getpwnam(participant.username).pw_uid] = participant.username
    participant.start_server(timeout=900)
    ready = time.monotonic()
    path = f"{NOTEBOOKS_FOLDER}/{NOTEBOOK}"
    response = participant.read_file(path)
    response.raise_for_status()
    cells = [cell for cell in response.json()["content"]["cells"] if cell["cell_type"] == "code"]
    times, problems = [], []
    with participant.kernel(path) as kernel:
        for number, cell in enumerate(cells, 1):
            run = kernel.run(cell["source"], timeout=900)
            times.append(run.seconds)
            expected_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            if (run.status == "error") != expected_error:
                problems.append(f"code cell {number}: {run.error or run.status}")
    return {"ready": ready, "times": times, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="participants at once (default 20)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("hub_load.py: run as root (the hub makes a system user per participant)", file=sys.stderr)
        return 2
    tag = uuid.uuid4().hex[:6]
    names = [f"l{tag}-{i:02d}" for i in range(1, args.users + 1)]
    load_before = os.getloadavg()[0]
    results, errors = [], []
    with tempfile.TemporaryDirectory(prefix="hub-load-") as state:
        hub = Hub(Path(state), facilitator=f"f{tag}", idle_minutes=120)
        try:
            hub.start(timeout=180)
            watch = MemoryWatch(hub.process.pid)
            watch.start()
            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(args.users) as pool:
                futures = {pool.submit(run_notebook, hub, name, watch): name for name in names}
                for future in concurrent.futures.as_completed(futures):
                    try:
                        results.append(future.result())
                    except Exception as exc:  # one participant's failure is a result, not a crash
                        errors.append(f"{futures[future]}: {type(exc).__name__}: {exc}")
            finished = time.monotonic()
            watch.done.set()
            watch.join()
        finally:
            hub.stop()
            for username in [f"ek-f{tag}"] + [f"ek-{name}" for name in names]:
                remove_participant(username)
    times = sorted(t for result in results for t in result["times"])
    peaks = list(watch.peaks.values()) if results or errors else []
    report = {
        "users": args.users,
        "completed": sum(1 for result in results if not result["problems"]),
        "seconds": round(finished - started, 1),
        "servers_ready_seconds": round(max((r["ready"] for r in results), default=started) - started, 1),
        "p95_cell_seconds": round(times[math.ceil(0.95 * len(times)) - 1], 2) if times else None,  # nearest rank
        "max_cell_seconds": round(times[-1], 2) if times else None,
        "median_cell_seconds": round(statistics.median(times), 2) if times else None,
        "peak_mb_per_participant": round(max(peaks), 0) if peaks else None,
        "mean_peak_mb_per_participant": round(statistics.mean(peaks), 0) if peaks else None,
        "hub_and_proxy_peak_mb": round(watch.hub_peak, 0),
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
    }
    print(json.dumps(report))
    for problem in errors + [p for result in results for p in result["problems"]]:
        print("problem:", problem, file=sys.stderr)
    return 0 if report["completed"] == args.users else 1


if __name__ == "__main__":
    raise SystemExit(main())
