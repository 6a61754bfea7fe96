#!/usr/bin/env python
"""Size of the exported cells of the notebooks (issue 18's reading goals).

Counts, over every `#| export` cell of the given notebooks (default nbs/*.ipynb):
- lines: the cell's source lines without its leading `#|` directives, blank lines not counted;
- definitions: top-level public definitions (def/class/assignment to a public name, as tools/split_cells.py counts them);
- functions: every function and method, with its length in lines (decorators and signature included) and its body's.
Prints the median and mean cell length over all exported cells and over the cells with a definition (import cells
excluded), the mean and median definitions per cell with a definition, the largest cells, and the cells over 40 lines
and the functions over 50 lines. Goals: median <= 10 lines, no cell over 40, no function over 50.

    python tools/cell_stats.py [--top 5] [nbs/*.ipynb]
"""

import argparse, ast, json, statistics, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from split_cells import _directives, is_export, kind


def cells(paths):
    "(notebook, cell index, code without directives) for each exported cell."
    for p in paths:
        nb = json.loads(Path(p).read_text())
        for i, c in enumerate(nb['cells']):
            if c['cell_type'] != 'code':
                continue
            src = ''.join(c['source'])
            if not is_export(src):
                continue
            lines = src.split('\n')
            yield p, i, '\n'.join(lines[_directives(lines) :])


def functions(tree):
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([n.lineno] + [d.lineno for d in n.decorator_list])
            yield n.name, n.end_lineno - start + 1, n.end_lineno - n.body[0].lineno + 1


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('nbs', nargs='*')
    ap.add_argument('--top', type=int, default=5)
    a = ap.parse_args()
    paths = a.nbs or sorted(str(o) for o in Path('nbs').glob('*.ipynb'))
    rows, funcs = [], []
    for p, i, code in cells(paths):
        n = sum(1 for l in code.split('\n') if l.strip())
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        d = sum(kind(t) == 'pub' for t in tree.body)
        rows.append((n, d, p, i))
        funcs += [(ln, name, p, i, body) for name, ln, body in functions(tree)]
    defs = [r for r in rows if r[1]]
    med = lambda xs: statistics.median(xs) if xs else 0
    print(f'exported cells: {len(rows)} in {len(paths)} notebooks; with a public definition: {len(defs)}')
    print(f'lines per exported cell: median {med([r[0] for r in rows])}, mean {statistics.mean([r[0] for r in rows]):.1f}')
    print(f'lines per cell with a definition: median {med([r[0] for r in defs])}, mean {statistics.mean([r[0] for r in defs]):.1f}')
    print(
        f'definitions per cell with a definition: mean {statistics.mean([r[1] for r in defs]):.2f}, median {med([r[1] for r in defs])}, max {max(r[1] for r in defs)}'
    )
    print(
        f'cells with more than one definition: {sum(r[1] > 1 for r in defs)}; cells over 40 lines: {sum(r[0] > 40 for r in rows)}; '
        f'functions over 50 lines: {sum(f[0] > 50 for f in funcs)} (of {len(funcs)}; '
        f'{sum(f[4] > 50 for f in funcs)} without their signature)'
    )
    for n, d, p, i in sorted(rows, reverse=True)[: a.top]:
        print(f'  largest cell: {n} lines, {d} definition(s): {Path(p).name} cell {i}')
    for ln, name, p, i, body in sorted(funcs, reverse=True)[: a.top]:
        print(f'  longest function: {name} {ln} lines ({body} body): {Path(p).name} cell {i}')
