"""Bootstrap speed: trustsem vs lavaan and a naive semopy loop, in one run.

Usage: python benchmarks/bootstrap.py [--draws 1000] [--semopy-draws 50]
(semopy comes from the bench extra: pip install -e ".[bench]")

Two cases: the lavaan tutorial CFA (HolzingerSwineford1939, N = 301) and the
trust SEM (12 first-order factors with 44 items: the research model with
privacy concern added as a predictor of trust; simulated, N = 800).
- trustsem: ts.sem(..., se="bootstrap", bootstrap=B) with its default worker count
  (one process for small models, all cores otherwise) and with one process.
- lavaan: sem(..., se = "bootstrap", bootstrap = B) (only when Rscript with lavaan is present).
- naive semopy: a new semopy.Model fitted per resample; timed on --semopy-draws
  draws and scaled to B (said in the output).
Ratios above 1 mean trustsem is faster.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import trustsem as ts
from trustsem.data.datasets import load_example
from trustsem.models import research_model
from trustsem.data.simulate import simulate_survey

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(args[1]), collapse = "\n")
data <- read.csv(args[2])
set.seed(1)
t <- system.time(sem(model, data, se = "bootstrap", bootstrap = as.integer(args[3])))
cat(t[["elapsed"]], "\n")
"""


def time_trustsem(model, data, B, n_jobs):
    t = time.perf_counter()
    res = ts.sem(model, data, se="bootstrap", bootstrap=B, seed=1, n_jobs=n_jobs, progress=False)
    return time.perf_counter() - t, res.bootstrap.n_ok


def time_lavaan(model, data, B):
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        mp, dp, sp = Path(d, "m.lav"), Path(d, "d.csv"), Path(d, "b.R")
        mp.write_text(model)
        data.to_csv(dp, index=False)
        sp.write_text(R_SCRIPT)
        p = subprocess.run(["Rscript", str(sp), str(mp), str(dp), str(B)], capture_output=True, text=True)
        return float(p.stdout.split()[0]) if p.returncode == 0 else None


def time_semopy_naive(model, data, draws):
    import semopy

    rng = np.random.default_rng(1)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(draws):
            d = data.iloc[rng.integers(0, len(data), len(data))].reset_index(drop=True)
            semopy.Model(model).fit(d)
    return time.perf_counter() - t


def require_semopy() -> None:
    """Stop with the install command when the cross-check engine is missing."""
    import importlib.util

    if importlib.util.find_spec("semopy") is None:
        raise SystemExit(
            "This benchmark times semopy as a cross-check engine; install it with"
            ' pip install -e ".[bench]"'
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--semopy-draws", type=int, default=20)
    args = ap.parse_args()
    require_semopy()
    B = args.draws
    trust_model = research_model() + "\nPC =~ PC1 + PC2 + PC3 + PC4\nTRUST ~ PC\n"
    sim = simulate_survey(800, seed=2026, missing_rate=0.0, careless_rate=0.0, module_b=False)
    spec = ts.ModelSpec(trust_model)
    cases = [
        ("HS CFA (9 items, N=301)", HS, load_example("holzinger_swineford_1939")[[f"x{i}" for i in range(1, 10)]]),
        (f"trust SEM ({len(spec.observed)} items, {len(spec.latent) - 1} first-order factors, N=800)",
         trust_model, sim.data[spec.observed]),
    ]
    rows = []
    for name, model, data in cases:
        t_all, ok = time_trustsem(model, data, B, None)   # default: automatic worker count
        t_one, _ = time_trustsem(model, data, B, 1)
        t_lav = time_lavaan(model, data, B)
        t_sp = time_semopy_naive(model, data, args.semopy_draws) * B / args.semopy_draws
        rows.append({
            "case": name, "draws": B, "trustsem_default_s": t_all, "trustsem_1_core_s": t_one,
            "lavaan_s": t_lav, "semopy_naive_s (scaled)": t_sp,
            "lavaan/trustsem": (t_lav / t_all) if t_lav else np.nan,
            "semopy/trustsem": t_sp / t_all, "draws_ok": ok,
        })
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.2f}".format):
        print(pd.DataFrame(rows).to_string(index=False))
    print(f"semopy timed on {args.semopy_draws} draws and scaled to {B}. Ratios above 1: trustsem faster.")


if __name__ == "__main__":
    main()
