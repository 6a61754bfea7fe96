"""Time what a user of `methodbook explain` waits for: `--help`, a cache hit of the benchmark models, and
`methodbook explain image` on a user's TorchScript model, PNG and saved aspect set (each a fresh process).

    python benchmarks/explain_own.py --out benchmarks/results/explain_own.md
"""

import argparse, os, statistics, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np, torch

torch.set_num_threads(1)


def wall(cmd, n, env=None):
    "Median and max wall seconds of `cmd` over `n` runs (each a new process)."
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env=env)
        ts.append(time.perf_counter() - t0)
        assert r.returncode == 0, r.stderr
    return statistics.median(ts), max(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--out', default='benchmarks/results/explain_own.md')
    a = ap.parse_args()
    from PIL import Image
    from methodbook.explain.aspects import AspectSet, aspect_cnn
    from methodbook.explain.benchmark import BenchConfig, train_models

    d = Path(tempfile.mkdtemp(prefix='explain-own-bench-'))
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.jit.script(aspect_cnn(1, 8, 2).eval()).save(str(d / 'model.pt'))
    AspectSet({'square': aspect_cnn(1, 4), 'bar': aspect_cnn(1, 4)}, (1, 16, 16)).save(d / 'aspects')
    Image.fromarray((np.random.default_rng(0).random((16, 16)) * 255).astype(np.uint8), 'L').save(d / 'img.png')
    env = dict(os.environ, METHODBOOK_THREADS='1')
    mb = [sys.executable, '-m', 'methodbook.cli'] if not Path(sys.prefix, 'bin', 'methodbook').exists() else [str(Path(sys.prefix, 'bin', 'methodbook'))]
    rows = []
    for label, cmd in [
        ('methodbook --help', mb + ['--help']),
        ('methodbook explain --help', mb + ['explain', '--help']),
        ('methodbook explain image --help', mb + ['explain', 'image', '--help']),
        (
            'methodbook explain image (TorchScript, PNG, IG, 16x16)',
            mb + ['explain', 'image', '--model', str(d / 'model.pt'), '--image', str(d / 'img.png'), '--aspects', str(d / 'aspects')],
        ),
    ]:
        med, mx = wall(cmd, a.runs, env)
        rows.append((label, med, mx))
    t0 = time.perf_counter()
    tm = train_models(BenchConfig())
    first = time.perf_counter() - t0
    ts = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        train_models(BenchConfig())
        ts.append(time.perf_counter() - t0)
    rows.append(
        (
            f"train_models(BenchConfig()) from the cache (key + data hash + load; first call {'cached' if tm['cached'] else 'trained'}: {first:.1f} s)",
            statistics.median(ts),
            max(ts),
        )
    )
    L = [
        '# explain: what a user waits for',
        '',
        f"Command: `python {' '.join(sys.argv)}`  ",
        f"Machine: {os.cpu_count()} cores shared with other jobs, torch {torch.__version__}, 1 thread; {a.runs} runs each, new process per CLI run.",
        '',
        '| what | median s | max s |',
        '|---|---|---|',
    ] + [f"| {l} | {m:.2f} | {x:.2f} |" for l, m, x in rows]
    Path(a.out).write_text('\n'.join(L) + '\n')
    print('\n'.join(L))


if __name__ == '__main__':
    main()
