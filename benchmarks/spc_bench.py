"""Speed of equitykit.spc: many series through by=, and one chart turned into a spec.

Run from the repository root:  python benchmarks/spc_bench.py
Prints timings and ratios; it asserts nothing (timings depend on the machine).
"""
from __future__ import annotations

import statistics
import time
import warnings

import numpy as np
import pandas as pd

import equitykit as ek

N_SERIES, N_POINTS, N_LOOP = 10_000, 60, 100


def _data(n_series: int, n_points: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2019-01-01", periods=n_points, freq="MS")
    return pd.DataFrame({
        "team": np.repeat([f"team {i:05d}" for i in range(n_series)], n_points),
        "month": np.tile(months, n_series),
        "seen": rng.binomial(200, 0.3, n_series * n_points),
        "referred": np.full(n_series * n_points, 200),
    })


def main() -> None:
    warnings.simplefilter("ignore", ek.SPCWarning)
    data = _data(N_SERIES, N_POINTS)
    ek.spc(data.head(600), x="month", y="seen", n="referred", chart="p", by="team")  # warm up

    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = ek.spc(data, x="month", y="seen", n="referred", chart="p", by="team")
        runs.append(time.perf_counter() - t0)
    vectorised = min(runs)
    assert len(res.table) == N_SERIES * N_POINTS

    subset = data[data["team"].isin(data["team"].unique()[:N_LOOP])]
    groups = [g for _, g in subset.groupby("team")]
    t0 = time.perf_counter()
    for g in groups:
        ek.spc(g, x="month", y="seen", n="referred", chart="p")
    per_series = (time.perf_counter() - t0) / len(groups)
    looped = per_series * N_SERIES

    print(f"by=: {N_SERIES:,} series x {N_POINTS} points (P chart, anhoej rules): {vectorised:.3f} s "
          f"(target <= 1 s) = {vectorised / N_SERIES * 1e6:.1f} microseconds a series")
    print(f"one by one: {per_series * 1e3:.2f} ms a series (loop over {N_LOOP}), "
          f"{looped:.1f} s for {N_SERIES:,} extrapolated; by= is {looped / vectorised:.0f}x faster")

    rng = np.random.default_rng(2)
    one = pd.DataFrame({"week": pd.date_range("2020-01-06", periods=200, freq="W-MON"),
                        "wait": rng.normal(18, 2.2, 200).round(1)})
    notes = [(one["week"][50], "PDSA 1"), (one["week"][120], "PDSA 2")]
    ek.spc(one, x="week", y="wait", chart="i", annotations=notes).chart().to_dict()
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        ek.spc(one, x="week", y="wait", chart="i", annotations=notes).chart().to_dict()
        times.append(time.perf_counter() - t0)
    print(f"one 200-point I chart computed and turned into a spec (.chart().to_dict()): "
          f"median {statistics.median(times) * 1e3:.1f} ms (target <= 30 ms)")


if __name__ == "__main__":
    main()
