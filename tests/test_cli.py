"""The command line: one readable line and a non-zero exit for bad input; whole outputs."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from trustsem.cli import main, write_outputs
from trustsem.data.datasets import example_path

from conftest import REF

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


@pytest.fixture
def hs_csv(tmp_path):
    p = tmp_path / "hs.csv"
    pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv").to_csv(p, index=False)
    return p


@pytest.fixture
def model_file(tmp_path):
    p = tmp_path / "hs.lav"
    p.write_text(HS_MODEL)
    return p


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_fit_writes_all_outputs(hs_csv, model_file, tmp_path, capsys):
    before = _digest(hs_csv)
    out = tmp_path / "out"
    code, stdout, err = run(["fit", hs_csv, "--model", model_file, "--out", out], capsys)
    assert code == 0, err
    assert "85.306" in stdout
    assert _digest(hs_csv) == before
    files = sorted(p.name for p in out.iterdir())
    assert files == ["estimates.csv", "fit_measures.csv", "r2.csv", "result.json", "summary.txt"]
    est = pd.read_csv(out / "estimates.csv")
    assert {"lhs", "op", "rhs", "est", "se", "std_all"} <= set(est.columns)
    payload = json.loads((out / "result.json").read_text())
    assert payload["fit_measures"]["df"] == 24
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_fit_accepts_shipped_model_name(tmp_path, capsys):
    code, stdout, err = run(["fit", example_path("trust_survey"), "--model", "cfa_correlated",
                             "--missing", "fiml", "--out", tmp_path / "o"], capsys)
    assert code == 0, err
    assert "Latent variables" in stdout


def _bad_files(tmp_path, hs_csv):
    hs = pd.read_csv(hs_csv)
    cases = {}
    cases["missing file"] = (tmp_path / "nope.csv", "nope.csv")
    p = tmp_path / "empty.csv"
    p.write_text("")
    cases["empty file"] = (p, "empty.csv")
    p = tmp_path / "garbage.csv"
    p.write_bytes(bytes(range(256)) * 20)
    cases["binary garbage"] = (p, "garbage.csv")
    p = tmp_path / "text.csv"
    h = hs.astype({"x4": object})
    h.loc[10, "x4"] = "about four"
    h.to_csv(p, index=False)
    cases["text in item"] = (p, "x4")
    p = tmp_path / "dup.csv"
    p.write_text("x1,x1,x2\n1,2,3\n")
    cases["duplicate columns"] = (p, "x1")
    p = tmp_path / "const.csv"
    h = hs.copy()
    h["x5"] = 2
    h.to_csv(p, index=False)
    cases["zero variance"] = (p, "x5")
    p = tmp_path / "allmissing.csv"
    h = hs.copy()
    h["x6"] = None
    h.to_csv(p, index=False)
    cases["all missing"] = (p, "x6")
    p = tmp_path / "few.csv"
    hs.head(6).to_csv(p, index=False)
    cases["too few respondents"] = (p, "Too few respondents")
    return cases


@pytest.mark.parametrize("which", ["missing file", "empty file", "binary garbage", "text in item",
                                   "duplicate columns", "zero variance", "all missing",
                                   "too few respondents"])
def test_bad_data_one_line_nonzero(which, tmp_path, hs_csv, model_file, capsys):
    path, culprit = _bad_files(tmp_path, hs_csv)[which]
    before = _digest(path) if path.exists() else None
    out = tmp_path / "out"
    code, stdout, err = run(["fit", path, "--model", model_file, "--out", out], capsys)
    assert code != 0
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("trustsem: error")]
    assert len(lines) == 1, err
    assert culprit in lines[0], err
    assert "Traceback" not in err
    assert not out.exists()
    if before is not None:
        assert _digest(path) == before


@pytest.mark.parametrize("model, culprit", [
    ("visual =~ x1 + x2 + x3\nspeed =~ x7 + x8 + x99\n", "x99"),
    ("visual =~ x1 + x2 +\n\n", "line"),
    ("visual x1 x2 x3\n", "line 1"),
])
def test_bad_model_one_line(model, culprit, tmp_path, hs_csv, capsys):
    m = tmp_path / "bad.lav"
    m.write_text(model)
    code, _, err = run(["fit", hs_csv, "--model", m, "--out", tmp_path / "o"], capsys)
    assert code != 0
    assert err.count("trustsem: error") == 1 and culprit in err, err


def test_missing_model_file(tmp_path, hs_csv, capsys):
    code, _, err = run(["fit", hs_csv, "--model", tmp_path / "none.lav"], capsys)
    assert code != 0 and "none.lav" in err


def test_write_outputs_is_all_or_nothing(tmp_path):
    out = tmp_path / "report"

    def boom(p):
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_outputs(out, {"a.txt": lambda p: p.write_text("a"), "b.txt": boom})
    assert not out.exists()
    assert not list(tmp_path.glob(".report.tmp-*"))
    write_outputs(out, {"a.txt": lambda p: p.write_text("a")})
    assert (out / "a.txt").read_text() == "a"


def test_console_script_runs_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "trustsem.cli", "fit", str(tmp_path / "x.csv"),
                           "--model", "second_order"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("trustsem: error")


def test_models_and_examples_listing(capsys):
    assert run(["models"], capsys)[0] == 0
    code, out, _ = run(["examples"], capsys)
    assert code == 0 and "trust_survey" in out


def test_fit_with_robust_estimator(hs_csv, model_file, tmp_path, capsys):
    code, stdout, err = run(["fit", hs_csv, "--model", model_file, "--estimator", "MLR",
                             "--out", tmp_path / "o"], capsys)
    assert code == 0, err
    assert "Yuan-Bentler" in stdout and "87.132" in stdout   # lavaan chisq.scaled 87.1316


# ------------------------------------------------------------ usage errors
@pytest.mark.parametrize("jobs", ["0", "-2", "-10", "1.5", "two", ""])
def test_bad_jobs_is_one_line_usage_error(jobs, capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", "--jobs", jobs, "--bootstrap", "0"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trustsem: error: argument --jobs"), err


def test_unknown_option_is_one_line_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["fit", "x.csv", "--model", "m.lav", "--frobnicate"])
    assert info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--frobnicate" in lines[0]


# ------------------------------------------------------------------ sheets
@pytest.fixture
def workbook(tmp_path, hs_csv):
    p = tmp_path / "waves.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"note": ["read me"]}).to_excel(xw, sheet_name="info", index=False)
        pd.read_csv(hs_csv).to_excel(xw, sheet_name="wave2", index=False)
    return p


def test_fit_names_the_sheet_holding_the_model_variables(workbook, model_file, tmp_path, capsys):
    before = (_digest(workbook), workbook.stat().st_mtime_ns)
    code, _, err = run(["fit", workbook, "--model", model_file, "--out", tmp_path / "o"], capsys)
    assert code == 2
    assert err.count("trustsem: error") == 1
    assert "found all 9 on sheet 'wave2'; pass --sheet wave2" in err.lower()
    for sheet in ["wave2", "1"]:
        code, stdout, err = run(["fit", workbook, "--model", model_file, "--sheet", sheet,
                                 "--out", tmp_path / f"o{sheet}"], capsys)
        assert code == 0, err
        assert "Latent variables" in stdout
    code, _, err = run(["fit", workbook, "--model", model_file, "--sheet", "wave9",
                        "--out", tmp_path / "o9"], capsys)
    assert code == 2 and "'wave9'" in err and "'info', 'wave2'" in err
    assert (_digest(workbook), workbook.stat().st_mtime_ns) == before


def test_fit_prints_undeclared_missing_codes_on_stderr(tmp_path, hs_csv, capsys):
    h = pd.read_csv(hs_csv)
    for col in ["x1", "x2", "x3", "x4", "x5", "x6"]:
        h[col] = h[col].round().clip(0, 9)
    h.loc[[3, 10, 40], "x2"] = -99
    p = tmp_path / "codes.csv"
    h.to_csv(p, index=False)
    before = (_digest(p), p.stat().st_mtime_ns)
    m = tmp_path / "m.lav"
    m.write_text("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n")
    code, _, err = run(["fit", p, "--model", m, "--out", tmp_path / "o"], capsys)
    assert code == 0, err
    lines = [ln for ln in err.splitlines() if "-99" in ln]
    assert len(lines) == 1, err
    assert lines[0].startswith("trustsem: warning: File 'codes.csv': Column 'x2' holds -99 (3 cells)")
    assert "missing_codes: -99" in lines[0]
    assert (_digest(p), p.stat().st_mtime_ns) == before


# ------------------------------------------------------------ Chinese names
ZH_MODEL = "社会 =~ 社会1 + 社会2 + 社会3\n信任 =~ 信任1 + 信任2 + 信任3\n信任 ~ 社会\n"


@pytest.fixture
def gbk_csv(tmp_path, hs_csv):
    d = pd.read_csv(hs_csv)[["x1", "x2", "x3", "x4", "x5", "x6"]]
    d.columns = ["社会1", "社会2", "社会3", "信任1", "信任2", "信任3"]
    p = tmp_path / "调查.csv"
    d.to_csv(p, index=False, encoding="gbk")
    return p


def test_chinese_names_in_a_gbk_csv_through_load_survey_and_sem(gbk_csv):
    import trustsem as ts
    from trustsem.data.io import load_survey

    survey = load_survey(gbk_csv)
    assert list(survey.data.columns)[:3] == ["社会1", "社会2", "社会3"]
    assert any("gb18030" in n for n in survey.notes)
    res = ts.sem(ZH_MODEL, survey.data)
    # lavaan 0.6-14 on the same file (read.csv(fileEncoding = "GBK"), sem(model, d)):
    # chisq 24.361304, df 8, cfi 0.974969, rmsea 0.082429, srmr 0.047008; 信任 ~ 社会 0.503 (se 0.096)
    fm = res.fit_measures
    assert fm["chisq"] == pytest.approx(24.361304, abs=1e-3) and fm["df"] == 8
    assert fm["cfi"] == pytest.approx(0.974969, abs=1e-3)
    assert fm["rmsea"] == pytest.approx(0.082429, abs=1e-3)
    assert fm["srmr"] == pytest.approx(0.047008, abs=1e-3)
    est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("信任", "~", "社会")] == pytest.approx(0.503, abs=1e-3)


def test_chinese_names_through_trustsem_fit(gbk_csv, tmp_path, capsys):
    m = tmp_path / "模型.lav"
    m.write_text(ZH_MODEL, encoding="utf-8")
    before = (_digest(gbk_csv), gbk_csv.stat().st_mtime_ns)
    code, stdout, err = run(["fit", gbk_csv, "--model", m, "--out", tmp_path / "o"], capsys)
    assert code == 0, err
    assert "社会 =~ 社会1" in stdout and "24.361" in stdout
    est = pd.read_csv(tmp_path / "o" / "estimates.csv")
    assert "社会2" in set(est["rhs"])
    assert (_digest(gbk_csv), gbk_csv.stat().st_mtime_ns) == before


# ---------------------------------------------------------------------------
# output folders: replaced whole, one run at a time, stale leftovers cleaned


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_rerun_replaces_the_whole_folder(hs_csv, model_file, tmp_path, capsys):
    out = tmp_path / "o"
    assert run(["fit", hs_csv, "--model", model_file, "--out", out], capsys)[0] == 0
    (out / "stray.txt").write_text("from an earlier run")
    (out / "old_sub").mkdir()
    (out / "old_sub" / "x.csv").write_text("x")
    assert run(["fit", hs_csv, "--model", model_file, "--out", out], capsys)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "estimates.csv", "fit_measures.csv", "r2.csv", "result.json", "summary.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hs.csv", "hs.lav", "o"]  # no temp, no lock


def test_folder_of_other_files_is_not_replaced(hs_csv, model_file, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    code, _, err = run(["fit", hs_csv, "--model", model_file, "--out", out], capsys)
    assert code == 2 and "not written by trustsem" in err and err.count("\n") == 1
    assert (out / "thesis.docx").read_text() == "precious"
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


def test_second_concurrent_run_fails_clearly(hs_csv, model_file, tmp_path, capsys):
    out = tmp_path / "busy"
    go = tmp_path / "locked"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, pathlib\n"
         "from trustsem.output.files import output_lock\n"
         "with output_lock(sys.argv[1]):\n"
         "    pathlib.Path(sys.argv[2]).write_text('x')\n"
         "    time.sleep(60)\n", str(out), str(go)])
    try:
        for _ in range(300):
            if go.exists():
                break
            holder.poll()
            assert holder.returncode is None
            import time
            time.sleep(0.05)
        assert go.exists()
        code, stdout, err = run(["fit", hs_csv, "--model", model_file, "--out", out], capsys)
        assert code == 2
        assert f"another trustsem run is writing to {out}; wait for it or choose another --out" in err
        assert "Wrote" not in stdout
        assert not out.exists()
        # in a separate process too (the report command locks before computing)
        proc = subprocess.run([sys.executable, "-m", "trustsem.cli", "report", str(hs_csv), "--model",
                               str(model_file), "--bootstrap", "0", "--no-progress", "--out", str(out)],
                              capture_output=True, text=True)
        assert proc.returncode == 2 and "another trustsem run is writing to" in proc.stderr
        assert "Wrote" not in proc.stdout
    finally:
        holder.kill()
        holder.wait()
    # the holder was killed: its lock is stale now, and the next run proceeds
    code, stdout, err = run(["fit", hs_csv, "--model", model_file, "--out", out], capsys)
    assert code == 0, err
    assert not (tmp_path / ".busy.lock").exists()


def test_killed_run_leftovers_are_removed(hs_csv, model_file, tmp_path, capsys):
    out = tmp_path / "o"
    dead = _dead_pid()
    (tmp_path / ".o.lock").write_text(str(dead))
    tmp = tmp_path / f".o.tmp-{dead}-abc123"
    tmp.mkdir()
    (tmp / "half.csv").write_text("partial")
    alive = tmp_path / f".o.tmp-{__import__('os').getpid()}-live"  # a live writer's: kept
    alive.mkdir()
    code, _, err = run(["fit", hs_csv, "--model", model_file, "--out", out], capsys)
    assert code == 0, err
    assert not tmp.exists() and not (tmp_path / ".o.lock").exists()
    assert alive.exists()
    assert (out / "result.json").is_file()


def test_write_outputs_swaps_in_one_step(tmp_path):
    out = tmp_path / "r"
    write_outputs(out, {"result.json": lambda p: p.write_text("1"), "a/b.txt": lambda p: p.write_text("b")})
    write_outputs(out, {"result.json": lambda p: p.write_text("2")})
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["result.json"]
    assert (out / "result.json").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    from trustsem import cli
    from trustsem.output.files import write_outputs as direct

    assert cli.write_outputs is direct  # re-exported for old imports


# --------------------------------------------------------------- battery
def _battery(tmp_path, hs_csv):
    hs = pd.read_csv(hs_csv)
    cases = {}

    def put(name, content, culprit):
        p = tmp_path / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        cases[name] = (p, culprit)

    put("header_only.csv", "x1,x2,x3,x4,x5,x6,x7,x8,x9\n", "no data rows")
    put("data.txt", hs.to_csv(index=False), "unsupported extension")
    put("ragged.csv", "x1,x2\n1,2,3\n", "line 2 has 3 fields")
    put("quote.csv", 'x1,x2\n"1,2\n', "quote.csv")
    put("fake.xlsx", "not a workbook", "Excel workbook")
    put("fake.sav", "not spss", "SPSS file")
    put("nul.csv", b"x1,x2\n1,\x00\x01\x02\n" * 50, "binary data")
    h = hs.astype({"x4": object})
    h.loc[3, "x4"] = "four"
    put("text.csv", h.to_csv(index=False), "row 5 (index 3) holds 'four'")
    h = hs.copy()
    h.loc[7, "x5"] = float("inf")
    put("inf.csv", h.to_csv(index=False), "'x5': row 9 (index 7) holds inf")
    h = hs.copy()
    h.loc[7, "x5"] = 1e300
    put("huge.csv", h.to_csv(index=False), "'x5': row 9 (index 7) holds 1e+300")
    d = tmp_path / "folder.csv"
    d.mkdir()
    cases["folder.csv"] = (d, "is a directory")
    return cases


@pytest.mark.parametrize("which", ["header_only.csv", "data.txt", "ragged.csv", "quote.csv",
                                   "fake.xlsx", "fake.sav", "nul.csv", "text.csv", "inf.csv",
                                   "huge.csv", "folder.csv"])
@pytest.mark.parametrize("command", ["fit", "report"])
def test_battery_of_bad_files(which, command, tmp_path, hs_csv, model_file, capsys):
    path, culprit = _battery(tmp_path, hs_csv)[which]
    before = None if path.is_dir() else (_digest(path), path.stat().st_mtime_ns)
    argv = [command, path, "--model", model_file, "--out", tmp_path / "out"]
    if command == "report":
        argv += ["--bootstrap", "0", "--no-progress"]
    code, _, err = run(argv, capsys)
    assert code == 2, err
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("trustsem: error")]
    assert len(lines) == 1 and culprit in lines[0], err
    assert "Traceback" not in err and "internal error" not in err and "np." not in err
    assert not (tmp_path / "out").exists()
    if before is not None:
        assert (_digest(path), path.stat().st_mtime_ns) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their permissions")
def test_unreadable_file_is_one_line(tmp_path, hs_csv, model_file, capsys):
    hs_csv.chmod(0)
    try:
        code, _, err = run(["fit", hs_csv, "--model", model_file], capsys)
    finally:
        hs_csv.chmod(0o644)
    assert code == 2 and err.count("trustsem: error") == 1 and "hs.csv" in err


def test_numpy_reprs_never_reach_the_console():
    from trustsem.cli import _plain_text

    assert _plain_text("e.g. np.float64(3.25), [np.int64(5), np.str_('a')]") == "e.g. 3.25, [5, a]"


def test_report_names_the_sheet_holding_the_model_variables(workbook, model_file, tmp_path,
                                                            capsys):
    code, _, err = run(["report", workbook, "--model", model_file, "--bootstrap", "0",
                        "--no-progress", "--out", tmp_path / "r"], capsys)
    assert code == 2 and err.count("trustsem: error") == 1
    assert "pass --sheet wave2" in err
    assert not (tmp_path / "r").exists()
