"""`trustsem report`: one self-contained HTML report, tidy CSVs and figures, whole or not at all.

The bundled-data report is built once per module (listwise deletion keeps the
100-draw bootstrap fast and exercises the warning path) and is reused by the
content, CSV and browser tests.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import warnings

import pandas as pd
import pytest
from conftest import REF

from trustsem.cli import main
from trustsem.data.datasets import example_path
from trustsem.exceptions import TrustsemWarning

TIKTOK_MODEL = """\
SC  =~ SC1 + SC2 + SC3 + SC4
SI  =~ SI1 + SI2 + SI3 + SI4 + SI5
TR  =~ TR1 + TR2 + TR3 + TR4 + TR5
HM  =~ HM1 + HM2 + HM3
OIB =~ OIB1 + OIB2 + OIB3
TR  ~ SI
OIB ~ SC + TR + HM
"""

HS_MODEL = """\
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
textual ~ visual
speed ~ textual
"""

SEED = 4321
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _run(argv, capsys):
    with warnings.catch_warnings():
        # the report shows every trustsem warning once on the console and in its notes
        warnings.simplefilter("always", TrustsemWarning)
        code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _text(page: str) -> str:
    """Visible text of the HTML (tags dropped, entities decoded)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled") / "report"
    capsys_free = _ModuleCapture()
    with capsys_free, warnings.catch_warnings():
        warnings.simplefilter("always", TrustsemWarning)
        code = main(["report", "--bootstrap", "100", "--jobs", "1", "--seed", str(SEED),
                     "--missing", "listwise", "--no-progress", "--out", str(out)])
    return out, code, capsys_free.err


class _ModuleCapture:
    """Capture stderr for a module-scoped fixture (capsys is function-scoped)."""

    def __enter__(self):
        import contextlib
        import io

        self._buf = io.StringIO()
        self._cm = contextlib.redirect_stderr(self._buf)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)
        self.err = self._buf.getvalue()
        return False


# ---------------------------------------------------------------------------
# (1) bundled data through the CLI


def test_bundled_report_files_and_content(bundled):
    out, code, err = bundled
    assert code == 0, err
    html_path = out / "report.html"
    assert html_path.is_file()
    for name in ["paths", "fit_indices", "reliability", "htmt", "fornell_larcker", "items",
                 "cmb_verdicts", "indirect_effects", "mediation_summary", "screening",
                 "estimates", "fit_measures", "notes", "versions", "settings"]:
        assert (out / "tables" / f"{name}.csv").is_file(), name
    for name in ["likert", "loadings", "path_diagram", "paths_forest", "indirect_distribution",
                 "fornell_larcker"]:
        assert (out / "figures" / f"{name}.png").stat().st_size > 1000, name
        assert (out / "figures" / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert not list(out.parent.glob(".report.tmp-*"))

    page = html_path.read_text(encoding="utf-8")
    # self-contained: nothing loaded from elsewhere, figures inline
    assert not EXTERNAL.search(page)
    assert "<link" not in page
    n_img = len(re.findall(r"<img\b", page))
    assert n_img == len(re.findall(r'<img\b[^>]*src="data:image/png;base64,', page)) >= 6
    text = _text(page)

    # the APA text quotes the fit of the structural model exactly
    fm = pd.read_csv(out / "tables" / "fit_measures.csv").set_index("measure")["value"]
    chi = f"χ²({int(fm['df'])}) = {fm['chisq']:.2f}"
    assert chi in text
    assert f"CFI = {fm['cfi']:.3f}".replace("0.", ".") in text
    assert "Methods and results (APA style)" in text
    assert "Structural model." in text and "Measurement model." in text
    assert "Indirect effects." in text
    # reproducibility block: seed, versions, formula variants
    repro = text[text.index("Reproducibility", text.index("Notes and warnings")):]
    assert str(SEED) in repro
    assert "statsmodels" in repro and "matplotlib" in repro and "trustsem" in repro
    assert "100 requested" in repro and "perc" in repro
    assert "compRelSEM" in repro and "HTMT2" in repro
    # listwise deletion: warned on the console once, kept in the notes
    assert err.count("trustsem: warning: Listwise deletion: used 402 of 600 rows") == 1
    assert "Listwise deletion: used 402 of 600 rows" in text
    assert "Likert items" in text  # the estimator note of the fit


def test_bundled_tables_are_tidy_csv(bundled):
    out, _, _ = bundled
    for path in sorted((out / "tables").glob("*.csv")):
        df = pd.read_csv(path)
        assert len(df.columns) >= 2, path.name
        assert all(re.fullmatch(r"[a-z0-9_]+", str(c)) for c in df.columns), (path.name, list(df.columns))
    paths = pd.read_csv(out / "tables" / "paths.csv")
    assert {"path", "b", "se", "beta", "p", "ci_lower", "ci_upper"} <= set(paths.columns)
    assert paths["b"].dtype.kind == "f"  # unrounded numbers, not formatted text
    ind = pd.read_csv(out / "tables" / "indirect_effects.csv")
    assert {"effect", "path", "b", "ci_lower", "ci_upper"} <= set(ind.columns)
    assert ind["ci_lower"].notna().any()


# ---------------------------------------------------------------------------
# (2) a real data set, Chinese


def test_tiktok_report_in_chinese(tmp_path, capsys):
    data = tmp_path / "tiktok_shop.csv"
    shutil.copy(example_path("tiktok_shop_impulse_buying"), data)
    model = tmp_path / "impulse.lav"
    model.write_text(TIKTOK_MODEL, encoding="utf-8")
    out = tmp_path / "zh"
    code, _, err = _run(["report", data, "--model", model, "--lang", "zh", "--bootstrap", "20",
                              "--jobs", "1", "--seed", SEED, "--out", out], capsys)
    assert code == 0, err
    assert "step 1/4" in err and "step 4/4" in err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    text = _text(page)
    for phrase in ["方法与结果（APA 格式）", "测量模型。", "结构模型。", "间接效应。", "可重复性信息",
                   "随机种子"]:
        assert phrase in text, phrase
    fm = pd.read_csv(out / "tables" / "fit_measures.csv").set_index("measure")["value"]
    assert f"χ²({int(fm['df'])}) = {fm['chisq']:.2f}" in text
    paths = pd.read_csv(out / "tables" / "paths.csv")
    assert set(paths["path"]) == {"SI → TR", "SC → OIB", "TR → OIB", "HM → OIB"}
    assert "SI → TR → OIB" in text  # the one indirect effect, with its CI
    assert not EXTERNAL.search(page)
    assert (out / "figures" / "path_diagram.svg").is_file()
    # no codebook: the report still groups the Likert bars by the model's factors
    assert (out / "figures" / "likert.png").is_file()
    # verdicts, table texts, notes and settings are in Chinese too
    for english in ENGLISH_STRINGS:
        assert english not in text, english
    for chinese in ["可区分（HTMT2 < .85）", "未提示共同方法偏差", "测量模型（CFA）", "显著性", "显著：95% Bootstrap",
                    "置信区间：Bootstrap", "随机种子"]:
        assert chinese in text, chinese


#: English verdicts, table texts and figure labels that must not appear in a Chinese report.
ENGLISH_STRINGS = [
    "distinct (HTMT2", "not distinct", "full mediation", "partial mediation", "no mediation",
    "indirect effect (no direct path", "no sign of common-method bias", "Measurement model (CFA)",
    "Structural model", "at least one flag", "longstring >=", "CI: bootstrap", "n.s.",
    "requested,", "automatic", "Significant:", "first component share", "one-factor CFI",
    "standard errors", "confidence level", "bootstrap draws",
]


def test_chinese_texts_for_invariance_and_screening():
    from trustsem.output.report import _zh_frame, _zh_text

    inv = pd.DataFrame({"model": ["configural", "metric", "scalar", "scalar (partial)", "strict"],
                        "verdict": ["baseline", "holds", "not supported", "holds (partial)",
                                    "not converged"]})
    zh = _zh_frame(inv)
    assert list(zh["model"]) == ["形态等值", "弱等值（载荷）", "强等值（截距）", "强等值（截距）（部分）",
                                 "严格等值（残差）"]
    assert list(zh["verdict"]) == ["基准", "成立", "不成立", "部分成立", "未收敛"]
    assert _zh_text("duration < 102 s") == "作答时长 < 102 秒"
    assert _zh_text("> 20% of items unanswered") == "未作答题项 > 20%"
    assert _zh_text("an unknown sentence") == "an unknown sentence"
    assert _zh_text("strict (on partial scalar)") == "严格等值（残差）（基于部分强等值（截距））"
    ordered = _zh_frame(pd.DataFrame({
        "model": ["configural", "thresholds", "thresholds + loadings", "thresholds + loadings (partial)"],
        "verdict": ["baseline", "not identified", "not assessed", "holds (partial)"]}))
    assert list(ordered["model"]) == ["形态等值", "阈值等值", "阈值与载荷等值", "阈值与载荷等值（部分）"]
    assert list(ordered["verdict"]) == ["基准", "不可识别", "未评估", "部分成立"]


# ---------------------------------------------------------------------------
# (3) a failing optional section is reported, the rest is written


def test_failed_section_is_boxed_and_the_rest_written(tmp_path, capsys):
    data = tmp_path / "hs_one_wave.csv"
    hs = pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv")
    hs["wave"] = 1
    hs.to_csv(data, index=False)
    model = tmp_path / "hs.lav"
    model.write_text(HS_MODEL, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(["report", data, "--model", model, "--group", "wave", "--bootstrap", "0",
                              "--no-progress", "--out", out], capsys)
    assert code == 0, err
    # one console line per failed section
    assert err.count("Measurement invariance was skipped") == 1
    assert "trustsem: warning:" in err and "'wave' has only one value" in err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('class="failed"') >= 2  # in the summary and in the groups section
    text = _text(page)
    assert "This section could not be computed." in text
    assert "'wave' has only one value" in text
    assert "Measurement invariance" in text
    # everything else is still there
    for name in ["paths", "reliability", "indirect_effects", "fit_indices"]:
        assert (out / "tables" / f"{name}.csv").is_file()
    assert not (out / "tables" / "invariance.csv").exists()
    assert "Structural model." in text


def test_pipeline_records_failures_without_hiding_bugs(monkeypatch):
    from trustsem.structural import mediation
    from trustsem.exceptions import EstimationError
    from trustsem.output.pipeline import run_analyses

    hs = pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv")

    def boom(*args, **kwargs):
        raise EstimationError("forced failure\nsecond line")

    monkeypatch.setattr(mediation, "indirect_effects", boom)
    with pytest.warns(TrustsemWarning, match="Mediation was skipped: EstimationError: forced failure"):
        b = run_analyses(hs, HS_MODEL, bootstrap=0, progress=False)
    assert b.sections_failed == {"mediation": "EstimationError: forced failure"}
    assert b.mediation is None and b.measurement is not None

    def bug(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(mediation, "indirect_effects", bug)
    with pytest.raises(KeyError), warnings.catch_warnings():
        warnings.simplefilter("ignore", TrustsemWarning)
        run_analyses(hs, HS_MODEL, bootstrap=0, progress=False)


def test_estimation_problems_are_red_in_notes(tmp_path, monkeypatch):
    from trustsem.structural import mediation
    from trustsem.exceptions import ConvergenceWarning
    from trustsem.output.pipeline import run_analyses
    from trustsem.output.report import render_report

    hs = pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv")
    real = mediation.indirect_effects

    def warn_then_run(*args, **kwargs):
        warnings.warn("The optimizer stopped after 500 iterations (test).", ConvergenceWarning,
                      stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(mediation, "indirect_effects", warn_then_run)
    with pytest.warns(ConvergenceWarning, match="500 iterations"):
        b = run_analyses(hs, HS_MODEL, bootstrap=0, progress=False, data_name="hs")
    assert ("mediation", "serious", "The optimizer stopped after 500 iterations (test).") in b.notes
    render_report(b, tmp_path / "r")
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<li class="serious">.*500 iterations', page)
    assert ".serious" in page and "var(--red)" in page  # styled red


# ---------------------------------------------------------------------------
# (4) whole or nothing


def test_failure_while_writing_leaves_no_output(tmp_path, capsys, monkeypatch):
    from trustsem.output import report

    data = tmp_path / "hs.csv"
    pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv").to_csv(data, index=False)
    model = tmp_path / "hs.lav"
    model.write_text(HS_MODEL, encoding="utf-8")
    calls = {"n": 0}
    real = report._write_csv

    def flaky(frame, path):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device", str(path))
        real(frame, path)

    monkeypatch.setattr(report, "_write_csv", flaky)
    out = tmp_path / "reports" / "hs-report"
    code, _, err = _run(["report", data, "--model", model, "--bootstrap", "0", "--no-progress",
                              "--out", out], capsys)
    assert code == 2
    assert calls["n"] == 5
    assert err.strip().splitlines()[-1].startswith("trustsem: error: No space left on device")
    assert not out.exists()
    assert list((tmp_path / "reports").iterdir()) == []  # no temporary folder left behind


def test_data_without_model_is_an_error(tmp_path, capsys):
    data = tmp_path / "hs.csv"
    pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv").to_csv(data, index=False)
    code, _, err = _run(["report", data, "--out", tmp_path / "x"], capsys)
    assert code == 2
    assert err.strip() == ("trustsem: error: No model given for your data: pass --model MODEL.lav"
                           " (a lavaan model file) or the name of a shipped model (see 'trustsem"
                           " models').")
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------------------
# (5) a real browser


def _chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_report_renders_in_headless_chromium(bundled, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (CI installs it with tools/install-system-deps.sh;"
                    " locally: apt-get install chromium)")
    from PIL import Image

    out, code, _ = bundled
    assert code == 0
    url = (out / "report.html").resolve().as_uri()
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(flags + ["--dump-dom", "--virtual-time-budget=5000", url],
                         capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-images-ok="true"' in dom.stdout, dom.stdout[:500]
    n_img = int(re.search(r'data-images-count="(\d+)"', dom.stdout).group(1))
    assert n_img >= 6

    shot = tmp_path / "report.png"
    res = subprocess.run(flags + [f"--screenshot={shot}", "--window-size=1280,2000", url],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0 and shot.is_file(), res.stderr[-2000:]
    img = Image.open(shot).convert("L")
    assert img.size == (1280, 2000)
    hist = img.histogram()
    assert sum(1 for h in hist if h > 50) > 10, "screenshot has almost no distinct grey levels"
    mean = sum(i * h for i, h in enumerate(hist)) / sum(hist)
    var = sum(h * (i - mean) ** 2 for i, h in enumerate(hist)) / sum(hist)
    assert var > 100, f"screenshot looks blank (variance {var:.1f})"


# ---------------------------------------------------------------------------
# (6) models without a structural part or without mediation

HS_CFA = """\
visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9
"""


def _hs_csv(tmp_path):
    data = tmp_path / "hs.csv"
    pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv").to_csv(data, index=False)
    return data


def _section_ids(page: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', page)


@pytest.mark.parametrize("case", ["cfa", "one_factor", "no_chain"])
def test_report_without_structural_or_mediation_part(case, tmp_path, capsys):
    model_text = {
        "cfa": HS_CFA,
        "one_factor": "visual =~ x1 + x2 + x3\n",
        "no_chain": HS_CFA + "textual ~ visual\nspeed ~ visual\n",
    }[case]
    model = tmp_path / "m.lav"
    model.write_text(model_text, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(["report", _hs_csv(tmp_path), "--model", model, "--bootstrap", "0",
                         "--no-progress", "--out", out], capsys)
    assert code == 0, err
    assert "was skipped" not in err  # not applicable is not a failure
    page = (out / "report.html").read_text(encoding="utf-8")
    ids = _section_ids(page)
    text = _text(page)
    assert "measurement" in ids and "mediation" not in ids
    assert "This section could not be computed." not in text
    assert (out / "tables" / "reliability.csv").is_file()
    assert (out / "tables" / "fit_indices.csv").is_file()
    fm = pd.read_csv(out / "tables" / "fit_measures.csv").set_index("measure")["value"]
    if case == "no_chain":
        assert "structural" in ids and "Structural model." in text
        assert (out / "tables" / "paths.csv").is_file()
        assert (out / "figures" / "path_diagram.png").is_file()
    else:
        assert "structural" not in ids and "model_fit" in ids
        assert "Structural model." not in text and "Indirect effects." not in text
        assert not (out / "tables" / "paths.csv").exists()
        assert "before the structural model was tested" not in text
    if case == "cfa":
        # lavaan 0.6-14, cfa(HS.model, HolzingerSwineford1939): chisq 85.306, df 24
        assert f"{fm['chisq']:.3f}" == "85.306" and int(fm["df"]) == 24
        assert "χ²(24) = 85.31" in text and "(HTMT2" in text
    if case == "one_factor":
        assert not (out / "tables" / "htmt.csv").exists()
        assert "Fornell-Larcker criterion was" not in text
        assert int(fm["df"]) == 0


def test_shipped_cfa_model_on_bundled_data(tmp_path, capsys):
    out = tmp_path / "cfa"
    code, _, err = _run(["report", "--model", "cfa_correlated", "--bootstrap", "0",
                         "--missing", "listwise", "--no-progress", "--out", out], capsys)
    assert code == 0, err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "structural" not in _section_ids(page) and "mediation" not in _section_ids(page)
    assert "shipped model cfa_correlated" in _text(page)


# ---------------------------------------------------------------------------
# (7) one significance rule: text, table, forest plot and path diagram agree


def _svg_groups(svg: str, prefix: str) -> dict[str, str]:
    """id -> content of the <g id="prefix..."> groups of a matplotlib SVG."""
    out = {}
    for m in re.finditer(rf'<g id="({re.escape(prefix)}[^"]*)">(.*?)</g>', svg, flags=re.DOTALL):
        out[html.unescape(m.group(1))] = m.group(2)
    return out


@pytest.mark.parametrize("bootstrap", [0, 60])
def test_one_significance_rule_everywhere(bootstrap, tmp_path):
    from trustsem.output.pipeline import run_analyses
    from trustsem.output.report import render_report

    hs = pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv")
    model = HS_CFA + "textual ~ visual\nspeed ~ textual + visual\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrustsemWarning)
        b = run_analyses(hs, model, bootstrap=bootstrap, seed=SEED, n_jobs=1, progress=False,
                         data_name="hs")
        render_report(b, tmp_path / "r")
    sig = b.significance
    assert list(sig["rule"].unique()) == (["ci"] if bootstrap else ["p"])
    if bootstrap:
        expect = (sig["ci_lower"] > 0) | (sig["ci_upper"] < 0)
    else:
        expect = sig["pvalue"] < 0.05
    assert list(sig["significant"]) == list(expect)
    decided = {f"{r} → {l_}": bool(s) for l_, r, s in zip(sig["lhs"], sig["rhs"], sig["significant"])}
    assert any(decided.values())

    out = tmp_path / "r"
    # tidy table
    paths = pd.read_csv(out / "tables" / "paths.csv")
    assert dict(zip(paths["path"], paths["significant"])) == decided
    # the HTML table: a marker for the significant paths, "n.s." for the others
    page = (out / "report.html").read_text(encoding="utf-8")
    tab = re.search(r'<div class="tbl" id="tab-paths">(.*?)</div>', page, flags=re.DOTALL).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", tab.split("<tbody>")[1].split("</tbody>")[0],
                      flags=re.DOTALL)
    shown = {}
    for r in rows:
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.DOTALL)]
        shown[cells[0]] = cells[-1] != "n.s."
        assert cells[-1] in ("n.s.", "*", "**", "***")
    assert shown == decided
    text = _text(page)
    rule = ("Significant: the 95% bootstrap percentile interval excludes 0" if bootstrap
            else "Significant: p < .05 from the model's standard errors")
    assert rule in text  # the rule is stated
    # the write-up
    wu = _text(re.search(r'<div class="writeup">(.*?)</div>', page, flags=re.DOTALL).group(1))
    struct = wu[wu.index("Structural model."):].split("Explained variance")[0]
    sig_part = struct.split("Significant paths", 1)[1].split("Not significant:")[0]
    non_part = struct.split("Not significant:", 1)[1] if "Not significant:" in struct else ""
    for p, s in decided.items():
        assert (p in sig_part) == s and (p in non_part) == (not s), p
    # the path diagram: solid = significant, dashed = not
    svg = (out / "figures" / "path_diagram.svg").read_text(encoding="utf-8")
    edges = _svg_groups(svg, "path:")
    assert len(edges) == len(decided)
    for gid, body in edges.items():
        a, b_ = gid[len("path:"):].split("->")
        assert ("stroke-dasharray" not in body) == decided[f"{a} → {b_}"], gid
    # the forest plot: filled markers for the significant paths
    svg = (out / "figures" / "paths_forest.svg").read_text(encoding="utf-8")
    groups = _svg_groups(svg, "forest:")
    n_sig = len(re.findall(r"<use\b", groups.get("forest:significant", "")))
    n_non = len(re.findall(r"<use\b", groups.get("forest:not_significant", "")))
    assert (n_sig, n_non) == (sum(decided.values()), len(decided) - sum(decided.values()))


# ---------------------------------------------------------------------------
# (8) the printed re-run command reproduces the run


def test_rerun_command_reproduces_the_run(tmp_path, capsys):
    import shlex
    import sys

    folder = tmp_path / "my data"
    folder.mkdir()
    data = folder / "trust survey.csv"
    shutil.copy(example_path("trust_survey"), data)
    codebook = folder / "cb's.csv"
    from trustsem.data.datasets import example_path as _ep

    shutil.copy(_ep("trust_survey").with_name("trust_survey_codebook.csv"), codebook)
    model = folder / "small model.lav"
    model.write_text("TF =~ TF1 + TF2 + TF3\nTA =~ TA1 + TA2 + TA3\nPI =~ PI1 + PI2 + PI3 + PI4\n"
                     "TA ~ TF\nPI ~ TA + TF\n", encoding="utf-8")
    out = folder / "out 1"
    argv = ["report", data, "--model", model, "--codebook", codebook, "--group", "pm_exposed",
            "--lang", "zh", "--missing", "listwise", "--estimator", "MLR", "--bootstrap", "20",
            "--seed", "7", "--jobs", "1", "--no-progress", "--out", out]
    code, _, err = _run(argv, capsys)
    assert code == 0, err
    page = (out / "report.html").read_text(encoding="utf-8")
    cmd = html.unescape(re.search(r"<pre class='wrap'>(trustsem report .*?)</pre>", page).group(1))
    args = shlex.split(cmd)
    for opt, value in [("--model", str(model.resolve())), ("--codebook", str(codebook.resolve())),
                       ("--group", "pm_exposed"), ("--lang", "zh"), ("--missing", "listwise"),
                       ("--estimator", "MLR"), ("--bootstrap", "20"), ("--seed", "7"),
                       ("--jobs", "1"), ("--out", str(out.resolve()))]:
        assert args[args.index(opt) + 1] == value, opt
    assert args[2] == str(data.resolve())
    assert "shipped model" not in cmd
    # run it (into another folder) and get the same tables
    out2 = tmp_path / "again"
    args[args.index("--out") + 1] = str(out2)
    proc = subprocess.run([sys.executable, "-m", "trustsem.cli", *args[1:], "--no-progress"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (out / "tables").glob("*.csv"))
    assert names == sorted(p.name for p in (out2 / "tables").glob("*.csv"))
    for name in names:
        if name in ("settings.csv",):  # holds the creation time
            continue
        a = pd.read_csv(out / "tables" / name)
        b = pd.read_csv(out2 / "tables" / name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12, obj=name)


def test_rerun_command_names_a_shipped_model_by_name(tmp_path, capsys):
    out = tmp_path / "o"
    code, _, err = _run(["report", "--model", "cfa_unidimensional", "--bootstrap", "0",
                         "--missing", "listwise", "--no-progress", "--out", out], capsys)
    assert code == 0, err
    page = (out / "report.html").read_text(encoding="utf-8")
    cmd = html.unescape(re.search(r"<pre class='wrap'>(trustsem report .*?)</pre>", page).group(1))
    assert cmd.startswith("trustsem report --model cfa_unidimensional --estimator ML --missing listwise")


def test_rerun_command_quotes_every_given_option():
    import dataclasses
    import shlex

    from trustsem.output.pipeline import Invocation, run_analyses
    from trustsem.output.report import _rerun_command

    hs = pd.read_csv(REF / "data" / "holzinger_swineford_1939.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrustsemWarning)
        b = run_analyses(hs, HS_MODEL, bootstrap=0, progress=False, group="school",
                         moderation="x1,x2,x3")
    inv = Invocation(data="/d/wave 1.xlsx", model_kind="file", model="/m/it's.lav",
                     codebook="/d/code book.csv", sheet="Wave 1", out="/r/out dir", jobs=2)
    args = shlex.split(_rerun_command(dataclasses.replace(b, invocation=inv), "en"))
    assert args[:3] == ["trustsem", "report", "/d/wave 1.xlsx"]
    pairs = dict(zip(args[3::2], args[4::2]))
    assert pairs == {"--model": "/m/it's.lav", "--codebook": "/d/code book.csv", "--sheet": "Wave 1",
                     "--estimator": "ML", "--missing": "fiml", "--bootstrap": "0",
                     "--seed": "20240517", "--lang": "en", "--group": "school",
                     "--moderation": "x1,x2,x3", "--jobs": "2", "--out": "/r/out dir"}
    # a bundle made in Python has no invocation: data and model are placeholders
    assert "<model.lav>" in _rerun_command(b, "en")
