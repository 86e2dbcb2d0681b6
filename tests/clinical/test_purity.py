"""`ketacare.clinical` is pure: standard library and itself only, no I/O, no clock.

Walks the syntax tree of every module under src/ketacare/clinical (style guide, Layout). Reading
package data with importlib.resources is allowed in the protocols package only (common brief).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CLINICAL = Path(__file__).resolve().parents[2] / "src" / "ketacare" / "clinical"
OWN = "ketacare.clinical"
# Standard-library modules that are I/O, a clock or randomness: not for the clinical core.
IMPURE_STDLIB = {
    "asyncio", "http", "io", "logging", "os", "pathlib", "random", "secrets", "shutil",
    "socket", "sqlite3", "subprocess", "tempfile", "threading", "time", "urllib",
}  # fmt: skip
RESOURCES = "importlib.resources"
IMPURE_BUILTINS = {"open", "print", "input", "breakpoint"}
CLOCK_METHODS = {"now", "utcnow", "today"}
FILE_METHODS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "iterdir"}


def modules() -> list[Path]:
    return sorted(CLINICAL.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(CLINICAL.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def in_protocols(path: Path) -> bool:
    return (CLINICAL / "protocols") in path.parents


def imported_names(tree: ast.AST, path: Path) -> Iterator[tuple[int, str]]:
    """Every module name a file imports, relative imports resolved to absolute ones."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = ".".join(base)
                module = f"{prefix}.{node.module}" if node.module else prefix
            else:
                module = node.module or ""
            if module == "__future__":
                continue
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}" if alias.name != "*" else module
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value
            else:
                yield node.lineno, "<dynamic import of a computed name>"


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in {"__import__", "import_module"}
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def import_problem(name: str, path: Path) -> str | None:
    if name == OWN or name.startswith(OWN + "."):
        return None
    if name == RESOURCES or name.startswith(RESOURCES + "."):
        return None if in_protocols(path) else "importlib.resources outside the protocols package"
    top = name.split(".")[0]
    if top not in sys.stdlib_module_names:
        return f"{name} is neither the standard library nor {OWN}"
    if top in IMPURE_STDLIB:
        return f"{name} is I/O, a clock or randomness"
    return None


def call_problems(tree: ast.AST, path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in IMPURE_BUILTINS:
            yield node.lineno, f"{func.id}() is I/O"
        elif isinstance(func, ast.Attribute):
            if func.attr in CLOCK_METHODS:
                yield node.lineno, f".{func.attr}() reads the clock; pass `now` in"
            elif isinstance(func.value, ast.Name) and func.value.id == "time":
                yield node.lineno, f"time.{func.attr}() reads the clock"
            elif func.attr in FILE_METHODS and not in_protocols(path):
                yield node.lineno, f".{func.attr}() is file I/O"


def problems_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(CLINICAL.parents[2])
    found = [
        f"{where}:{line}: imports {name}: {problem}"
        for line, name in imported_names(tree, path)
        if (problem := import_problem(name, path))
    ]
    found += [f"{where}:{line}: {problem}" for line, problem in call_problems(tree, path)]
    return found


def test_the_clinical_package_has_modules_to_check():
    assert len(modules()) > 5


def test_clinical_core_imports_only_the_standard_library_and_itself_and_does_no_io():
    found = [problem for path in modules() for problem in problems_of(path)]
    assert not found, "ketacare.clinical must stay pure:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "where", "expected"),
    [
        ("import django", "x.py", "django is neither"),
        ("from django.db import models", "x.py", "django.db.models is neither"),
        ("from ketacare.cli import clinical", "x.py", "ketacare.cli.clinical is neither"),
        ("from .. import cli", "x.py", "ketacare.cli is neither"),
        ("from ...web import views", "outcomes/x.py", "ketacare.web.views is neither"),
        ("import os", "x.py", "os is I/O"),
        ("from time import monotonic", "x.py", "time.monotonic is I/O"),
        ("__import__('requests')", "x.py", "requests is neither"),
        ("importlib.import_module(name)", "x.py", "<dynamic import"),
        ("from importlib import resources", "x.py", "importlib.resources outside"),
        ("open('f')", "x.py", "open() is I/O"),
        ("dt.datetime.now(dt.UTC)", "x.py", ".now() reads the clock"),
        ("date.today()", "x.py", ".today() reads the clock"),
        ("time.time()", "x.py", "time.time() reads the clock"),
        ("Path('f').read_text()", "x.py", ".read_text() is file I/O"),
    ],
)
def test_the_checker_catches_each_kind_of_impurity(source, where, expected):
    path = CLINICAL / where
    tree = ast.parse(source)
    found = [
        problem for _line, name in imported_names(tree, path)
        if (problem := import_problem(name, path))
    ]  # fmt: skip
    found += [problem for _line, problem in call_problems(tree, path)]
    found += [name for _line, name in imported_names(tree, path) if name.startswith("<")]
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("source", "where"),
    [
        ("from . import rules", "x.py"),
        ("from .definitions import total_range", "outcomes/x.py"),
        ("from ketacare.clinical.rules import REGISTRY", "x.py"),
        ("import datetime as dt", "x.py"),
        ("from __future__ import annotations", "x.py"),
        ("from importlib import resources", "protocols/loader.py"),
        ("resources.files('x').joinpath('a.toml').read_text()", "protocols/loader.py"),
    ],
)
def test_the_checker_allows_pure_code(source, where):
    path = CLINICAL / where
    tree = ast.parse(source)
    found = [name for _line, name in imported_names(tree, path) if import_problem(name, path)]
    found += [problem for _line, problem in call_problems(tree, path)]
    assert not found
