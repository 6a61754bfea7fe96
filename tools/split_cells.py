#!/usr/bin/env python
"""List (and with --fix, split) exported cells that hold more than one top-level public definition.

fastcore's notebooks put one definition in each exported cell, followed by its prose and example.
`--fix` splits every `#| export` cell with several public definitions (top-level `def`/`class`, or an
assignment to a public name) into one exported cell per definition, in the same order, with the same
directives and nothing else changed: the exported module keeps the same code apart from its `# %%` markers.

Grouping rules (what goes in which new cell):
- A private helper (`_name` def/class/assignment) goes with the public definition that FOLLOWS it
  (helpers are written just before their user); private code after the last public definition stays with it.
- Any other statement (a call, `Cls.attr = ...`, an `if`/`try` block, `__all__`...) stays with the definition
  BEFORE it (it usually finishes or registers that definition).
- Top-level imports form their own cell (with any private helpers just before them).
- Comments and blank lines between two groups belong to the following group, except indented lines
  right after a statement (a trailing commented-out line of a function body), which stay with it.
- Statements sharing a line (`;`) are never separated. Outputs of the original cell go on its last piece.
- A cell is split when it holds more than one public definition, or imports next to other code, or when its
  private helpers make it longer than `--max-lines` (40) non-blank lines: then each private `def`/`class` of it gets
  its own cell (private assignments stay with the statement that follows them).

    python tools/split_cells.py                        # list the cells to split, exit 1 if any
    python tools/split_cells.py --fix nbs/1*.ipynb     # split them in these notebooks
"""

import argparse, ast, copy, json, re, sys, uuid
from pathlib import Path

_re_dir = re.compile(r'^\s*#\s*\|')
_re_export = re.compile(r'^\s*#\s*\|\s*export\b')


def _directives(lines):
    "Leading `#|` directive lines (and blanks among them) of a cell: their count."
    i = 0
    while i < len(lines) and (_re_dir.match(lines[i]) or not lines[i].strip()):
        i += 1
    return i


def is_export(src):
    lines = src.split('\n')
    return any(_re_export.match(l) for l in lines[: _directives(lines)])


def _targets(t):
    "Names bound at top level by an assignment statement."
    tgts = t.targets if isinstance(t, ast.Assign) else [t.target]
    out = []
    for g in tgts:
        for n in ast.walk(g):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                out.append(n.id)
        if not isinstance(g, (ast.Name, ast.Tuple, ast.List)):
            return []  # `obj.attr = ...`, `d[k] = ...`
    return out


def kind(t):
    "'pub', 'priv', 'imp' or 'other' for a top-level statement."
    if isinstance(t, (ast.Import, ast.ImportFrom)):
        return 'imp'
    if isinstance(t, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names = [t.name]
    elif isinstance(t, (ast.Assign, ast.AnnAssign)):
        names = _targets(t)
    else:
        return 'other'
    if not names or all(n.startswith('__') and n.endswith('__') for n in names):
        return 'other'
    return 'pub' if any(not n.startswith('_') for n in names) else 'priv'


def _start(t):
    return min([t.lineno] + [d.lineno for d in getattr(t, 'decorator_list', [])])


def _nlines(code_lines, g):
    return sum(1 for l in code_lines[_start(g[0]) - 1 : g[-1].end_lineno] if l.strip())


def _split_private(g):
    "`g` cut before each private def/class and before the public definition (private assignments stay with what follows)."
    out, cur = [], []
    for t in g:
        if (
            kind(t) in ('priv', 'pub')
            and isinstance(t, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and cur
            and not all(isinstance(s, (ast.Assign, ast.AnnAssign)) and kind(s) == 'priv' for s in cur)
        ):
            out.append(cur)
            cur = []
        cur.append(t)
    return out + [cur]


def groups(code, max_lines=None):
    "Lists of top-level statements of `code`, one list per new cell (see the module docstring)."
    gs = _groups(code)
    if max_lines:
        lines = code.split('\n')
        gs = [h for g in gs for h in (_split_private(g) if _nlines(lines, g) > max_lines else [g])]
    return gs


def _groups(code):
    body = ast.parse(code).body
    gs, pending = [], []
    for t in body:
        k = kind(t)
        if k == 'pub':
            gs.append(pending + [t])
            pending = []
        elif k == 'priv':
            pending.append(t)
        elif k == 'imp':
            if gs and not pending and all(kind(s) == 'imp' for s in gs[-1]):
                gs[-1].append(t)
            else:
                gs.append(pending + [t])
                pending = []
        else:
            if pending or not gs:
                pending.append(t)
            else:
                gs[-1].append(t)
    if pending:
        if gs:
            gs[-1] += pending
        else:
            gs.append(pending)
    # never separate statements that share a line
    merged = []
    for g in gs:
        if merged and _start(g[0]) <= merged[-1][-1].end_lineno:
            merged[-1] += g
        else:
            merged.append(g)
    return merged


def split_source(src, max_lines=40):
    "New cell sources for `src` (an exported cell), or None when it needs no split (see the module docstring)."
    lines = src.split('\n')
    nd = _directives(lines)
    dirs = [l for l in lines[:nd] if l.strip()]
    code_lines = lines[nd:]
    code = '\n'.join(code_lines)
    try:
        gs = groups(code, max_lines)
    except SyntaxError:
        return None
    if len(gs) < 2:
        return None
    # cut points (0-based line indexes into code_lines): each group after the first starts after the previous group's end
    cuts = []
    for prev, g in zip(gs, gs[1:]):
        i = prev[-1].end_lineno  # first line after the previous group
        while i < len(code_lines) and code_lines[i][:1] in (' ', '\t') and code_lines[i].strip():
            i += 1
        cuts.append(i)
    pieces, a = [], 0
    for b in cuts + [len(code_lines)]:
        pieces.append('\n'.join(code_lines[a:b]).strip('\n'))
        a = b
    nonblank = lambda s: [l for l in s.split('\n') if l.strip()]
    assert sum((nonblank(p) for p in pieces), []) == nonblank(code), src
    assert all(p.strip() for p in pieces), src

    def own(p):  # a stray directive line at the start of a piece (a second `#| export` mid-cell) is not repeated
        ls = p.split('\n')
        while ls and ls[0].strip() in {d.strip() for d in dirs}:
            ls.pop(0)
        return '\n'.join(ls)

    return ['\n'.join(dirs + [own(p)]) for p in pieces]


def _lines(s):
    ls = s.split('\n')
    return [l + '\n' for l in ls[:-1]] + ([ls[-1]] if ls[-1] else [])


def scan(path, max_lines=40):
    "(cell index, cell, new sources) for each exported cell of `path` that would be split."
    nb = json.loads(Path(path).read_text())
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code':
            continue
        src = ''.join(c['source'])
        if not is_export(src):
            continue
        r = split_source(src, max_lines)
        if r:
            yield i, c, r


def fix(path, max_lines=40):
    nb = json.loads(Path(path).read_text())
    done = 0
    for i, c, parts in reversed(list(scan(path, max_lines))):
        c = nb['cells'][i]
        new = []
        for j, p in enumerate(parts):
            last = j == len(parts) - 1
            d = {
                'cell_type': 'code',
                'execution_count': c.get('execution_count') if last else None,
                'id': c.get('id') if j == 0 else uuid.uuid4().hex[:8],
                'metadata': copy.deepcopy(c.get('metadata', {})),
                'outputs': c.get('outputs', []) if last else [],
                'source': _lines(p),
            }
            new.append(d)
        nb['cells'][i : i + 1] = new
        done += 1
    if done:
        with open(path, 'w') as f:
            json.dump(nb, f, indent=1, ensure_ascii=False)
            f.write('\n')
    return done


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: nbs/*.ipynb)')
    p.add_argument('--fix', action='store_true', help='split the cells, one public definition per exported cell')
    p.add_argument('--max-lines', type=int, default=40, help='give private helpers their own cells above this many lines (0: never)')
    a = p.parse_args()
    paths = a.nbs or sorted(str(o) for o in Path('nbs').glob('*.ipynb'))
    total = 0
    for path in paths:
        if a.fix:
            n = fix(path, a.max_lines)
            if n:
                print(f'{path}: split {n} cell(s)')
        else:
            for i, c, parts in scan(path, a.max_lines):
                total += 1
                print(f'{path} cell {i} ({c.get("id")}): {len(parts)} pieces: {"".join(c["source"]).splitlines()[1][:70]}')
    if not a.fix:
        print(f'{total} exported cell(s) to split', file=sys.stderr)
    sys.exit(1 if total else 0)
