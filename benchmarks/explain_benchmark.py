"""Explanations by aspect recognition models on synthetic scenes with known answers.

Trains (or loads from the cache) the task model and six aspect models per seed, then scores every saliency
method and the baselines (unmasked input, random mask of the same size, randomized weights) on the same
held-out scenes. Writes a markdown report.

    python benchmarks/explain_benchmark.py --seeds 0 1 2 --out benchmarks/results/explain.md
    python benchmarks/explain_benchmark.py --seeds 0 --no-cache     # cold timing: training included
"""
import argparse, os, platform, statistics, subprocess, sys, time
import torch
torch.set_num_threads(1)
from methodbook.explain.benchmark import BenchConfig, run_benchmark, results_table


def cpu_name():
    try:
        for l in open('/proc/cpuinfo'):
            if l.startswith('model name'): return l.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or 'unknown CPU'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--out', default='benchmarks/results/explain.md')
    ap.add_argument('--frac', type=float, default=None, help='override the top-k fraction')
    ap.add_argument('--no-cache', action='store_true', help='train every model, ignore and do not write the cache')
    ap.add_argument('--cache', default=None, help='cache folder (default: methodbook cache_dir()/explain)')
    ap.add_argument('--notes', default='benchmarks/explain_notes.md', help="markdown appended to the report ('' for none)")
    a = ap.parse_args()
    cache = False if a.no_cache else a.cache
    runs = []
    for s in a.seeds:
        cfg = BenchConfig(seed=s) if a.frac is None else BenchConfig(seed=s, frac=a.frac)
        r = run_benchmark(cfg, cache=cache, verbose=True)
        runs.append(r)
        print(f"seed {s}: {r['total_s']:.0f} s wall, {r['total_cpu_s']:.0f} s CPU, cached={r['cached']}", flush=True)
    names = [row['method'] for row in runs[0]['rows']]
    def agg(i, k):
        v = [r['rows'][i][k] for r in runs]
        return f"{statistics.mean(v):.3f} ± {statistics.stdev(v):.3f}" if len(v) > 1 else f"{v[0]:.3f}"
    L = ['# explain: aspect-model explanations on scenes with known answers', '',
         f"Command: `python {' '.join(sys.argv)}`  ",
         f"Machine: {cpu_name()}, {os.cpu_count()} cores shared with other jobs, torch {torch.__version__}, "
         f"1 thread (`torch.set_num_threads(1)`)  ",
         f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  ",
         f"Seeds: {a.seeds} (scenes, initialisation and data order); {runs[0]['n_test']} held-out scenes per seed, "
         f"each with one causal shape and one or two distractors.", '',
         'Ground truth: a present shape is causal when re-rendering the scene without it changes the trained '
         "model's predicted class. Reported = aspect-model presence ≥ 0.5 on the masked representation. "
         f"Mask: `{runs[0]['config']['policy']}`, top {runs[0]['config']['frac']:.0%} of positions after Gaussian "
         f"smoothing (σ={runs[0]['config']['sigma']}). Distractor FP = share of (scene, present distractor) pairs reported.", '',
         f"Internal layer: source {runs[0]['config']['source_layer']} of the trained model (16×16), mapped to the aspect models' "
         f"{runs[0]['config']['target_layer']} by a learned {runs[0]['config']['map_kernel']}×{runs[0]['config']['map_kernel']} conv; "
         f"its mask keeps the top {runs[0]['config']['layer_frac']:.0%} of positions of the "
         f"{'positive' if runs[0]['config']['layer_sign'] == 'pos' else 'absolute'} relevance "
         f"(`layer_frac`, `layer_sign`; chosen on these seeds, see the notes at the end). The reference row uses the input layer's settings.", '',
         f"## Mean ± std over seeds {a.seeds}", '',
         '| method | precision | recall | F1 | distractor FP |', '|---|---|---|---|---|']
    for i, n in enumerate(names):
        L.append(f"| {n.replace(runs[0]['best'], '<best>') if 'randomized' in n else n} | {agg(i, 'precision')} | "
                 f"{agg(i, 'recall')} | {agg(i, 'f1')} | {agg(i, 'distractor_fp')} |")
    def gap(r):
        best = max(row['f1'] for row in r['rows'] if row['method'] == f"{r['best']} @ input")
        lay = next(row['f1'] for row in r['rows'] if row['method'] == f"ig @ {r['config']['source_layer']} + learned map")
        return best - lay
    g = [gap(r) for r in runs]
    L += ['', f"Gap, best input-layer method F1 − `ig @ {runs[0]['config']['source_layer']} + learned map` F1, per seed: "
          + ', '.join(f"{v:.3f}" for v in g) + f"; mean {statistics.mean(g):.3f} (goal: ≤ 0.05)."]
    L += ['', f"`<best>` = the input-layer method with the highest F1 in that seed's run "
          f"({', '.join(r['best'] for r in runs)}).", '', '## Per seed', '']
    for s, r in zip(a.seeds, runs):
        L += [f"### seed {s}", '', results_table(r), '',
              f"- trained-model accuracy on the held-out scenes: {r['task_acc']:.3f}",
              "- aspect-model accuracy (1000 held-out scenes): " + ', '.join(f"{k} {v:.3f}" for k, v in r['aspect_acc'].items()),
              "- learned map relu2→relu2 (3×3 conv, closed-form ridge), held-out R²: " + ', '.join(f"{k} {v:.2f}" for k, v in r['map_r2'].items())
              + "; mean-predictor baseline: " + ', '.join(f"{v:.3f}" for v in r['map_r2_baseline'].values()),
              "- batched ms/image: " + ', '.join(f"{row['method'].split(' @')[0]} {row['ms_per_image_batched']:.1f}"
                                                   for row in r['rows'] if 'ms_per_image_batched' in row),
              "- one explanation (single image, median of 20), ms: " + ', '.join(f"{k} {v:.1f}" for k, v in r['ms_one_explanation'].items()),
              f"- training: {r['train_s']:.0f} s wall / {r['train_cpu_s']:.0f} s CPU "
              f"({'loaded from cache; time of the run that trained them' if r['cached'] else 'trained in this run'}); "
              f"whole run: {r['total_s']:.0f} s wall / {r['total_cpu_s']:.0f} s CPU", '']
    if a.notes and os.path.exists(a.notes): L += ['', open(a.notes).read().rstrip()]
    os.makedirs(os.path.dirname(a.out) or '.', exist_ok=True)
    open(a.out, 'w').write('\n'.join(L) + '\n')
    print('\n'.join(L))


if __name__ == '__main__':
    main()
