"""Time the ordinal first stage (thresholds, polychorics, Gamma) against lavaan.

Usage: python benchmarks/polychoric.py [--n 800] [--seed 1] [--repeat 5]

Data: trustsem.data.simulate.simulate_survey(n, seed, missing_rate=0) and its 44 Likert
items of PREP, PASS, MREP, PQ, INFO, SOC, EXP, TF, TA, TI, PI and PC (5-point), plus
the 28 items of the bundled TikTok data (N = 361). For each data set the script
times trustsem.sem.engine.ordinal.ordinal_moments with gamma=False (thresholds and
polychoric matrix) and with Gamma, and, when Rscript with lavaan is installed,
the same two steps in lavaan on the same data in this run:
``lavCor(X, ordered = names(X), output = "cor")`` and lavaan's internal
``muthen1984(..., WLS.W = TRUE)``, the first stage of a WLSMV fit (thresholds,
polychorics and the weight matrix Gamma / N). The best of --repeat runs is
reported, with the ratio lavaan / trustsem, and the largest difference between
the two Gamma matrices.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trustsem.sem.engine.ordinal import ordinal_moments
from trustsem.data.simulate import simulate_survey

REPO = Path(__file__).resolve().parents[1]
CONSTRUCTS = ["PREP", "PASS", "MREP", "PQ", "INFO", "SOC", "EXP", "TF", "TA", "TI", "PI", "PC"]

R_CODE = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
X <- read.csv(args[1]); rep <- as.integer(args[2])
best <- function(f) min(sapply(seq_len(rep), function(i) system.time(f())["elapsed"]))
t_cor <- best(function() lavCor(X, ordered = names(X), output = "cor"))
D <- sapply(X, function(x) as.integer(factor(x)))
lev <- apply(D, 2, max)
run <- function() lavaan:::muthen1984(Data = D, ov.names = names(X),
                                      ov.types = rep("ordered", ncol(X)),
                                      ov.levels = lev, WLS.W = TRUE)
t_full <- best(run)
G <- run()$WLS.W * nrow(D)
write.csv(G, args[3], row.names = FALSE)
cat(sprintf("%.6f %.6f\n", t_cor, t_full))
"""


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def time_lavaan(X: pd.DataFrame, repeat: int):
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "x.csv"
        script = Path(tmp) / "t.R"
        gfile = Path(tmp) / "g.csv"
        X.to_csv(data, index=False)
        script.write_text(R_CODE)
        res = subprocess.run(["Rscript", str(script), str(data), str(repeat), str(gfile)],
                             capture_output=True, text=True, check=False)
        if res.returncode != 0:
            print("  lavaan    timing failed:", " | ".join(res.stderr.strip().splitlines()[-2:]))
            return False
        t_cor, t_full = map(float, res.stdout.split()[-2:])
        return t_cor, t_full, pd.read_csv(gfile).to_numpy()


def run(label: str, X: pd.DataFrame, repeat: int) -> None:
    p = X.shape[1]
    print(f"{label}: {p} items x {len(X)} rows "
          f"({p * (p - 1) // 2} polychorics)")
    ordinal_moments(X, True)  # warm-up
    t_cor = best_of(lambda: ordinal_moments(X, True, gamma=False), repeat)
    t_full = best_of(lambda: ordinal_moments(X, True), repeat)
    om = ordinal_moments(X, True)
    print(f"  trustsem  thresholds + polychorics: {t_cor:8.3f} s   + Gamma: {t_full:8.3f} s")
    lav = time_lavaan(X, repeat)
    if lav is False:
        return
    if lav is None:
        print("  lavaan    not available (Rscript with lavaan not found)")
        return
    l_cor, l_full, G = lav
    diff = np.abs(om.gamma - G).max() / np.abs(G).max()
    print(f"  lavaan    thresholds + polychorics: {l_cor:8.3f} s   + Gamma: {l_full:8.3f} s")
    print(f"  ratio lavaan / trustsem:            {l_cor / t_cor:8.1f}x    {l_full / t_full:14.1f}x")
    print(f"  max |Gamma difference| / max |Gamma| = {diff:.2e}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=800)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)

    sim = simulate_survey(a.n, seed=a.seed, missing_rate=0.0).data
    pat = re.compile(rf"({'|'.join(CONSTRUCTS)})\d+")
    items = [c for c in sim.columns if pat.fullmatch(c)]
    run("simulated survey", sim[items], a.repeat)

    tk = pd.read_csv(REPO / "trustsem" / "datasets" / "tiktok_shop_impulse_buying.csv")
    tk_items = [c for c in tk.columns if re.fullmatch(r"(SC|SI|TR|HM|SL|PP|OIB)\d", c)]
    run("TikTok shop (real data)", tk[tk_items], a.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
