"""WLSMV speed: trustsem vs lavaan on a 44-item, 12-factor trust model (N = 800), one run.

Usage: python benchmarks/wlsmv.py [--repeat 3]

The data are drawn from the research model (trustsem.simulate_survey, 5-point
items). Both programs fit the second-order trust SEM plus privacy concern with
every item ordered (estimator WLSMV, listwise); the best of --repeat runs is
reported. lavaan is timed only when Rscript with lavaan is available.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import trustsem as ts
from trustsem.models import research_model
from trustsem.data.simulate import simulate_survey

R = r"""
suppressPackageStartupMessages(library(lavaan))
a <- commandArgs(trailingOnly = TRUE)
m <- paste(readLines(a[1]), collapse = "\n"); d <- read.csv(a[2])
t <- sapply(seq_len(as.integer(a[3])), function(i)
  system.time(sem(m, d, ordered = TRUE, estimator = "WLSMV"))[["elapsed"]])
cat(min(t), "\n")
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    model = research_model() + "\nPC =~ PC1 + PC2 + PC3 + PC4\nTRUST ~ PC\n"
    spec = ts.ModelSpec(model)
    data = simulate_survey(800, seed=2026, missing_rate=0.0, careless_rate=0.0, module_b=False).data[spec.observed]
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        ts.sem(model, data, ordered=True)
        times.append(time.perf_counter() - t)
    t_ts = min(times)
    t_lv = None
    if shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as d:
            Path(d, "m.lav").write_text(model)
            data.to_csv(Path(d, "d.csv"), index=False)
            Path(d, "w.R").write_text(R)
            p = subprocess.run(["Rscript", str(Path(d, "w.R")), str(Path(d, "m.lav")),
                                str(Path(d, "d.csv")), str(args.repeat)], capture_output=True, text=True)
            if p.returncode == 0:
                t_lv = float(p.stdout.split()[0])
    print(f"WLSMV, {len(spec.observed)} items, {len(spec.latent) - 1} first-order factors, N = 800")
    print(f"trustsem: {t_ts:.2f} s")
    if t_lv is not None:
        print(f"lavaan:   {t_lv:.2f} s   ratio lavaan/trustsem = {t_lv / t_ts:.1f} (above 1: trustsem faster)")
    else:
        print("lavaan: not available (Rscript with lavaan not found)")


if __name__ == "__main__":
    main()
