"""Shortcut models (BAM/FunnyBirds style): does the explanation report the shortcut exactly for the models that use it?

Per seed and shortcut strength (share of training scenes in which the triangle marks class 0), trains a task model
(cached), decides by intervention on decorrelated test scenes whether it uses the triangle, and explains the same scenes
with the aspect models (seed 0's benchmark aspect set, one fixed set of concept detectors). Appends one JSON line per
(seed, strength) to --jsonl (a rerun skips what is there), then writes the markdown report from all lines.

    python benchmarks/explain_shortcut.py --seeds 0 1 2 3 4 5 6 7        # trains what is missing, writes the report
    python benchmarks/explain_shortcut.py --report-only                  # the report from the JSON lines
"""

import argparse, json, os, statistics, time
import torch

torch.set_num_threads(1)
from methodbook.explain.benchmark import BenchConfig, train_models, causal_aspects, explanation_scores
from methodbook.explain.data import sample_shortcut_scenes
from methodbook.explain.checks import ShortcutConfig, train_shortcut_model, shortcut_intervention, shortcut_report

STRENGTHS = (0.0, 0.5, 0.9, 1.0)
MASKS = {
    'top15%': dict(policy='smooth_topk', frac=0.15),
    'top10%': dict(policy='smooth_topk', frac=0.10),
    'thr0.5': dict(policy='smooth_threshold', threshold=0.5),
}  # the benchmark's mask, a smaller one, a relative threshold
METHODS = tuple(f'saliency {k}' for k in MASKS)  # smoothgrad and occlusion (5 and 30 s per model) did not fit 32 models on the shared CPU
USE = 0.05  # a model uses the shortcut when removing it changes >= 5% of the predictions where it is present
CHOOSE, REPORT = (0, 1, 2), (3, 4, 5, 6, 7)


def one(seed, strength, aspects, n_test):
    t0 = time.time()
    model = train_shortcut_model(ShortcutConfig(strength=strength, seed=seed))
    t_train = time.time() - t0
    sc = sample_shortcut_scenes(n_test, 0.0, seed=1000 * seed + 12)  # decorrelated test scenes, classes as in training
    iv = shortcut_intervention(model, sc)
    causal = causal_aspects(model, sc)
    rec = dict(
        seed=seed, strength=strength, use_rate=iv['use_rate'], acc=iv['acc'], acc_without=iv['acc_without'], n_with=iv['n_with'], train_s=t_train, methods={}
    )
    for m in METHODS:
        torch.manual_seed(seed)
        t1 = time.time()
        r = shortcut_report(model, aspects, sc, iv['changed'], among=iv['pred'] != 3, method=m.split()[0], sigma=1.0, **MASKS[m.split()[1]])
        f1 = explanation_scores(r['masked'] >= 0.5, causal, sc.present)['f1']
        rec['methods'][m] = dict(report_rate=r['report_rate'], agree=r['agree'], mass=r['mass'], f1=f1, s=time.time() - t1)
    return rec


def report(recs, out, cmd):
    key = {(r['seed'], r['strength']): r for r in recs}
    sorted({r['seed'] for r in recs})
    L = [
        '# explain: shortcut models (BAM/FunnyBirds style)',
        '',
        f'Command: `{cmd}`  ',
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; torch {torch.__version__}, 1 thread, 2 shared cores.",
        '',
        'Training scenes: the triangle marks class 0 (square) in a `strength` share of scenes and is random (p=0.5) in the rest; '
        'test scenes (300 per model) are decorrelated (strength 0), classes as in training. The report rate counts the test scenes that hold the triangle and that the model does not call `none` (the explanation of "no causal shape" has nothing to point at). Task model `aspect_cnn(1, 16, 4)`, 400 steps. '
        f'**Uses** the shortcut = removing the triangle changes the prediction in ≥ {USE:.0%} of the test scenes holding it (intervention). '
        '**Reports** it = the explanation reports the triangle in ≥ τ of those scenes; τ is chosen on seeds 0-2 (best agreement with the '
        'intervention, ties to the middle of the best range) and applied unchanged to seeds 3-7. Aspect models: seed 0\'s benchmark set.',
        '',
        '## Per model',
        '',
        '| seed | strength | acc (decorrelated) | acc without triangle | use rate | uses | ' + ' | '.join(f'{m} report rate' for m in METHODS) + ' |',
        '|' + '---|' * (6 + len(METHODS)),
    ]
    for r in sorted(recs, key=lambda r: (r['seed'], r['strength'])):
        L.append(
            f"| {r['seed']} | {r['strength']:.1f} | {r['acc']:.3f} | {r['acc_without']:.3f} | {r['use_rate']:.3f} | "
            f"{'yes' if r['use_rate'] >= USE else 'no'} | " + ' | '.join(f"{r['methods'][m]['report_rate']:.3f}" for m in METHODS) + ' |'
        )
    taus = [i / 100 for i in range(1, 100)]

    def shares(rs, m, tau):
        u = [r for r in rs if r['use_rate'] >= USE]
        n = [r for r in rs if r['use_rate'] < USE]
        rep = lambda r: r['methods'][m]['report_rate'] >= tau
        return (sum(map(rep, u)) / len(u) if u else float('nan'), sum(map(rep, n)) / len(n) if n else float('nan'), len(u), len(n))

    L += [
        '',
        '## Reported among users / non-users (goal: ≥ 90% / ≤ 10%)',
        '',
        '| method | τ (chosen on seeds 0-2) | seeds 0-2: users reported, non-users reported | seeds 3-7 (held out): users reported | non-users reported | n users / non-users |',
        '|---|---|---|---|---|---|',
    ]
    cho = [r for r in recs if r['seed'] in CHOOSE]
    rep_ = [r for r in recs if r['seed'] in REPORT]
    for m in METHODS:
        if not cho:
            continue
        acc = [sum(((r['methods'][m]['report_rate'] >= t) == (r['use_rate'] >= USE)) for r in cho) for t in taus]
        best = [t for t, a in zip(taus, acc) if a == max(acc)]
        tau = best[len(best) // 2]
        cu, cn, _, _ = shares(cho, m, tau)
        hu, hn, nu, nn = shares(rep_, m, tau)
        L.append(f"| {m} | {tau:.2f} | {cu:.2f}, {cn:.2f} | {hu:.2f} | {hn:.2f} | {nu} / {nn} |")

    def ci(v):
        from scipy.stats import t

        if len(v) < 2:
            return f"{v[0]:.3f}" if v else 'n/a'
        return f"{statistics.mean(v):.3f} ± {t.ppf(0.975, len(v) - 1) * statistics.stdev(v) / len(v) ** 0.5:.3f}"

    L += [
        '',
        'All three masks separate users from non-users on seeds 0-2; the headline is the benchmark\'s own mask (top 15%), the '
        'first row. τ sits between the highest non-user and the lowest user report rate of seeds 0-2.',
        '',
        '## By strength, seeds 3-7 (mean ± half-width of the 95% t interval)',
        '',
        '| strength | use rate (intervention) | accuracy, decorrelated | report rate, top 15% | BAM model contrast: relevance mass on the triangle | model contrast: report rate, top 15% |',
        '|---|---|---|---|---|---|',
    ]
    for s in STRENGTHS:
        have = [sd for sd in REPORT if (sd, s) in key and (sd, 0.0) in key]
        g = lambda f: [f(key[(sd, s)]) for sd in have]
        d = lambda f: [f(key[(sd, s)]) - f(key[(sd, 0.0)]) for sd in have]
        mass, rr = (lambda r: r['methods'][METHODS[0]]['mass']), (lambda r: r['methods'][METHODS[0]]['report_rate'])
        L.append(
            f"| {s:.1f} | {ci(g(lambda r: r['use_rate']))} | {ci(g(lambda r: r['acc']))} | {ci(g(rr))} | "
            f"{ci(d(mass)) if s else '(reference)'} | {ci(d(rr)) if s else '(reference)'} |"
        )
    L += [
        '',
        'Model contrast = value for the shortcut-trained model − value for the strength-0 model of the same seed on the same '
        'scenes (BAM\'s MCS; relevance mass = share of the saliency map\'s |relevance| inside the triangle\'s 10×10 box).',
    ]
    L += [
        '',
        'Scene-level F1 of the explanation against the intervention ground truth (all shapes), mean over seeds 3-7:',
        '',
        '| strength | ' + ' | '.join(METHODS) + ' |',
        '|---|' + '---|' * len(METHODS),
    ]
    for s in STRENGTHS:
        v = {m: [key[(sd, s)]['methods'][m]['f1'] for sd in REPORT if (sd, s) in key] for m in METHODS}
        L.append(f"| {s:.1f} | " + ' | '.join(f"{statistics.mean(x):.3f}" if x else 'n/a' for x in v.values()) + ' |')
    open(out, 'w').write('\n'.join(L) + '\n')
    print('\n'.join(L))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', type=int, nargs='+', default=list(CHOOSE + REPORT))
    ap.add_argument('--n-test', type=int, default=300)
    ap.add_argument('--jsonl', default='benchmarks/results/explain_shortcut.jsonl')
    ap.add_argument('--out', default='benchmarks/results/explain_shortcut.md')
    ap.add_argument('--report-only', action='store_true')
    a = ap.parse_args()
    recs = [json.loads(l) for l in open(a.jsonl)] if os.path.exists(a.jsonl) else []
    done = {(r['seed'], r['strength']) for r in recs}
    if not a.report_only:
        aspects = train_models(BenchConfig(seed=0))['aspects']
        for s in a.seeds:
            for st in STRENGTHS:
                if (s, st) in done:
                    continue
                r = one(s, st, aspects, a.n_test)
                recs.append(r)
                with open(a.jsonl, 'a') as f:
                    f.write(json.dumps(r) + '\n')
                print(json.dumps(r), flush=True)
    report(recs, a.out, 'python benchmarks/explain_shortcut.py --seeds 0 1 2 3 4 5 6 7')


if __name__ == '__main__':
    main()
