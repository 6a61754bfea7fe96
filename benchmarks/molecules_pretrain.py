"""Pretraining at MOSES scale: featurize once into on-disk shards, then stream them through `methodbook.train.fit`.

Arms (same encoder, steps, batch and learning rate):
  scratch      no pretraining (nothing to run here; the random-init encoder is saved for the downstream runs)
  plain        atom-only graphs, random batches, plain NT-Xent (no fingerprint positives, unweighted negatives)
  groups       + functional-group nodes
  full         + fingerprint positives: near-neighbour batches (groups of 4), each anchor's 2 nearest batch-mates
               (Tanimoto >= 0.3) and batch-mates at Tanimoto >= 0.7 as positives, 1 - Tanimoto weighted negatives

Everything resumes: rerun the same command and finished shards are kept and each arm continues from its newest
checkpoint (raise --epochs to extend a finished run). Runs and shards live in the data cache, not in the repo.

  nohup nice -n 10 python benchmarks/molecules_pretrain.py --n 250000 --arms full --epochs 3 > /tmp/molecules_pretrain.log 2>&1 &

Progress and results: benchmarks/results/molecules_pretrain.jsonl (one JSON line per event); the encoder of each
arm is saved to <cache>/molecules/runs/<tag>/<arm>/encoder after every checkpoint-sized chunk of steps.
"""

import argparse, gzip, json, os, platform, sys, time
from pathlib import Path
import numpy as np, torch

ARMS = {
    'plain': dict(groups=False, threshold=1.1, nearest=0, group_size=1, weighted=False),
    'groups': dict(groups=True, threshold=1.1, nearest=0, group_size=1, weighted=False),
    'full': dict(groups=True, threshold=0.7, nearest=2, min_sim=0.3, group_size=4, weighted=True),
}
RESULTS = Path(__file__).parent / 'results' / 'molecules_pretrain.jsonl'


class ChunkDone(Exception):
    "Raised by the step callback once --max-minutes have passed, right after a checkpoint was written."


def log(row: dict, out: Path = RESULTS):
    row = {'time': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'load_avg': [round(x, 2) for x in os.getloadavg()], **row}
    print(json.dumps(row), flush=True)
    if out is not None:
        out.parent.mkdir(exist_ok=True)
        with open(out, 'a') as f:
            f.write(json.dumps(row) + '\n')


def moses_smiles(n: int, seed: int = 0) -> list:
    "`n` MOSES training SMILES, a seeded random subset (all of them for n <= 0)."
    from methodbook.data import fetch

    with gzip.open(fetch('moses_train'), 'rt') as f:
        sm = [l.strip() for l in f][1:]
    if 0 < n < len(sm):
        sm = [sm[i] for i in np.sort(np.random.default_rng(seed).permutation(len(sm))[:n])]
    return sm


def featurize(a, root: Path, out):
    from methodbook.molecules.shards import featurize_shards

    if a.smoke:  # no download: RDKit's shipped molecules
        from methodbook.molecules.data import default_smiles

        sm = default_smiles()[: a.n]
    else:
        sm = moses_smiles(a.n)
    t, c = time.perf_counter(), time.process_time()
    man = featurize_shards(sm, root / 'shards', shard_size=a.shard_size, n_jobs=a.jobs, neighbours=16, progress=True)
    log(
        dict(
            event='featurized',
            n_smiles=len(sm),
            n_graphs=man['n_graphs'],
            n_errors=man['n_errors'],
            n_shards=man['n_shards'],
            wall_s=round(time.perf_counter() - t, 1),
            cpu_s_main=round(time.process_time() - c, 1),
            jobs=a.jobs,
        ),
        out,
    )
    return man


def pretrain_arm(a, arm: str, root: Path, man: dict, out):
    from methodbook.train import TrainConfig
    from methodbook.molecules.contrastive import MoleculePretrainConfig
    from methodbook.molecules.encoder import EncoderConfig
    from methodbook.molecules.shards import pretrain_shards

    cfg = MoleculePretrainConfig(batch_size=a.batch, node_mask=0.25, bond_drop=0.25, subgraph=a.subgraph, **ARMS[arm])
    enc = EncoderConfig(hidden=a.hidden, layers=a.layers, proj_dim=64)
    steps_per_epoch = sum(max(1, n // a.batch) for n in man['sizes'])
    total = max(1, int(a.epochs * steps_per_epoch))
    train = TrainConfig(
        max_steps=total,
        lr=a.lr,
        scheduler='cosine',
        warmup_steps=min(50, total // 10),
        ckpt_every=a.ckpt_every,
        keep_last=2,
        seed=a.seed,
        log_every=a.ckpt_every,
        progress=False,
    )
    run = root / 'runs' / arm
    last = dict(t=time.perf_counter(), c=time.process_time(), step=None)
    started, first = time.perf_counter(), []
    settings = dict(man['settings'], groups=cfg.groups)

    def on_step(step, model):  # every checkpoint: export the encoder and log throughput, so a cut-off run leaves both
        if last['step'] is None:
            last['step'] = step - 1
            first.append(step)
        over = a.max_minutes and time.perf_counter() - started > 60 * a.max_minutes
        if over and step > first[0] and (step - 1) % a.ckpt_every == 0:  # the checkpoint of step-1 is on disk
            log(dict(event='chunk stopped', arm=arm, step=step - 1, total_steps=total, max_minutes=a.max_minutes), out)
            raise ChunkDone(arm)
        if step % a.ckpt_every and step != total:
            return
        model.encoder.featurization = dict(settings)
        model.encoder.save(run / 'encoder')
        wall, cpu, n = time.perf_counter() - last['t'], time.process_time() - last['c'], (step - last['step']) * a.batch
        hist = _metrics(run, step)
        log(
            dict(
                event='pretrain',
                arm=arm,
                step=step,
                total_steps=total,
                epochs_done=round(step / steps_per_epoch, 3),
                molecules_seen=step * a.batch,
                mol_per_wall_s=round(n / wall, 1),
                mol_per_cpu_s=round(n / cpu, 1),
                loss=round(float(np.mean([x['loss'] for x in hist])), 4) if hist else None,
                extra_pos=round(float(np.mean([x['extra_pos'] for x in hist])), 3) if hist else None,
                cfg=cfg.to_dict(),
                enc=enc.to_dict(),
                device='cuda' if torch.cuda.is_available() else 'cpu',
            ),
            out,
        )
        last.update(t=time.perf_counter(), c=time.process_time(), step=step)

    res = pretrain_shards(root / 'shards', cfg, enc, train, run_dir=run, resume=True, on_step=on_step)
    res.model.encoder.save(run / 'encoder')
    log(dict(event='arm done', arm=arm, steps=len(res.history), epochs=round(len(res.history) / steps_per_epoch, 3)), out)
    return run


def _metrics(run: Path, step: int, last: int = None) -> list:
    "The training rows of the run's metrics log since the previous checkpoint-sized window."
    p = run / 'metrics.jsonl'
    if not p.exists():
        return []
    rows = [json.loads(l) for l in p.read_text().splitlines() if l.strip()]
    return [r for r in rows if r.get('kind') != 'eval' and 'loss' in r][-50:]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=250_000, help='MOSES molecules (0: all 1.58 M)')
    ap.add_argument('--arms', default='full', help='comma-separated: ' + ', '.join(ARMS))
    ap.add_argument('--epochs', type=float, default=3.0)
    ap.add_argument('--batch', type=int, default=512)
    ap.add_argument('--hidden', type=int, default=64)
    ap.add_argument('--layers', type=int, default=3)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--subgraph', type=float, default=0.0)
    ap.add_argument('--shard-size', type=int, default=8192)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--ckpt-every', type=int, default=25)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument(
        '--max-minutes', type=float, default=0, help='stop at the first checkpoint after this many minutes of training (0: no limit); rerun to resume'
    )
    ap.add_argument('--root', default=None, help='shards + runs folder (default: the data cache)')
    ap.add_argument(
        '--smoke', action='store_true', help='a tiny run (600 RDKit-shipped molecules, no download, a few steps) in a temp folder; results not logged'
    )
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    if a.smoke:
        import tempfile

        a.n, a.shard_size, a.batch, a.hidden, a.epochs, a.ckpt_every = 600, 256, 64, 16, 0.5, 2
        root, out = Path(a.root or tempfile.mkdtemp(prefix='molecules-smoke-')), None
    else:
        from methodbook.data import cache_dir

        root, out = Path(a.root) if a.root else cache_dir() / 'molecules' / f'moses_{a.n or "all"}', RESULTS
    arms = [x.strip() for x in a.arms.split(',') if x.strip()]
    bad = [x for x in arms if x not in ARMS]
    if bad:
        sys.exit(f'unknown arm(s) {bad}; choose from {list(ARMS)}')
    log(
        dict(
            event='start',
            argv=sys.argv[1:] if argv is None else argv,
            root=str(root) if not a.smoke else 'tmp',
            cpus=os.cpu_count(),
            machine=platform.platform(),
            torch=torch.__version__,
            cuda=torch.cuda.is_available(),
        ),
        out,
    )
    man = featurize(a, root, out)
    t0 = time.perf_counter()
    for k, arm in enumerate(arms):
        if k and a.max_minutes and time.perf_counter() - t0 > 60 * a.max_minutes:  # the time is up: no new arm
            break
        a_left = argparse.Namespace(**{**vars(a), 'max_minutes': a.max_minutes and max(1e-9, a.max_minutes - (time.perf_counter() - t0) / 60)})
        try:
            pretrain_arm(a_left, arm, root, man, out)
        except ChunkDone:
            break
    return root


if __name__ == '__main__':
    main()
