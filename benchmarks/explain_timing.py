"""Time for one explanation (one image), per saliency method at the input: wall-clock and CPU time, median of --reps.

The CPU time (time.process_time, one torch thread) is what the explanation costs; the wall-clock time also holds
whatever else the shared machine was running. Uses the benchmark's cached models for --seed.

    python benchmarks/explain_timing.py --seed 3 --out benchmarks/results/explain_timing.md
"""

import argparse, os, statistics, time
import torch

torch.set_num_threads(1)
from methodbook.explain.benchmark import BenchConfig, train_models
from methodbook.explain.data import sample_scenes, render
from methodbook.explain.explain import explain


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seed', type=int, default=3)
    ap.add_argument('--reps', type=int, default=50)
    ap.add_argument('--out', default='benchmarks/results/explain_timing.md')
    a = ap.parse_args()
    cfg = BenchConfig(seed=a.seed)
    tm = train_models(cfg)
    x = render(sample_scenes(a.reps + 1, 'task', seed=1000 * a.seed + 3, p_none=0.0))
    kw = dict(policy=cfg.policy, frac=cfg.frac, sigma=cfg.sigma, allow_zero=True)
    L = [
        '# explain: time for one explanation',
        '',
        f"Command: `python benchmarks/explain_timing.py --seed {a.seed}`  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; torch {torch.__version__}, 1 thread; load average at start "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        '',
        f"One 32×32 image, the benchmark's mask settings, aspect models at the input; median of {a.reps} images after one warm-up.",
        '',
        '| method | wall ms | CPU ms | wall / CPU | load average after it | goal (saliency-based: ≤ 20 ms) |',
        '|---|---|---|---|---|---|',
    ]
    for m in ('saliency', 'smoothgrad', 'ig', 'gradcam', 'occlusion'):
        explain(tm['model'], x[0], tm['aspects'], method=m, **kw)
        w, c = [], []
        for i in range(1, a.reps + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            explain(tm['model'], x[i], tm['aspects'], method=m, **kw)
            w.append(time.perf_counter() - t0)
            c.append(time.process_time() - c0)
        mw, mc = 1000 * statistics.median(w), 1000 * statistics.median(c)
        goal = 'reported separately' if m == 'occlusion' else ('met' if mc <= 20 else 'missed') + ' (CPU time)'
        L.append(f"| {m} | {mw:.1f} | {mc:.1f} | {mw / mc:.2f} | {os.getloadavg()[0]:.1f} | {goal} |")
    L += ['', f"Load average at the end: {os.getloadavg()[0]:.1f}. Wall time is CPU time plus waiting for a core; on a quiet machine the two agree."]
    open(a.out, 'w').write('\n'.join(L) + '\n')
    print('\n'.join(L))


if __name__ == '__main__':
    main()
