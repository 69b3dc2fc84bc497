"""Speed of step 1: disaggregate 10 million appointments, and the SII with 10,000 draws.

Run: PYTHONPATH=. python benchmarks/gaps_bench.py
Targets: disaggregate within 1.5x a bare pandas groupby mean of the same data;
SII with 10,000 simulation draws in 50 ms or less.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

import equitykit as ek

ROWS = 10_000_000
ETHNICITY = ["Asian", "Black", "Mixed", "White", "Other", "Not stated"]


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(2024)
    decile = rng.integers(1, 11, ROWS)
    appointments = pd.DataFrame({
        "imd_decile": decile,
        "ethnicity": pd.Series(np.array(ETHNICITY, dtype=object)[rng.integers(0, len(ETHNICITY), ROWS)], dtype="str"),
        "dna": (rng.random(ROWS) < 0.15 - 0.009 * decile).astype(np.int8),
    })
    by = ["imd_decile", "ethnicity"]

    def bare() -> None:
        appointments.groupby(by, observed=True)["dna"].mean()

    def ours() -> None:
        ek.disaggregate(appointments, outcome="dna", by=by, reference="best")

    t_bare, t_ours = best_of(bare), best_of(ours)
    print(f"disaggregate {ROWS:,} rows by {' and '.join(by)}: {t_ours * 1000:.0f} ms; "
          f"pandas groupby mean: {t_bare * 1000:.0f} ms; ratio {t_ours / t_bare:.2f}x (target <= 1.5x)")

    as_category = appointments.astype({"ethnicity": "category"})
    t_bare_c = best_of(lambda: as_category.groupby(by, observed=True)["dna"].mean())
    t_ours_c = best_of(lambda: ek.disaggregate(as_category, outcome="dna", by=by, reference="best"))
    print(f"  the same with ethnicity as a category: {t_ours_c * 1000:.0f} ms against {t_bare_c * 1000:.0f} ms; "
          f"ratio {t_ours_c / t_bare_c:.2f}x")

    deciles = appointments.groupby("imd_decile", as_index=False)["dna"].agg(dna="sum", appointments="size")
    gap = ek.disaggregate(deciles, outcome="dna", by="imd_decile", n="appointments", reference="most_advantaged")
    gap.sii(seed=0)  # warm up
    t_sii = best_of(lambda: gap.sii(repetitions=10_000, seed=1), repeats=20)
    print(f"SII with 10,000 draws over 10 deciles: {t_sii * 1000:.1f} ms (target <= 50 ms); "
          f"ratio to target {t_sii / 0.050:.2f}")


if __name__ == "__main__":
    main()
