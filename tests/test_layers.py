"""The house's rules, read from the imports: three layers importing one way, no cycles.

- The pure core (page parsing, cleaning rules, identity, completion) imports neither Scrapy
  nor a database library, nor the layers above it.
- The store and the exporters import the core, never Scrapy, nor the Scrapy shell.
- The Scrapy shell reaches the store through its API (``pipelines.store``) only, and never
  imports SQLAlchemy itself: no module imports both Scrapy and SQLAlchemy.
- No module imports itself back through others, the bench included.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crawler", "pipelines", "bench")
SCRAPY = ("scrapy", "twisted", "scrapy_redis", "itemadapter")
DATABASE = ("sqlalchemy", "alembic", "psycopg", "sqlite3")
STORE_API = "pipelines.store"


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the project's packages (migration scripts aside)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_name(path)] = path
    return found


@cache
def imports(module: str) -> frozenset[str]:
    """Every module ``module`` imports, anywhere in it (type-only imports included),
    ``from package import name`` counting as the submodule when ``name`` is one."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*prefix, base] if base else prefix)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules() else base)
    return frozenset(found)


def _under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == r or name.startswith(f"{r}.") for r in roots)


def layer(module: str) -> str:
    """``core`` (page parsing, and every rule module of ``pipelines``), ``store`` (the store
    and the exporters), ``shell`` (the rest of ``crawler``) or ``bench``."""
    if _under(module, ("pipelines.store", "pipelines.exporters")):
        return "store"
    if _under(module, ("crawler.pages", "pipelines")):
        return "core"
    if _under(module, ("bench",)):
        return "bench"
    return "shell"


def project_imports(module: str) -> set[str]:
    return {i for i in imports(module) if _under(i, PACKAGES)}


@pytest.mark.parametrize("module", sorted(m for m in modules() if layer(m) == "core"))
def test_the_core_imports_no_framework_and_nothing_above_it(module: str) -> None:
    outside = {i for i in imports(module) if _under(i, SCRAPY + DATABASE)}
    above = {i for i in project_imports(module) if layer(i) != "core"}
    assert not outside, f"{module} imports {sorted(outside)}"
    assert not above, f"{module} imports {sorted(above)} from the layers above the core"


@pytest.mark.parametrize("module", sorted(m for m in modules() if layer(m) == "store"))
def test_the_store_imports_the_core_never_scrapy(module: str) -> None:
    outside = {i for i in imports(module) if _under(i, SCRAPY)}
    shell = {i for i in project_imports(module) if layer(i) in ("shell", "bench")}
    assert not outside, f"{module} imports {sorted(outside)}"
    assert not shell, f"{module} imports {sorted(shell)} from the Scrapy shell"


@pytest.mark.parametrize("module", sorted(m for m in modules() if layer(m) == "shell"))
def test_the_shell_reaches_the_store_through_its_api_only(module: str) -> None:
    database = {i for i in imports(module) if _under(i, DATABASE)}
    store = {i for i in project_imports(module) if layer(i) == "store" and i != STORE_API}
    assert not database, f"{module} imports {sorted(database)}"
    assert not store, f"{module} reaches into the store: {sorted(store)}; use {STORE_API}"


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_imports_both_scrapy_and_sqlalchemy(module: str) -> None:
    both = [any(_under(i, roots) for i in imports(module)) for roots in (SCRAPY, DATABASE)]
    assert not all(both), module


def test_there_is_no_import_cycle() -> None:
    graph = {m: {i for i in project_imports(m) if i in modules()} for m in modules()}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            pytest.fail(f"import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_the_rules_see_the_modules_they_judge() -> None:
    """The rules above would pass vacuously if the reader missed modules or imports."""
    assert {"crawler.pages", "pipelines.store.store", "crawler.pagestore", "bench.run"} <= set(
        modules()
    )
    assert "pipelines.store" in imports("crawler.pagestore")
    assert "scrapy" in imports("crawler.pagestore")
    assert "sqlalchemy" in imports("pipelines.store.store")
    assert "pipelines.identity" in imports("pipelines.completion")
    assert layer("pipelines.completion") == "core" and layer("crawler.items") == "shell"
    assert layer("pipelines.store.store") == "store" and layer("pipelines.cells") == "core"
