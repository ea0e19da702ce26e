"""The house rules that keep the code easy to find one's way in, checked on every run.

No import cycles; the domain is pure (no I/O, no Telegram, no database); the
database layer knows nothing of Telegram or the flows that use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"


def _module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules imported at import time (function-level imports are deliberate escapes)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in BOT.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = {m for m in _imports(path) if m in modules and m != name}
        # Importing a submodule runs its package's __init__ first.
        edges |= {m.rsplit(".", 1)[0] for m in set(edges) if m.rsplit(".", 1)[0] in modules}
        graph[name] = edges - {name}
    return graph


def test_no_import_cycles() -> None:
    graph, state, cycles = _graph(), {}, []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def _third_party_and_layers(prefix: str) -> dict[str, set[str]]:
    return {
        _module_name(p): _imports(p)
        for p in (BOT / prefix).rglob("*.py")
        if p.name != "__init__.py"
    }


def test_domain_is_pure() -> None:
    forbidden = (
        "telegram",
        "sqlalchemy",
        "sqlmodel",
        "aiohttp",
        "bot.db",
        "bot.flows",
        "bot.views",
    )
    for module, imports in _third_party_and_layers("domain").items():
        bad = sorted(i for i in imports if i.startswith(forbidden))
        assert bad == [], f"{module} imports {bad}"


def test_database_layer_knows_nothing_of_telegram_or_flows() -> None:
    forbidden = ("telegram", "bot.flows", "bot.views", "bot.scheduling", "bot.services")
    for module, imports in _third_party_and_layers("db").items():
        bad = sorted(i for i in imports if i.startswith(forbidden))
        assert bad == [], f"{module} imports {bad}"


def test_the_bot_never_imports_the_sandbox() -> None:
    """The sandbox wraps the real bot; the bot must run the same with or without it."""
    for module, imports in _graph().items():
        if module.startswith("bot.sandbox"):
            continue
        bad = sorted(i for i in imports if i.startswith("bot.sandbox"))
        assert bad == [], f"{module} imports {bad}"
