"""Command line: ``trustsem fit``, ``trustsem demo``, ``trustsem report``, ``trustsem models``,
``trustsem examples``.

Every problem with the input ends in one readable line on stderr naming the
culprit and a non-zero exit status, never a traceback (``--debug`` shows it).
Input files are only read. Output files are first written to a temporary
folder beside the output folder and moved into place only when everything
has been computed and written, so a failed run leaves no partial report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ._meta import __version__
from ._validation import format_value
from .exceptions import TrustsemError, TrustsemWarning
from .output.files import output_lock, write_outputs
from .sem.spec import ModelSpec

EXIT_USAGE = 2
EXIT_INTERNAL = 3


_NUMPY_REPR = re.compile(r"np\.(?:float|int|uint|bool|str)_?\d*\(([^()]*)\)")


def _plain_text(msg: str) -> str:
    """Values as a person writes them: ``np.float64(5.0)`` -> ``5.0``, wherever
    a message was built from a numpy scalar's repr."""
    return _NUMPY_REPR.sub(lambda m: m.group(1).strip("'\""), msg)


def _error(msg: str) -> None:
    print(f"trustsem: error: {_plain_text(msg)}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``trustsem: error: ...``), exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        _error(f"{message} (see '{self.prog} --help')")
        sys.exit(EXIT_USAGE)


def _jobs_arg(text: str) -> int:
    """``--jobs``: -1 (all cores) or a positive whole number."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number (-1 for all cores, or 1, 2, ...); got {format_value(text)}") from None
    if n == 0 or n < -1:
        raise argparse.ArgumentTypeError(
            f"must be -1 (all cores) or at least 1; got {n}")
    return n


def _sheet_arg(text: str) -> str:
    """``--sheet``: a sheet name, or a 0-based position written as digits."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must be a sheet name or a 0-based position; got ''")
    return text


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    kind = "warning" if issubclass(category, TrustsemWarning) else category.__name__
    text = str(message).splitlines()[0] if str(message) else category.__name__
    print(f"trustsem: {kind}: {_plain_text(text)}", file=sys.stderr)


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------

def _result_files(res, header: str) -> dict[str, Callable[[Path], None]]:
    summary_text = header + "\n\n" + res.summary().as_text() + "\n"
    payload = json.dumps(res.to_dict(), indent=2, ensure_ascii=False, default=str)
    fit_frame = res.fit_measures.rename("value").rename_axis("measure").reset_index()
    return {
        "summary.txt": lambda p: p.write_text(summary_text, encoding="utf-8"),
        "estimates.csv": lambda p: res.estimates.to_csv(p, index=False),
        "fit_measures.csv": lambda p: fit_frame.to_csv(p, index=False),
        "r2.csv": lambda p: res.r2.to_csv(p, index=False),
        "result.json": lambda p: p.write_text(payload, encoding="utf-8"),
    }


# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------

def _read_model(spec: str) -> tuple[str, str]:
    from .models import list_models, load_model

    path = Path(spec)
    if path.suffix or path.exists() or os.sep in spec:
        if not path.exists():
            raise TrustsemError(f"Model file {spec!r} not found.")
        if path.is_dir():
            raise TrustsemError(f"Model path {spec!r} is a folder, not a model file.")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise TrustsemError(f"Model file {spec!r} is not a UTF-8 text file.") from None
        if not text.strip():
            raise TrustsemError(f"Model file {spec!r} is empty.")
        return text, str(path)
    names = list(list_models()["name"])
    if spec not in names:
        raise TrustsemError(f"{spec!r} is neither a model file nor a shipped model ({', '.join(names[:6])}, ...;"
                            " see 'trustsem models').")
    return load_model(spec), f"shipped model {spec!r}"


def cmd_fit(args: argparse.Namespace) -> int:
    from .data.io import check_model_columns, load_survey
    from .sem.fit import sem

    model_text, model_src = _read_model(args.model)
    survey = load_survey(args.data, codebook=args.codebook, sheet=args.sheet)
    check_model_columns(survey, ModelSpec(model_text))
    res = sem(model_text, survey.data, missing=args.missing, group=args.group,
              std_lv=args.std_lv, estimator=args.estimator,
              ordered=True if args.estimator == "WLSMV" else None)
    out = Path(args.out) if args.out else Path("reports") / Path(args.data).stem
    header = (f"trustsem {__version__} fit\nData: {args.data} ({survey.n_obs} rows)\n"
              f"Model: {model_src}")
    print(header)
    print()
    print(res.summary().as_text())
    written = write_outputs(out, _result_files(res, header))
    print(f"\nWrote {len(written)} files to {out}/")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .data.datasets import example_path, load_codebook
    from .data.io import load_survey
    from .data.screening import screen
    from .models import research_model
    from .sem.fit import sem

    data_path = example_path("trust_survey")
    survey = load_survey(data_path, codebook=load_codebook("trust_survey"))
    scr = screen(survey.data, survey.items, duration="duration_sec")
    model = research_model()
    res = sem(model, survey.data, missing="fiml", estimator=args.estimator)
    out = Path(args.out)
    header = (f"trustsem {__version__} demo: the research model (second-order trust) on the"
              f" bundled trust survey\nData: {data_path.name} ({survey.n_obs} respondents,"
              f" {len(survey.items)} Likert items)\nEstimator: {args.estimator} with FIML for missing answers")
    print(header)
    print()
    print(scr.summary())
    print()
    print(res.summary().as_text())
    files = _result_files(res, header + "\n\n" + scr.summary())
    files["screening_flags.csv"] = lambda p: scr.flags.to_csv(p)
    files["model.lav"] = lambda p: p.write_text(model, encoding="utf-8")
    written = write_outputs(out, files)
    print(f"\nWrote {len(written)} files to {out}/")
    return 0


def _model_origin(spec: str) -> tuple[str, str]:
    """("shipped", name) or ("file", absolute path) for a --model argument."""
    from .models import list_models

    path = Path(spec)
    if not (path.suffix or path.exists() or os.sep in spec) and spec in set(list_models()["name"]):
        return "shipped", spec
    return "file", str(path.resolve())


def cmd_report(args: argparse.Namespace) -> int:
    from .data.datasets import example_path, load_codebook
    from .data.io import check_model_columns, load_survey
    from .models import research_model
    from .output.pipeline import Invocation, run_analyses
    from .output.report import render_report

    if args.data is None:
        data_path = example_path("trust_survey")
        codebook = args.codebook if args.codebook else load_codebook("trust_survey")
        if args.model:
            model_text, model_src = _read_model(args.model)
        else:
            model_text, model_src = research_model(), "research model (second-order trust, shipped)"
    else:
        if not args.model:
            raise TrustsemError(
                "No model given for your data: pass --model MODEL.lav (a lavaan model file) or the"
                " name of a shipped model (see 'trustsem models').")
        data_path = Path(args.data)
        codebook = args.codebook
        model_text, model_src = _read_model(args.model)
    if args.bootstrap < 0 or args.bootstrap == 1:
        raise TrustsemError(f"--bootstrap must be 0 (no bootstrap) or at least 2; got {args.bootstrap}.")
    kind, model_name = _model_origin(args.model) if args.model else ("default", None)
    sheet = getattr(args, "sheet", None)
    invocation = Invocation(
        data=str(Path(args.data).resolve()) if args.data is not None else None,
        model_kind=kind, model=model_name,
        codebook=str(Path(args.codebook).resolve()) if args.codebook else None,
        sheet=sheet, out=str(Path(args.out).resolve()) if args.out else None,
        jobs=getattr(args, "jobs", None))
    out = Path(args.out) if args.out else Path("reports") / f"{data_path.stem}-report"
    with output_lock(out):  # a second run into the same folder fails now, not after computing
        survey = load_survey(data_path, codebook=codebook,
                             **({"sheet": sheet} if sheet is not None else {}))
        check_model_columns(survey, ModelSpec(model_text))
        bundle = run_analyses(
            survey, model_text, missing=args.missing, estimator=args.estimator,
            bootstrap=args.bootstrap, seed=args.seed, group=args.group, moderation=args.moderation,
            lang=args.lang, progress=not args.no_progress, n_jobs=getattr(args, "jobs", None),
            data_name=data_path.stem, model_source=invocation.model_label() if args.model else model_src,
            invocation=invocation)
        written = render_report(bundle, out, lang=args.lang)
    print(bundle.summary())
    print(f"\nWrote {out / 'report.html'} ({len(written)} files: report.html, tables/, figures/)")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from .models import list_models

    with pd.option_context("display.max_colwidth", 70, "display.width", 160):
        print(list_models().to_string(index=False))
    return 0


def cmd_examples(args: argparse.Namespace) -> int:
    from .data.datasets import list_examples

    with pd.option_context("display.max_colwidth", 60, "display.width", 160):
        print(list_examples()[["name", "n_rows", "n_cols", "description"]].to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="trustsem",
        description="Trust-factor survey analysis: lavaan-exact SEM/CFA from the command line.")
    p.add_argument("--version", action="version", version=f"trustsem {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fit", help="fit a lavaan-syntax model to a survey file")
    f.add_argument("data", help="survey file (.csv, .tsv, .xlsx, .sav, .dta)")
    f.add_argument("--model", required=True,
                   help="model file in lavaan syntax, or the name of a shipped model")
    f.add_argument("--codebook", help="codebook file (see docs/codebook.md)")
    f.add_argument("--sheet", type=_sheet_arg, metavar="NAME|INDEX",
                   help="Excel sheet to read: its name or 0-based position (default: the first)")
    f.add_argument("--out", help="output folder (default reports/<data name>)")
    f.add_argument("--missing", choices=["listwise", "fiml", "fiml.x", "pairwise"],
                   default="listwise",
                   help="fiml: ML with all answers (rows missing a fixed covariate dropped);"
                        " fiml.x: keep those rows too; pairwise: WLSMV only")
    f.add_argument("--group", help="column defining groups for a multi-group fit")
    f.add_argument("--std-lv", action="store_true", help="fix factor variances to 1")
    f.add_argument("--estimator", default="ML", choices=["ML", "MLR", "MLM", "WLSMV"],
                   help="ML (default), MLR (robust, works with --missing fiml), MLM, or WLSMV"
                        " (all items treated as ordered categories)")
    f.set_defaults(func=cmd_fit)

    d = sub.add_parser("demo", help="fit the research model to the bundled trust survey")
    d.add_argument("--out", default=str(Path("reports") / "demo"))
    d.add_argument("--estimator", default="ML", choices=["ML", "MLR"])
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser(
        "report", help="run every analysis and write one self-contained HTML report",
        description="Screening, measurement model (reliability, validity, common-method bias),"
                    " structural model with bootstrap, mediation, optional groups and moderation,"
                    " written to OUT/report.html with tables/*.csv and figures/*.png|svg."
                    " Without DATA: the bundled trust survey and the research model.")
    r.add_argument("data", nargs="?", help="survey file (.csv, .tsv, .xlsx, .sav, .dta);"
                   " default: the bundled trust survey")
    r.add_argument("--codebook", help="codebook file (see docs/codebook.md)")
    r.add_argument("--sheet", type=_sheet_arg, metavar="NAME|INDEX",
                   help="Excel sheet to read: its name or 0-based position (default: the first)")
    r.add_argument("--model", help="model file in lavaan syntax, or the name of a shipped model"
                   " (required with DATA)")
    r.add_argument("--out", help="output folder (default reports/<data name>-report)")
    r.add_argument("--lang", choices=["en", "zh"], default="en", help="report language")
    r.add_argument("--bootstrap", type=int, default=1000, metavar="B",
                   help="bootstrap draws for SEs, CIs and indirect effects (0: none; default 1000)")
    r.add_argument("--estimator", choices=["ML", "MLR"], default="ML")
    r.add_argument("--missing", choices=["fiml", "listwise"], default="fiml")
    r.add_argument("--group", help="column for measurement invariance and group comparisons")
    r.add_argument("--moderation", metavar="Y,X,W",
                   help="probe a moderation: outcome, focal predictor, moderator (columns or"
                        " constructs, scored as item means)")
    r.add_argument("--seed", type=int, default=20240517, help="bootstrap seed (default 20240517)")
    r.add_argument("--jobs", type=_jobs_arg, default=None, metavar="N",
                   help="worker processes for the bootstrap (-1: all cores; default: one for"
                        " small models, all cores otherwise)")
    r.add_argument("--no-progress", action="store_true", help="no step lines or progress bar")
    r.set_defaults(func=cmd_report)

    m = sub.add_parser("models", help="list the shipped lavaan models")
    m.set_defaults(func=cmd_models)
    e = sub.add_parser("examples", help="list the bundled data sets")
    e.set_defaults(func=cmd_examples)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    old = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default", TrustsemWarning)
            return int(args.func(args))
    except (TrustsemError, OSError) as err:
        if args.debug:
            raise
        msg = str(err)
        if isinstance(err, OSError) and not isinstance(err, TrustsemError):
            msg = f"{err.strerror or err}: {err.filename}" if err.filename else str(err)
        _error(msg.splitlines()[0] if msg else type(err).__name__)
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as err:
        if args.debug:
            raise
        _error(f"internal error ({type(err).__name__}: {err}). Run again with --debug and"
               " report it with the traceback.")
        return EXIT_INTERNAL
    finally:
        warnings.showwarning = old


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
