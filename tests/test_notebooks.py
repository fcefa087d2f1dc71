"""Execute every tutorial notebook in notebooks/ and check what it writes.

Each notebook runs in a fresh "python3" kernel with notebooks/ as its working
directory (the notebooks use relative paths: ../reports/figures/ and
../tests/reference/). A test fails if a cell raises, if a cell prints a
warning (the notebooks catch the warnings they expect and say why), or if an
expected figure is not written.

Each notebook's source is a jupytext percent script (notebooks/NN_name.py)
paired with the committed notebook (NN_name.ipynb, stored with its outputs so
that the figures show on opening). A test checks that the two hold the same
cells: after editing a script, run `jupytext --sync notebooks/NN_name.py` (or
`jupytext --to notebook --execute notebooks/NN_name.py` to refresh the
outputs too).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
jupytext = pytest.importorskip("jupytext")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
FIG_DIR = ROOT / "reports" / "figures"

# notebook -> figures it must write to reports/figures/
EXPECTED_FIGURES = {
    "01_quickstart": ["likert", "path_diagram"],
    "02_measurement": ["fornell_larcker", "scree", "efa_loadings"],
    "03_structural_mediation": ["indirect_info", "paths_forest"],
    "04_moderation_groups": ["simple_slopes", "johnson_neyman", "invariance"],
    "05_real_data_tiktok": ["likert", "indirect_si", "path_diagram"],
    "06_reproducing_published": ["talor_indirect", "corp_rep_paths"],
}

WARNING_RE = re.compile(r"\b\w*Warning\b")


def test_every_script_has_its_notebook():
    scripts = sorted(p.stem for p in NB_DIR.glob("[0-9][0-9]_*.py"))
    assert scripts == sorted(EXPECTED_FIGURES)
    assert sorted(p.stem for p in NB_DIR.glob("*.ipynb")) == scripts
    toml = (NB_DIR / "jupytext.toml").read_text()
    assert re.search(r'^formats\s*=\s*"ipynb,py:percent"', toml, re.M), toml


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_notebook_matches_its_script(name):
    """The .ipynb holds the cells of its percent script, in order, and was
    executed: every code cell ran and the figures are stored with it."""
    script = jupytext.read(NB_DIR / f"{name}.py")
    nb = nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)
    got = [(c.cell_type, c.source) for c in nb.cells]
    want = [(c.cell_type, c.source) for c in script.cells]
    if got != want:
        first = next(
            (i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want))
        )
        pytest.fail(
            f"{name}.ipynb differs from {name}.py from cell {first} on"
            f" ({len(got)} vs {len(want)} cells): run"
            f" `jupytext --to notebook --execute notebooks/{name}.py`",
            pytrace=False,
        )
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), (
        f"{name}.ipynb is stored without outputs: run"
        f" `jupytext --to notebook --execute notebooks/{name}.py`"
    )
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert images >= len(EXPECTED_FIGURES[name]), f"{name}.ipynb stores {images} figure(s)"
    errors = [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    assert not errors, f"{name}.ipynb was stored with an error output"


@pytest.mark.parametrize("name", sorted(EXPECTED_FIGURES))
def test_notebook_runs(name):
    path = NB_DIR / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    FIG_DIR.mkdir(parents=True, exist_ok=True)
    figures = [FIG_DIR / f"{name}_{fig}.png" for fig in EXPECTED_FIGURES[name]]
    for fig in figures:                       # so a stale file from an earlier run cannot pass
        fig.unlink(missing_ok=True)

    start = time.time()
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(NB_DIR)}},
    )
    client.execute()                          # raises CellExecutionError on any error
    elapsed = time.time() - start

    warned = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            is_stderr = out.get("output_type") == "stream" and out.get("name") == "stderr"
            if is_stderr and WARNING_RE.search(out.get("text", "")):
                warned.append(f"cell {i}: {out['text'].strip()[:300]}")
    assert not warned, "unexpected warnings:\n" + "\n".join(warned)

    missing = [f.name for f in figures if not f.is_file() or f.stat().st_size == 0]
    assert not missing, f"figures not written: {missing}"
    assert elapsed < 120, f"{name} took {elapsed:.0f} s (budget: about 40 s)"
