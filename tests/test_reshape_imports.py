"No import cycle in methodbook.reshape: every module imports on its own, and none imports a module after it (issue 18)."

import ast, subprocess, sys
from pathlib import Path
import pytest

PKG = Path(__file__).resolve().parents[1] / 'methodbook' / 'reshape'
# The reading (and dependency) order: a module may import only modules before it, at any depth (a lazy
# import inside a function is still a cycle). A new module must be placed here, or the test fails.
ORDER = ['layouts', 'plan', 'schedule', 'memory', 'noc', 'model', 'cli']


def _api() -> dict:
    "methodbook.reshape._API (public name -> defining module), read without importing the package."
    tree = ast.parse((PKG / '__init__.py').read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, 'id', '') == '_API' for t in n.targets))
    return ast.literal_eval(node.value)


def _imported(name: str) -> set:
    "The reshape modules `name` imports anywhere in its source (module level or inside functions), by short name."
    tree, api, out = ast.parse((PKG / f'{name}.py').read_text()), _api(), set()

    def target(mod, names):
        if mod in ('methodbook.reshape', ''):  # the package itself: resolve names through its lazy API map
            for n in names:
                out.add(n if n in ORDER else api.get(n, '__init__'))
        elif mod.startswith('methodbook.reshape.'):
            out.add(mod.split('.')[2])

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                target(a.name, [])
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1:
                mod = f'methodbook.reshape.{mod}' if mod else 'methodbook.reshape'
            elif node.level > 1:
                continue  # methodbook.core, methodbook.cli, ...: outside the package
            target(mod, [a.name for a in node.names])
    return out - {name}


def test_order_lists_every_module():
    test_mods = {p.stem for p in PKG.glob('*.py')} - {'__init__'}
    assert test_mods == set(ORDER), f"place the new/removed modules in ORDER: {sorted(test_mods ^ set(ORDER))}"


@pytest.mark.parametrize('name', ORDER)
def test_no_later_import(name):
    later = set(ORDER[ORDER.index(name) :])
    bad = sorted(_imported(name) & later | (_imported(name) & {'__init__'}))
    assert not bad, f"methodbook.reshape.{name} imports {bad}, which come after it (or the package's lazy API): a cycle"


def test_patch_only_own_classes():
    "No module attaches a method (fastcore @patch) to a class defined in another module: it would exist only after an import."
    for name in ORDER:
        tree = ast.parse((PKG / f'{name}.py').read_text())
        own = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        for n in ast.walk(tree):
            if not isinstance(n, ast.FunctionDef):
                continue
            if not any('patch' in ast.unparse(d) for d in n.decorator_list):
                continue
            ann = n.args.args[0].annotation if n.args.args else None
            cls = ast.unparse(ann) if ann is not None else '?'
            assert cls in own, f"methodbook.reshape.{name}.{n.name} is @patched onto {cls}, defined elsewhere"


def test_detects_a_lazy_cycle(tmp_path, monkeypatch):
    "The checker sees a function-level import of a later module (what plan.py once did)."
    d = tmp_path / 'reshape'
    d.mkdir()
    for p in PKG.glob('*.py'):
        (d / p.name).write_text(p.read_text())
    (d / 'plan.py').write_text((d / 'plan.py').read_text() + "\ndef _late():\n    from methodbook.reshape.memory import tile_memory\n")
    monkeypatch.setattr(sys.modules[__name__], 'PKG', d)
    assert 'memory' in _imported('plan')


@pytest.mark.parametrize('name', ORDER)
def test_imports_alone(name):
    "Each module imports in a fresh interpreter and loads no reshape module after it."
    code = f"import sys, methodbook.reshape.{name}\nprint(' '.join(sorted(k.split('.')[2] for k in sys.modules if k.startswith('methodbook.reshape.'))))"
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    loaded = set(r.stdout.split())
    later = set(ORDER[ORDER.index(name) + 1 :])
    assert not loaded & later, f"importing methodbook.reshape.{name} loaded {sorted(loaded & later)}"


def test_no_stats_patched_onto_plans():
    "Plan costs are the plain function `plan_stats(plan)`; `ReshapePlan` gains no method from another module."
    r = subprocess.run(
        [
            sys.executable,
            '-c',
            "import methodbook.reshape.cli, methodbook.reshape.model, methodbook.reshape.noc\n"
            "from methodbook.reshape.plan import ReshapePlan\nprint(hasattr(ReshapePlan, 'stats'))",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == 'False'


def test_public_api_resolves_and_the_map_states_the_order():
    "Every public name of `methodbook.reshape` is the object its module defines; the package docstring gives the module order."
    code = (
        "import importlib, methodbook.reshape as r\n"
        "for n, m in r._API.items(): assert getattr(r, n) is getattr(importlib.import_module('methodbook.reshape.' + m), n), n\n"
        "print(r.__doc__)"
    )
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert ' -> '.join(ORDER) in ' '.join(res.stdout.split()), "methodbook/reshape/__init__.py's map must state the module order"
    for stage in ('data', 'model', 'fit', 'evaluate', 'report', 'cli'):
        assert f'\n  {stage} ' in res.stdout, stage


def test_plan_reshape_is_plan_descriptors_fitted():
    "The public planner plans exactly the pure planner's descriptors; only the mode and machine are added."
    import numpy as np
    from methodbook.reshape import plan_reshape, plan_descriptors, Machine, make_layout

    src = make_layout('cyclic:0:4', (256, 96), 16)
    dst = src.reshaped((96, 256))
    a, b = plan_reshape(src, dst, Machine(16, 64 * 1024)), plan_descriptors(src, dst)
    for k in ('remote', 'local', 'kept'):
        np.testing.assert_array_equal(getattr(a, k).to_array(), getattr(b, k).to_array())
    assert (a.mode, b.mode, b.machine) == ('out', 'out', None) and a.machine.n_tiles == 16
