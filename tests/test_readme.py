"""The code in README.md and docs/*.md runs as written.

Every ```python block of a document is executed, in order, in one namespace
per document, in a temporary working directory (so files the snippets write
land there). A failure names the document and the line where the block
starts; the traceback's line numbers are the document's. Files a snippet
reads as a user's own (``wave1.sav``, ``codebook.csv``, ...) are written into
that directory first, from the bundled trust survey, and a ```csv or ```yaml
block introduced by a sentence naming a file in backticks (docs/codebook.md:
"Example (`codebook.csv`):") is written as that file. In README.md the cheap
command lines of ```bash blocks (``trustsem models``, ``trustsem examples``,
``trustsem fit ...``) are run as well.

Warnings are allowed here (a user sees them printed); what the warnings mean
is tested where the behaviour is implemented.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\s*$")
FILE_NAMED = re.compile(r"`([\w.-]+\.(?:csv|ya?ml))`")

# Commands of README ```bash blocks that are cheap enough to run here.
CHEAP_COMMANDS = ("trustsem models", "trustsem examples", "trustsem fit ")


def blocks(path: Path, lang: tuple[str, ...] = ("python",)) -> list[tuple[int, str, str]]:
    """(line of the opening fence, language, text) of each fenced block."""
    out = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            j = i + 1
            while j < len(lines) and not FENCE.match(lines[j]):
                j += 1
            if m.group(1) in lang:
                out.append((i + 1, m.group(1), "\n".join(lines[i + 1 : j])))
            i = j
        i += 1
    return out


def _example_files(path: Path) -> dict[str, str]:
    """Data files a document shows in full: a csv/yaml block whose
    introducing line names the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = {}
    for line, _, text in blocks(path, ("csv", "yaml")):
        before = next((lines[k] for k in range(line - 2, -1, -1) if lines[k].strip()), "")
        m = FILE_NAMED.search(before)
        if m and m.group(1) not in out:
            out[m.group(1)] = text + "\n"
    return out


def _user_files(directory: Path) -> None:
    """The files the README treats as the user's own survey, codebook and model."""
    import pyreadstat

    from trustsem.data.datasets import example_path, load_example
    from trustsem.models import research_model

    survey = load_example("trust_survey")
    book = Path(str(example_path("trust_survey"))).with_name("trust_survey_codebook.csv")
    for name in ("wave1", "survey"):
        survey.to_csv(directory / f"{name}.csv", index=False)
        pyreadstat.write_sav(survey, str(directory / f"{name}.sav"))
    (directory / "codebook.csv").write_bytes(book.read_bytes())
    (directory / "model.lav").write_text(research_model() + "\n", encoding="utf-8")


def _run(doc: Path, workdir: Path) -> list[str]:
    """Execute the document's python blocks; return its warnings as text."""
    ns: dict = {"__name__": "__readme__"}
    seen: list[str] = []
    for line, _, text in blocks(doc):
        # Pad so that the code's line numbers are the document's.
        code = compile("\n" * line + text, f"{doc.relative_to(ROOT)}", "exec")
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(code, ns)
            except Exception as err:
                tb = traceback.format_exc(limit=-3)
                pytest.fail(
                    f"{doc.relative_to(ROOT)}, block at line {line}: "
                    f"{type(err).__name__}: {err}\n{tb}",
                    pytrace=False,
                )
            finally:
                import matplotlib.pyplot as plt

                plt.close("all")
        seen += [f"line {line}: {w.category.__name__}: {w.message}" for w in caught]
        print(f"{doc.name}:{line} {time.perf_counter() - start:.1f} s")
    return seen


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    _user_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


PY_DOCS = [d for d in DOCS if blocks(d)]


def test_documents_with_python_blocks_are_found():
    assert ROOT / "README.md" in PY_DOCS


@pytest.mark.parametrize("doc", PY_DOCS, ids=lambda p: p.name)
def test_python_blocks_run(doc, workdir):
    for name, text in _example_files(doc).items():
        (workdir / name).write_text(text, encoding="utf-8")
    for w in _run(doc, workdir):
        print(w)


def _cheap_commands() -> list[tuple[int, str]]:
    out = []
    for line, _, text in blocks(ROOT / "README.md", ("bash", "sh")):
        for k, cmd in enumerate(text.splitlines()):
            cmd = cmd.split("#", 1)[0].strip()
            if cmd.startswith(CHEAP_COMMANDS) or cmd in {c.strip() for c in CHEAP_COMMANDS}:
                out.append((line + 1 + k, cmd))
    return out


def test_cheap_commands_are_found():
    cmds = [c for _, c in _cheap_commands()]
    assert "trustsem models" in cmds and any(c.startswith("trustsem fit ") for c in cmds)


@pytest.mark.parametrize("line,cmd", _cheap_commands(), ids=lambda v: str(v))
def test_readme_command_runs(line, cmd, workdir):
    argv = shlex.split(cmd)
    exe = Path(sys.executable).with_name("trustsem")
    argv[0] = str(exe) if exe.exists() else argv[0]
    proc = subprocess.run(
        argv, cwd=workdir, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == 0, (
        f"README.md line {line}: `{cmd}` exited {proc.returncode}:\n{proc.stderr[-2000:]}"
    )
    assert proc.stdout.strip(), f"README.md line {line}: `{cmd}` printed nothing"
