"""Downstream evaluation protocol (issue 14 item 1): baselines and fine-tuned encoders on B3DB (full), FreeSolv
(scaffold splits) and the 30 MoleculeACE targets, at label fractions, with early stopping on a validation split.

Rows go to a JSON-lines file as they are measured; a rerun skips every row already there, so a cut-off run resumes.
`benchmarks/molecules_downstream_report.py` turns the rows into benchmarks/results/molecules_downstream.md.

  # baselines everywhere (cheap)
  python benchmarks/molecules_downstream.py --arms baselines
  # pretrained encoder vs scratch (any folder written by MolEncoder.save / `methodbook molecules pretrain`)
  python benchmarks/molecules_downstream.py --arms gnn --encoder path/to/encoder --datasets freesolv,ace,b3db \
      --ace-targets all --seeds 5 --ace-seeds 3
"""

import argparse, json, os, platform, sys, time, warnings
from pathlib import Path
import numpy as np, torch

torch.set_num_threads(1)
from methodbook.core import BadInputError, check_out_path, seed_everything
from methodbook.molecules.downstream import ACE_SVM_C, BASELINES, ace_targets, baseline_features, evaluate_split, load_ace, load_task, prepare_task
from methodbook.molecules.encoder import EncoderConfig, MolEncoder

RESULTS = Path(__file__).parent / 'results'


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arms', default='baselines', help="comma list of 'baselines', 'gnn'")
    ap.add_argument('--baselines', default=','.join(BASELINES), help='comma list of baselines to run (keys of BASELINES)')
    ap.add_argument('--datasets', default='b3db,freesolv,ace', help="comma list of 'b3db', 'freesolv', 'ace'")
    ap.add_argument('--fracs', default='0.1,0.3,1.0', help='label fractions')
    ap.add_argument('--seeds', type=int, default=5, help='scaffold splits of B3DB and FreeSolv (seeds 0..N-1)')
    ap.add_argument('--ace-targets', default='all', help="'all', a comma list of targets, or 'smallest:N'")
    ap.add_argument('--ace-seeds', type=int, default=3, help='MoleculeACE seeds (validation draw, subsample, init) for the encoders')
    ap.add_argument('--ace-baseline-seeds', type=int, default=1, help='MoleculeACE seeds for the baselines')
    ap.add_argument(
        '--encoder',
        action='append',
        default=[],
        metavar='[NAME=]DIR',
        help="pretrained encoder folder (MolEncoder.load); repeatable; default name 'pretrained'",
    )
    ap.add_argument('--no-scratch', action='store_true', help='run only the --encoder arms (scratch already measured)')
    ap.add_argument('--hidden', type=int, default=64, help='scratch encoder width when no --encoder is given')
    ap.add_argument('--max-steps', type=int, default=1000)
    ap.add_argument('--eval-every', type=int, default=25)
    ap.add_argument('--patience', type=int, default=4)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--n-trees', type=int, default=500)
    ap.add_argument('--until', default='', help='UTC HH:MM: start no new unit after this time')
    ap.add_argument('--out', default=str(RESULTS / 'molecules_downstream.jsonl'))
    ap.add_argument('--cache', default='/tmp/molecules_downstream_cache', help='folder for per-task baseline features')
    a = ap.parse_args(argv)
    a.arms, a.datasets = a.arms.split(','), a.datasets.split(',')
    for x in a.arms:
        if x not in ('baselines', 'gnn'):
            raise BadInputError(f"--arms: {x!r} is not 'baselines' or 'gnn'")
    a.baselines = [b.strip() for b in a.baselines.split(',')]
    for x in a.baselines:
        if x not in BASELINES:
            raise BadInputError(f"--baselines: {x!r} is not one of {list(BASELINES)}")
    for x in a.datasets:
        if x not in ('b3db', 'freesolv', 'ace'):
            raise BadInputError(f"--datasets: {x!r} is not b3db, freesolv or ace")
    try:
        a.fracs = [float(f) for f in a.fracs.split(',')]
    except ValueError:
        raise BadInputError(f"--fracs must be numbers in (0, 1] such as 0.1,0.3,1.0, got {a.fracs!r}") from None
    if not all(0 < f <= 1 for f in a.fracs):
        raise BadInputError(f"--fracs must lie in (0, 1], got {a.fracs}")
    for k in ('seeds', 'ace_seeds', 'ace_baseline_seeds', 'max_steps', 'eval_every', 'patience', 'batch_size', 'n_trees', 'hidden'):
        if getattr(a, k) < 1:
            raise BadInputError(f"--{k.replace('_', '-')} must be at least 1, got {getattr(a, k)}")
    if not a.lr > 0:
        raise BadInputError(f"--lr must be positive, got {a.lr}")
    if a.until and not (
        len(a.until.split(':')) == 2 and all(x.isdigit() for x in a.until.split(':')) and int(a.until.split(':')[0]) < 24 and int(a.until.split(':')[1]) < 60
    ):
        raise BadInputError(f"--until must be a UTC time HH:MM, got {a.until!r}")
    if 'ace' in a.datasets:
        a.ace_list = ace_list(a.ace_targets)
    check_out_path(a.out, '--out')
    if 'gnn' in a.arms and not a.encoder:
        print('no --encoder: the gnn arm runs scratch only', flush=True)
    return a


def ace_list(spec):
    names = ace_targets()
    if spec == 'all':
        return names
    if spec.startswith('smallest:'):
        from methodbook.data import fetch, read_table

        n = spec.split(':')[1]
        if not n.isdigit() or int(n) < 1:
            raise BadInputError(f"--ace-targets smallest:N needs a positive N, got {spec!r}")
        n = int(n)
        d = Path(fetch('moleculeace'))
        return sorted(names, key=lambda t: len(read_table(d / f'{t}.csv')))[:n]
    out = spec.split(',')
    bad = [t for t in out if t not in names]
    if bad:
        raise BadInputError(f"--ace-targets: unknown {bad}; choose from {names}")
    return out


def tasks(a):
    if 'freesolv' in a.datasets:
        yield 'freesolv', lambda: load_task('freesolv'), a.seeds
    if 'ace' in a.datasets:
        for t in a.ace_list:
            yield t, (lambda t=t: load_ace(t)), None
    if 'b3db' in a.datasets:
        yield 'b3db', lambda: load_task('b3db'), a.seeds


def encoders(a):
    out = {}
    for spec in a.encoder:
        name, _, d = spec.rpartition('=')
        out[name or 'pretrained'] = MolEncoder.load(d)
    feats = {json.dumps(e.featurization, sort_keys=True) for e in out.values()}
    if len(feats) > 1:  # one graph list per run: an atom-only encoder must not see atom-group graphs
        raise BadInputError(
            '--encoder: the encoders were pretrained on different featurizations: '
            + '; '.join(f'{k}: {e.featurization}' for k, e in out.items())
            + '; run them in separate invocations'
        )
    return out


def done_keys(path):
    keys = set()
    if Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                keys.add((r['task'], r['seed'], r['frac'], r['method']))
    return keys


def cached_features(task, kind, cache):
    p = Path(cache) / f'{task.name}-{len(task)}-{kind}.npy'
    if p.exists():
        return np.load(p)
    X = baseline_features(kind, task.smiles)
    p.parent.mkdir(parents=True, exist_ok=True)
    np.save(p, X)
    return X


def past(until):
    if not until:
        return False
    h, m = map(int, until.split(':'))
    now = time.gmtime()
    return now.tm_hour * 60 + now.tm_min >= h * 60 + m


def main(argv=None):
    a = parse_args(argv)
    warnings.simplefilter('ignore')
    pre = encoders(a) if 'gnn' in a.arms else {}  # a bad encoder folder fails here, before anything is written
    done = done_keys(a.out)
    out = open(a.out, 'a')
    ref = next(iter(pre.values()), None)
    cfg = ref.cfg if ref is not None else EncoderConfig(hidden=a.hidden, layers=3, proj_dim=64)
    featurization = ref.featurization if ref is not None else None
    ft = dict(max_steps=a.max_steps, eval_every=a.eval_every, patience=a.patience, lr=a.lr, batch_size=a.batch_size)
    meta = dict(machine=platform.platform(), cpus=os.cpu_count(), torch=torch.__version__, argv=sys.argv[1:], ft=ft)
    for name, load, n_seeds in tasks(a):
        if past(a.until):
            print('--until reached', flush=True)
            break
        t0 = time.perf_counter()
        task = load()
        task, graphs = prepare_task(task, featurization)  # always: baselines and encoders see the same molecules and splits
        is_ace = task.test_mask is not None
        base_seeds = range(a.ace_baseline_seeds if is_ace else n_seeds)
        gnn_seeds = range(a.ace_seeds if is_ace else n_seeds)
        feats = {}
        print(f'{name}: {len(task)} molecules, loaded in {time.perf_counter() - t0:.0f}s', flush=True)
        for seed in sorted(set(base_seeds) | set(gnn_seeds)):
            for frac in a.fracs:
                if past(a.until):
                    break
                todo_b = [b for b in a.baselines if 'baselines' in a.arms and seed in base_seeds and (name, seed, frac, b) not in done]
                arms = {}
                if 'gnn' in a.arms and seed in gnn_seeds:
                    seed_everything(seed)
                    scratch = MolEncoder(cfg)
                    if featurization:
                        scratch.featurization = dict(featurization)
                    arms = {k: v for k, v in (({} if a.no_scratch else {'scratch': scratch}) | pre).items() if (name, seed, frac, k) not in done}
                if not todo_b and not arms:
                    continue
                for b in todo_b:
                    k = BASELINES[b]
                    if k not in feats:
                        feats[k] = cached_features(task, k, a.cache)
                rows = evaluate_split(task, seed, frac, todo_b, feats, arms, graphs, ft, n_trees=a.n_trees, svm_C=ACE_SVM_C.get(name, 10.0))
                for r in rows:
                    r.update(dataset='ace' if is_ace else name, load=os.getloadavg()[0], **({'meta': meta} if r is rows[0] else {}))
                    out.write(json.dumps(r) + '\n')
                    out.flush()
                    c = f" cliff {r['cliff_rmse']:.3f}" if 'cliff_rmse' in r else ''
                    print(f"{name} seed {seed} frac {frac} {r['method']}: {r['metric_name']} {r['metric']:.3f}{c} ({r['seconds']:.0f}s)", flush=True)
    out.close()


if __name__ == '__main__':
    main()
