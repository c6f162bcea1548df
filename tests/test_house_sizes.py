"""House rule: a long or complex function carries its reason beside it.

A function over ``MAX_LINES`` lines or above ``MAX_COMPLEXITY`` (radon's grade C and
worse) has a ``# Size: <reason>`` comment on the lines right above its ``def`` (or its
decorators). A reason on a function that no longer needs one is stale and fails too, so
the comments stay true.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "pipelines", "bench")
MAX_LINES = 40
MAX_COMPLEXITY = 10
MARK = "# Size:"


@dataclass(frozen=True)
class Function:
    path: str
    name: str
    line: int
    lines: int
    complexity: int
    reason: str | None

    @property
    def needs_reason(self) -> bool:
        return self.lines > MAX_LINES or self.complexity > MAX_COMPLEXITY


def _reason(lines: list[str], first: int) -> str | None:
    """The ``# Size:`` comment block right above line ``first`` (1-based), if any."""
    i = first - 2
    block: list[str] = []
    while i >= 0 and lines[i].strip().startswith("#"):
        block.insert(0, lines[i].strip())
        i -= 1
    for n, text in enumerate(block):
        if text.startswith(MARK):
            return " ".join([text[len(MARK) :].strip(), *(t.lstrip("# ") for t in block[n + 1 :])])
    return None


def functions(source: str, path: str) -> list[Function]:
    lines = source.splitlines()
    complexity: dict[tuple[str, int], int] = {}
    for block in cc_visit(source):
        for each in [block, *getattr(block, "methods", [])]:
            complexity[(each.name, each.lineno)] = each.complexity
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = cost = 0  # a class is judged by its methods
            if not isinstance(node, ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                cost = complexity.get((node.name, node.lineno), 0)
            found.append(
                Function(
                    path,
                    node.name,
                    node.lineno,
                    length,
                    cost,
                    _reason(lines, first),
                )
            )
    return found


def _project_functions() -> list[Function]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found += functions(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    return found


def test_long_or_complex_functions_say_why() -> None:
    missing = [
        f"{f.path}:{f.line} {f.name} ({f.lines} lines, complexity {f.complexity})"
        for f in _project_functions()
        if f.needs_reason and not f.reason
    ]
    assert not missing, "add a '# Size: <reason>' comment above:\n" + "\n".join(missing)


def test_no_stale_reasons() -> None:
    stale = [
        f"{f.path}:{f.line} {f.name}"
        for f in _project_functions()
        if f.reason is not None and not f.needs_reason
    ]
    assert not stale, "these no longer need a '# Size:' reason:\n" + "\n".join(stale)


LONG = "def f(x):\n" + "".join(f"    x += {i}\n" for i in range(45)) + "    return x\n"
BRANCHY = "def g(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))


@pytest.mark.parametrize(
    ("source", "needs", "reason"),
    [
        ("def small():\n    return 1\n", False, None),
        (LONG, True, None),
        (BRANCHY, True, None),
        ("# Size: a table written out.\n" + LONG, True, "a table written out."),
        ("# Size: a long\n# reason.\n@decorator\n" + LONG, True, "a long reason."),
        ("# Size: kept apart\n\n" + LONG, True, None),  # a blank line breaks the block
    ],
)
def test_the_rule_reads_functions(source: str, needs: bool, reason: str | None) -> None:
    (function,) = [f for f in functions(source, "x.py") if f.name in {"small", "f", "g"}]
    assert function.needs_reason is needs
    assert function.reason == reason
