"""How long ``import equitykit`` takes in a fresh interpreter, against ``import pandas``.

Run from the repository root:  python benchmarks/import_bench.py
Each import runs in its own fresh Python process, interleaved, several times; the
medians are compared. The goal is an import within 1.5x of pandas: Altair,
nbformat, papermill, scipy and ipywidgets are loaded only when first used.
It also prints what the first chart costs (Altair and jsonschema load then).
Prints timings and ratios; it asserts nothing (timings depend on the machine).
"""
from __future__ import annotations

import statistics
import subprocess
import sys

ROUNDS = 7
GOAL = 1.5

_TIMED = """
import time
t0 = time.perf_counter()
{code}
print(time.perf_counter() - t0)
"""

_FIRST_CHART = """
import equitykit as ek
import time
res = ek.spc(ek.load_dataset("ward_incidents"), x="fortnight_start", y="incidents", chart="c")
t0 = time.perf_counter()
res.chart().to_dict()
print(time.perf_counter() - t0)
"""


def _seconds(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    _seconds(_TIMED.format(code="import equitykit"))  # warm the disk cache and the bytecode
    pandas, kit = [], []
    for _ in range(ROUNDS):
        pandas.append(_seconds(_TIMED.format(code="import pandas")))
        kit.append(_seconds(_TIMED.format(code="import equitykit")))
    chart = [_seconds(_FIRST_CHART) for _ in range(3)]
    p, k = statistics.median(pandas), statistics.median(kit)
    print(f"import pandas     {p * 1000:7.0f} ms (median of {ROUNDS} fresh processes)")
    print(f"import equitykit  {k * 1000:7.0f} ms")
    print(f"ratio             {k / p:7.2f}x pandas (goal: within {GOAL:g}x)")
    print(f"first chart spec  {statistics.median(chart) * 1000:7.0f} ms (Altair and jsonschema load here, once)")


if __name__ == "__main__":
    main()
