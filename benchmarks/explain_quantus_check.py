"""Cross-check of methodbook.explain.checks' localisation metrics against Quantus 0.6.0 on random maps and masks.

Quantus is not a methodbook dependency: install it and what its import needs into a separate folder, without
touching torch, and put that folder on PYTHONPATH for this script only:

    pip install --no-deps --target /tmp/qt quantus==0.6.0 pandas scikit-image opencv-python-headless cachetools lazy_loader imageio tifffile networkx
    PYTHONPATH=/tmp/qt python benchmarks/explain_quantus_check.py
"""

import sys, time
import numpy as np, torch

torch.set_num_threads(1)
import quantus
from methodbook.explain.checks import relevance_mass_accuracy, relevance_rank_accuracy, pointing_game


def main(out='benchmarks/results/explain_quantus_check.md', n=500):
    g = torch.Generator().manual_seed(0)
    rel = torch.rand(n, 1, 32, 32, generator=g) ** 3  # non-negative, no ties
    gt = torch.zeros(n, 1, 32, 32)
    r0, c0 = torch.randint(0, 22, (n,), generator=g), torch.randint(0, 22, (n,), generator=g)
    for i in range(n):
        gt[i, 0, r0[i] : r0[i] + 10, c0[i] : c0[i] + 10] = 1
    gt[: n // 10] = 0  # some empty masks: both give nan
    a, s = rel.numpy(), gt.numpy()
    pairs = {
        'relevance mass accuracy': (
            relevance_mass_accuracy(rel, gt),
            quantus.RelevanceMassAccuracy(disable_warnings=True).evaluate_batch(a_batch=a, s_batch=s),
        ),
        'relevance rank accuracy': (
            relevance_rank_accuracy(rel, gt),
            quantus.RelevanceRankAccuracy(disable_warnings=True).evaluate_batch(a_batch=a, s_batch=s),
        ),
        'pointing game': (pointing_game(rel, gt), quantus.PointingGame(disable_warnings=True).evaluate_batch(a_batch=a, s_batch=s)),
    }
    L = [
        '# explain: localisation metrics against Quantus',
        '',
        "Command: `PYTHONPATH=/tmp/qt python benchmarks/explain_quantus_check.py`  ",
        f"Quantus {quantus.__version__}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {n} random 32×32 maps (uniform³), "
        f"random 10×10 box masks, {n // 10} of them empty.",
        '',
        '| metric | max abs difference (non-empty masks) | Quantus on empty masks | mean (ours) | mean (Quantus) |',
        '|---|---|---|---|---|',
    ]
    ok = True
    for k, (ours, theirs) in pairs.items():
        ours, theirs = ours.double().numpy(), np.asarray(theirs, dtype=float)
        m = gt.flatten(1).sum(1).numpy() > 0
        empty = "nan" if np.isnan(theirs[~m]).all() else f"{float(theirs[~m][0])} (not nan)"
        d = float(np.abs(ours[m] - theirs[m]).max())
        ok &= bool(np.isnan(ours[~m]).all()) and d < 1e-5
        L.append(f"| {k} | {d:.2e} | {empty} | {ours[m].mean():.4f} | {theirs[m].mean():.4f} |")
    L += [
        '',
        f"Agreement on the non-empty masks: {'yes' if ok else 'NO'} (tolerance 1e-5). On an empty mask ours is nan; "
        "Quantus' `PointingGame` returns True there, because it writes nan into a boolean array.",
    ]
    open(out, 'w').write('\n'.join(L) + '\n')
    print('\n'.join(L))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
