"""Time one fit of the trust research model against semopy and lavaan.

Usage: python benchmarks/fit_speed.py [--sizes 1000 10000 100000] [--repeat 3]
(semopy comes from the bench extra: pip install -e ".[bench]")

For each sample size a complete-data survey is drawn from the research model
(second-order trust, 40 items, 11 first-order factors); trustsem.sem, a plain semopy fit
(Model(desc).fit(data), as its documentation shows) and lavaan::sem (only when
Rscript with lavaan is installed) are timed on the same data in this one run.
The best of --repeat runs is reported, with ratios to trustsem.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import trustsem as ts
from trustsem.models import research_model
from trustsem.data.simulate import simulate_survey


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def time_semopy(model: str, data, repeat: int) -> float:
    import semopy

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = semopy.Model(model)
            m.fit(data)

    return best_of(run, repeat)


R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\n")
data <- read.csv(args[2])
reps <- as.integer(args[3])
t <- sapply(seq_len(reps), function(i) system.time(sem(model, data))[["elapsed"]])
cat(min(t), "\n")
"""


def time_lavaan(model: str, data, repeat: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        mp, dp, sp = Path(d, "m.lav"), Path(d, "d.csv"), Path(d, "t.R")
        mp.write_text(model)
        data.to_csv(dp, index=False)
        sp.write_text(R_SCRIPT)
        proc = subprocess.run(["Rscript", str(sp), str(mp), str(dp), str(repeat)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print("  lavaan failed:", proc.stderr.strip().splitlines()[-1:], file=sys.stderr)
            return None
        return float(proc.stdout.split()[0])


def require_semopy() -> None:
    """Stop with the install command when the cross-check engine is missing."""
    import importlib.util

    if importlib.util.find_spec("semopy") is None:
        raise SystemExit(
            "This benchmark times semopy as a cross-check engine; install it with"
            ' pip install -e ".[bench]"'
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    require_semopy()
    model = research_model()
    spec0 = ts.ModelSpec(model)
    print(f"One ML fit of the trust research model ({len(spec0.observed)} items,"
          f" {len(spec0.latent) - 1} first-order factors, second-order trust)")
    print(f"{'n':>8} {'trustsem s':>11} {'semopy s':>9} {'lavaan s':>9} {'semopy/trustsem':>16} {'lavaan/trustsem':>16}")
    for n in args.sizes:
        sim = simulate_survey(n, seed=2026, missing_rate=0.0, careless_rate=0.0, module_b=False)
        spec = ts.ModelSpec(model)
        data = sim.data[spec.observed]
        t_ts = best_of(lambda: ts.sem(model, data), args.repeat)
        t_sp = time_semopy(model, data, args.repeat)
        t_lv = time_lavaan(model, data, args.repeat)
        lv = f"{t_lv:9.3f}" if t_lv is not None else f"{'n/a':>9}"
        lv_ratio = f"{t_lv / t_ts:16.1f}" if t_lv is not None else f"{'n/a':>16}"
        print(f"{n:>8} {t_ts:11.3f} {t_sp:9.3f} {lv} {t_sp / t_ts:16.1f} {lv_ratio}")
    print("Ratios above 1 mean trustsem is faster.")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
