"""Lookup-table latency prediction vs direct measurement on this host.

Goal (issue 7): >= 95% of 200 random subnets predicted within +-10% of the measured latency.
For each host chip (1 and 2 CPU threads): build the per-block table (timed), then measure 200 random subnets
directly and compare. Reports the within-10% fraction for the chip's statistic (p10 of the repeats, see
nbs/12_chips.latency) and, for honesty, against the median of the same repeats.

    python benchmarks/chips_latency.py [--n 200] [--repeats 30] [--seed 0] [--chips host-cpu-1t,host-cpu-2t]
"""

import argparse, json, platform, random, time
from pathlib import Path
import numpy as np
import torch
from methodbook.chips.supernet import SearchSpace, Subnet
from methodbook.chips.latency import CHIP_SPECS, build_latency_table, measure_latency


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=200)
    ap.add_argument('--repeats', type=int, default=30)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--chips', default='host-cpu-1t,host-cpu-2t')
    ap.add_argument('--out', default='benchmarks/results/chips_latency.json')
    a = ap.parse_args()
    torch.set_num_threads(1)
    sp = SearchSpace()
    res = {
        'machine': f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads default, nproc={__import__('os').cpu_count()}",
        'torch': torch.__version__,
        'seed': a.seed,
        'n': a.n,
        'repeats': a.repeats,
        'chips': {},
    }
    for name in a.chips.split(','):
        chip = CHIP_SPECS[name]
        t0 = time.time()
        tab = build_latency_table(chip, sp, repeats=a.repeats, seed=a.seed)
        t_build = time.time() - t0
        rng = random.Random(a.seed + 1)
        archs = [sp.sample(rng) for _ in range(a.n)]
        pred, p10, med = [], [], []
        t0 = time.time()
        for arch in archs:
            torch.manual_seed(0)
            m = measure_latency(Subnet(sp, arch), (1, 1, sp.resolution, sp.resolution), chip.threads, repeats=a.repeats)
            pred.append(tab.predict(arch))
            p10.append(m['p10_ms'])
            med.append(m['median_ms'])
        pred, p10, med = map(np.array, (pred, p10, med))
        e10, emed = np.abs(pred / p10 - 1), np.abs(pred / med - 1)
        r = dict(
            table_build_s=round(t_build, 1),
            entries=len(tab.entries),
            scale=tab.scale,
            offset_ms=tab.offset_ms,
            measure_s=round(time.time() - t0, 1),
            within10_vs_p10=float((e10 <= 0.10).mean()),
            within10_vs_median=float((emed <= 0.10).mean()),
            mean_abs_err_vs_p10=float(e10.mean()),
            p95_abs_err_vs_p10=float(np.percentile(e10, 95)),
            median_ms_range=[float(med.min()), float(med.max())],
            p10_ms_range=[float(p10.min()), float(p10.max())],
            median_over_p10=float(np.median(med / p10)),
            median_over_p10_p90=float(np.percentile(med / p10, 90)),
        )
        res['chips'][name] = r
        print(name, json.dumps(r), flush=True)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(res, indent=1))  # after each chip, so a partial run keeps its numbers


if __name__ == '__main__':
    main()
