"""Few-shot latency for a new chip on NAS-Bench-201 (issue 13, item 4).

For each of the ten devices and k in {5, 10, 20, 50}: 20 random draws of k measured cells, `OpLatencyModel` (offset +
ms per op, optionally + per op on live edges and per live node, picked by leave-one-out; ridge) fitted on them, the
other ~15,600 cells predicted. Reported: Spearman rho, Kendall tau, share within +-10%, median [95% bootstrap CI] over
draws. Zero-shot references: the rank correlation of the cells' FLOPs with latency, and, for the eight CPUs and GPUs,
the datasheet roofline of the NB201 network kernel by kernel (`NB201_DATASHEETS`, `roofline_vs_measured`): Spearman,
Kendall, share within +-10% as it stands and after one scale factor fitted on 20 measured cells.

    nice -n 10 python benchmarks/chips_nb201_latency.py                  # everything (~6 min)
    python benchmarks/chips_nb201_latency.py --roofline-only             # add the roofline to the recorded few-shot results (~30 s)
"""

import json, sys, time
from pathlib import Path
import numpy as np
from scipy.stats import spearmanr, kendalltau
from methodbook.chips.nb201 import load_nb201, Cell, N_CELLS
from methodbook.chips.devices import fewshot_latency, median_ci, NB201_DATASHEETS, roofline_vs_measured

RES = Path(__file__).parent / 'results'


def roofline(sp, res):
    for name in NB201_DATASHEETS:
        res[name]['roofline'] = roofline_vs_measured(sp, name, k=20, draws=20) | {'source': NB201_DATASHEETS[name].source}


def main(ks=(5, 10, 20, 50), draws=20):
    t0, sp = time.time(), load_nb201()
    if '--roofline-only' in sys.argv:
        d = json.load(open(RES / 'chips_nb201_latency.json'))
        res = {n: {int(k) if k.isdigit() else k: v for k, v in r.items()} for n, r in d['results'].items()}
        roofline(sp, res)
        d['meta']['roofline_s'] = round(time.time() - t0, 1)
        return write(res, d['meta'], ks, draws)
    flops = np.array([sp.cost_indices(Cell.from_index(i))['flops'] for i in range(N_CELLS)])
    res = {}
    for name in sp.chips:
        y = sp.device_latency(name)
        res[name] = dict(flops_spearman=float(spearmanr(flops, y).statistic), flops_kendall=float(kendalltau(flops, y).statistic))
        for k in ks:
            r = fewshot_latency(sp, name, k, draws=draws)
            res[name][k] = {m: median_ci(r[m]) for m in ('spearman', 'kendall', 'within10')} | {'designs': {d: r['design'].count(d) for d in set(r['design'])}}
        print(name, f"{time.time() - t0:.0f} s", flush=True)
    roofline(sp, res)
    write(res, dict(ks=list(ks), draws=draws, seconds=round(time.time() - t0, 1)), ks, draws)


def write(res, meta, ks, draws):
    json.dump(dict(meta=meta, results=res), open(RES / 'chips_nb201_latency.json', 'w'), indent=1)
    f = lambda c: f"{c[0]:.3f} [{c[1]:.3f}, {c[2]:.3f}]"
    L = [
        '# Few-shot latency on ten real devices (benchmarks/chips_nb201_latency.py)',
        '',
        f"`nice -n 10 python benchmarks/chips_nb201_latency.py` — {draws} draws per k; {meta['seconds']:.0f} s. Median [95% CI] over draws, on the ~15,600 cells not measured.",
        '',
        '| device | FLOPs rho (0-shot) | ' + ' | '.join(f'rho k={k}' for k in ks) + ' | tau k=20 | within ±10% k=20 |',
        '|---|---|' + '---|' * (len(ks) + 2),
    ]
    for name, r in res.items():
        L.append(
            f"| {name} | {r['flops_spearman']:.3f} | " + ' | '.join(f(r[k]['spearman']) for k in ks) + f" | {f(r[20]['kendall'])} | {f(r[20]['within10'])} |"
        )
    worst = min(r[20]['spearman'][0] for r in res.values())
    L += [
        '',
        f"Goal rho >= 0.95 from 20 samples on every device: {'met' if worst >= 0.95 else 'missed'} (worst median {worst:.3f}).",
        '',
        '## Datasheet roofline (zero-shot) vs the per-op table from 20 measured cells',
        '',
        'Roofline: the NB201 network kernel by kernel (`nb201_layers`), max(FLOPs/peak, bytes/bandwidth) + 5 us (CPU) or 10 us (GPU) per kernel, '
        'datasheet peak FP32 and memory bandwidth (`NB201_DATASHEETS`); batch 1. "scaled": one factor (median measured/predicted) fitted on 20 '
        'measured cells, median over 20 draws. Per-op table: median [95% CI] over 20 draws, as above.',
        '',
        '| device | roofline rho | roofline tau | roofline within ±10% | predicted / measured (median) | roofline scaled on 20 cells, within ±10% | FLOPs rho | per-op table rho k=20 | tau k=20 | within ±10% k=20 |',
        '|---|---|---|---|---|---|---|---|---|---|',
    ]
    for name, r in res.items():
        if 'roofline' not in r:
            continue
        ro = r['roofline']
        L.append(
            f"| {name} | {ro['spearman']:.3f} | {ro['kendall']:.3f} | {ro['within10']:.3f} | {ro['pred_over_measured']:.2f} | {ro['scaled_within10']:.3f} | "
            f"{r['flops_spearman']:.3f} | {f(r[20]['spearman'])} | {f(r[20]['kendall'])} | {f(r[20]['within10'])} |"
        )
    L += ['', 'Datasheet numbers: ' + '; '.join(f"{n}: {r['roofline']['source']}" for n, r in res.items() if 'roofline' in r) + '.']
    (RES / 'chips_nb201_latency.md').write_text('\n'.join(L) + '\n')
    print('\n'.join(L))


if __name__ == '__main__':
    main()
