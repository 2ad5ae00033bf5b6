"""The house rule, checked on the source: one direction between apps.

disputes → payments → orders → {ledger, catalog} → money → core; ``core`` imports no app, and no domain app
imports ``web`` or ``api`` (they are the top). An app is a top-level folder of ``jishi/``; the modules at the
package root (``cli.py``, ``settings.py``, ``urls.py``, ``celery.py``, ``wsgi.py``) wire apps together and
belong to none. Every import counts, wherever it stands: module level, inside a function, under
``TYPE_CHECKING``. Tests and migrations do not count: a test may reach anywhere, and a migration names the
models it depends on. Work one app asks of another by a job's name (``enqueue("jishi.x.tasks.y")``) is not an
import, which is the point of naming it.

The pass reads the files with ``ast`` and never imports them, so it needs no database and runs in well under a
second.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "jishi"
TOP = {"web", "api"}
SKIPPED_FOLDERS = {"tests", "migrations"}


def _app_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def _module_of(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported_modules(tree: ast.AST, path: Path):
    """(dotted module, line) for every import in ``tree``, relative ones resolved against ``path``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _module_of(path)
                if path.name != "__init__.py":
                    package = package[:-1]
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield module, node.lineno
            # ``from jishi import orders`` imports the app ``orders``.
            if module == "jishi":
                for alias in node.names:
                    yield f"jishi.{alias.name}", node.lineno


@cache
def app_imports() -> dict[tuple[str, str], tuple[str, ...]]:
    """{(importing app, imported app): ("jishi/x/y.py:12", ...)} over the package, tests and migrations left out."""
    apps = {child.name for child in PACKAGE.iterdir() if child.is_dir() and (child / "__init__.py").exists()}
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        importer = _app_of(path)
        if importer is None or SKIPPED_FOLDERS & set(relative.parts[:-1]):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for module, line in _imported_modules(tree, path):
            parts = module.split(".")
            if len(parts) < 2 or parts[0] != "jishi" or parts[1] not in apps or parts[1] == importer:
                continue
            found[(importer, parts[1])].append(f"jishi/{relative.as_posix()}:{line}")
    return {edge: tuple(sorted(places, key=_place_order)) for edge, places in found.items()}


def _place_order(place: str) -> tuple[str, int]:
    path, _, line = place.rpartition(":")
    return path, int(line)


def _report(edges: dict[tuple[str, str], tuple[str, ...]]) -> str:
    return "\n".join(f"    {a} → {b}: {', '.join(places)}" for (a, b), places in sorted(edges.items()))


def test_the_pass_sees_function_level_and_type_checking_imports():
    # The pass must not be blind to the imports this rule is most often broken with; each of these
    # lines imports ``orders`` from ``web`` and must be found.
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from jishi.orders.models import Order\n"
        "def view():\n    import jishi.orders.services\n    from jishi import orders\n"
    )
    path = PACKAGE / "web" / "views" / "example.py"
    modules = [(module, line) for module, line in _imported_modules(ast.parse(source), path)
               if module.startswith("jishi.orders")]
    assert [line for _, line in modules] == [3, 5, 6]
    relative = list(_imported_modules(ast.parse("from ..orders import models\n"), path))
    assert relative == [("jishi.web.orders", 1)]  # two dots from web/views/ is web/, not another app


def test_no_two_apps_import_each_other():
    edges = app_imports()
    pairs = sorted((a, b) for a, b in edges if a < b and (b, a) in edges)
    report = "\n".join(
        f"  {a} ↔ {b}\n{_report({(a, b): edges[(a, b)], (b, a): edges[(b, a)]})}" for a, b in pairs
    )
    assert not pairs, f"{len(pairs)} pair(s) of apps import each other:\n{report}"


def test_core_imports_no_app():
    upward = {edge: places for edge, places in app_imports().items() if edge[0] == "core"}
    assert not upward, f"core imports other apps:\n{_report(upward)}"


def test_no_domain_app_imports_web_or_api():
    upward = {edge: places for edge, places in app_imports().items() if edge[1] in TOP and edge[0] not in TOP}
    assert not upward, f"domain apps import the web or API layer:\n{_report(upward)}"
