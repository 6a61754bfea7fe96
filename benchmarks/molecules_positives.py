"""Fingerprint positives per anchor: random batches vs near-neighbour batches (issue 14 goal: >= 1 extra positive per anchor).

  python benchmarks/molecules_positives.py [--shards DIR] [--max-shards 4] [--batches 20]

For each batching (random; groups of 4 near neighbours from each shard's neighbour table) and batch size (128, 512),
the loss's own count `extra_pos` (other molecules counted as positives, per anchor; both views of a molecule count
once) with the threshold rule alone (Tanimoto >= 0.7) and with the full rule (also the 2 nearest batch-mates at
Tanimoto >= 0.3); plus the mean Tanimoto of each anchor's nearest batch-mate. No model is involved: the counts depend
on the batches only. Writes benchmarks/results/molecules_positives.json.
"""

import argparse, json, os
from pathlib import Path
import numpy as np, torch

torch.set_num_threads(1)
from methodbook.molecules.fingerprints import tanimoto_torch
from methodbook.molecules.contrastive import NeighbourBatchSampler, contrastive_loss


def load_pools(d: Path, k: int):
    "The first k shards' fingerprints and neighbour tables (read straight from the .npz files; the job may still be writing others)."
    pools, fps, off = [], [], 0
    for p in sorted(d.glob('shard_*.npz'))[:k]:
        with np.load(p) as z:
            fp, nbr = z['fp'], z['nbr']
        pools.append((off, len(fp), nbr))
        fps.append(fp)
        off += len(fp)
    return pools, torch.from_numpy(np.concatenate(fps))


def measure(pools, fp, batch, group, n_batches, seed=0):
    s = NeighbourBatchSampler(pools, batch, group, seed)
    rows = []
    for j, idx in enumerate(s):
        if j >= n_batches:
            break
        S = tanimoto_torch(fp[idx])
        z = torch.zeros(len(idx), 2)
        thr = contrastive_loss(z, z, S, threshold=0.7, nearest=0)[1]['extra_pos']
        full = contrastive_loss(z, z, S, threshold=0.7, nearest=2, min_sim=0.3)[1]['extra_pos']
        rows.append((thr, full, float(S.fill_diagonal_(-1).max(1).values.mean())))
    return dict(zip(('threshold_0.7', 'full_rule', 'nearest_batchmate_tanimoto'), map(lambda x: round(float(x), 4), np.mean(rows, 0))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--shards', default=None)
    ap.add_argument('--max-shards', type=int, default=4)
    ap.add_argument('--batches', type=int, default=20)
    a = ap.parse_args()
    from methodbook.data import cache_dir

    d = Path(a.shards) if a.shards else cache_dir() / 'molecules' / 'moses_250000' / 'shards'
    pools, fp = load_pools(d, a.max_shards)
    out = dict(data=f'MOSES shards ({len(fp)} molecules in {len(pools)} shards of {pools[0][1]})', load_avg=os.getloadavg(), results={})
    for batch in (128, 512):
        for name, group in (('random batches', 1), ('near-neighbour groups of 4', 4)):
            r = measure(pools, fp, batch, group, a.batches)
            out['results'][f'{name}, batch {batch}'] = r
            print(batch, name, r, flush=True)
    p = Path(__file__).parent / 'results' / 'molecules_positives.json'
    p.write_text(json.dumps(out, indent=1))
    print('wrote', p)


if __name__ == '__main__':
    main()
