"""Example data sets shipped with trustsem.

``trust_survey`` is simulated from the trustsem research model (see
:func:`trustsem.data.simulate.simulate_survey`); the other files are real,
published data sets redistributed with attribution (see ``index.csv`` and
``README.md`` in this folder for sources, licences and citations).

Examples
--------
>>> from trustsem.data.datasets import load_example, list_examples
>>> df = load_example("trust_survey")
>>> df.shape
(600, 61)
>>> "holzinger_swineford_1939" in set(list_examples()["name"])
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from ..._validation import format_value
from ...exceptions import DataError

__all__ = ["example_path", "list_examples", "load_codebook", "load_example"]

#: Columns of :func:`list_examples`.
INDEX_COLUMNS = (
    "name",
    "file",
    "n_rows",
    "n_cols",
    "description",
    "source",
    "licence",
    "citation",
)

#: Exact call that generated ``trust_survey.csv``.
TRUST_SURVEY_CALL: dict[str, object] = {
    "n": 600,
    "seed": 20261122,
    "scale_points": 5,
    "module_b": True,
    "careless_rate": 0.02,
    "missing_rate": 0.01,
    "trust": "second_order",
}


def _read_csv(filename: str) -> pd.DataFrame:
    res = resources.files(__name__).joinpath(filename)
    with resources.as_file(res) as path:
        return pd.read_csv(path, encoding="utf-8", keep_default_na=True)


def list_examples() -> pd.DataFrame:
    """List the bundled example data sets.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, file, n_rows, n_cols, description, source, licence,
        citation``; one row per data set.
    """
    index = _read_csv("index.csv")
    return index.loc[:, list(INDEX_COLUMNS)]


def _entry(name: str) -> pd.Series:
    index = list_examples()
    hit = index[index["name"] == name]
    if not isinstance(name, str) or hit.empty:
        raise DataError(
            f"`name` must be one of the bundled examples {list(index['name'])};"
            f" got {format_value(name)}. See trustsem.data.datasets.list_examples()."
        )
    return hit.iloc[0]


def example_path(name: str) -> Path:
    """Return the path of a bundled example CSV file.

    Parameters
    ----------
    name : str
        Name from :func:`list_examples`.

    Returns
    -------
    pathlib.Path
        Path of the CSV file inside the installed package.

    Raises
    ------
    DataError
        If ``name`` is not a bundled example.
    """
    entry = _entry(name)
    return Path(str(resources.files(__name__).joinpath(entry["file"])))


def load_example(name: str = "trust_survey") -> pd.DataFrame:
    """Load a bundled example data set.

    Parameters
    ----------
    name : str, default "trust_survey"
        Name from :func:`list_examples`.

    Returns
    -------
    pandas.DataFrame
        The CSV as read by :func:`pandas.read_csv`; empty cells are ``NaN``.
        Other missing-value codes (e.g. ``-99`` in ``corp_rep``) are left as
        they are: recode them with the codebook or ``trustsem.data.prep``.

    Raises
    ------
    DataError
        If ``name`` is not a bundled example.
    """
    return _read_csv(_entry(name)["file"])


def load_codebook(name: str = "trust_survey") -> pd.DataFrame:
    """Load the codebook of a bundled example data set.

    Parameters
    ----------
    name : str, default "trust_survey"
        Name from :func:`list_examples` that has a codebook
        (``<name>_codebook.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns ``item, construct, type, label_en, label_zh, scale_min,
        scale_max, reverse, missing_codes``; one row per data column.

    Raises
    ------
    DataError
        If ``name`` is unknown or has no codebook.
    """
    entry = _entry(name)
    filename = entry["file"].removesuffix(".csv") + "_codebook.csv"
    if not resources.files(__name__).joinpath(filename).is_file():
        raise DataError(
            f"The example {name!r} has no codebook; only 'trust_survey' has one."
        )
    out = _read_csv(filename)
    for col in ("construct", "label_en", "label_zh", "missing_codes"):
        out[col] = out[col].astype(object).where(out[col].notna(), "")
    out["scale_min"] = out["scale_min"].astype("Int64")
    out["scale_max"] = out["scale_max"].astype("Int64")
    return out


def _write_trust_survey(directory: Path | None = None) -> tuple[Path, Path]:
    """Regenerate ``trust_survey.csv`` and its codebook (developer helper)."""
    from ..simulate import simulate_survey

    directory = Path(__file__).parent if directory is None else Path(directory)
    sim = simulate_survey(**TRUST_SURVEY_CALL)  # type: ignore[arg-type]
    data = sim.data.copy()
    likert = sim.codebook.loc[sim.codebook["type"] == "likert", "item"]
    for col in likert:
        data[col] = data[col].astype("Int64")
    data_path = directory / "trust_survey.csv"
    book_path = directory / "trust_survey_codebook.csv"
    data.to_csv(data_path, index=False, encoding="utf-8", lineterminator="\n")
    sim.codebook.to_csv(book_path, index=False, encoding="utf-8", lineterminator="\n")
    return data_path, book_path
