"""Markdown tables of the masking experiment from its committed results files (no training, no model loading).

python benchmarks/masking_report.py [--results benchmarks/results/masking_experiment]
"""

import argparse
from pathlib import Path
import numpy as np
from methodbook.masking.experiment import read_rows, summarize, results_table, paired_deltas, paired_table
from methodbook.masking.evaluate import time_to_quality


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--results', default='benchmarks/results/masking_experiment')
    a = ap.parse_args(argv)
    R = Path(a.results)
    tr, ev, bl = read_rows(R / 'train.jsonl'), read_rows(R / 'eval.jsonl'), read_rows(R / 'baselines.jsonl')
    s, tq = summarize(ev, bl), time_to_quality(tr)
    print(
        f"runs trained: {len(tr)}, evaluated: {len(ev)}, seeds: {sorted({r['seed'] for r in ev})}; "
        f"train seconds per run: median {np.median([r['seconds'] for r in tr]):.0f}, total {sum(r['seconds'] for r in tr) / 60:.0f} min\n"
    )
    print(results_table(s, tq))
    print(
        f"\ntime-to-quality target (fixed15 final held-out loss @15%, mean of its seeds): {tq['target']:.4f}; per-seed steps: "
        + '; '.join(f"{a}: {v['steps']}" for a, v in tq.items() if a != 'target')
    )
    print("\nmasked accuracy at each test rate (mean ± std over seeds):\n")
    arms = list(s['multi_rate'])
    rates = list(s['multi_rate'][arms[0]])
    print('| arm | ' + ' | '.join(f"acc @{float(r):.0%}" for r in rates) + ' |\n' + '|---' * (len(rates) + 1) + '|')
    for a_ in arms:
        print(f"| {a_} | " + ' | '.join(f"{v[2]:.4f} ± {v[3]:.4f}" for v in s['multi_rate'][a_].values()) + ' |')
    print("\ninfilling log-likelihood per token, k = 1, 4, 8, 16 (95% CI over spans of all seeds):\n")
    print('| arm | order | ' + ' | '.join(f"k={k}" for k in (1, 4, 8, 16)) + ' |\n|---|---|---|---|---|---|')
    for a_ in arms:
        for o in ('l2r', 'random'):
            d = s['infill'][a_][o]
            print(f"| {a_} | {o} | " + ' | '.join(f"{d[k]['loglik']:.3f} ± {d[k]['loglik_ci']:.3f}" for k in (1, 4, 8, 16) if k in d) + ' |')
    print(
        "\nmulti-rate, arm minus fixed15 paired by seed (same init and data order), mean ± std over seeds; "
        "'yes' where the arm is lower by more than the std of the paired differences and of fixed15's seeds:\n"
    )
    print(paired_table(paired_deltas(ev)))
    if any(r['arm'] == 'fixed40' for r in ev):  # the control at a higher fixed rate: is it the spread of ratios or their mean?
        print("\nthe same against fixed40 (a fixed ratio near the unfixed arms' means: uniform(0.15, 0.5) 0.325, u-PMLM 0.5):\n")
        print(paired_table(paired_deltas(ev, ref='fixed40')))
    un = [r for r in bl if r['baseline'] == 'untrained']
    if un:
        print(
            "\nuntrained encoder, masked loss @15%: "
            + f"{np.mean([r['multi_rate']['0.15']['masked_loss'] for r in un]):.3f} (for scale: ln 4000 = {np.log(4000):.3f})"
        )


if __name__ == '__main__':
    main()
