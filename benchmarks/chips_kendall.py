"""Kendall tau between inherited accuracy (supernet weights, BN recalibrated) and standalone-trained accuracy; export parity.

Goal (issue 7): Kendall tau for >= 10 subnets, reported; export parity max abs difference <= 1e-5.
Subnets: largest, smallest and 10 random (seed 0). Standalone training: same data, augmentation, optimiser and
schedule as the supernet (AdamW 3e-3, cosine, batch 32) for --steps steps, seed 0, through methodbook.train.fit.

    python benchmarks/chips_kendall.py [--steps 300] [--n 10]
"""
import argparse, json, platform, random, tempfile, time
from pathlib import Path
import torch
from methodbook.train import TrainConfig
from methodbook.chips.supernet import SearchSpace
from methodbook.chips.train import digits_data, pretrained_supernet, inherited_accuracy, train_standalone
from methodbook.chips.search import kendall_tau
from methodbook.chips.export import export_model

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=300); ap.add_argument('--n', type=int, default=10)
    ap.add_argument('--out', default='benchmarks/results/chips_kendall.json')
    a = ap.parse_args()
    torch.set_num_threads(1)
    sp, data = SearchSpace(), digits_data()
    t0 = time.time()
    sup = pretrained_supernet(sp, data, steps=400).model.eval()
    rng = random.Random(0)
    archs = [sp.largest(), sp.smallest()] + [sp.sample(rng) for _ in range(a.n)]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for i, arch in enumerate(archs):
            inh = inherited_accuracy(sup, arch, data, n_calib=512)
            t1 = time.time()
            res = train_standalone(sp, arch, data, TrainConfig(max_steps=a.steps, lr=3e-3, scheduler='cosine', warmup_steps=20, seed=0, progress=False, log_every=50))
            card = export_model(sup, arch, data, Path(d)/f'm{i}', chip='host-cpu-1t')
            rows.append(dict(arch=str(arch), inherited=inh, standalone=res.evals[-1]['val_acc'], train_s=round(time.time() - t1, 1),
                             parity_max=max(card['parity'].values())))
            print(json.dumps(rows[-1]))
    tau = kendall_tau([r['inherited'] for r in rows], [r['standalone'] for r in rows])
    out = dict(machine=f"{platform.machine()}, nproc={__import__('os').cpu_count()} (shared)", torch=torch.__version__, steps=a.steps,
               n_subnets=len(rows), kendall_tau=tau, parity_max=max(r['parity_max'] for r in rows), rows=rows, total_s=round(time.time() - t0, 1))
    print(f"Kendall tau {tau:.3f} over {len(rows)} subnets; export parity max {out['parity_max']:.2e}")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1))

if __name__ == '__main__': main()
