#!/usr/bin/env python
"""Build the documentation site from the notebooks into `_site/`, without Quarto.

    python tools/build_docs.py            # the site in _site/ (open _site/index.html)
    python tools/build_docs.py --strict   # what CI runs: any warning is an error

Steps:
1. nbdev's own notebook processors (`nbdev.processors.FilterDefaults`, what `nbdev-proc-nbs` runs before
   handing the result to Quarto) on every notebook in `nbs/`: directives removed, hidden and exported cells
   gone, `show_doc` cells added and executed (signatures, docments tables), backticked names linked.
2. What Quarto would have interpreted is done here instead: the front matter becomes the page's title and
   summary, `#| echo/output/include` become cell tags, `[source](...){...}` becomes an HTML link, and links to
   the hosted docs (`[project.urls] Documentation`) become relative links to the pages of this site.
3. One page per notebook, named as nbdev names them (`nbs/52_pointcloud.losses.ipynb` -> `pointcloud.losses.html`),
   rendered by MkDocs + mkdocs-material + mkdocs-jupyter (navigation by method, search, stored outputs and figures).
   Each page also gets a Markdown copy `<page>.html.md`, the file the modules' `Docs:` links name.

Intermediate files go to `_proc/docs/` (gitignored).
"""

import argparse, json, os, re, shutil, subprocess, sys, time, warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, PROC, SITE = ROOT / 'nbs', ROOT / '_proc' / 'docs', ROOT / '_site'
GROUPS = [
    ('0', 'Foundation'),
    ('1', 'Chips: supernet search'),
    ('2', 'Explain: aspect models'),
    ('3', 'Reshape: routing'),
    ('4', 'Masking: dynamic-ratio MLM'),
    ('5', 'Point clouds: noisy reconstruction'),
    ('6', 'Molecules: contrastive learning'),
]


def page_name(nb: Path) -> str:
    "nbdev's page name: `52_pointcloud.losses.ipynb` -> `pointcloud.losses` (see `nbdev.config.nbpath2html`)."
    from nbdev.config import nbpath2html

    return nbpath2html(nb.name).with_suffix('').name


def doc_url() -> str:
    "The hosted docs URL that nbdev writes into links (`[project.urls] Documentation`), with a trailing slash."
    from nbdev.config import get_config

    cfg = get_config(ROOT)
    return f"{cfg.doc_host.rstrip('/')}{cfg.doc_baseurl.rstrip('/')}/" if cfg.doc_host else ''


# ---------------------------------------------------------------- 1. nbdev's processors (in worker processes)
def _process(nb_path: str):
    "Run nbdev's doc processors on one notebook: (page, processed notebook as dict, warnings, error or None)."
    os.chdir(ROOT)
    os.environ['IN_TEST'] = '1'
    import matplotlib

    matplotlib.use('Agg')
    from fastcore.nbio import read_nb, nb2str
    from nbdev.processors import FilterDefaults
    from nbdev.config import get_config

    flags = set(str(get_config().get('tst_flags', '')).split())

    def skip_flagged(cell):
        "nbdev runs every cell holding an import for show_doc; not the ones the tests skip (`#| slow`...): they define no API"
        d = getattr(cell, 'directives_', None) or {}
        if cell.cell_type == 'code' and flags & set(d) and not {'export', 'exports', 'exporti', 'exec_doc'} & set(d):
            d['eval'] = 'false'

    class Procs(FilterDefaults):
        def base_procs(self):
            ps = super().base_procs()
            i = [p.__name__ for p in ps].index('exec_show_docs')
            return ps[:i] + [skip_flagged] + ps[i:]

    class NoExec(FilterDefaults):
        def base_procs(self):
            return [p for p in super().base_procs() if p.__name__ != 'exec_show_docs']

    nb_path = Path(nb_path)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        try:
            nb = read_nb(nb_path)
            Procs()(nb)
            err = None
        except Exception as e:
            # a cell nbdev runs for show_doc failed: keep the page, without the show_doc output (an error all the same)
            err = f'{type(e).__name__}: {e}'
            try:
                nb = read_nb(nb_path)
                NoExec()(nb)
            except Exception as e2:
                nb, err = None, f'{err}\nand without show_doc: {type(e2).__name__}: {e2}'
    # only the warnings nbdev's processing raises about the notebook itself count, not library deprecations
    msgs = sorted({f'{w.category.__name__}: {w.message}' for w in ws if 'nbdev' in (w.filename or '')})
    return page_name(nb_path), (json.loads(nb2str(nb)) if nb is not None else None), msgs, err


# ---------------------------------------------------------------- 2. what Quarto would have done
_re_dir = re.compile(r'^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*)$')
_re_private = re.compile(r'\[(`_\w+(?:\(\))?`)\]\([\w.-]+\.html#_[^)]*\)')
_re_source = re.compile(r'\[source\]\((\S+?)\)\{([^}]*)\}')


def _yaml(src: str) -> dict:
    import yaml

    body = src.strip().strip('-').strip()
    try:
        return yaml.safe_load(body) or {}
    except yaml.YAMLError:
        return {}


def _directives(src: str):
    "Quarto directives left by nbdev (`#| echo: false`...) and the source without them."
    lines, dirs = src.splitlines(), {}
    while lines and (m := _re_dir.match(lines[0])):
        dirs[m.group(1)] = m.group(2).strip().lower()
        lines.pop(0)
    return dirs, '\n'.join(lines)


def _fix_md(txt: str, base: str) -> str:
    txt = _re_source.sub(lambda m: f'<a href="{m.group(1)}" {m.group(2)} class="nbdev-source">source</a>', txt)
    if base:
        txt = txt.replace(base, '')  # hosted-docs links -> pages of this site
    return _re_private.sub(r'\1', txt)  # private names have no show_doc, so no anchor: keep the name, drop the link


def quartoless(nb: dict, base: str, title_fallback: str) -> dict:
    "Do to nbdev's processed notebook what Quarto does on rendering; returns a notebook mkdocs-jupyter can show."
    cells, out, title = nb['cells'], [], None
    for c in cells:
        src = ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        if c['cell_type'] == 'raw' and src.lstrip().startswith('---'):
            fm = _yaml(src)
            title = fm.get('title') or title_fallback
            head = f'# {title}\n'
            if fm.get('description'):
                head += f"\n> {' '.join(str(fm['description']).split())}\n"
            out.append({'cell_type': 'markdown', 'metadata': {}, 'source': head})
            continue
        if c['cell_type'] == 'raw':
            continue
        if c['cell_type'] == 'markdown':
            if src.startswith('<!-- WARNING: THIS FILE WAS AUTOGENERATED'):
                continue
            c['source'] = _fix_md(src, base)
            out.append(c)
            continue
        dirs, body = _directives(src)
        if dirs.get('include') == 'false':
            continue
        tags = set(c.get('metadata', {}).get('tags', []))
        if dirs.get('echo') == 'false':
            tags.add('remove_input')
        if dirs.get('output') == 'false':
            tags.add('remove_output')
        c['source'] = body
        for o in c.get('outputs', []):
            d = o.get('data', {})
            if 'text/markdown' in d:
                md = d['text/markdown']
                md = _fix_md(''.join(md) if isinstance(md, list) else md, base)
                d['text/markdown'] = md.replace('__main__.', '')  # classes show_doc saw defined in the notebook's namespace
                d.pop('text/plain', None)  # show the rendered markdown, not its repr
        c.setdefault('metadata', {})['tags'] = sorted(tags)
        if not body.strip() and not c.get('outputs'):
            continue
        out.append(c)
    if title is None:
        out.insert(0, {'cell_type': 'markdown', 'metadata': {}, 'source': f'# {title_fallback}\n'})
    keep = {'cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count', 'attachments'}
    nb['cells'] = [{k: v for k, v in c.items() if k in keep} for c in out]  # drop nbdev's private keys (has_sd, idx_...)
    for i, c in enumerate(nb['cells']):
        c.setdefault('id', f'docs{i:04d}')
        c['metadata'] = {k: v for k, v in c.get('metadata', {}).items() if k in ('tags',)}
        if c['cell_type'] == 'code':
            c.setdefault('outputs', [])
            c.setdefault('execution_count', None)
    nb.setdefault('metadata', {}).setdefault('language_info', {'name': 'python'})
    return nb


def markdown_copy(nb: dict, dest: Path):
    "`<page>.html.md`: the page as Markdown (the target of the modules' `Docs:` links), figures beside it."
    import nbformat
    from nbconvert import MarkdownExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    ex = MarkdownExporter()
    ex.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}, remove_all_outputs_tags={'remove_output'}, enabled=True), enabled=True)
    files = dest.name.replace('.html.md', '') + '_files'
    body, res = ex.from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4), resources={'output_files_dir': files})
    dest.write_text(body)
    for name, data in res.get('outputs', {}).items():
        p = dest.parent / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


# ---------------------------------------------------------------- 4. checks on the built site
_re_href = re.compile(r'href="([\w.-]+\.html)(?:#([^"]*))?"')
_re_id = re.compile(r'id="([^"]+)"')


def check_links(site: Path, partial: bool = False) -> list:
    """Links between pages (what nbdev linked from backticked names) that name a missing page or anchor.
    A link to `Class.method` whose method has no `show_doc` of its own is pointed at `Class` (Quarto leaves it dangling)."""
    ids, bad = {}, []
    for f in site.glob('*.html'):
        ids[f.name] = set(_re_id.findall(f.read_text()))

    def fix(m):
        page, anchor = m.group(1), m.group(2)
        if page in ids and anchor and anchor not in ids[page] and anchor.split('.')[0] in ids[page]:
            return f'href="{page}#{anchor.split(".")[0]}"'
        return m.group(0)

    for f in site.glob('*.html'):
        txt = f.read_text()
        new = _re_href.sub(fix, txt)
        if new != txt:
            f.write_text(new)
    for f in sorted(site.glob('*.html')):
        for page, anchor in sorted(set(_re_href.findall(f.read_text()))):
            if page not in ids:
                if not partial:
                    bad.append(f'{f.name}: link to missing page {page}')
            elif anchor and anchor not in ids[page]:
                bad.append(f'{f.name}: link to missing anchor {page}#{anchor}')
    return bad


def check_module_docs(site: Path, base: str) -> list:
    "The `Docs:` link ending each module docstring must name a file of the built site."
    bad = []
    for py in sorted((ROOT / 'methodbook').rglob('*.py')):
        m = re.search(r'^Docs: (\S+)', py.read_text().split('"""')[1] if py.read_text().startswith('"""') else '', re.M)
        if not m:
            continue
        url = m.group(1)
        rel = url[len(base) :] if base and url.startswith(base) else None
        if rel is None or not (site / rel).exists():
            bad.append(f'{py.relative_to(ROOT)}: Docs link {url} names no file of the site')
    return bad


# ---------------------------------------------------------------- 3. MkDocs
def nav(pages: list) -> list:
    "Navigation: Home, then one section per method (by the notebook number's first digit)."
    res = [{'Home': 'index.ipynb'}]
    for digit, label in GROUPS:
        items = [{title: f'{page}.ipynb'} for nb, page, title in pages if nb.name[0] == digit]
        if items:
            res.append({label: items})
    other = [{title: f'{page}.ipynb'} for nb, page, title in pages if nb.name != 'index.ipynb' and nb.name[0] not in {g for g, _ in GROUPS}]
    if other:
        res.append({'More': other})
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--strict', action='store_true', help='treat warnings (nbdev processing and MkDocs) as errors')
    ap.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1), help='processes for the notebook processing')
    ap.add_argument('--nbs', default='', help='only notebooks whose name matches this regex (quick previews; index is always built)')
    a = ap.parse_args(argv)
    t0 = time.time()
    nbs = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    if a.nbs:
        nbs = [p for p in nbs if p.name == 'index.ipynb' or re.search(a.nbs, p.name)]
    if PROC.exists():
        shutil.rmtree(PROC)
    docs = PROC / 'src'
    docs.mkdir(parents=True)
    base = doc_url()

    print(f'[build_docs] nbdev processors on {len(nbs)} notebooks ({a.workers} workers)', flush=True)
    problems, pages, processed = [], [], {}
    # the workers run notebooks in IPython, which replaces `__main__`: hand them `_process` from an importable module
    sys.path.insert(0, str(Path(__file__).parent))
    import build_docs

    with ProcessPoolExecutor(a.workers) as ex:
        for nb_path, (page, nb, msgs, err) in zip(nbs, ex.map(build_docs._process, [str(p) for p in nbs])):
            if err:  # one line: where (nbdev names the cell) and what; the cell's source is in the notebook
                ls = err.strip().splitlines()
                problems.append(
                    f'{nb_path.name}: error: {ls[0]}'
                    + (f' ... {ls[-1]}' if len(ls) > 1 else '')
                    + ('' if nb is None else ' (page built without show_doc output)')
                )
            if nb is None:
                continue
            problems += [f'{nb_path.name}: warning: {m.splitlines()[0]}' + (f" | {' '.join(m.splitlines()[1:])[:200]}" if '\n' in m else '') for m in msgs]
            nb = quartoless(nb, base, page)
            title = next(''.join(c['source']).split('\n')[0].lstrip('# ').strip() for c in nb['cells'])
            pages.append((nb_path, page, title))
            processed[page] = nb
            (docs / f'{page}.ipynb').write_text(json.dumps(nb, indent=1))
    print(f'[build_docs] processed in {time.time() - t0:.0f} s', flush=True)
    errors = [p for p in problems if ': error: ' in p]
    for p in problems:
        print(f'[build_docs] {p}', file=sys.stderr)
    if a.strict and problems:
        print(
            f'[build_docs] {len(errors)} error(s), {len(problems) - len(errors)} warning(s)' + (' (--strict: warnings are errors)' if a.strict else ''),
            file=sys.stderr,
        )
        return 1
    if problems:
        print(f'[build_docs] {len(errors)} error(s), {len(problems) - len(errors)} warning(s): building anyway (not --strict)', file=sys.stderr)
    (docs / 'stylesheets').mkdir()
    shutil.copy(ROOT / 'docs' / 'extra.css', docs / 'stylesheets' / 'extra.css')

    cfg = PROC / 'mkdocs.yml'
    import yaml

    cfg.write_text(
        f"INHERIT: {os.path.relpath(ROOT / 'mkdocs.yml', PROC)}\n"
        + yaml.safe_dump({'docs_dir': 'src', 'site_dir': str(SITE), 'nav': nav(pages)}, sort_keys=False, allow_unicode=True)
    )
    cmd = [sys.executable, '-m', 'mkdocs', 'build', '-q', '-f', str(cfg)] + (['--strict'] if a.strict else [])
    print(f'[build_docs] mkdocs build ({len(pages)} pages)', flush=True)
    r = subprocess.run(cmd, cwd=PROC, env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if r.returncode:
        print('[build_docs] mkdocs failed', file=sys.stderr)
        return r.returncode
    for page, nb in processed.items():
        markdown_copy(nb, SITE / f'{page}.html.md')
    missing = [page for page in processed if not (SITE / f'{page}.html').exists()]
    if missing:
        print(f'[build_docs] pages missing from _site: {missing}', file=sys.stderr)
        return 1
    bad = check_links(SITE, partial=bool(a.nbs)) + ([] if a.nbs else check_module_docs(SITE, base))
    for b in bad:
        print(f'[build_docs] warning: {b}', file=sys.stderr)
    if bad and a.strict:
        print(f'[build_docs] {len(bad)} broken link(s) (--strict)', file=sys.stderr)
        return 1
    print(
        f'[build_docs] done in {time.time() - t0:.0f} s: {SITE}/index.html ({len(processed)} pages'
        + (f', base URL {base} -> relative links' if base else '')
        + ')'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
