"""A @work method that takes arguments names itself: Textual otherwise reprs every argument on the event loop."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "cockpit" / "ui"


def _work_call(decorator: ast.expr) -> ast.Call | None:
    if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", getattr(decorator.func, "attr", "")) == "work":
        return decorator
    return None


def test_workers_with_arguments_have_a_description():
    missing = []
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for dec in node.decorator_list:
                call = _work_call(dec)
                takes_args = len(node.args.args) > 1 or node.args.vararg or node.args.kwonlyargs
                if call is not None and takes_args and not any(k.arg == "description" for k in call.keywords):
                    missing.append(f"{path.relative_to(UI.parent.parent)}:{node.lineno} {node.name}")
    assert not missing, "a screen's worth of arguments would be repr'd (e.g. a 10k-pod snapshot): " + ", ".join(missing)
