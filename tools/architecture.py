"""Measure the package's shape: import graph, circles, upward imports, sizes.

    python tools/architecture.py            # print the report
    python tools/architecture.py --check    # exit 1 when a rule is broken

Every ``import`` in a module counts, also those inside functions (a lazy
import is still a dependency). The rules, checked by
``tests/test_architecture.py``:

- no import circle between modules;
- no import that runs up the layers in ``LAYERS`` (a room imports only from
  rooms at its own level or below; inside a room, sub-folders are below the
  modules that use them);
- no file over ``MAX_FILE_LINES`` lines and no function over
  ``MAX_FUNCTION_LINES`` lines of code (its docstring not counted).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "trustsem"
MAX_FILE_LINES = 800
MAX_FUNCTION_LINES = 150

#: Rooms from the bottom up; a module may import only from its own layer or lower.
LAYERS = [
    ["trustsem.exceptions", "trustsem._validation", "trustsem._display", "trustsem._meta"],
    ["trustsem.models"],
    ["trustsem.data"],
    ["trustsem.sem.engine"],
    ["trustsem.sem"],
    ["trustsem.measurement"],
    ["trustsem.structural"],
    ["trustsem.output.files", "trustsem.output.tables", "trustsem.output.plotting"],
    ["trustsem.output.pipeline"],
    ["trustsem.output.report"],
    ["trustsem.output"],
    ["trustsem.cli"],
    ["trustsem"],
]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(mod: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(path: Path, known: set[str]) -> set[str]:
    """The trustsem modules ``path`` imports (the longest known prefix of each)."""
    mod = module_name(path)
    is_pkg = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def add(name: str) -> None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != mod:
            found.add(name)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("trustsem"):
                    add(a.name)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(mod, is_pkg, node)
            if not target.startswith("trustsem"):
                continue
            for a in node.names:
                full = f"{target}.{a.name}"
                add(full if full in known else target)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                name = str(node.args[0].value)
                add(f"trustsem{name}" if name.startswith(".") else name)
    return found


def graph() -> dict[str, set[str]]:
    files = sorted(ROOT.rglob("*.py"))
    known = {module_name(p) for p in files}
    return {module_name(p): imports(p, known) for p in files}


def circles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan).

    A package's ``__init__`` re-exporting its own modules is not a circle:
    edges from a package to the modules inside it are left out."""
    edges = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in g.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def layer(mod: str) -> int:
    best, level = -1, len(LAYERS)
    for i, names in enumerate(LAYERS):
        for n in names:
            if (mod == n or mod.startswith(n + ".")) and len(n) > best:
                best, level = len(n), i
    return level


#: Upward imports that are part of the design, each with its reason.
ALLOWED_UPWARD = {
    ("trustsem.sem.results", "trustsem.output.plotting"):
        "SEMResult.plot_* are one-line conveniences for notebooks; the import runs"
        " inside the method, so the engine never loads matplotlib",
}


def upward(g: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a lower layer to a higher one (a package's own modules and
    ``ALLOWED_UPWARD`` excepted)."""
    return sorted((m, t) for m, ts in g.items() for t in ts
                  if not t.startswith(m + ".") and layer(t) > layer(m)
                  and (m, t) not in ALLOWED_UPWARD)


def sizes() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    big_files, big_functions = [], []
    for p in sorted(ROOT.rglob("*.py")):
        text = p.read_text(encoding="utf-8")
        n = text.count("\n")
        rel = str(p.relative_to(ROOT.parent))
        if n > MAX_FILE_LINES:
            big_files.append((rel, n))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                first = node.body[0]
                if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                        and isinstance(first.value.value, str)):
                    length -= first.end_lineno - first.lineno + 1   # the docstring
                if length > MAX_FUNCTION_LINES:
                    big_functions.append((f"{rel}:{node.name}", length))
    return big_files, big_functions


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when a rule is broken")
    args = ap.parse_args(argv)
    g = graph()
    cyc, up = circles(g), upward(g)
    files, funcs = sizes()
    print(f"{len(g)} modules, {sum(map(len, g.values()))} imports")
    print(f"import circles: {len(cyc)}")
    for c in cyc:
        print("  " + " <-> ".join(c))
    print(f"upward imports: {len(up)}")
    for a, b in up:
        print(f"  {a} -> {b}")
    print(f"files over {MAX_FILE_LINES} lines: {len(files)}")
    for f, n in files:
        print(f"  {f}: {n}")
    print(f"functions over {MAX_FUNCTION_LINES} lines: {len(funcs)}")
    for f, n in funcs:
        print(f"  {f}: {n}")
    broken = cyc or up or files or funcs
    return 1 if (args.check and broken) else 0


if __name__ == "__main__":
    sys.exit(main())
