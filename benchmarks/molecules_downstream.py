"""Downstream benchmark: pretrained RGCN (groups + fingerprint pairs) vs scratch, atom-only, plain NT-Xent and ECFP + RF.

Run: python benchmarks/molecules_downstream.py [--epochs 1] [--b3db 2000] [--seeds 3] [--ft-steps 150]
Pretrains three encoders on RDKit's ~15k shipped molecules, then compares on scaffold splits of B3DB
(subsampled) and FreeSolv (fetched through methodbook.data; network on first use).
Writes benchmarks/results/molecules_downstream.json and prints a markdown table.
"""
import argparse, json, os, platform, time, warnings
from pathlib import Path
import numpy as np, torch
torch.set_num_threads(1)
from methodbook.core import seed_everything
from methodbook.train import TrainConfig
from methodbook.molecules.data import default_smiles
from methodbook.molecules.encoder import EncoderConfig, MolEncoder
from methodbook.molecules.contrastive import pretrain, PretrainConfig
from methodbook.molecules.downstream import load_task, compare, summarize

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--epochs', type=float, default=1.0); ap.add_argument('--b3db', type=int, default=2000)
    ap.add_argument('--seeds', type=int, default=3); ap.add_argument('--ft-steps', type=int, default=150)
    ap.add_argument('--hidden', type=int, default=64); ap.add_argument('--split', default='scaffold')
    ap.add_argument('--node-mask', type=float, default=0.15); ap.add_argument('--bond-drop', type=float, default=0.1)
    ap.add_argument('--out', default='molecules_downstream.json')
    a = ap.parse_args()
    warnings.simplefilter('ignore')
    t0 = time.perf_counter()
    enc = EncoderConfig(hidden=a.hidden, layers=3, proj_dim=64)
    unlab = default_smiles()
    steps = int(a.epochs * len(unlab) / 128)
    tr = TrainConfig(max_steps=steps, lr=1e-3, scheduler='cosine', warmup_steps=10, progress=False, seed=0)
    aug = dict(node_mask=a.node_mask, bond_drop=a.bond_drop)
    variants = {'full': PretrainConfig(**aug), 'atom-only': PretrainConfig(groups=False, **aug),
                'plain NT-Xent': PretrainConfig(threshold=1.1, weighted=False, **aug)}
    from methodbook.molecules.graph import featurize
    t = time.perf_counter(); graphs = {g: featurize(unlab, groups=g, n_jobs=2).graphs for g in (True, False)}
    print(f'featurized twice in {time.perf_counter() - t:.0f}s', flush=True)
    pre, log = {}, {}
    for k, c in variants.items():
        p = pretrain(unlab, c, enc, tr, graphs=graphs[c.groups]); pre[k] = p
        L = [h['loss'] for h in p.history]
        log[k] = dict(n=p.n_molecules, featurize_s=p.featurize_s, train_s=p.train_s, steps=len(L),
                      loss_first5=float(np.mean(L[:5])), loss_last5=float(np.mean(L[-5:])))
        print(k, log[k], flush=True)
    seed_everything(0)
    encoders = {'pretrained (full)': (pre['full'].model.encoder, True), 'pretrained (atom-only)': (pre['atom-only'].model.encoder, False),
                'pretrained (plain NT-Xent)': (pre['plain NT-Xent'].model.encoder, True), 'scratch': (MolEncoder(enc), True)}
    rows = []
    for task in (load_task('b3db', n_max=a.b3db, seed=0), load_task('freesolv')):
        rows += compare(task, encoders, seeds=tuple(range(a.seeds)), split=a.split,
                        finetune_names=('pretrained (full)', 'scratch'), ft_steps=a.ft_steps)
        print(summarize([r for r in rows if r['task'] == task.name]), flush=True)
    out = dict(args=vars(a), pretrain=log, rows=rows, seconds=time.perf_counter() - t0, machine=platform.platform(),
               cpus=os.cpu_count(), load_avg=os.getloadavg())
    p = Path(__file__).parent/'results'/a.out; p.parent.mkdir(exist_ok=True)
    p.write_text(json.dumps(out, indent=2)); print(summarize(rows)); print(f'total {out["seconds"]:.0f}s')

if __name__ == '__main__': main()
