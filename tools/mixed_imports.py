#!/usr/bin/env python
"""List (and with --fix, split) notebook cells that mix top-level imports with other code.

nbdev's doc processor executes every cell with a top-level import when it renders `show_doc`,
and warns ("Found cells containing imports and other code") when such a cell also holds
expressions or assignments: the whole cell then runs at docs time. Splitting it into an
import cell followed by a code cell (same directives, the original outputs on the code cell)
keeps the notebook's behaviour and stops the warning. Cells with imports inside loops/blocks are listed, not split.

    python tools/mixed_imports.py                 # list offending cells, exit 1 if any
    python tools/mixed_imports.py --fix nbs/5*.ipynb   # split them in these notebooks
"""

import argparse, ast, copy, json, re, sys, uuid
from pathlib import Path

_re_dir = re.compile(r'^\s*#\s*\|')


def _directives(lines):
    "Leading `#|` directive lines of a cell and the index of the first other line."
    i = 0
    while i < len(lines) and (_re_dir.match(lines[i]) or not lines[i].strip()):
        i += 1
    return [l for l in lines[:i] if _re_dir.match(l)], i


def _skip(dirs):
    d = ' '.join(dirs)
    return bool(re.search(r'\|\s*(export|exports|exporti|exec_doc)\b', d)) or bool(re.search(r'eval:\s*false', d))


_defs = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def mixed(src):
    """Top-level statements of `src` if nbdev would run it at docs time for its imports although it does more
    than import and define (nbdev warns only for expressions and assignments, but runs loops, `with`... too), else None."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return None  # magics: nbdev does not parse these either
    body = tree.body
    has_imp = any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))
    return body if has_imp and any(not isinstance(t, _defs) for t in body) else None


def _nested_imports(body):
    return any(isinstance(n, (ast.Import, ast.ImportFrom)) for t in body if not isinstance(t, (ast.Import, ast.ImportFrom)) for n in ast.walk(t))


def scan(path):
    nb = json.loads(Path(path).read_text())
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code':
            continue
        src = ''.join(c['source'])
        dirs, _ = _directives(src.splitlines())
        if _skip(dirs):
            continue
        if mixed(src):
            yield nb, i, c, src


def _lines(s):
    ls = s.split('\n')
    return [l + '\n' for l in ls[:-1]] + ([ls[-1]] if ls[-1] else [])


def _bound(t):
    "Names an import statement binds."
    return {(a.asname or a.name).split('.')[0] for a in t.names}


def _names_set(t):
    return {n.id for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def split_cell(src):
    """(import source, code source), the top-level imports hoisted into their own cell, or None when
    hoisting could change behaviour (code before an import touches sys.path/os.environ or binds a name the import rebinds)."""
    lines = src.split('\n')
    dirs, _ = _directives(lines)
    body = mixed(src)
    if _nested_imports(body):
        return None
    is_imp = lambda t: isinstance(t, (ast.Import, ast.ImportFrom))
    seen_code, bound = [], set()
    for t in body:
        if is_imp(t):
            if any(re.search(r'sys\.path|os\.environ|environ\[|chdir', ast.get_source_segment(src, c) or '') for c in seen_code):
                return None
            if _bound(t) & bound:
                return None
        else:
            seen_code.append(t)
            bound |= _names_set(t)
    by_line = {}
    for t in body:
        by_line.setdefault(t.lineno, []).append(t)
    head, tail, pending, i = [], [], [], 0
    while i < len(lines):
        ln = i + 1
        l = lines[i]
        if ln not in by_line:
            if _re_dir.match(l) and i < len(dirs) + 5 and not head and not tail:
                i += 1
                continue  # leading directives: both cells get them
            pending.append(l)
            i += 1
            continue
        ts = by_line[ln]
        end = max(t.end_lineno for t in ts)
        if all(is_imp(t) for t in ts):
            head += pending + lines[i:end]
        elif not any(is_imp(t) for t in ts):
            tail += pending + lines[i:end]
        else:
            assert end == ln, src
            ind = re.match(r'\s*', l).group(0)
            head += pending + [ind + '; '.join(ast.get_source_segment(src, t) for t in ts if is_imp(t))]
            tail += [ind + '; '.join(ast.get_source_segment(src, t) for t in ts if not is_imp(t))]
        pending = []
        i = end
    tail += pending
    strip = lambda ls: '\n'.join(ls).strip('\n')
    return strip(dirs + head), strip(dirs + tail)


def fix(path):
    nb = json.loads(Path(path).read_text())
    done, todo = 0, []
    for i in reversed(range(len(nb['cells']))):
        c = nb['cells'][i]
        if c['cell_type'] != 'code':
            continue
        src = ''.join(c['source'])
        dirs, _ = _directives(src.splitlines())
        if _skip(dirs) or not mixed(src):
            continue
        r = split_cell(src)
        if r is None:
            todo.append(i)
            continue
        head, tail = r
        ic = {
            'cell_type': 'code',
            'execution_count': None,
            'id': uuid.uuid4().hex[:8],
            'metadata': copy.deepcopy(c.get('metadata', {})),
            'outputs': [],
            'source': _lines(head),
        }
        c['source'] = _lines(tail)
        nb['cells'].insert(i, ic)
        done += 1
    if done:
        with open(path, 'w') as f:
            json.dump(nb, f, indent=1, ensure_ascii=False)
            f.write('\n')
    return done, todo


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: nbs/*.ipynb)')
    p.add_argument('--fix', action='store_true', help='split the cells (imports first, then the code with its outputs)')
    a = p.parse_args()
    paths = a.nbs or sorted(str(o) for o in Path('nbs').glob('*.ipynb'))
    total = 0
    for path in paths:
        if a.fix:
            done, todo = fix(path)
            if done or todo:
                print(f'{path}: split {done}' + (f', left (imports after code) cells {todo}' if todo else ''))
            total += len(todo)
        else:
            for nb, i, c, src in scan(path):
                total += 1
                print(f'{path} cell {i} ({c.get("id")}): {src.splitlines()[0][:80]}')
    print(f'{total} cell(s) {"left" if a.fix else "mix imports with other code"}', file=sys.stderr)
    sys.exit(1 if total else 0)
