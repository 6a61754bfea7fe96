"""Real architectures through the reshape planner: every view/reshape in Hugging Face BERT-base and ViT-base (built from
their configs, no weights), exported with torch.export; each planned on a 64-tile Wormhole-class machine and the
1,472-tile IPU, timed on that network against via-DRAM. Copies forced by a transpose/permute before a reshape are flagged.

    nice python benchmarks/reshape_models.py      # writes benchmarks/results/reshape_models.md and its section of reshape.md
"""

import os

os.environ.setdefault('OMP_NUM_THREADS', '1')
import time
from pathlib import Path
import torch

torch.set_num_threads(1)
from methodbook.reshape.layouts import make_layout
from methodbook.reshape.memory import plan_reshape, plan_stats
from methodbook.reshape.model import numpy_dtype
from methodbook.reshape.noc import time_schedule, balanced_schedule, via_dram_ns

MARK = '## Real models: every reshape of BERT-base, ViT-base and Swin-T on both networks'
VIEWS = {'aten.view.default', 'aten.reshape.default', 'aten._unsafe_view.default', 'aten.flatten.using_ints', 'aten.unflatten.int'}
PERMUTES = {'aten.transpose.int', 'aten.permute.default', 'aten.t.default'}
PROFILES = [('wormhole-8x8', 64, 'interleaved'), ('ipu-mk2', 1472, 'interleaved')]


def models():
    from transformers import BertConfig, BertModel, ViTConfig, ViTModel, SwinConfig, SwinModel

    yield 'BERT-base (seq 128)', BertModel(BertConfig()).eval(), (torch.ones(1, 128, dtype=torch.long),)
    yield 'ViT-base/16 (224²)', ViTModel(ViTConfig(), add_pooling_layer=False).eval(), (torch.zeros(1, 3, 224, 224),)
    yield 'Swin-T (224²)', SwinModel(SwinConfig()).eval(), (torch.zeros(1, 3, 224, 224),)


def reshape_sites(model, example):
    "(node, src shape, dst shape, dtype, forced copy?) for every view/reshape in the exported graph."
    ep = torch.export.export(model, example, strict=False)
    out = []
    for n in ep.graph.nodes:
        if n.op != 'call_function' or str(n.target) not in VIEWS:
            continue
        a, v = n.args[0].meta.get('val'), n.meta.get('val')
        if a is None or v is None:
            continue
        x = torch.empty_strided(tuple(a.shape), tuple(a.stride()), dtype=a.dtype)  # same strides as in the model
        forced = x.reshape(tuple(v.shape)).untyped_storage().data_ptr() != x.untyped_storage().data_ptr()  # torch had to copy
        p = n.args[0]  # or a .contiguous()/.clone() just before it materialised a permute
        if p.op == 'call_function' and str(p.target) in {'aten.contiguous.default', 'aten.clone.default'}:
            q = p.args[0].meta.get('val')
            forced |= q is not None and not q.is_contiguous()
        out.append((n.name, tuple(a.shape), tuple(v.shape), a.dtype, forced))
    perms = sum(1 for n in ep.graph.nodes if n.op == 'call_function' and str(n.target) in PERMUTES)
    return out, perms


def main():
    t0 = time.time()
    rows, totals = [], {}
    for name, model, ex in models():
        sites, perms = reshape_sites(model, ex)
        totals[name] = perms
        seen = {}
        for node, s, d, dt, forced in sites:
            key = (s, d, dt)
            r = dict(model=name, node=node, src=s, dst=d, forced=forced, n=1)
            if key in seen:
                seen[key]['n'] += 1
                seen[key]['forced'] |= forced
                continue  # same reshape in every layer: plan once
            for prof, T, lay in PROFILES:
                src = make_layout(lay, s, T, numpy_dtype(dt))
                p = plan_reshape(src, src.reshaped(d))
                st = plan_stats(p)
                k = time_schedule(p, prof)
                b = time_schedule(p, prof, balanced_schedule(p, prof, max_moves=300)) if not p.is_view else k
                r[prof] = dict(
                    view=p.is_view,
                    moved=st.remote_bytes,
                    bound=st.lower_bound_bytes,
                    t=b.makespan_ns,
                    lb=b.bound_ns,
                    konig=k.makespan_ns,
                    dram=via_dram_ns(p, prof)['total_ns'],
                )
            seen[key] = r
            rows.append(r)
    L = [
        MARK,
        '',
        f'Command: `nice python benchmarks/reshape_models.py`. Same machine and model as above (shared 2-core CPU, loaded; network times are model '
        f'outputs). Models built from their Hugging Face configs without weights (transformers, torch {torch.__version__}), exported with '
        '`torch.export` (strict=False; `torch.fx.symbolic_trace` cannot trace them), float32. Every `aten.view`/`reshape`/`flatten`/`unflatten` node; identical '
        'reshapes in the 12 layers are planned once and counted (×n). Layout: 32×32 pages interleaved over the profile\'s tiles (64 on '
        'wormhole-8x8, 1,472 on ipu-mk2). **forced copy** = torch.reshape must copy: the input is non-contiguous (after a '
        'transpose/permute) and its strides admit no view of the new shape (tested on an `empty_strided` tensor with the model\'s strides). '
        'A `.contiguous()`/`.clone()` of a permuted tensor right before the reshape (Swin\'s window partition) counts too. '
        'Such a copy is a permute, not a reshape, and is *not* in these times.',
        '',
        '| model | src → dst | ×n | forced copy | wormhole: view | moved B | direct µs | /bound | via DRAM µs | ipu: view | moved B | direct µs | /bound | via DRAM µs |',
        '|---|---|---:|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    ]
    for r in rows:
        c = [f"| {r['model']} | `{r['src']}`→`{r['dst']}` | {r['n']} | {'**yes**' if r['forced'] else 'no'} |"]
        for prof, _, _ in PROFILES:
            x = r[prof]
            ratio = '—' if x['view'] or not x['lb'] else f"{x['t'] / x['lb']:.3f}"
            c.append(
                f" {'yes' if x['view'] else ('no' if x['moved'] else 'no (local copies only)')} | {x['moved']:,} | {x['t'] / 1e3:,.1f} | {ratio} | {x['dram'] / 1e3:,.1f} |"
            )
        L.append(''.join(c))
    L.append('')
    for name in dict.fromkeys(r['model'] for r in rows):
        rs = [r for r in rows if r['model'] == name]
        n = sum(r['n'] for r in rs)
        f = sum(r['n'] for r in rs if r['forced'])
        parts = []
        for prof, _, _ in PROFILES:
            views = sum(r['n'] for r in rs if r[prof]['view'])
            tot = sum(r['n'] * r[prof]['t'] for r in rs)
            dram = sum(r['n'] * r[prof]['dram'] for r in rs)
            mv = sum(r['n'] * r[prof]['moved'] for r in rs)
            parts.append(f"{prof}: {views} of {n} pure views, {mv / 1e6:,.2f} MB moved, direct {tot / 1e3:,.1f} µs vs via DRAM {dram / 1e3:,.1f} µs")
        L.append(
            f"- **{name}**: {n} reshapes/views; {totals[name]} transposes/permutes in the graph, and {f} reshapes preceded by a copy that a permute/transpose forces "
            "(in the reshape itself or in a `.contiguous()` just before it); " + '; '.join(parts) + '.'
        )
    L += ['', f'Total run {time.time() - t0:.0f} s.', '']
    txt = '\n'.join(L)
    Path('benchmarks/results/reshape_models.md').write_text(txt.replace(MARK, '# reshape: real models', 1))
    main_md = Path('benchmarks/results/reshape.md')
    old = main_md.read_text()
    main_md.write_text(old.split('## Real models')[0].rstrip('\n') + '\n\n' + txt)
    print(txt)


if __name__ == '__main__':
    main()
