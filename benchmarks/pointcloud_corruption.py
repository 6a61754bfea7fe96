"""Corruption benchmark of pointcloud pretraining arms at the same budget (issue 16), on the 20-class compositional shapes.

    python benchmarks/pointcloud_corruption.py [--data DIR] [--seeds 0 1 2] [--steps 300] [--encoders grid]
        [--arms untrained clean noisy noisy_affine] [--sor noisy] [--out benchmarks/results/pointcloud_corruption]
        [--append] [--report-only]

--append adds to OUT.json the (encoder, arm, seed) runs that are not there yet (same data, steps and batch), so an
encoder or arm can be added later, or a cut-off run finished; --report-only rewrites OUT.md from OUT.json.

Data: `pointcloud.shapes.write_shape_folder(DIR, n_per_class, test_frac=0.2, seed=0)` (written if DIR is missing),
read back with `pointcloud.data.folder_data` (the ModelNet-style reader), 512 points per cloud.
Per seed: one reference (linear SVM on the raw 16^3 voxel occupancy grid, no learning), then for each encoder and arm
one model trained with that seed, its frozen embeddings scored by a linear SVM fit on clean training clouds and tested
on the clean test set and on 9 corruptions x 3 severities (`pointcloud.corruption`, corruption seed = seed).
Arms: untrained (random init), clean (noise_level 0), noisy (noise_level 1, the method), noisy_affine (Point-DAE's
affine map on the input before the noise, `pretrain(..., corrupt_fn=corruption.noisy_affine)`; target the clean cloud).
Encoders: grid (the default `AEConfig()`), grid+pointnet (a 128-d PointNet branch, max pool), grid+pointnet+quantile
(the branch pooled by the 0.9-quantile over points), sor+grid+pointnet (statistical outlier removal before encoding).
--sor ARMS: the grid+pointnet models of those arms are also scored after statistical outlier removal of every
cloud (train and test), row 'grid+pointnet+SOR'; same model, no extra training.
Writes OUT.json (every number) and OUT.md (tables, mean ± std over seeds).
"""

import argparse, json, platform, sys, time
from pathlib import Path
import numpy as np
import torch

ENCODERS = {
    'grid': {},
    'grid+pointnet': {'pointnet': 128},
    'grid+pointnet+quantile': {'pointnet': 128, 'pool': 'quantile'},  # robust pool: the 0.9-quantile over points
    'sor+grid+pointnet': {'pointnet': 128, 'sor': True},
}  # SOR before encoding, in training and use
ARMS = ('untrained', 'clean', 'noisy', 'noisy_affine')


def train_arm(arm, X, ae, steps, seed, batch_size):
    "One arm's model: untrained (random init), or `pretrain` with noise level 0 / 1, or with `corrupt_fn=noisy_affine`."
    from methodbook.core import seed_everything
    from methodbook.pointcloud.model import PointCloudAE, PointCloudPretrainConfig, train_config, pretrain
    from methodbook.pointcloud.corruption import noisy_affine

    if arm == 'untrained':
        seed_everything(seed)
        return PointCloudAE(ae).eval()
    cfg = PointCloudPretrainConfig(noise_level=0.0 if arm == 'clean' else 1.0, batch_size=batch_size)
    return pretrain(X, ae, cfg, train_config(steps, seed=seed), corrupt_fn=noisy_affine if arm == 'noisy_affine' else None).model.eval()


def summarize(runs, ref_runs, cfg):
    from methodbook.pointcloud.corruption import CORRUPTIONS

    ms = lambda v: f"{100 * np.mean(v):.1f} ± {100 * np.std(v):.1f}"
    msr = lambda v: f"{np.mean(v):.3f} ± {np.std(v):.3f}"
    names = list(CORRUPTIONS)
    L = [
        f"Columns: clean accuracy; mCE and RmCE against the raw voxel-grid SVM (ModelNet-C's definition, reference = "
        f"the representation without learning; < 1 is more robust); mean accuracy over corruptions and severities; the worst "
        f"corruption's accuracy at severity 2; then each corruption's accuracy averaged over its 3 severities. "
        f"Mean ± std over {len(cfg['seeds'])} seed(s), accuracies in %.\n"
    ]
    head = '| encoder | arm | clean | mCE | RmCE | mean corr. | worst @ sev 2 | ' + ' | '.join(names) + ' |'
    L += [head, '|' + ' --- |' * (7 + len(names))]

    def row(enc, arm, rs):
        cells = [
            ms([r['acc']['clean'] for r in rs]),
            msr([r['mCE'] for r in rs]),
            msr([r['RmCE'] for r in rs]),
            ms([np.mean([np.mean(list(r['acc'][c].values())) for c in names]) for r in rs]),
            ms([min(r['acc'][c]['2'] if '2' in r['acc'][c] else r['acc'][c][2] for c in names) for r in rs]),
        ]
        cells += [ms([np.mean(list(r['acc'][c].values())) for r in rs]) for c in names]
        return f"| {enc} | {arm} | " + ' | '.join(cells) + ' |'

    L.append(row('—', 'voxel-grid SVM (reference)', [{**r, 'mCE': 1.0, 'RmCE': 1.0} for r in ref_runs]))
    for enc in cfg['encoders']:
        for arm in cfg['arms']:
            rs = [r for r in runs if r['encoder'] == enc and r['arm'] == arm]
            if rs:
                L.append(row(enc, arm, rs))
    # paired noisy - clean
    for enc in cfg['encoders']:
        by = {(r['arm'], r['seed']): r for r in runs if r['encoder'] == enc}
        for a, b in (('noisy', 'clean'), ('noisy_affine', 'clean'), ('noisy', 'untrained'), ('noisy_affine', 'untrained'), ('noisy_affine', 'noisy')):
            seeds = [s for s in cfg['seeds'] if (a, s) in by and (b, s) in by]
            if not seeds:
                continue
            d_acc = [by[(a, s)]['acc']['clean'] - by[(b, s)]['acc']['clean'] for s in seeds]
            d_mce = [by[(a, s)]['mCE'] - by[(b, s)]['mCE'] for s in seeds]
            L.append(
                f"\n{enc}, {a} − {b}, paired by seed: clean accuracy {ms(d_acc)} points, mCE {msr(d_mce)} (per seed: {', '.join(f'{x:+.3f}' for x in d_mce)})."
            )
    L.append("\nPer severity (mean over seeds, %):\n")
    L.append('| encoder | arm | ' + ' | '.join(f"{c} {s}" for c in names for s in (1, 2, 3)) + ' |')
    L.append('|' + ' --- |' * (2 + 3 * len(names)))

    def sev_row(enc, arm, rs):
        return f"| {enc} | {arm} | " + ' | '.join(f"{100 * np.mean([r['acc'][c][str(s)] for r in rs]):.1f}" for c in names for s in (1, 2, 3)) + ' |'

    L.append(sev_row('—', 'voxel-grid SVM', ref_runs))
    for enc in cfg['encoders']:
        for arm in cfg['arms']:
            rs = [r for r in runs if r['encoder'] == enc and r['arm'] == arm]
            if rs:
                L.append(sev_row(enc, arm, rs))
    return '\n'.join(L)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='/tmp/methodbook_shapes20')
    p.add_argument('--n-per-class', type=int, default=100)
    p.add_argument('--n-points', type=int, default=512)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--steps', type=int, default=300)
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--encoders', nargs='+', default=['grid'], choices=list(ENCODERS))
    p.add_argument('--arms', nargs='+', default=list(ARMS), choices=list(ARMS))
    p.add_argument(
        '--sor',
        nargs='*',
        default=[],
        choices=list(ARMS),
        help='arms whose PointNet-branch models are also scored with statistical outlier removal before encoding (no extra training)',
    )
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--out', default='benchmarks/results/pointcloud_corruption')
    p.add_argument('--append', action='store_true', help='keep the runs already in OUT.json (same data and steps) and add the missing ones')
    p.add_argument('--report-only', action='store_true', help='only rewrite OUT.md from OUT.json (e.g. after a cut-off run)')
    a = p.parse_args(argv)
    if a.report_only:
        return write_report(json.loads(Path(a.out + '.json').read_text()), a.out)
    torch.set_num_threads(a.threads)
    import warnings

    warnings.filterwarnings('ignore', message='.*converge.*')
    from methodbook.pointcloud.shapes import write_shape_folder
    from methodbook.pointcloud.data import folder_data, apply_normalization
    from methodbook.pointcloud.represent import to_tensor
    from methodbook.pointcloud.model import AEConfig
    from methodbook.pointcloud.evaluate import embed
    from methodbook.pointcloud.corruption import corruption_accuracies, mean_corruption_error, statistical_outlier_removal

    t_all = time.perf_counter()
    if not Path(a.data).exists():
        write_shape_folder(a.data, a.n_per_class, 0.2, seed=0)
    cd = folder_data(a.data, n_points=a.n_points, seed=0)
    print(f"data {cd.info['hash']}: {len(cd.X_train)} train, {len(cd.X_test)} test, {len(cd.classes)} classes", flush=True)
    voxel = lambda X: to_tensor(torch.as_tensor(apply_normalization(X, 'unit_sphere')).float(), 'voxel', res=16).flatten(1).numpy()
    jsonable = lambda acc: {k: (v if k == 'clean' else {str(s): x for s, x in v.items()}) for k, v in acc.items()}
    ref_runs, runs = [], []
    cfg = {
        **vars(a),
        'encoders': [e for x in a.encoders for e in ([x, x + '+SOR'] if a.sor and 'pointnet' in x else [x])],
        'data_hash': cd.info['hash'],
        'classes': cd.classes,
        'n_train': len(cd.X_train),
        'n_test': len(cd.X_test),
    }
    kept, prev_cmds = [], []
    if a.append and Path(a.out + '.json').exists():
        old = json.loads(Path(a.out + '.json').read_text())
        oc = old['config']
        if (oc['data_hash'], oc['steps'], oc['batch_size']) != (cd.info['hash'], a.steps, a.batch_size):
            raise SystemExit(f"--append: {a.out}.json was run on other data or budget ({oc['data_hash']}, {oc['steps']} steps, batch {oc['batch_size']})")
        kept = old['runs']  # a (encoder, arm, seed) already there is not run again
        old_ref = {r['seed']: r for r in old['reference']}
        cfg['encoders'] = [e for e in oc['encoders'] if e not in cfg['encoders']] + cfg['encoders']
        cfg['arms'] = list(dict.fromkeys(oc['arms'] + a.arms))
        cfg['seeds'] = sorted(set(oc['seeds']) | set(a.seeds))
        prev_cmds = old.get('commands', [old['command']] if 'command' in old else [])
        old_secs = old.get('seconds', 0.0)
    else:
        old_secs, old_ref = 0.0, {}
    done = {(r['encoder'], r['arm'], r['seed']) for r in kept}
    all_refs = lambda: sorted(ref_runs + [r for s, r in old_ref.items() if s not in {x['seed'] for x in ref_runs}], key=lambda r: r['seed'])
    unjson = lambda acc: {k: (v if k == 'clean' else {int(s): x for s, x in v.items()}) for k, v in acc.items()}
    for seed in a.seeds:
        t0 = time.perf_counter()
        if seed in old_ref:
            ref = unjson(old_ref[seed]['acc'])
            ref_runs.append(old_ref[seed])  # the same reference, already scored
        else:
            ref = corruption_accuracies(voxel, cd.X_train, cd.y_train, cd.X_test, cd.y_test, seed=seed)
            ref_runs.append({'seed': seed, 'acc': jsonable(ref), 'seconds': time.perf_counter() - t0})
        print(f"seed {seed} reference voxel SVM: clean {ref['clean']:.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
        for enc in a.encoders:
            ae = AEConfig(**ENCODERS[enc])
            for arm in a.arms:
                if (enc, arm, seed) in done:
                    continue
                t0 = time.perf_counter()
                model = train_arm(arm, cd.X_train, ae, a.steps, seed, a.batch_size)
                t_train = time.perf_counter() - t0
                sor = lambda X: statistical_outlier_removal(X, generator=torch.Generator().manual_seed(seed)).numpy()
                for name, feat in [(enc, lambda X: embed(model, X))] + (
                    [(enc + '+SOR', lambda X: embed(model, sor(X)))] if arm in a.sor and 'pointnet' in enc else []
                ):
                    t1 = time.perf_counter()
                    acc = corruption_accuracies(feat, cd.X_train, cd.y_train, cd.X_test, cd.y_test, seed=seed)
                    mce, ce = mean_corruption_error(acc, ref)
                    rmce, _ = mean_corruption_error(acc, ref, relative=True)
                    runs.append(
                        {
                            'seed': seed,
                            'encoder': name,
                            'arm': arm,
                            'acc': jsonable(acc),
                            'mCE': mce,
                            'RmCE': rmce,
                            'CE': ce,
                            'train_seconds': t_train if name == enc else 0.0,
                            'eval_seconds': time.perf_counter() - t1,
                        }
                    )
                    print(
                        f"seed {seed} {name} {arm}: clean {acc['clean']:.4f} mCE {mce:.3f} RmCE {rmce:.3f} "
                        f"(train {t_train:.0f} s, eval {time.perf_counter() - t1:.0f} s)",
                        flush=True,
                    )
                out = {'config': cfg, 'reference': all_refs(), 'runs': kept + runs, 'seconds': time.perf_counter() - t_all, 'commands': prev_cmds}
                Path(a.out + '.json').write_text(json.dumps(out, indent=1))
    secs = time.perf_counter() - t_all + old_secs
    cmd = 'nice -n 10 python ' + ' '.join(['benchmarks/pointcloud_corruption.py'] + (argv if argv is not None else sys.argv[1:]))
    res = {'config': cfg, 'reference': all_refs(), 'runs': kept + runs, 'seconds': secs, 'commands': prev_cmds + [cmd]}
    Path(a.out + '.json').write_text(json.dumps(res, indent=1))
    write_report(res, a.out)


def write_report(res: dict, out: str):
    "OUT.md from the results of OUT.json: the commands, the setup, the tables."
    cfg, cmds = res['config'], res.get('commands') or [res.get('command', '?')]
    md = (
        f"# pointcloud — corruption benchmark (issue 16)\n\nCommand{'s, in order (`--append` adds the runs not there yet)' if len(cmds) > 1 else ''}: "
        + '; '.join(f'`{c}`' for c in cmds)
        + "\n\n"
        f"{len(cfg['classes'])} compositional classes (`pointcloud.shapes`), {cfg['n_train']} train / {cfg['n_test']} test clouds of "
        f"{cfg['n_points']} points (data hash {cfg['data_hash']}, shape seed 0); {cfg['steps']} pretraining steps at batch {cfg['batch_size']} per trained arm; "
        f"seeds {cfg['seeds']}. {res['seconds']:.0f} s in all on a 2-core VM shared with other jobs, torch {torch.__version__}, "
        f"{cfg['threads']} thread(s), Python {platform.python_version()}.\n\n" + summarize(res['runs'], res['reference'], cfg) + '\n'
    )
    Path(out + '.md').write_text(md)
    print(md)


if __name__ == '__main__':
    main()
