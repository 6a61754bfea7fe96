"""NAS-Bench-201 on ten real devices (issue 13): one model per chip vs one for all, and search quality on true
hypervolume and regret.

Ground truth: true CIFAR-10 accuracy of all 15,625 cells (analog-nasbench 0.1.3, `baseline_accuracy`, 200 epochs) and
their measured latency on ten devices (HELP / HW-NAS-Bench table shipped in methodbook/chips/data). Budgets: each
device's 25th, 50th and 75th latency percentile. Evaluation budget = distinct cells whose accuracy was read.

1. per-chip selection: OFA-style evolution (true accuracy, 300 cells, seed 0) per device and budget; oracle; regret;
   the best single cell meeting all ten budgets; how often choices differ; the fronts figure.
2. search quality: evolution (OFA defaults: parents 0.25, mutation prob 0.1, mutation ratio 0.5; population
   min(100, n/6)), random search, multi-budget evolution (5 budgets up to the device's, n/5 cells each), and the
   predictor arm (n/2 random cells -> ridge predictor -> its top n/2 new cells), at n = 100, 300, 1000, 20 seeds;
   regret (points) and hypervolume ratio (evaluated cells' dominated area in [0, budget] x [0.1, 1] over the
   feasible space's) as median and 95% bootstrap CI.

    nice -n 10 python benchmarks/chips_nb201.py [--seeds 20] [--budgets 100 300 1000] [--chips nb201-raspi4 ...]
"""

import argparse, json, platform, time
from pathlib import Path
import numpy as np
import torch
from methodbook.chips.nb201 import load_nb201
from methodbook.chips.devices import per_chip_selection, choice_disagreement, selection_table, plot_fronts, compare_searches, summarize, median_ci, SEARCHES

RES = Path(__file__).parent / 'results'


def fmt(ci, p=2):
    return f"{ci[0]:.{p}f} [{ci[1]:.{p}f}, {ci[2]:.{p}f}]"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, default=20)
    ap.add_argument('--budgets', type=int, nargs='+', default=[100, 300, 1000])
    ap.add_argument('--qs', type=float, nargs='+', default=[25, 50, 75])
    ap.add_argument('--chips', nargs='+', default=None)
    ap.add_argument('--out', default=str(RES / 'chips_nb201'))
    a = ap.parse_args()
    torch.set_num_threads(1)
    t0, space = time.time(), load_nb201()
    chips = a.chips or list(space.chips)
    qs = tuple(int(q) if q == int(q) else q for q in a.qs)
    out = Path(a.out)
    meta = dict(seeds=a.seeds, budgets=a.budgets, qs=qs, chips=chips, host=platform.node(), python=platform.python_version())

    sel = per_chip_selection(space, qs=qs, n=300, seed=0)
    dis = choice_disagreement(sel)
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    ax = plot_fronts(space, sel)
    ax.figure.savefig(out.with_name(out.name + '_fronts.png'), dpi=120, bbox_inches='tight')
    plt.close(ax.figure)
    print(f"selection done {time.time() - t0:.0f} s", flush=True)

    rows = []
    for c in chips:
        rows += compare_searches(space, chips=[c], qs=qs, budgets=tuple(a.budgets), seeds=a.seeds)
        print(f"{c} done {time.time() - t0:.0f} s", flush=True)
        json.dump(dict(meta=meta, selection=sel, disagreement=dis, rows=rows, partial=True), open(out.with_suffix('.json'), 'w'))
    overall = summarize(rows)
    per = summarize(rows, by=('chip', 'q', 'method', 'budget'))
    # per-chip margin over the single structure, from evolution at 300 cells over all seeds
    margins = {}
    for c in chips:
        for q in qs:
            acc = [r['chosen_acc'] for r in rows if r['chip'] == c and r['q'] == q and r['method'] == 'evolution' and r['budget'] == 300]
            if acc:
                margins[f"{c}@q{q}"] = median_ci(100 * (np.array(acc) - sel['single'][q]['accuracy']))
    meta['seconds'] = round(time.time() - t0, 1)
    json.dump(
        dict(meta=meta, selection=sel, disagreement=dis, summary=overall, per_chip=per, margins=margins, rows=rows),
        open(out.with_suffix('.json'), 'w'),
        indent=1,
    )

    L = [
        "# chips on NAS-Bench-201 with ten real devices (benchmarks/chips_nb201.py)",
        '',
        f"`nice -n 10 python benchmarks/chips_nb201.py` — {a.seeds} seeds, budgets {a.budgets} distinct cells, levels q{list(qs)}; "
        f"{meta['seconds']:.0f} s on {meta['host']} (2 shared cores, 1 thread).",
        '',
        '## 1. One model per chip vs one for all (evolution, 300 cells, seed 0)',
        '',
    ]
    for q in qs:
        rs = [r for r in sel['rows'] if r['q'] == q]
        s = sel['single'][q]
        L.append(
            f"- q{q}: per-chip chosen accuracy {min(r['chosen_acc'] for r in rs):.4f}–{max(r['chosen_acc'] for r in rs):.4f} "
            f"(oracle {min(r['oracle_acc'] for r in rs):.4f}–{max(r['oracle_acc'] for r in rs):.4f}); regret max {max(r['regret'] for r in rs):.2f} pts; "
            f"single cell for all ten: {s['accuracy']:.4f} ({s['n_feasible']} cells meet all ten budgets); "
            f"margin per device {min(r['margin_vs_single'] for r in rs):+.2f} to {max(r['margin_vs_single'] for r in rs):+.2f} pts; "
            f"{dis[q]['distinct']} distinct choices over 10 devices, {100 * dis[q]['pairs_differ']:.0f}% of device pairs differ"
        )
    L += [
        '',
        'Margin over the single structure, evolution at 300 cells, median [95% CI] over seeds, points:',
        '',
        '| device | ' + ' | '.join(f'q{q}' for q in qs) + ' |',
        '|---|' + '---|' * len(qs),
    ]
    for c in chips:
        L.append(f"| {c} | " + ' | '.join(fmt(margins[f'{c}@q{q}']) if f'{c}@q{q}' in margins else '' for q in qs) + ' |')
    L += [
        '',
        selection_table(sel),
        '',
        f"Figure: `{out.name}_fronts.png`.",
        '',
        '## 2. Search quality on the truth (all devices and levels pooled; median [95% bootstrap CI])',
        '',
        '| method | budget | cells used (mean) | regret (pts) | hypervolume ratio |',
        '|---|---|---|---|---|',
    ]
    for s in sorted(overall, key=lambda s: (s['budget'], s['method'])):
        L.append(f"| {s['method']} | {s['budget']} | {s['evals']:.0f} | {fmt(s['regret'])} | {fmt(s['hv_ratio'], 3)} |")
    L += [
        '',
        'Median regret per device and level at 300 cells (goal: <= 0.3 pts everywhere):',
        '',
        '| device | q | ' + ' | '.join(SEARCHES + ('predictor',)) + ' |',
        '|---|---|' + '---|' * 4,
    ]
    for c in chips:
        for q in qs:
            cell = {s['method']: s['regret'][0] for s in per if s['chip'] == c and s['q'] == q and s['budget'] == 300}
            L.append(f"| {c} | {q} | " + ' | '.join(f"{cell.get(m, float('nan')):.2f}" for m in SEARCHES + ('predictor',)) + ' |')
    (out.with_suffix('.md')).write_text('\n'.join(L) + '\n')
    print('\n'.join(L[:40]))


if __name__ == '__main__':
    main()
