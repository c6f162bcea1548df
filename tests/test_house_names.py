"""House rule: a module binds each of its constants once.

A second top-level assignment to a name silently replaces the first for every function of
the module, the ones written against the first included (two rules sharing a word list
that one of them widened). Conditional and ``TYPE_CHECKING`` bindings are not counted.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "pipelines", "bench")


def _top_level_names(tree: ast.Module) -> Counter[str]:
    names: Counter[str] = Counter()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                names[target.id] += 1
    return names


def test_no_module_binds_a_name_twice() -> None:
    twice = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            for name, count in _top_level_names(tree).items():
                if count > 1 and name != "__all__":
                    twice.append(f"{path.relative_to(ROOT)}: {name} ({count} times)")
    assert not twice, twice


def test_the_rule_sees_a_second_binding() -> None:
    tree = ast.parse("A = 1\nB: int = 2\nA = 3\nif True:\n    B = 4\n")
    assert _top_level_names(tree) == Counter({"A": 2, "B": 1})
