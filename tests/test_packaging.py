"""Dependencies: pyproject.toml is the single source, environment.yml agrees,
and the declared packages are exactly the ones trustsem imports."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from conftest import REPO


def _norm(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = dict(_norm(r) for r in py["dependencies"] + py["optional-dependencies"]["dev"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    got: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pipdep in dep["pip"]:
                if not pipdep.startswith("-e"):
                    k, v = _norm(pipdep)
                    got[k] = v
        else:
            k, v = _norm(dep)
            if k not in ("python", "pip"):
                got[k] = v
    assert got == wanted, {
        "only in environment.yml": sorted(set(got) - set(wanted)),
        "only in pyproject.toml": sorted(set(wanted) - set(got)),
        "different versions": sorted(k for k in set(got) & set(wanted) if got[k] != wanted[k]),
    }
    assert "python>=" + py["requires-python"].lstrip(">=") in env["dependencies"]


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    cmd = next(line.strip() for line in ci.splitlines() if "pytest" in line)
    assert cmd in readme


# ---------------------------------------------------------------------------
# declared == imported

# Import name -> distribution name, where the two differ.
DISTRIBUTION = {"yaml": "pyyaml"}

# Runtime dependencies that trustsem never imports itself but uses through
# another package, with a file and the code in it that needs them.
USED_THROUGH = {
    "jinja2": ("trustsem/_display.py", ".to_latex("),  # pandas builds LaTeX with its Styler
    "openpyxl": ("trustsem/data/readers.py", '"openpyxl"'),  # pandas.read_excel engine for .xlsx
}


def _guarded(tree: ast.AST) -> set[int]:
    """ids of import nodes inside ``try: ... except ImportError``."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        caught = set()
        for h in node.handlers:
            types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
            caught |= {t.id for t in types if isinstance(t, ast.Name)}
        if caught & {"ImportError", "ModuleNotFoundError"}:
            for stmt in node.body:
                out |= {id(n) for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return out


def _third_party_imports() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Distributions imported anywhere in trustsem/ (at module level or inside
    functions): (required, optional), each mapped to the files importing them.
    An import inside ``try/except ImportError`` is optional."""
    required: dict[str, set[str]] = {}
    optional: dict[str, set[str]] = {}
    for path in sorted((REPO / "trustsem").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        guarded = _guarded(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "trustsem":
                    continue
                dist = DISTRIBUTION.get(top, top).lower()
                target = optional if id(node) in guarded else required
                target.setdefault(dist, set()).add(str(path.relative_to(REPO)))
    for dist in set(optional) & set(required):
        del optional[dist]
    return required, optional


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    py = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime = {_norm(r)[0] for r in py["dependencies"]}
    extras = {k: {_norm(r)[0] for r in v} for k, v in py["optional-dependencies"].items()}
    return runtime, extras


def test_every_import_is_declared():
    required, optional = _third_party_imports()
    runtime, extras = _declared()
    undeclared = {d: sorted(f) for d, f in required.items() if d not in runtime}
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"
    in_extras = set().union(*extras.values()) - extras["dev"]
    missing = {d: sorted(f) for d, f in optional.items() if d not in in_extras | runtime}
    assert not missing, f"optional imports declared in no extra: {missing}"


def test_every_runtime_dependency_is_used():
    required, _ = _third_party_imports()
    runtime, _ = _declared()
    unused = sorted(runtime - set(required) - set(USED_THROUGH))
    assert not unused, f"declared in pyproject.toml but never imported by trustsem: {unused}"
    for dist, (file, needle) in USED_THROUGH.items():
        assert dist in runtime, f"{dist} is listed in USED_THROUGH but not declared"
        assert needle in (REPO / file).read_text(), (
            f"{dist} is declared for {needle!r} in {file}, which no longer uses it"
        )


def test_semopy_is_only_a_benchmark_extra():
    required, optional = _third_party_imports()
    runtime, extras = _declared()
    assert "semopy" not in runtime and "semopy" not in required and "semopy" not in optional
    assert extras["bench"] == {"semopy"}
    bench = "".join(p.read_text() for p in (REPO / "benchmarks").glob("*.py"))
    assert "import semopy" in bench


def test_readme_dependencies_section_names_every_dependency():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Dependencies", 1)[1].split("\n## ", 1)[0]
    runtime, extras = _declared()
    named = {d for d in runtime | set().union(*extras.values()) if f"`{d}`" not in section}
    assert not named, f"README's Dependencies section does not name {sorted(named)}"


def test_import_trustsem_loads_no_heavy_optional_library():
    """`import trustsem` must not import statsmodels, patsy, pingouin or
    matplotlib: they load on first use of a function that needs them."""
    code = (
        "import sys, trustsem\n"
        "heavy = {'statsmodels', 'patsy', 'pingouin', 'matplotlib', 'semopy', 'seaborn'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(REPO),
    ).stdout.strip()
    assert out == "[]", f"import trustsem loaded {out}"


def test_statsmodels_loads_on_first_regression():
    code = (
        "import sys, trustsem as ts\n"
        "from trustsem.data.datasets import load_example\n"
        "df = load_example('trust_survey')\n"
        "assert 'statsmodels' not in sys.modules\n"
        "ts.ols('PI1 ~ PREP1', df)\n"
        "print('statsmodels' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(REPO),
    ).stdout.strip()
    assert out.splitlines()[-1] == "True"
