"""The library's import structure: every module imports on its own, module-level imports form no cycle,
and ``voc`` never imports the web layer (``api``, FastAPI): the server is started by an import string."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import voc

VOC = Path(voc.__file__).resolve().parent
WEB_LAYER = ("api", "fastapi", "fastapi_offline", "starlette")
#: What a process imports first: the CLI, the composition root, a spawned worker, a Celery worker.
ALEMBIC_SCRIPTS = "voc.db.migrations."  # env.py and versions/ run inside alembic, not on import
ENTRY_POINTS = ["voc.cli.main", "voc.assembly", "voc.pipeline.child", "voc.pipeline.celery_app"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(VOC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(VOC.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _run_at_import(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements that run when the module is imported (not in functions, not for mypy)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _run_at_import(node.body)
            yield from _run_at_import(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _run_at_import(block)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _run_at_import(node.body)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = package if is_package else package[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    target = _absolute(module, node)
    return {target} | {f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES}


def _explained(lines: list[str], node: ast.stmt) -> bool:
    """A comment on the import's lines, or just above it (on a line of its own or on the imports of the
    group it belongs to)."""
    end = node.end_lineno or node.lineno
    if any("#" in line for line in lines[node.lineno - 1 : end]):
        return True
    above = node.lineno - 2
    while above >= 0 and lines[above].strip().startswith(("#", "from ", "import ", ")")):
        if "#" in lines[above]:  # a comment line, or one on an import just above (the group's reason)
            return True
        above -= 1
    return False


def _deferred(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports inside functions (they run when the function is first called)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield inner


def _edges(module: str, *, deferred: bool = False) -> set[str]:
    """The voc modules that importing ``module`` imports first, its enclosing packages included; with
    ``deferred``, also those its functions import without a comment saying why they wait."""
    source = MODULES[module].read_text(encoding="utf-8")
    tree = ast.parse(source)
    nodes = list(_run_at_import(tree.body))
    if deferred:
        lines = source.splitlines()
        nodes += [n for n in _deferred(tree) if not _explained(lines, n)]
    found: set[str] = set()
    for node in nodes:
        for name in _imported(module, node):
            parts = name.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                # A package the importer lives in is already being imported: not an edge.
                if prefix in MODULES and not module.startswith(prefix + ".") and prefix != module:
                    found.add(prefix)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_module_level_imports_form_no_cycle() -> None:
    graph = {module: _edges(module) for module in MODULES}
    assert _cycles(graph) == []


def test_no_cycle_is_hidden_in_a_function() -> None:
    """An import moved into a function only to break a cycle still counts; one with a comment saying
    why it waits (an optional heavy dependency, Celery only with a broker) does not."""
    graph = {module: _edges(module, deferred=True) for module in MODULES}
    assert _cycles(graph) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_imports() -> None:
    """In a fresh interpreter. With no cycle (above) the order cannot matter; the entry points are
    also imported first, each in an interpreter of its own."""
    names = sorted(m for m in MODULES if not m.startswith(ALEMBIC_SCRIPTS))
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)",
            *names,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_each_entry_point_imports_first(entry_point: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {entry_point}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_library_never_imports_the_web_layer() -> None:
    """Anywhere in ``voc``, in functions too: ``voc serve`` starts uvicorn with an import string."""
    offending = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported(module, node):
                    if name.split(".")[0] in WEB_LAYER:
                        offending.append(f"{module}:{node.lineno} imports {name}")
    assert offending == []


def _settings_names(tree: ast.Module) -> set[str]:
    """The names ``voc.settings.Settings`` goes by in a module (``Settings``, or an alias)."""
    names = {"Settings"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("settings"):
            names |= {alias.asname for alias in node.names if alias.name == "Settings" and alias.asname}
    return names


def test_only_the_composition_root_reads_the_settings() -> None:
    """``Settings(…)`` is called in ``voc/assembly.py`` alone: the CLI, the API and the benchmarks ask it
    (``load_settings``) instead of reading the environment themselves."""
    checkout = VOC.parent
    readers = []
    for path in sorted([*VOC.rglob("*.py"), *(checkout / "api").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _settings_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called in names:
                    readers.append(f"{path.relative_to(checkout).as_posix()}:{node.lineno}")
    assert {reader.partition(":")[0] for reader in readers} == {"voc/assembly.py"}, readers
