"Every module imports on its own in a fresh interpreter, and the package's import graph has no cycle (issue 18)."

import ast, subprocess, sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / 'methodbook'


def _name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def imports(path: Path, top_only: bool = False) -> set:
    "methodbook modules that `path` imports (anywhere in the file, or at module level only)."
    me, out = _name(path), set()
    pkg = me if path.name == '__init__.py' else me.rpartition('.')[0]
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_only else ast.walk(tree)
    for n in nodes:
        if isinstance(n, ast.Import):
            out |= {a.name for a in n.names if a.name.startswith('methodbook')}
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ''
            if n.level:
                up = pkg.split('.')[: len(pkg.split('.')) - (n.level - 1)]
                base = '.'.join(up + ([base] if base else []))
            if base.startswith('methodbook'):
                out.add(base)
                out |= {f"{base}.{a.name}" for a in n.names if (PKG.parent / f"{base}.{a.name}".replace('.', '/')).with_suffix('.py').exists()}
    return {m for m in out if m != me}


MODULES = sorted(_name(p) for p in PKG.rglob('*.py') if p.name != '_modidx.py')


def graph(top_only: bool = False) -> dict:
    return {_name(p): imports(p, top_only) for p in PKG.rglob('*.py') if p.name != '_modidx.py'}


def cycles(g: dict) -> list:
    "Every cycle found by a depth-first search (as lists of module names), ignoring package __init__ edges to their own children."
    found, state = [], {}

    def visit(m, path):
        state[m] = 1
        path.append(m)
        for n in sorted(g.get(m, ())):
            if n.startswith(m + '.'):
                continue  # a package importing its own submodule (lazy API maps) is not a cycle
            if state.get(n) == 1:
                found.append(path[path.index(n) :] + [n])
            elif n in g and not state.get(n):
                visit(n, path)
        path.pop()
        state[m] = 2

    for m in sorted(g):
        if not state.get(m):
            visit(m, [])
    return found


def test_the_graph_finds_a_planted_cycle():
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c', 'a']]
    assert cycles({'a': {'b'}, 'b': set()}) == []


def test_no_import_cycle_between_modules():
    "Also function-level imports: a lazy import that closes a cycle still means two modules need each other."
    assert cycles(graph()) == []


def _import_alone(mod):
    r = subprocess.run([sys.executable, '-c', f'import {mod}'], capture_output=True, text=True, timeout=300)
    return mod, r.returncode, r.stderr[-1500:]


def test_every_module_imports_alone_in_a_fresh_interpreter():
    "One interpreter per module (two at a time): a module that works only after another was imported fails here."
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as ex:
        bad = [r for r in ex.map(_import_alone, MODULES) if r[1] != 0]
    assert not bad, '\n'.join(f"{m}: {err}" for m, _, err in bad)
