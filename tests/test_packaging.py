"""pyproject.toml is the single source of dependencies; environment.yml must agree."""

from __future__ import annotations

import re
import tomllib

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
