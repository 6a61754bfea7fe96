"""Clean vs noisy reconstruction at the same budget, over seeds (methodbook.pointcloud.evaluate.run_ablation).

    python benchmarks/pointcloud_ablation.py [--levels 0 1] [--seeds 0 1 2] [--n-per-class 24] [--steps 300] [--res 16] [--pointnet 0] [--json out.json]

Prints the per-run rows and the markdown summary that benchmarks/results/pointcloud.md quotes.
"""

import argparse, json, time
import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--levels', type=float, nargs='+', default=[0.0, 1.0])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--n-per-class', type=int, default=24)
    p.add_argument('--n-points', type=int, default=512)
    p.add_argument('--steps', type=int, default=300)
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--rep', default='voxel')
    p.add_argument('--res', type=int, default=16, help='voxel grid side')
    p.add_argument('--decoder', default='mlp')
    p.add_argument('--pointnet', type=int, default=0, help='size of the PointNet branch (0: grid encoder only)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--json', default=None, help='write the rows here')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from methodbook.pointcloud.model import AEConfig
    from methodbook.pointcloud.evaluate import run_ablation, summarize_ablation

    t0 = time.perf_counter()
    rows = run_ablation(
        tuple(a.levels),
        tuple(a.seeds),
        a.n_per_class,
        a.n_points,
        AEConfig(rep=a.rep, res=a.res, decoder=a.decoder, pointnet=a.pointnet),
        a.steps,
        a.batch_size,
    )
    print(f"\n{time.perf_counter() - t0:.0f} s, {a.threads} thread(s)\n")
    print(summarize_ablation(rows))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(rows, f, indent=1)


if __name__ == '__main__':
    main()
