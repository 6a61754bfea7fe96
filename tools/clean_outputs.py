#!/usr/bin/env python
"""List (and with --fix, rewrite) stored notebook outputs that show build-machine paths or progress-bar noise.

Without running any notebook, in the text of stored outputs (streams, text/* data, tracebacks):
- drops tqdm's `TqdmWarning: IProgress not found ...` warning (and the `from .autonotebook import tqdm` line that follows it);
  a stream left empty is removed;
- replaces temporary folders (`/tmp/tmpab12cd/`, `/tmp/own-data-xy12/`) by `<tmp>/`, the interpreter and its
  site-packages by `python` / `.../site-packages/`, the checkout (`/work/main/`) by nothing (paths become
  relative to the repository) and a home folder (`/root/`, `/home/<user>/`) by `~/`.
Figures (image/*) and every other output are kept as they are.

    python tools/clean_outputs.py                   # list outputs that would change, exit 1 if any
    python tools/clean_outputs.py --fix nbs/*.ipynb # rewrite them
"""

import argparse, json, re, sys
from pathlib import Path

_noise = re.compile(r'TqdmWarning|IProgress not found|from \.autonotebook import tqdm as notebook_tqdm')
_subs = [
    (re.compile(r'/(?:root|home/[^/\s]+)/\.pyenv/versions/[^/\s]+/bin/python[\d.]*'), 'python'),
    (re.compile(r'/\S*?/(?:site|dist)-packages/'), '.../site-packages/'),
    (re.compile(r'/tmp/(?:tmp|own-data-)[\w-]+'), '<tmp>'),
    (re.compile(r'/work/main/'), ''),
    (re.compile(r'/work/main\b'), '.'),
    (re.compile(r'/(?:root|home/[^/\s]+)/'), '~/'),
]


def clean_text(s: str) -> str:
    "`s` without noise lines, with machine paths replaced."
    lines = s.split('\n')
    lines = [l for l in lines if not _noise.search(l)]
    s = '\n'.join(lines)
    for r, new in _subs:
        s = r.sub(new, s)
    return s


def _get(v):
    return ''.join(v) if isinstance(v, list) else v


def _put(old, s):
    if not isinstance(old, list):
        return s
    ls = s.split('\n')
    return [l + '\n' for l in ls[:-1]] + ([ls[-1]] if ls[-1] else [])


def clean_outputs(outputs: list) -> list:
    out = []
    for o in outputs:
        o = dict(o)
        if 'text' in o:
            t = clean_text(_get(o['text']))
            if not t.strip() and o.get('output_type') == 'stream':
                continue
            o['text'] = _put(o['text'], t)
        if 'data' in o:
            o['data'] = {k: (_put(v, clean_text(_get(v))) if k.startswith('text/') else v) for k, v in o['data'].items()}
        if 'traceback' in o:
            o['traceback'] = [clean_text(l) for l in o['traceback']]
        out.append(o)
    return out


def fix(path, write=True):
    nb = json.loads(Path(path).read_text())
    n = 0
    for c in nb['cells']:
        if c['cell_type'] != 'code' or not c.get('outputs'):
            continue
        new = clean_outputs(c['outputs'])
        if new != c['outputs']:
            c['outputs'] = new
            n += 1
    if n and write:
        with open(path, 'w') as f:
            json.dump(nb, f, indent=1, ensure_ascii=False)
            f.write('\n')
    return n


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('nbs', nargs='*', help='notebooks (default: nbs/*.ipynb)')
    p.add_argument('--fix', action='store_true', help='rewrite the outputs')
    a = p.parse_args()
    paths = a.nbs or sorted(str(o) for o in Path('nbs').glob('*.ipynb'))
    total = 0
    for path in paths:
        n = fix(path, write=a.fix)
        total += n
        if n:
            print(f'{path}: {n} cell(s) {"cleaned" if a.fix else "to clean"}')
    if not a.fix:
        sys.exit(1 if total else 0)
