"""Featurization speed: atom–group graphs vs atom-only vs PyG's from_smiles, same molecules, same run; parallel scaling.

Run: python benchmarks/molecules_featurize.py [--n 3000] [--repeats 3]
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

def cpu_s():
    t = os.times()   # this process + its finished children (the pool workers)
    return t.user + t.system + t.children_user + t.children_system

def rate(fn, n, repeats):
    "(molecules per wall second, molecules per CPU second) - best of `repeats`."
    wall, cpu = float('inf'), float('inf')
    for _ in range(repeats):
        t, c = time.perf_counter(), cpu_s(); fn()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, cpu_s() - c)
    return n / wall, n / cpu

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--n', type=int, default=3000); ap.add_argument('--repeats', type=int, default=3)
    a = ap.parse_args()
    sm = default_smiles()[2000:2000 + a.n]   # spans both shipped files' styles (NCI and WEHI)
    warnings.simplefilter('ignore')
    res = {
        'groups, 1 process': rate(lambda: featurize(sm, n_jobs=1), len(sm), a.repeats),
        'atom-only, 1 process': rate(lambda: featurize(sm, groups=False, n_jobs=1), len(sm), a.repeats),
        'PyG from_smiles, 1 process': rate(lambda: [from_smiles(s) for s in sm], len(sm), a.repeats),
        'groups (IFG vocab), 1 process': rate(lambda: featurize(sm, vocab='ifg', n_jobs=1), len(sm), a.repeats),
        'groups, 2 processes': rate(lambda: featurize(sm, n_jobs=2), len(sm), a.repeats),
    }
    print(f'| featurizer ({len(sm)} RDKit-shipped molecules, best of {a.repeats}) | molecules per wall second | molecules per CPU second (per core) |\n| --- | --- | --- |')
    for k, (w, c) in res.items(): print(f'| {k} | {w:.0f} | {c:.0f} |')
    out = {'n': len(sm), 'repeats': a.repeats, 'rates': res, 'cpus': os.cpu_count(), 'machine': platform.platform(),
           'load_avg': os.getloadavg()}
    p = Path(__file__).parent/'results'/'molecules_featurize.json'; p.parent.mkdir(exist_ok=True)
    p.write_text(json.dumps(out, indent=2)); print(f'load average at the end: {os.getloadavg()}')

if __name__ == '__main__': main()
