"""Featurization speed: atom–group graphs vs atom-only vs PyG's from_smiles, same molecules, same run; parallel scaling.

Run: python benchmarks/molecules_featurize.py [--n 3000] [--repeats 3]
Goals (issue 14), as ratios within this run: groups >= 1.5x PyG per CPU second; shards written by 2 worker
processes >= 1.8x one process per wall second (on 2 idle cores; the load average is reported next to it).
The machine is shared, so besides wall-clock rates it reports molecules per CPU second (this process
plus its pool workers), which is the per-core throughput and much less sensitive to other jobs.
Prints a markdown table and writes benchmarks/results/molecules_featurize.json.
"""

import argparse, json, os, platform, time, warnings
from pathlib import Path
import torch

torch.set_num_threads(1)
from torch_geometric.utils import from_smiles
from methodbook.molecules.data import default_smiles
from methodbook.molecules.graph import featurize
from methodbook.molecules.shards import featurize_shards
import tempfile, shutil


def cpu_s():
    t = os.times()  # this process + its finished children (the pool workers)
    return t.user + t.system + t.children_user + t.children_system


def rate(fn, n, repeats):
    "(molecules per wall second, molecules per CPU second) - best of `repeats`."
    wall, cpu = float('inf'), float('inf')
    for _ in range(repeats):
        t, c = time.perf_counter(), cpu_s()
        fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, cpu_s() - c)
    return n / wall, n / cpu


def shards(sm, jobs):
    "Shards of 256 molecules written by `jobs` worker processes (fresh folder each time)."
    d = tempfile.mkdtemp(prefix='molecules-bench-')
    try:
        featurize_shards(sm, d, shard_size=256, n_jobs=jobs, neighbours=8)
    finally:
        shutil.rmtree(d)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=3000)
    ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    load0 = os.getloadavg()
    sm = default_smiles()[2000 : 2000 + a.n]  # spans both shipped files' styles (NCI and WEHI)
    warnings.simplefilter('ignore')
    res = {
        'groups, 1 process': rate(lambda: featurize(sm, n_jobs=1), len(sm), a.repeats),
        'atom-only, 1 process': rate(lambda: featurize(sm, groups=False, n_jobs=1), len(sm), a.repeats),
        'PyG from_smiles, 1 process': rate(lambda: [from_smiles(s) for s in sm], len(sm), a.repeats),
        'groups (IFG vocab), 1 process': rate(lambda: featurize(sm, vocab='ifg', n_jobs=1), len(sm), a.repeats),
        'groups, 2 processes': rate(lambda: featurize(sm, n_jobs=2), len(sm), a.repeats),
        'shards (groups + neighbours), 1 process': rate(lambda: shards(sm, 1), len(sm), a.repeats),
        'shards (groups + neighbours), 2 processes': rate(lambda: shards(sm, 2), len(sm), a.repeats),
    }
    ratios = {
        'groups / PyG per CPU s': res['groups, 1 process'][1] / res['PyG from_smiles, 1 process'][1],
        'atom-only / PyG per CPU s': res['atom-only, 1 process'][1] / res['PyG from_smiles, 1 process'][1],
        'shards 2 / 1 processes per wall s': res['shards (groups + neighbours), 2 processes'][0] / res['shards (groups + neighbours), 1 process'][0],
        'featurize 2 / 1 processes per wall s': res['groups, 2 processes'][0] / res['groups, 1 process'][0],
    }
    print(
        f'| featurizer ({len(sm)} RDKit-shipped molecules, best of {a.repeats}) | molecules per wall second | molecules per CPU second (per core) |\n| --- | --- | --- |'
    )
    for k, (w, c) in res.items():
        print(f'| {k} | {w:.0f} | {c:.0f} |')
    for k, v in ratios.items():
        print(f'{k}: {v:.2f}x')
    out = {
        'n': len(sm),
        'repeats': a.repeats,
        'rates': res,
        'ratios': ratios,
        'cpus': os.cpu_count(),
        'machine': platform.platform(),
        'load_avg_start': load0,
        'load_avg': os.getloadavg(),
    }
    p = Path(__file__).parent / 'results' / 'molecules_featurize.json'
    p.parent.mkdir(exist_ok=True)
    p.write_text(json.dumps(out, indent=2))
    print(f'load average at the end: {os.getloadavg()}')


if __name__ == '__main__':
    main()
